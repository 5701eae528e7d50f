"""`complydesk speech`: Speech compliance checks on replies (issue 6)."""

import typer

app = typer.Typer(
    help="Speech compliance checks on replies (issue 6).", no_args_is_help=True
)
