"""`complydesk pii`: PII engine: detect, classify, mask (issue 3)."""

import typer

app = typer.Typer(
    help="PII engine: detect, classify, mask (issue 3).", no_args_is_help=True
)
