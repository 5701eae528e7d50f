"""Storage: both backends migrate to head, SQLite is tuned, datetimes stay UTC."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from complydesk.errors import ConfigError
from complydesk.store.db import make_engine, read_transaction, transaction
from complydesk.store.migrate import current_revision, head_revision
from complydesk.store.models import Customer


def test_database_is_migrated_to_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() is not None


def test_sqlite_runs_wal_with_foreign_keys(sqlite_template: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_template}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_foreign_keys_are_enforced(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="(?i)foreign key"):
        with transaction(session_factory) as session:
            session.execute(
                text(
                    "INSERT INTO conversations (customer_id, channel, started_at) "
                    "VALUES (999, 'web', :at)"
                ),
                {"at": datetime(2026, 1, 1, tzinfo=UTC)},
            )


def test_aware_datetimes_round_trip_as_utc(
    session_factory: sessionmaker[Session],
) -> None:
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=shanghai)
    with transaction(session_factory) as session:
        session.add(Customer(ref="C-1", jurisdiction="cn", created_at=local))
    with session_factory() as session:
        stored = session.query(Customer).one().created_at
    assert stored == local
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        with transaction(session_factory) as session:
            session.add(Customer(ref="C-2", created_at=datetime(2026, 1, 1)))
            session.flush()


@pytest.mark.parametrize(
    ("url", "needle"),
    [("mysql://x@y/z", "not supported"), ("not a url", "not a valid")],
)
def test_when_url_is_unusable_then_config_error(url: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        make_engine(url)


def test_a_long_read_does_not_block_writers(
    session_factory: sessionmaker[Session],
) -> None:
    with read_transaction(session_factory) as reader:
        reader.execute(text("SELECT count(*) FROM customers")).scalar()
        done = threading.Event()

        def write() -> None:
            with transaction(session_factory) as writer:
                writer.add(Customer(ref="C-3", created_at=datetime.now(UTC)))
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        assert done.wait(timeout=5), "writer blocked by a read-only transaction"
        thread.join()
