"""`complydesk ai`: AI assistant governance (issue 7)."""

import typer

app = typer.Typer(help="AI assistant governance (issue 7).", no_args_is_help=True)
