"""`complydesk rights`: data-subject request deadlines (the requests: issue 8)."""

from __future__ import annotations

import typer

from complydesk.cli import clocks
from complydesk.cli.common import JsonOption, get_settings, handle_errors
from complydesk.clock import utcnow
from complydesk.obligations import request_obligations
from complydesk.policy import load_pack

app = typer.Typer(
    help="Data-subject requests and their legal deadlines.", no_args_is_help=True
)


@app.command("deadline")
@handle_errors
def deadline(
    received: str = typer.Option(
        ..., help="When the request arrived (ISO-8601 with offset)."
    ),
    jurisdiction: str | None = typer.Option(
        None, "--pack", help="Policy pack (default from settings)."
    ),
    now: str | None = typer.Option(None, help="Evaluate status as of this instant."),
    as_json: bool = JsonOption,
) -> None:
    """When a data-subject request must be acknowledged and answered."""
    settings = get_settings()
    pack = load_pack(jurisdiction or settings.default_pack, settings.policy_dir)
    start = clocks.parse_when(received, "--received")
    at = clocks.parse_when(now, "--now") if now else utcnow()
    clocks.show(pack, start, at, request_obligations(pack, start), as_json)
