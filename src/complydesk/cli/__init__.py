"""The `complydesk` command: one group per domain, plus `serve` and `worker`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complydesk import __version__
from complydesk.cli import (
    ai,
    audit,
    backup,
    breach,
    config,
    db,
    desk,
    notify,
    pii,
    policy,
    rights,
    serve,
    speech,
    transfer,
    user,
    vault,
)
from complydesk.cli.common import state

app = typer.Typer(
    name="complydesk",
    help="Compliance-first customer service: PII, vault, desk, speech, AI, privacy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

GROUPS: list[tuple[str, typer.Typer]] = [
    ("pii", pii.app),
    ("speech", speech.app),
    ("desk", desk.app),
    ("rights", rights.app),
    ("breach", breach.app),
    ("transfer", transfer.app),
    ("ai", ai.app),
    ("vault", vault.app),
    ("backup", backup.app),
    ("audit", audit.app),
    ("policy", policy.app),
    ("db", db.app),
    ("user", user.app),
    ("config", config.app),
    ("notify", notify.app),
]
for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"complydesk {__version__}")
        raise typer.Exit()


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML settings file (also COMPLYDESK_CONFIG)."),
]
VersionOption = Annotated[
    bool,
    typer.Option("--version", callback=_version, is_eager=True, help="Show version."),
]


@app.callback()
def root(config_file: ConfigOption = None, version: VersionOption = False) -> None:
    """Settings come from COMPLYDESK_* variables, then --config, then defaults."""
    state.config_file = config_file
    state.settings = None


def main() -> None:
    app()
