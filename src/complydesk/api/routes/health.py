"""Liveness and readiness: is the database reachable and migrated?"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from complydesk import __version__
from complydesk.api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(ctx: ContextDep) -> dict[str, str]:
    with ctx.sessions() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
