"""One thin router module per domain; `ROUTERS` is the explicit list app.py mounts."""

from fastapi import APIRouter

from complydesk.api.routes import (
    ai,
    audit,
    breach,
    config,
    customers,
    desk,
    health,
    me,
    policy,
    portal,
    rights,
    speech,
    track,
    transfer,
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
    desk.sla_router,
    track.router,
    config.router,
    speech.router,
    rights.router,
    portal.router,
    breach.router,
    ai.router,
    transfer.router,
]

__all__ = ["ROUTERS"]
