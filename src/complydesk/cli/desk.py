"""`complydesk desk`: tickets from the command line."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from complydesk.cli.common import (
    JsonOption,
    console,
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
