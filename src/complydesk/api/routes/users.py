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
from complydesk.audit import AuditEvent
from complydesk.identity import Permission, Role, create_user, get_user, issue_token
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
    user = create_user(
        session,
        body.username,
        body.role,
        password=password,
        now=ctx.clock(),
        is_service=body.role is Role.SERVICE,
    )
    ctx.audit.record(
        session,
        AuditEvent(
            actor=principal.username,
            action="user.create",
            object_type="user",
            object_id=str(user.id),
            outcome="ok",
            details={"role": user.role},
        ),
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
    user = get_user(session, username)
    now = ctx.clock()
    ttl = timedelta(days=body.ttl_days) if body.ttl_days else None
    secret = issue_token(session, user, body.name, now=now, ttl=ttl)
    ctx.audit.record(
        session,
        AuditEvent(
            actor=principal.username,
            action="token.issue",
            object_type="user",
            object_id=str(user.id),
            outcome="ok",
            details={"token_name": body.name},
        ),
    )
    return TokenIssued(
        name=body.name, token=secret, expires_at=now + ttl if ttl else None
    )
