"""Request dependencies: the database session, the principal, permission checks.

Authentication is one read of its own (no write lock, no transaction where
the database allows) and a denial is audited in its own transaction, so a
denial is recorded even though the request's transaction never starts.

Why some of these are `async def`: FastAPI runs every plain `def` dependency
on the thread pool, one hand-off each. Those that do no I/O (the context, the
permission check, opening the session, which connects lazily) run on the
event loop instead; only the principal lookup, the handler and the commit
cross to a thread. The request's session is function-scoped: it commits
*before* the response is sent, so a client never sees a 201 for a change
whose commit then failed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

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
from complydesk.store.db import read_transaction, single_read, transaction
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


async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def _finish(session: Session, commit: bool) -> None:
    with session:  # closes it either way
        if commit:
            session.commit()
        else:
            session.rollback()


async def get_session(ctx: ContextDep) -> AsyncIterator[Session]:
    """One transaction per request: committed on success, rolled back on error.

    Like `store.db.transaction`, but opened on the event loop (no I/O until
    the first statement) and ended on the thread pool before the response.
    """
    session = ctx.sessions()
    session.begin()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_finish, session, False)
        raise
    await run_in_threadpool(_finish, session, True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_read_session(ctx: ContextDep) -> Iterator[Session]:
    """For handlers that only read: on SQLite it never takes the write lock."""
    with read_transaction(ctx.sessions) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


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
    # One read: on SQLite it never takes the write lock, on PostgreSQL it
    # needs no BEGIN/ROLLBACK round trips.
    with single_read(ctx.sessions) as session:
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

    async def check(
        request: Request, ctx: ContextDep, principal: PrincipalDep
    ) -> Principal:
        if not principal.can(permission):
            route = request.scope.get("route")
            path = getattr(route, "path", request.url.path)
            await run_in_threadpool(
                record_denial, ctx, principal, permission.value, path
            )
            raise NotAllowed(f"this needs the permission {permission.value}")
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # read by route tests
    return Depends(check)


def permission_of(dependency: Callable[..., Any]) -> Permission | None:
    """The permission a `require` dependency checks (for the role x route test)."""
    value = getattr(dependency, "permission", None)
    return value if isinstance(value, Permission) else None
