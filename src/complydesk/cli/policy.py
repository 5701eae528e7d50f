"""`complydesk policy`: list, show and validate policy packs.

Reviewers check figures against citations here before a pack goes live, so
`show` prints every value next to its citation and confidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from complydesk.cli.common import (
    JsonOption,
    console,
    get_settings,
    handle_errors,
    print_json,
)
from complydesk.policy import (
    PolicyPack,
    available_packs,
    iter_cited,
    load_pack,
    load_pack_file,
)

app = typer.Typer(
    help="Policy packs: deadlines, thresholds, wording.", no_args_is_help=True
)

HASH_PREFIX = 12


def _header(pack: PolicyPack) -> dict[str, Any]:
    return {
        "pack": pack.pack,
        "version": pack.version,
        "title": pack.title,
        "jurisdiction": pack.jurisdiction,
        "extends": pack.extends,
        "timezone": pack.timezone,
        "working_calendar": pack.working_calendar,
        "content_hash": pack.content_hash,
    }


def _show_value(value: Any) -> str:
    if value is None:
        return "(no figure)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


@app.command("list")
@handle_errors
def list_packs(as_json: bool = JsonOption) -> None:
    """List the shipped packs plus those in the configured policy_dir."""
    extra_dir = get_settings().policy_dir
    packs = [load_pack(name, extra_dir) for name in available_packs(extra_dir)]
    if as_json:
        print_json([_header(pack) for pack in packs])
        return
    table = Table("pack", "version", "jurisdiction", "extends", "hash")
    for pack in packs:
        table.add_row(
            pack.pack,
            pack.version,
            pack.jurisdiction,
            pack.extends or "",
            pack.content_hash[:HASH_PREFIX],
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    name: Annotated[
        str | None, typer.Argument(help="Pack name; default: settings.default_pack.")
    ] = None,
    as_json: bool = JsonOption,
    notes: Annotated[
        bool, typer.Option("--notes", help="Add a column with each value's note.")
    ] = False,
) -> None:
    """Print every cited value of a pack (merged with the packs it extends)."""
    settings = get_settings()
    pack = load_pack(name or settings.default_pack, settings.policy_dir)
    if as_json:
        print_json({**_header(pack), "values": pack.model_dump(mode="json")})
        return
    console.print(
        f"[bold]{pack.pack}[/bold] {pack.version}  {escape(pack.title)}  "
        f"sha256:{pack.content_hash[:HASH_PREFIX]}",
        highlight=False,
    )
    table = Table(Column("key", overflow="fold"), "value", "citation", "confidence")
    if notes:
        table.add_column("note")
    for row in iter_cited(pack):
        cells = [
            row.key,
            escape(_show_value(row.value)),
            escape(row.citation),
            row.confidence.value,
        ]
        table.add_row(*cells, *([escape(row.note or "")] if notes else []))
    console.print(table)


@app.command("validate")
@handle_errors
def validate(
    file: Annotated[Path, typer.Argument(help="A pack file (*.yaml) to check.")],
) -> None:
    """Check a pack file; `extends` resolves to its directory, then shipped packs."""
    pack = load_pack_file(file)
    typer.echo(
        f"ok: {file} (pack {pack.pack} {pack.version}, sha256 {pack.content_hash})"
    )
