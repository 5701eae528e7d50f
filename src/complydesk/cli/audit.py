"""`complydesk audit`: verify the hash chain, show the tail, anchor the head."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from complydesk.audit import (
    VerifyReport,
    current_anchor,
    load_audit_key,
    read_anchor,
    recent_entries,
    verify_chain,
    write_anchor,
)
from complydesk.cli.common import (
    JsonOption,
    console,
    get_settings,
    handle_errors,
    print_json,
    session_scope,
)
from complydesk.clock import utcnow
from complydesk.errors import ConfigError
from complydesk.store.models.audit import AuditEntry

app = typer.Typer(
    help="Audit log: verify the hash chain, show the tail, anchor the head.",
    no_args_is_help=True,
)

DEFAULT_ANCHOR_NAME = "audit-anchor.json"


@app.command()
@handle_errors
def verify(
    json_output: bool = JsonOption,
    anchor: Annotated[
        Path | None,
        typer.Option("--anchor", help="Also check the chain still contains it."),
    ] = None,
) -> None:
    """Recompute every MAC; exit 1 naming the first broken entry."""
    settings = get_settings()
    if anchor is None and (settings.data_dir / DEFAULT_ANCHOR_NAME).exists():
        anchor = settings.data_dir / DEFAULT_ANCHOR_NAME  # the worker keeps it fresh
    saved = read_anchor(anchor) if anchor is not None else None
    with session_scope(read_only=True) as session:
        try:
            key = load_audit_key(settings, create=False)
        except ConfigError:
            # No key yet is fine for a log that was never written to.
            first = session.scalar(select(AuditEntry.seq).limit(1))
            if saved is not None or first is not None:
                raise
            report = VerifyReport(ok=True, entries_checked=0, head_seq=0)
        else:
            report = verify_chain(session, key, saved)
    if json_output:
        print_json(report.to_dict())
    elif report.ok:
        typer.echo(
            f"chain OK: {report.entries_checked} entries, head seq {report.head_seq}"
        )
    else:
        typer.echo(
            f"chain BROKEN at seq {report.first_broken_seq}: "
            f"{report.kind}: {report.message}"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
@handle_errors
def tail(
    n: Annotated[
        int, typer.Option("-n", "--lines", min=1, help="How many entries.")
    ] = 20,
    json_output: bool = JsonOption,
) -> None:
    """The latest entries, oldest first."""
    with session_scope(read_only=True) as session:
        entries = recent_entries(session, n)
    if json_output:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "outcome": e.outcome,
                    "reason": e.reason,
                    "details": e.details,
                    "mac": e.mac,
                }
                for e in entries
            ]
        )
        return
    table = Table("seq", "at (UTC)", "actor", "action", "object", "outcome", "reason")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.object_type}:{e.object_id}",
            e.outcome,
            e.reason,
        )
    console.print(table)


@app.command()
@handle_errors
def anchor(
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"Default: DATA_DIR/{DEFAULT_ANCHOR_NAME}."),
    ] = None,
) -> None:
    """Save the signed head to a file; keep copies off this host."""
    settings = get_settings()
    key = load_audit_key(settings, create=False)
    with session_scope(read_only=True) as session:
        saved = current_anchor(session, key, utcnow())
    path = out if out is not None else settings.data_dir / DEFAULT_ANCHOR_NAME
    write_anchor(path, saved)
    typer.echo(f"anchor written: {path} (seq {saved.seq}); copy it off this host")
