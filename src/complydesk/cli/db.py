"""`complydesk db`: migrations and demo data."""

from __future__ import annotations

import typer

from complydesk.cli.common import console, get_settings, handle_errors, session_scope
from complydesk.store.db import make_engine
from complydesk.store.migrate import current_revision, head_revision, upgrade

app = typer.Typer(
    help="Database: migrate, show the schema revision, load demo data.",
    no_args_is_help=True,
)


@app.command("upgrade")
@handle_errors
def upgrade_cmd(
    revision: str = typer.Argument("head", help="Target revision."),
) -> None:
    """Apply Alembic migrations up to REVISION (default: the newest)."""
    settings = get_settings()
    upgrade(settings.sqlalchemy_url, revision)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        console.print(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@app.command("current")
@handle_errors
def current_cmd() -> None:
    """Show the database's revision and the newest one this code knows."""
    engine = make_engine(get_settings().sqlalchemy_url)
    try:
        console.print(f"database: {current_revision(engine)}  code: {head_revision()}")
    finally:
        engine.dispose()


@app.command("demo")
@handle_errors
def demo_cmd() -> None:
    """Load synthetic demo data unless it is already there (idempotent)."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.clock import utcnow
    from complydesk.demo import load_demo
    from complydesk.vault import open_vault

    settings = get_settings()
    vault = open_vault(settings, utcnow)
    with session_scope() as session:
        result = load_demo(session, settings, AuditLog(load_audit_key(settings)), vault)
    if result.loaded:
        console.print(
            f"demo data loaded; staff logins are in {result.credentials_file}"
        )
    else:
        console.print("demo data already present; nothing changed")
