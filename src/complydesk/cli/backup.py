"""`complydesk backup`: consistent database backups (never the keystore)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complydesk.cli.common import console, get_settings, handle_errors

app = typer.Typer(
    help="Backups of the database; the keystore is kept apart on purpose.",
    no_args_is_help=True,
)


@app.command("create")
@handle_errors
def create(
    out: Annotated[Path, typer.Argument(help="Backup file to write (must not exist).")],
) -> None:
    """Write a consistent backup while the service keeps running."""
    from complydesk.store.backup import create_backup

    result = create_backup(get_settings().sqlalchemy_url, out)
    console.print(
        f"{result.backend} backup written to {result.path} ({result.size_bytes} bytes);"
        " the keystore is not in it, so erasures reach this backup too"
    )


@app.command("restore")
@handle_errors
def restore(
    backup: Annotated[Path, typer.Argument(help="A file from `backup create`.")],
    to: Annotated[
        str | None,
        typer.Option(help="Empty target database URL (default: the configured one)."),
    ] = None,
) -> None:
    """Load a backup into an empty database; refuses to overwrite data."""
    from complydesk.store.backup import restore_backup

    restore_backup(backup, to or get_settings().sqlalchemy_url)
    console.print(f"restored {backup.name}; erased subjects stay unreadable")
