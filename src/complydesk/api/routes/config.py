"""The running configuration, secrets hidden."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from complydesk.api.deps import ContextDep, require
from complydesk.identity import Permission

router = APIRouter(prefix="/v1", tags=["config"])


@router.get("/config", dependencies=[require(Permission.CONFIG_READ)])
def show_config(ctx: ContextDep) -> dict[str, Any]:
    return ctx.settings.redacted()
