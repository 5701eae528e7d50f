"""`complydesk breach`: breach notification clocks (the register: issue 8)."""

from __future__ import annotations

from typing import Annotated

import typer

from complydesk.cli import clocks
from complydesk.cli.common import JsonOption, handle_errors
from complydesk.obligations import breach_obligations

app = typer.Typer(help="Breach register and notification clocks.", no_args_is_help=True)


@app.command("clock")
@handle_errors
def clock(
    aware_at: Annotated[
        str, typer.Option(help="When the breach became known (ISO-8601 with offset).")
    ],
    pack: clocks.PackOption = None,
    now: clocks.NowOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Every notification deadline a breach starts under the pack."""
    clocks.run(pack, (aware_at, "--aware-at"), now, breach_obligations, as_json)
