"""Consistent backups of the main database, and restores into an empty one.

SQLite uses the online backup API (a consistent snapshot while the service
writes); PostgreSQL uses `pg_dump --format=custom` and `pg_restore`. The
keystore is never part of a backup (complydesk.vault.keystore): that is what
lets an erasure reach old backups. Passwords go to pg_dump through PGPASSWORD,
never on its command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from complydesk.errors import ConfigError, Conflict, InvalidInput
from complydesk.store.db import make_engine


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size_bytes: int


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ConfigError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(f"{name} is not installed; it is needed for PostgreSQL")
    return found


def create_backup(database_url: str, out: Path) -> BackupResult:
    """Write a consistent copy of the database to `out` (refuses to overwrite)."""
    url = make_url(database_url)
    if out.exists():
        raise Conflict(f"{out} already exists; choose a new backup file")
    out.parent.mkdir(parents=True, exist_ok=True)
    backend = url.get_backend_name()
    if backend == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise ConfigError(f"database file {source} does not exist")
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    elif backend == "postgresql":
        target, env = _libpq(url)
        _run([_tool("pg_dump"), "--format=custom", f"--file={out}", target], env)
    else:
        raise ConfigError(f"cannot back up a {backend} database")
    os.chmod(out, 0o600)
    return BackupResult(out, backend, out.stat().st_size)


def restore_backup(backup: Path, database_url: str) -> None:
    """Load `backup` into an empty database (a restore never overwrites data)."""
    if not backup.is_file():
        raise InvalidInput(f"backup file {backup} does not exist")
    url = make_url(database_url)
    _require_empty(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        target = _sqlite_path(url)
        try:
            with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src:
                src.execute("PRAGMA schema_version").fetchone()
                with sqlite3.connect(target) as dst:
                    src.backup(dst)
                dst.close()
            src.close()
        except sqlite3.DatabaseError:
            raise InvalidInput(f"{backup} is not a SQLite backup") from None
    elif backend == "postgresql":
        target_url, env = _libpq(url)
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={target_url}",
                str(backup),
            ],
            env,
        )
    else:
        raise ConfigError(f"cannot restore into a {backend} database")


def _require_empty(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict("the target database is not empty; restore into a new one")


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        # The tool's first line names the problem; it never echoes table data.
        lines = (result.stderr or "").strip().splitlines()
        first = lines[0] if lines else ""
        raise ConfigError(f"{Path(command[0]).name} failed: {first[:200]}")
