"""`complydesk config`: the effective settings, secrets hidden."""

from __future__ import annotations

import typer
from rich.table import Table

from complydesk.cli.common import (
    JsonOption,
    console,
    get_settings,
    handle_errors,
    print_json,
)

app = typer.Typer(
    help="Show the effective configuration (secrets hidden).", no_args_is_help=True
)


@app.command("show")
@handle_errors
def show(as_json: bool = JsonOption) -> None:
    """Print every setting after env, config file and defaults are merged."""
    values = get_settings().redacted()
    if as_json:
        print_json(values)
        return
    table = Table("setting", "value")
    for key, value in values.items():
        table.add_row(key, str(value))
    console.print(table)
