"""User and service-account management; every change is audited."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status
from sqlalchemy import select

from complydesk.api.deps import (
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.schemas.identity import (
    TokenCreate,
    TokenIssued,
    UserCreate,
    UserPublic,
)
from complydesk.identity import Permission, grant_token, register_user
from complydesk.store.models import User

router = APIRouter(prefix="/v1/users", tags=["identity"])


@router.get("", dependencies=[require(Permission.USERS_READ)])
def list_users(session: ReadSessionDep) -> list[UserPublic]:
    users = session.scalars(select(User).order_by(User.username))
    return [UserPublic.model_validate(u) for u in users]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.USERS_MANAGE)],
)
def add_user(
    body: UserCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> UserPublic:
    password = body.password.get_secret_value() if body.password else None
    user = register_user(
        session, ctx.audit, principal.username, body.username, body.role, password
    )
    return UserPublic.model_validate(user)


@router.post(
    "/{username}/tokens",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.USERS_MANAGE)],
)
def add_token(
    username: str,
    body: TokenCreate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> TokenIssued:
    now = ctx.clock()
    ttl = timedelta(days=body.ttl_days) if body.ttl_days else None
    secret = grant_token(
        session, ctx.audit, principal.username, username, body.name, ttl
    )
    return TokenIssued(
        name=body.name, token=secret, expires_at=now + ttl if ttl else None
    )
