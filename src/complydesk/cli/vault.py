"""`complydesk vault`: Vault: encryption keys, shredding, rotation (issue 4)."""

import typer

app = typer.Typer(
    help="Vault: encryption keys, shredding, rotation (issue 4).", no_args_is_help=True
)
