"""One exception tree for the whole product; no HTTP here (the API maps it).

* ComplydeskError
  x ConfigError            settings or data files that cannot be used
    + PolicyError          a policy pack is invalid or unknown
  x NotFound               an object that does not exist (or is not visible)
  x NotAllowed             authenticated, but the role lacks the permission
  x NotAuthenticated       no or bad credentials
  x InvalidInput           a value from outside fails validation
  x Conflict               the request clashes with the current state
  x IntegrityError         stored data fails a check (e.g. the audit chain)

Messages are shown to users and written to logs: they must never carry
personal data. Name the field, never echo its value.
"""

from __future__ import annotations


class ComplydeskError(Exception):
    """Base of every error complydesk raises on purpose."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigError(ComplydeskError):
    status = 500
    title = "Configuration error"


class PolicyError(ConfigError):
    title = "Policy pack error"


class NotFound(ComplydeskError):
    status = 404
    title = "Not found"


class NotAllowed(ComplydeskError):
    status = 403
    title = "Forbidden"


class NotAuthenticated(ComplydeskError):
    status = 401
    title = "Not authenticated"


class InvalidInput(ComplydeskError):
    status = 422
    title = "Invalid input"


class Conflict(ComplydeskError):
    status = 409
    title = "Conflict"


class IntegrityError(ComplydeskError):
    status = 500
    title = "Integrity check failed"
