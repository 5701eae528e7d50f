"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

`db_url` is parametrised over both backends, so every test that touches
storage runs twice. The schema comes from the real Alembic migrations, applied
once per session to a template (a file for SQLite, a template database for
PostgreSQL) and cloned per test. PostgreSQL tests skip, with the reason shown,
only when no server answers at COMPLYDESK_TEST_PG_URL.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from complydesk.logs import ScrubFilter
from complydesk.settings import Settings, load_settings
from complydesk.store.db import make_engine, make_sessionmaker
from complydesk.store.migrate import upgrade

# Browser fixtures (`browser`, `page`) for the Playwright tests.
pytest_plugins = ("tests.browser_helpers",)

PG_URL = os.environ.get(
    "COMPLYDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_admin() -> Engine:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database, unique to this run (runs may overlap)."""
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        admin.dispose()
        reason = f"PostgreSQL not reachable at {make_url(PG_URL).host}: {exc}"
        if os.environ.get("COMPLYDESK_REQUIRE_POSTGRES"):
            pytest.fail(reason + " (COMPLYDESK_REQUIRE_POSTGRES is set)")
        pytest.skip(reason)
    name = f"cd_template_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(make_url(PG_URL).set(database=name).render_as_string(False))
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own for this test, on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "complydesk.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"cd_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database (no tables) on the same backend as `db_url`."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"cd_empty_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield url.set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at this test's database and a private data dir."""
    return load_settings(database_url=db_url, data_dir=tmp_path / "data")


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """CLI commands call logs.configure(), which replaces the root handlers
    with one writing to the runner's (then closed) stderr and sets INFO;
    put the root logger back so later tests see the usual setup."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in root.handlers[:]:
        if any(isinstance(f, ScrubFilter) for f in handler.filters):
            root.removeHandler(handler)  # the one logs.configure() installed
    root.setLevel(level)


@pytest.fixture
def fixed_now() -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The real app on this test's database, background jobs off."""
    from complydesk.api import create_app

    application = create_app(settings)
    yield application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


_BACKEND_OUTCOMES: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count outcomes per storage backend, for the summary CI logs."""
    if report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    for backend in ("sqlite", "postgres"):
        if f"[{backend}" in report.nodeid:
            counts = _BACKEND_OUTCOMES.setdefault(backend, {})
            counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for backend, counts in sorted(_BACKEND_OUTCOMES.items()):
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"storage backend {backend}: {summary}")
