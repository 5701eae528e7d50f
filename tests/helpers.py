"""Small builders shared by tests (no fixtures here; see conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from complydesk.clock import utcnow
from complydesk.identity import Role, create_user, issue_token
from complydesk.store.db import transaction

PASSWORD = "correct horse battery"


def add_user_with_token(
    sessions: sessionmaker[Session], username: str, role: Role
) -> str:
    """Create a user of `role` and return a fresh API token for it."""
    now = utcnow()
    with transaction(sessions) as session:
        service = role is Role.SERVICE
        user = create_user(
            session,
            username,
            role,
            password=None if service else PASSWORD,
            now=now,
            is_service=service,
        )
        return issue_token(session, user, "test", now=now, ttl=timedelta(days=1))
