"""`complydesk breach`: breach notification clocks (the register arrives with issue 8)."""

import typer

app = typer.Typer(help="Breach register and notification clocks.", no_args_is_help=True)
