"""Engine and session factory for SQLite (default) and PostgreSQL.

SQLite gets WAL journaling, foreign keys and a busy timeout on every
connection, so that the API, the worker and the CLI can share one file.

Within one process, SQLite write transactions also queue on a per-file lock
(the *write gate*) before `BEGIN IMMEDIATE`. SQLite's own busy handler polls
with sleeps of up to 100 ms, so threads of one server that merely wait for
each other lost most of their time sleeping while the file was free; the gate
hands the lock over as soon as the holder commits. It only orders writers of
this process: other processes (workers, the CLI) still meet at SQLite's lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from complydesk.errors import ConfigError


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite tuned for concurrent readers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("database URL is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={
                "check_same_thread": False,
                "timeout": BUSY_TIMEOUT_S,
                "factory": GatedConnection,
            },
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", partial(_sqlite_begin, _gate(parsed.database)))
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    raise ConfigError(
        f"database backend {parsed.get_backend_name()!r} is not supported; "
        "use sqlite:/// or postgresql+psycopg://"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, start transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "complydesk_read_only"
BUSY_TIMEOUT_S = 30.0
_gates: dict[str, threading.Lock] = {}
_gates_guard = threading.Lock()


def _gate(database: str | None) -> threading.Lock | None:
    """The write gate of one database file (None for in-memory databases)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    with _gates_guard:
        return _gates.setdefault(os.path.realpath(database), threading.Lock())


class GatedConnection(sqlite3.Connection):
    """A pysqlite connection that releases the write gate when its transaction ends.

    The gate is taken in `_sqlite_begin` (on the thread that starts the
    transaction) and released here after COMMIT or ROLLBACK has finished, from
    whichever thread ends it: a request may begin on one worker thread and
    commit on another, which is why the gate is a plain Lock, not an RLock.
    """

    held: threading.Lock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_gate()

    def release_gate(self) -> None:
        held, self.held = self.held, None
        if held is not None:
            held.release()


def _sqlite_begin(gate: threading.Lock | None, conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that reads and then
    # writes (audit append, optimistic ticket updates) cannot fail half-way with
    # SQLITE_BUSY_SNAPSHOT; others wait on the busy timeout instead. Read-only
    # transactions (read_transaction) stay deferred and never block writers.
    if conn.get_execution_options().get(READ_ONLY, False):
        conn.exec_driver_sql("BEGIN")
        return
    dbapi = conn.connection.dbapi_connection
    if (
        gate is not None
        and isinstance(dbapi, GatedConnection)
        and dbapi.held is None
        # A bounded wait: should a thread ever begin a second write while it
        # holds the gate, it falls through to SQLite's busy timeout as before.
        and gate.acquire(timeout=BUSY_TIMEOUT_S)
    ):
        dbapi.held = gate
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi, GatedConnection):
            dbapi.release_gate()
        raise


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def read_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that only reads: on SQLite it leaves the write lock free."""
    with factory() as session:
        # Closing (not rolling back) ends the transaction without expiring what
        # was loaded, so callers may render the objects afterwards.
        session.connection(execution_options={READ_ONLY: True})
        yield session


@contextmanager
def single_read(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one read statement, with no transaction around it if possible.

    On PostgreSQL it runs in autocommit mode: no BEGIN and ROLLBACK round trips
    (one statement sees one consistent snapshot anyway). On SQLite it is a
    `read_transaction`. Use `read_transaction` when several reads must agree.
    """
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        else:
            session.connection(execution_options={READ_ONLY: True})
        yield session
