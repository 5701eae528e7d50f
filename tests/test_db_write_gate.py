"""The SQLite write gate: writers of one process queue on a lock, not on sleeps."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from complydesk.store.db import (
    GatedConnection,
    make_engine,
    make_sessionmaker,
    read_transaction,
    transaction,
)


@pytest.fixture
def sqlite(tmp_path: Path) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine, sessions


def _count(sessions: sessionmaker[Session]) -> int:
    with read_transaction(sessions) as session:
        return int(session.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_concurrent_writers_all_commit_without_busy_errors(
    sqlite: tuple[Engine, sessionmaker[Session]],
) -> None:
    _, sessions = sqlite
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(50):
                with transaction(sessions) as session:
                    session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                    # read, think, write: the pattern BEGIN IMMEDIATE protects
                    session.execute(text("SELECT count(*) FROM t")).scalar_one()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and _count(sessions) == 400


def test_gate_is_released_by_rollback_and_by_another_thread(
    sqlite: tuple[Engine, sessionmaker[Session]],
) -> None:
    _, sessions = sqlite
    with pytest.raises(RuntimeError):
        with transaction(sessions) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("rolled back")
    # A request may begin on one thread and commit on another (FastAPI's
    # dependency exit runs on the thread pool): the gate must follow.
    session = sessions()
    session.begin()
    session.execute(text("INSERT INTO t VALUES (2)"))
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, GatedConnection) and raw.held is not None
    ender = threading.Thread(target=lambda: (session.commit(), session.close()))
    ender.start()
    ender.join(timeout=10)
    assert raw.held is None
    started = time.monotonic()
    with transaction(sessions) as later:
        later.execute(text("INSERT INTO t VALUES (3)"))
    assert time.monotonic() - started < 5
    assert _count(sessions) == 2


def test_readers_do_not_wait_for_the_gate(
    sqlite: tuple[Engine, sessionmaker[Session]],
) -> None:
    _, sessions = sqlite
    with transaction(sessions) as writer:
        writer.execute(text("INSERT INTO t VALUES (1)"))
        seen: list[int] = []
        reader = threading.Thread(target=lambda: seen.append(_count(sessions)))
        reader.start()
        reader.join(timeout=5)
        assert seen == [0]  # answered while the write is open, from the snapshot
    assert _count(sessions) == 1
