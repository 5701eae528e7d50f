"""`complydesk desk create|show|transition|assign|escalate|note|reply|...`.

The ticket workflow on the command line, over the same functions as the API
(complydesk.desk). Registered on the `desk` group by complydesk.cli.desk.
Free text (notes, replies, intake fields) can come from stdin (`-`) so it
stays out of shell history. The actor on the timeline is `cli`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
    session_scope,
)
from complydesk.cli.desk import app

ACTOR = "cli"


@contextmanager
def desk_scope(read_only: bool = False) -> Iterator[tuple[Any, Any]]:
    """A session and a DeskContext on the configured database, vault and packs."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.clock import utcnow
    from complydesk.desk.context import DeskContext
    from complydesk.vault import open_vault

    settings = get_settings()
    ctx = DeskContext(
        settings,
        open_vault(settings, utcnow),
        AuditLog(load_audit_key(settings), utcnow),
        utcnow,
    )
    with session_scope(read_only=read_only) as session:
        yield session, ctx


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise fail(f"{what} must look like name=value")
        out[name.strip()] = value
    return out


def _text(text: str) -> str:
    """The argument, or stdin for `-` (keeps personal text out of shell history)."""
    if text != "-":
        return text
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8")
    return sys.stdin.read()


def _detail(session: Any, ctx: Any, ticket: Any) -> dict[str, Any]:
    from complydesk.api.routes.desk import ticket_detail

    return ticket_detail(session, ctx, ticket).model_dump(mode="json")


def _print_ticket(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['tracking_code']}[/] #{data['id']} {data['purpose']} / "
        f"{data['category']}: [bold]{data['status']}[/] (urgency {data['urgency']}, "
        f"version {data['version']})"
    )
    console.print(f"subject: {escape(data['subject'])}")
    for name, value in data["masked"].items():
        if value is not None:
            console.print(f"{name}: {escape(value)}")
    for flag, labels in data["pii_flags"].items():
        console.print(f"[yellow]removed from {flag}[/]: {', '.join(labels)}")
    for clock in data["clocks"]:
        console.print(f"{clock['name']}: {clock['state']}, due {clock['due_at']}")


@app.command("create")
@handle_errors
def create_cmd(
    purpose: Annotated[str | None, typer.Option(help="Purpose id.")] = None,
    category: Annotated[str | None, typer.Option(help="Product category id.")] = None,
    customer_id: Annotated[int | None, typer.Option(min=1)] = None,
    customer: Annotated[
        list[str] | None, typer.Option(help="New customer field name=value.")
    ] = None,
    jurisdiction: Annotated[str | None, typer.Option()] = None,
    subject: Annotated[str | None, typer.Option()] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Intake field name=value.")
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="JSON intake (the API's body); '-' = stdin."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Open a ticket; fields outside the purpose's allowlist are refused."""
    from complydesk.desk.intake import Intake, create_ticket

    body: dict[str, Any] = {}
    if input_file is not None:
        raw = _text("-") if str(input_file) == "-" else _read(input_file)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            raise fail("--input is not valid JSON") from None
        if not isinstance(body, dict):
            raise fail("--input must hold a JSON object")
    fields = {**body.get("fields", {}), **_pairs(field, "--field")}
    new_customer = {**(body.get("customer") or {}), **_pairs(customer, "--customer")}
    intake = Intake(
        purpose=purpose or body.get("purpose") or "",
        category=category or body.get("category") or "",
        fields=fields,
        subject=subject or body.get("subject"),
        customer_id=customer_id or body.get("customer_id"),
        customer=new_customer or None,
        jurisdiction=jurisdiction or body.get("jurisdiction"),
    )
    with desk_scope() as (session, ctx):
        ticket = create_ticket(session, ctx, ACTOR, intake)
        data = _detail(session, ctx, ticket)
    _print_ticket(data, as_json)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise fail(f"{path} is not a readable file") from None


@app.command("show")
@handle_errors
def show_cmd(ticket_id: int, as_json: bool = JsonOption) -> None:
    """One ticket with masked fields, PII flags, triage and SLA clocks."""
    from complydesk.desk.timeline import get_ticket

    with desk_scope(read_only=True) as (session, ctx):
        data = _detail(session, ctx, get_ticket(session, ticket_id))
    _print_ticket(data, as_json)


@app.command("transition")
@handle_errors
def transition_cmd(
    ticket_id: int,
    status: Annotated[str, typer.Argument(help="The new status.")],
    version: Annotated[
        int | None, typer.Option(help="Refuse if the ticket moved on.")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Move a ticket (submitted, accepted, in_progress, waiting_customer, ...)."""
    from complydesk.desk.lifecycle import transition
    from complydesk.desk.timeline import get_ticket

    with desk_scope() as (session, ctx):
        ticket = get_ticket(session, ticket_id)
        transition(session, ctx, ACTOR, ticket, status, expected_version=version)
        data = _detail(session, ctx, ticket)
    _print_ticket(data, as_json)


@app.command("assign")
@handle_errors
def assign_cmd(
    ticket_id: int,
    queue: Annotated[str | None, typer.Option()] = None,
    assignee: Annotated[str | None, typer.Option()] = None,
    urgency: Annotated[str | None, typer.Option()] = None,
    clear_queue: Annotated[bool, typer.Option("--clear-queue")] = False,
    clear_assignee: Annotated[bool, typer.Option("--clear-assignee")] = False,
    as_json: bool = JsonOption,
) -> None:
    """Route a ticket to a queue and/or an agent, or override its urgency."""
    from complydesk.desk.lifecycle import assign
    from complydesk.desk.timeline import get_ticket

    changes: dict[str, str | None] = {}
    if queue is not None or clear_queue:
        changes["queue"] = None if clear_queue else queue
    if assignee is not None or clear_assignee:
        changes["assignee"] = None if clear_assignee else assignee
    if urgency is not None:
        changes["urgency"] = urgency
    with desk_scope() as (session, ctx):
        ticket = get_ticket(session, ticket_id)
        assign(session, ctx, ACTOR, ticket, changes)
        data = _detail(session, ctx, ticket)
    _print_ticket(data, as_json)


@app.command("escalate")
@handle_errors
def escalate_cmd(
    ticket_id: int,
    reason: Annotated[
        str | None, typer.Option(help="Kept as an internal note; '-' = stdin.")
    ] = None,
    queue: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Raise a ticket's escalation level (optionally into a queue)."""
    from complydesk.desk.lifecycle import escalate
    from complydesk.desk.timeline import get_ticket

    with desk_scope() as (session, ctx):
        ticket = get_ticket(session, ticket_id)
        level = escalate(
            session,
            ctx,
            ACTOR,
            ticket,
            reason=None if reason is None else _text(reason),
            queue=queue,
        )
    console.print(f"ticket {ticket_id} escalated to level {level}")


@app.command("note")
@handle_errors
def note_cmd(
    ticket_id: int,
    text: Annotated[str, typer.Argument(help="The note; '-' reads stdin.")],
) -> None:
    """Add an internal note (sealed; never shown to the customer)."""
    from complydesk.desk.replies import add_note
    from complydesk.desk.timeline import get_ticket

    with desk_scope() as (session, ctx):
        message = add_note(
            session, ctx, ACTOR, get_ticket(session, ticket_id), _text(text)
        )
        message_id = message.id
    console.print(f"note {message_id} added to ticket {ticket_id}")


@app.command("reply")
@handle_errors
def reply_cmd(
    ticket_id: int,
    text: Annotated[str, typer.Argument(help="The reply; '-' reads stdin.")],
    lang: Annotated[str | None, typer.Option(help="zh or en (detected).")] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(help="Send despite a blocking finding (audited)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Send a reply after the speech check; a block exits 2 with the findings."""
    from complydesk.desk.replies import add_reply
    from complydesk.desk.timeline import get_ticket

    if lang not in (None, "zh", "en"):
        raise fail("--lang must be zh or en")
    with desk_scope() as (session, ctx):
        outcome = add_reply(
            session,
            ctx,
            ACTOR,
            get_ticket(session, ticket_id),
            _text(text),
            lang=lang,
            may_override=True,  # the operator's shell is trusted, like `vault`
            override_reason=override_reason,
        )
        result: dict[str, Any] = {
            "stored": not outcome.blocked,
            "message_id": None if outcome.message is None else outcome.message.id,
            "verdict": outcome.verdict.verdict,
            "overridden": outcome.overridden,
            "findings": outcome.findings(),
        }
    if as_json:
        print_json(result)
    else:
        console.print(f"verdict: [bold]{result['verdict']}[/]")
        for f in result["findings"]:
            console.print(
                f"  - {f['rule']} ({f['severity']}): {escape(f['reason'])}"
                f" -> {escape(f['suggestion'])}"
            )
    if outcome.blocked:
        raise fail("reply blocked by the speech check; not sent")


@app.command("track")
@handle_errors
def track_cmd(
    code: str,
    last4: Annotated[str, typer.Option(help="Last four digits of the phone.")],
    as_json: bool = JsonOption,
) -> None:
    """What the customer sees for CODE (the public tracker's view)."""
    from complydesk.desk.tracking import NOT_FOUND, lookup

    with desk_scope(read_only=True) as (session, _):
        found = lookup(session, code, last4)
    if found is None:
        raise fail(NOT_FOUND)
    data = json.loads(json.dumps(found.to_dict(), default=str))
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['tracking_code']}[/] {data['purpose']}: {data['status']}"
    )
    for event in data["events"]:
        change = f"{event['from_status'] or ''} -> {event['to_status'] or ''}"
        text = f": {escape(event['text'])}" if event["text"] else ""
        console.print(f"  {event['at']} {event['kind']} {change}{text}")


@app.command("at-risk")
@handle_errors
def at_risk_cmd(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
    as_json: bool = JsonOption,
) -> None:
    """Open tickets whose SLA clock is at risk or breached, most pressing first."""
    from complydesk.clock import utcnow
    from complydesk.desk.escalation import at_risk

    with session_scope(read_only=True) as session:
        rows: list[dict[str, Any]] = [
            {
                "id": r.ticket.id,
                "tracking_code": r.ticket.tracking_code,
                "urgency": r.ticket.urgency,
                "status": r.ticket.status,
                "clocks": [
                    {"name": c.name, "state": c.state, "due_at": c.due_at.isoformat()}
                    for c in r.clocks
                ],
            }
            for r in at_risk(session, utcnow(), limit)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "tracking", "urgency", "status", "clock", "state", "due")
    for row in rows:
        for clock in row["clocks"]:
            table.add_row(
                str(row["id"]),
                row["tracking_code"],
                row["urgency"],
                row["status"],
                clock["name"],
                clock["state"],
                clock["due_at"],
            )
    console.print(table)


@app.command("stats")
@handle_errors
def stats_cmd(
    pack: Annotated[
        str | None, typer.Option(help="Policy pack (default: settings).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """The public complaint-handling process and anonymised statistics."""
    from complydesk.clock import utcnow
    from complydesk.desk.stats import TtlCache, complaint_handling
    from complydesk.policy import load_pack

    settings = get_settings()
    chosen = load_pack(pack or settings.default_pack, settings.policy_dir)
    with session_scope(read_only=True) as session:
        data = complaint_handling(session, chosen, utcnow(), TtlCache(0))
    data = json.loads(json.dumps(data, default=str))
    if as_json:
        print_json(data)
        return
    stats = data["statistics"]
    console.print(
        f"tickets of the last {stats['window_days']} days; cells under "
        f"{stats['min_cell']} hidden (-)"
    )
    table = Table("purpose", "total", "median h to 1st reply", "median h to resolve")
    for name, row in stats["by_purpose"].items():
        first = stats["hours_to_first_response"][name]["median"]
        done = stats["hours_to_resolution"][name]["median"]
        table.add_row(
            name,
            "-" if row["total"] is None else str(row["total"]),
            "-" if first is None else str(first),
            "-" if done is None else str(done),
        )
    console.print(table)


@app.command("queue-add")
@handle_errors
def queue_add_cmd(name: str, title: str) -> None:
    """Create a work queue tickets can be assigned to."""
    from complydesk.clock import utcnow
    from complydesk.desk.lifecycle import create_queue

    with session_scope() as session:
        create_queue(session, name, title, utcnow())
    console.print(f"queue {name} created")
