"""Users, passwords, tokens and sessions: hashed at rest, checked on every use."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.clock import utcnow
from complydesk.errors import Conflict, InvalidInput
from complydesk.identity import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    authenticate,
    create_user,
    issue_token,
    open_session,
    principal_from_session,
    principal_from_token,
    purge_expired_sessions,
)
from complydesk.store.db import transaction
from complydesk.store.models import ApiToken, User

PASSWORD = "correct horse battery"


def _person(session: Session, name: str = "alice", role: Role = Role.AGENT) -> User:
    return create_user(session, name, role, password=PASSWORD, now=utcnow())


def test_every_role_has_an_entry_in_the_matrix() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_admin_cannot_unmask_and_auditor_cannot_read_tickets() -> None:
    assert Permission.PII_UNMASK not in ROLE_PERMISSIONS[Role.ADMIN]
    assert Permission.TICKETS_READ not in ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.PII_UNMASK in ROLE_PERMISSIONS[Role.COMPLIANCE_OFFICER]
    assert Permission.PII_UNMASK in ROLE_PERMISSIONS[Role.AGENT]
    assert Permission.PII_UNMASK not in ROLE_PERMISSIONS[Role.SERVICE]
    assert Permission.PII_UNMASK not in ROLE_PERMISSIONS[Role.AUDITOR]


def test_password_is_stored_as_argon2_and_authenticates(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        user = _person(session)
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
    with transaction(session_factory) as session:
        principal = authenticate(session, "alice", PASSWORD)
        assert principal is not None and principal.role is Role.AGENT
        assert authenticate(session, "alice", "wrong password!") is None
        assert authenticate(session, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "service", "error"),
    [
        ("Bad Name", Role.AGENT, PASSWORD, False, "username"),
        ("bob", Role.AGENT, "short", False, "at least 12"),
        ("bob", Role.AGENT, None, False, "at least 12"),
        ("bot", Role.SERVICE, PASSWORD, True, "tokens, not passwords"),
        ("bot", Role.AGENT, None, True, "role 'service'"),
    ],
)
def test_when_user_input_is_invalid_then_named_error(
    session_factory: sessionmaker[Session],
    name: str,
    role: Role,
    password: str | None,
    service: bool,
    error: str,
) -> None:
    with pytest.raises(InvalidInput, match=error), transaction(session_factory) as s:
        create_user(s, name, role, password=password, now=utcnow(), is_service=service)


def test_duplicate_username_is_a_conflict_and_keeps_the_first(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        _person(session)
    with pytest.raises(Conflict), transaction(session_factory) as session:
        _person(session, role=Role.ADMIN)
    with session_factory() as session:
        assert (
            session.scalar(select(User.role).where(User.username == "alice")) == "agent"
        )


def test_token_is_stored_hashed_and_expires(
    session_factory: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    now = utcnow()
    with transaction(session_factory) as session:
        user = _person(session)
        secret = issue_token(session, user, "ci", now=now, ttl=timedelta(hours=1))
    with session_factory() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert secret not in (stored.token_hash, stored.prefix)
        assert principal_from_token(session, secret, now) is not None
        assert principal_from_token(session, secret, now + timedelta(hours=2)) is None
        assert principal_from_token(session, secret + "x", now) is None
    if engine.dialect.name == "sqlite":
        db_file = Path(str(engine.url.database))
        assert secret.encode() not in db_file.read_bytes()


def test_deactivated_user_loses_token_access(
    session_factory: sessionmaker[Session],
) -> None:
    now = utcnow()
    with transaction(session_factory) as session:
        user = _person(session)
        secret = issue_token(session, user, "ci", now=now, ttl=None)
        user.active = False
    with session_factory() as session:
        assert principal_from_token(session, secret, now) is None


def test_console_sessions_expire_and_are_purged(
    session_factory: sessionmaker[Session],
) -> None:
    now = utcnow()
    with transaction(session_factory) as session:
        principal = authenticate(session, _person(session).username, PASSWORD)
        assert principal is not None
        secret = open_session(session, principal, now, timedelta(hours=1))
    with transaction(session_factory) as session:
        assert principal_from_session(session, secret, now) == principal
        later = now + timedelta(hours=2)
        assert principal_from_session(session, secret, later) is None
        assert purge_expired_sessions(session, later) == 1
