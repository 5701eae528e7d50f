"""Users, API tokens and console sessions, and the Principal a request acts as."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.identity.credentials import (
    hash_password,
    hash_secret,
    new_secret,
    verify_password,
)
from complydesk.identity.permissions import Permission, Role, permissions_for
from complydesk.store.models import ApiToken, ConsoleSession, User

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: resolved once, then checked against the matrix."""

    user_id: int
    username: str
    role: Role
    is_service: bool

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.role)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, Role(user.role), user.is_service)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {value!r}; valid roles: {valid}") from None


def create_user(
    session: Session,
    username: str,
    role: Role,
    *,
    password: str | None,
    now: datetime,
    is_service: bool = False,
) -> User:
    """A person (with a password) or a service account (tokens only)."""
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "username must be 2-64 characters: lower-case letters, digits, '.', "
            "'_' or '-', starting with a letter"
        )
    if is_service != (role is Role.SERVICE):
        raise InvalidInput("service accounts have role 'service', people do not")
    if is_service and password is not None:
        raise InvalidInput("service accounts authenticate with tokens, not passwords")
    if not is_service and (password is None or len(password) < MIN_PASSWORD_LENGTH):
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username,
        role=role.value,
        is_service=is_service,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active or user.is_service:
        return None
    return _principal(user)


def issue_token(
    session: Session, user: User, name: str, *, now: datetime, ttl: timedelta | None
) -> str:
    """Create an API token; the returned secret is never stored and shown only once."""
    if not name.strip() or len(name) > 80:
        raise InvalidInput("token name must be 1-80 characters")
    secret = new_secret()
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            prefix=secret[:10],
            token_hash=hash_secret(secret),
            created_at=now,
            expires_at=now + ttl if ttl else None,
        )
    )
    session.flush()
    return secret


def principal_from_token(
    session: Session, secret: str, now: datetime
) -> Principal | None:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_secret(secret))
    ).one_or_none()
    if row is None:
        return None
    token, user = row
    expired = token.expires_at is not None and token.expires_at <= now
    if token.revoked_at is not None or expired or not user.active:
        return None
    return _principal(user)


def open_session(
    session: Session, principal: Principal, now: datetime, ttl: timedelta
) -> str:
    """Start a console session; the cookie gets the secret, the table its hash."""
    secret = new_secret("cds_")
    session.add(
        ConsoleSession(
            user_id=principal.user_id,
            token_hash=hash_secret(secret),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return secret


def principal_from_session(
    session: Session, secret: str, now: datetime
) -> Principal | None:
    row = session.execute(
        select(ConsoleSession, User)
        .join(User, User.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_hash == hash_secret(secret))
    ).one_or_none()
    if row is None:
        return None
    console_session, user = row
    if console_session.expires_at <= now or not user.active:
        return None
    return _principal(user)


def close_session(session: Session, secret: str) -> None:
    session.execute(
        delete(ConsoleSession).where(ConsoleSession.token_hash == hash_secret(secret))
    )


def purge_expired_sessions(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(ConsoleSession).where(ConsoleSession.expires_at <= now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
