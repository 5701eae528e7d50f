"""Who am I: the caller's identity and effective permissions."""

from __future__ import annotations

from fastapi import APIRouter

from complydesk.api.deps import PrincipalDep
from complydesk.api.schemas.identity import Me

router = APIRouter(prefix="/v1", tags=["identity"])


@router.get("/me")
def me(principal: PrincipalDep) -> Me:
    return Me(
        username=principal.username,
        role=principal.role,
        is_service=principal.is_service,
        permissions=sorted(p.value for p in principal.permissions),
    )
