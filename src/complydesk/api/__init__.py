"""REST API: `create_app(settings)` builds it; routes are thin shells over domains."""

from complydesk.api.app import create_app

__all__ = ["create_app"]
