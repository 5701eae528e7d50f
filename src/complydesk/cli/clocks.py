"""Shared printing of legal clocks for `rights deadline` and `breach clock`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from complydesk.cli.common import console, get_settings, print_json
from complydesk.clock import utcnow
from complydesk.errors import InvalidInput
from complydesk.obligations import Obligation
from complydesk.policy import PolicyPack, load_pack

PackOption = Annotated[
    str | None, typer.Option("--pack", help="Policy pack (default from settings).")
]
NowOption = Annotated[
    str | None, typer.Option(help="Evaluate status as of this instant (ISO-8601).")
]
Obligations = Callable[[PolicyPack, datetime], list[Obligation]]


def run(
    pack_name: str | None,
    start: tuple[str, str],
    now: str | None,
    obligations: Obligations,
    as_json: bool,
) -> None:
    """Start the pack's clocks at `start` (value, option name) and print them."""
    settings = get_settings()
    pack = load_pack(pack_name or settings.default_pack, settings.policy_dir)
    started = parse_when(*start)
    at = parse_when(now, "--now") if now else utcnow()
    show(pack, started, at, obligations(pack, started), as_json)


def parse_when(value: str, option: str) -> datetime:
    """An ISO-8601 instant with a UTC offset; naive times are ambiguous, so refused."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} must be ISO-8601, e.g. 2026-03-01T09:00:00+08:00"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"{option} needs a UTC offset, e.g. +08:00 or Z")
    return parsed


def show(
    pack: PolicyPack,
    started: datetime,
    now: datetime,
    items: list[Obligation],
    as_json: bool,
) -> None:
    rows: list[dict[str, Any]] = []
    for item in items:
        clock = item.clock
        rows.append(
            {
                "obligation": item.key,
                "due_at": clock.due_at().isoformat() if clock else None,
                "latest_with_extension": _latest(item),
                "status": clock.status(now).value if clock else "no fixed deadline",
                "seconds_left": int(clock.time_left(now).total_seconds())
                if clock
                else None,
                "duration": str(clock.duration) if clock else None,
                "citation": item.citation,
                "confidence": item.confidence,
                "note": item.note,
            }
        )
    if as_json:
        print_json(
            {
                "pack": pack.pack,
                "version": pack.version,
                "content_hash": pack.content_hash,
                "started_at": started.isoformat(),
                "obligations": rows,
            }
        )
        return
    table = Table(
        "obligation",
        "due (UTC)",
        "status",
        "citation",
        "note",
        title=f"pack {pack.pack} v{pack.version}",
    )
    for row in rows:
        due = row["due_at"][:16].replace("T", " ") if row["due_at"] else "—"
        table.add_row(
            row["obligation"].rsplit(".", 1)[-1],
            due,
            str(row["status"]),
            row["citation"],
            row["note"] or "",
        )
    console.print(table)


def _latest(item: Obligation) -> str | None:
    clock = item.clock
    if clock is None or clock.max_extension is None or clock.max_extension.amount == 0:
        return None
    extended = clock.extend(
        clock.max_extension, "maximum allowed extension", clock.started_at
    )
    return extended.due_at().isoformat()
