"""`complydesk desk`: tickets from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    handle_errors,
    print_json,
    session_scope,
)
from complydesk.store.models import Customer, Ticket

app = typer.Typer(help="Complaint and after-sales tickets.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_tickets(
    status: str | None = typer.Option(None, help="Only tickets in this status."),
    limit: int = typer.Option(50, min=1, max=500),
    as_json: bool = JsonOption,
) -> None:
    """List the newest tickets."""
    query = (
        select(Ticket, Customer.ref)
        .join(Customer, Customer.id == Ticket.customer_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Ticket.status == status)
    with session_scope(read_only=True) as session:
        rows = [
            {
                "id": t.id,
                "tracking_code": t.tracking_code,
                "customer": ref,
                "purpose": t.purpose,
                "status": t.status,
                "subject": t.subject,
                "created_at": t.created_at.isoformat(),
            }
            for t, ref in session.execute(query)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "tracking", "customer", "purpose", "status", "subject")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["tracking_code"],
            r["customer"],
            r["purpose"],
            r["status"],
            r["subject"],
        )
    console.print(table)


URGENCY_STYLE = {"urgent": "bold red", "high": "yellow", "normal": "default",
                 "low": "dim"}  # fmt: skip


@app.command("triage")
@handle_errors
def triage_cmd(
    text: Annotated[str | None, typer.Argument(help="Ticket text to triage.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help="JSONL file with a 'text' field per line ('-' = stdin)."
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Triage YAML to use instead of the shipped one."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Suggest a purpose and an urgency for TEXT, or for every line of --jsonl FILE.

    With --jsonl, writes one `{"purpose", "urgency", "reasons"}` line per input
    line, in order.
    """
    from complydesk.desk.triage import RuleTriage, default_triage, triage_lines

    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    classifier = default_triage() if rules is None else RuleTriage.from_file(rules)
    if jsonl is not None:
        for stream in (sys.stdin, sys.stdout):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(encoding="utf-8")
        if str(jsonl) != "-" and not jsonl.is_file():
            raise fail(f"{jsonl} is not a readable file")
        handle = sys.stdin if str(jsonl) == "-" else jsonl.open(encoding="utf-8")
        with handle:
            for line in triage_lines(handle, classifier):
                sys.stdout.write(line + "\n")
        return
    assert text is not None
    result = classifier.classify(text)
    if as_json:
        print_json({**result.to_dict(), "scores": result.scores})
        return
    style = URGENCY_STYLE[result.urgency]
    console.print(f"purpose: [bold]{result.purpose}[/]")
    console.print(f"urgency: [{style}]{result.urgency}[/]")
    for reason in result.reasons:
        console.print(f"  - {escape(reason)}")


# The ticket workflow commands (create, show, transition, ...) live in their
# own module; importing it registers them on `app`.
from complydesk.cli import desk_workflow  # noqa: E402,F401
