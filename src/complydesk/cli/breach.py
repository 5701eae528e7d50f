"""`complydesk breach`: breach notification clocks (the register: issue 8)."""

from __future__ import annotations

import typer

from complydesk.cli import clocks
from complydesk.cli.common import JsonOption, get_settings, handle_errors
from complydesk.clock import utcnow
from complydesk.obligations import breach_obligations
from complydesk.policy import load_pack

app = typer.Typer(help="Breach register and notification clocks.", no_args_is_help=True)


@app.command("clock")
@handle_errors
def clock(
    aware_at: str = typer.Option(
        ..., help="When the breach became known (ISO-8601 with offset)."
    ),
    jurisdiction: str | None = typer.Option(
        None, "--pack", help="Policy pack (default from settings)."
    ),
    now: str | None = typer.Option(None, help="Evaluate status as of this instant."),
    as_json: bool = JsonOption,
) -> None:
    """Every notification deadline a breach starts under the pack."""
    settings = get_settings()
    pack = load_pack(jurisdiction or settings.default_pack, settings.policy_dir)
    start = clocks.parse_when(aware_at, "--aware-at")
    at = clocks.parse_when(now, "--now") if now else utcnow()
    clocks.show(pack, start, at, breach_obligations(pack, start), as_json)
