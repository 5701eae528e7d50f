"""Account administration as one audited step, shared by the API and the CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.errors import Conflict
from complydesk.identity.permissions import Role
from complydesk.identity.users import create_user, get_user, issue_token
from complydesk.store.models import User


def register_user(
    session: Session,
    audit: AuditLog,
    actor: str,
    username: str,
    role: Role,
    password: str | None,
) -> User:
    """Create a person or (role service) a service account, and audit it."""
    user = create_user(
        session,
        username,
        role,
        password=password,
        now=audit.clock(),
        is_service=role is Role.SERVICE,
    )
    _record(session, audit, actor, "user.create", user, {"role": role.value})
    return user


def grant_token(
    session: Session,
    audit: AuditLog,
    actor: str,
    username: str,
    name: str,
    ttl: timedelta | None,
) -> str:
    """Issue an API token for an active user, and audit it; returns the secret."""
    user = get_user(session, username)
    if not user.active:
        raise Conflict(f"user {username!r} is deactivated")
    secret = issue_token(session, user, name, now=audit.clock(), ttl=ttl)
    _record(session, audit, actor, "token.issue", user, {"token_name": name})
    return secret


def _record(
    session: Session,
    audit: AuditLog,
    actor: str,
    action: str,
    user: User,
    details: dict[str, str],
) -> None:
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action=action,
            object_type="user",
            object_id=str(user.id),
            outcome="ok",
            details=details,
        ),
    )
