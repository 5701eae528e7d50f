"""The audit trail: recent entries and a full chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from complydesk.api.deps import ContextDep, ReadSessionDep, require
from complydesk.audit import recent_entries, verify_chain
from complydesk.identity import Permission

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    reason: str
    details: dict[str, Any]
    mac: str


@router.get("/entries", dependencies=[require(Permission.AUDIT_READ)])
def entries(
    session: ReadSessionDep, limit: int = Query(default=50, ge=1, le=1000)
) -> list[AuditEntryPublic]:
    return [AuditEntryPublic.model_validate(e) for e in recent_entries(session, limit)]


@router.get("/verify", dependencies=[require(Permission.AUDIT_VERIFY)])
def verify(session: ReadSessionDep, ctx: ContextDep) -> dict[str, Any]:
    return verify_chain(session, ctx.audit.key).to_dict()
