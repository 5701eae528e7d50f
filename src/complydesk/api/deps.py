"""Request dependencies: the database session, the principal, permission checks.

Authentication and the permission check each use their own short transaction,
so a denial is audited even though the request's own transaction never starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditEvent, AuditLog
from complydesk.clock import Clock
from complydesk.errors import NotAllowed, NotAuthenticated
from complydesk.identity import (
    Permission,
    Principal,
    principal_from_session,
    principal_from_token,
)
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.vault import Vault

SESSION_COOKIE = "complydesk_session"


@dataclass
class AppContext:
    """What the app factory builds once and every request shares."""

    settings: Settings
    sessions: sessionmaker[Session]
    audit: AuditLog
    clock: Clock
    vault: Vault


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on error."""
    with transaction(ctx.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_read_session(ctx: ContextDep) -> Iterator[Session]:
    """For handlers that only read: on SQLite it never takes the write lock."""
    with read_transaction(ctx.sessions) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve_principal(request: Request, ctx: AppContext) -> Principal | None:
    """The caller, from a bearer token (API) or the console session cookie."""
    token = _bearer(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if token is None and cookie is None:
        return None
    now = ctx.clock()
    with transaction(ctx.sessions) as session:
        if token is not None:
            return principal_from_token(session, token, now)
        assert cookie is not None
        return principal_from_session(session, cookie, now)


def get_principal(request: Request, ctx: ContextDep) -> Principal:
    principal = resolve_principal(request, ctx)
    if principal is None:
        raise NotAuthenticated("valid credentials are required")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def record_denial(
    ctx: AppContext, principal: Principal, permission: str, path: str
) -> None:
    with transaction(ctx.sessions) as session:
        ctx.audit.record(
            session,
            AuditEvent(
                actor=principal.username,
                action="access.denied",
                object_type="route",
                object_id=path[:120],
                outcome="denied",
                reason=f"role {principal.role.value} lacks {permission}",
            ),
        )


def require(permission: Permission) -> Any:
    """A dependency that lets the request through only with `permission`."""

    def check(request: Request, ctx: ContextDep, principal: PrincipalDep) -> Principal:
        if not principal.can(permission):
            route = request.scope.get("route")
            path = getattr(route, "path", request.url.path)
            record_denial(ctx, principal, permission.value, path)
            raise NotAllowed(f"this needs the permission {permission.value}")
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # read by route tests
    return Depends(check)


def permission_of(dependency: Callable[..., Any]) -> Permission | None:
    """The permission a `require` dependency checks (for the role x route test)."""
    value = getattr(dependency, "permission", None)
    return value if isinstance(value, Permission) else None
