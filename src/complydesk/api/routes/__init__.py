"""One thin router module per domain; `ROUTERS` is the explicit list app.py mounts."""

from fastapi import APIRouter

from complydesk.api.routes import (
    audit,
    config,
    customers,
    desk,
    health,
    me,
    policy,
    speech,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    me.router,
    policy.router,
    audit.router,
    users.router,
    customers.router,
    desk.router,
    config.router,
    speech.router,
]

__all__ = ["ROUTERS"]
