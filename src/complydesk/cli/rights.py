"""`complydesk rights`: data-subject request deadlines (the requests: issue 8)."""

from __future__ import annotations

from typing import Annotated

import typer

from complydesk.cli import clocks
from complydesk.cli.common import JsonOption, handle_errors
from complydesk.obligations import request_obligations

app = typer.Typer(
    help="Data-subject requests and their legal deadlines.", no_args_is_help=True
)


@app.command("deadline")
@handle_errors
def deadline(
    received: Annotated[
        str, typer.Option(help="When the request arrived (ISO-8601 with offset).")
    ],
    pack: clocks.PackOption = None,
    now: clocks.NowOption = None,
    as_json: bool = JsonOption,
) -> None:
    """When a data-subject request must be acknowledged and answered."""
    clocks.run(pack, (received, "--received"), now, request_obligations, as_json)
