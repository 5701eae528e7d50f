"""`complydesk rights`: data-subject request deadlines (the requests arrive with issue 8)."""

import typer

app = typer.Typer(help="Data-subject requests and their legal deadlines.", no_args_is_help=True)
