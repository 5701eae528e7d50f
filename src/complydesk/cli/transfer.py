"""`complydesk transfer`: Cross-border transfer assessments (issue 9)."""

import typer

app = typer.Typer(
    help="Cross-border transfer assessments (issue 9).", no_args_is_help=True
)
