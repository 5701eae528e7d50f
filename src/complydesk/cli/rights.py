"""`complydesk rights`: data-subject requests, their clocks, erasure and retention."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from complydesk.cli import clocks
from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
)
from complydesk.obligations import request_obligations

app = typer.Typer(
    help="Data-subject requests and their legal deadlines.", no_args_is_help=True
)

LangOption = Annotated[str, typer.Option("--lang", help="zh (default) or en.")]


@app.command("deadline")
@handle_errors
def deadline(
    received: Annotated[
        str, typer.Option(help="When the request arrived (ISO-8601 with offset).")
    ],
    pack: clocks.PackOption = None,
    now: clocks.NowOption = None,
    as_json: bool = JsonOption,
) -> None:
    """When a data-subject request must be acknowledged and answered."""
    clocks.run(pack, (received, "--received"), now, request_obligations, as_json)


class _Context:
    """What the commands that touch requests share, built once per command."""

    def __init__(self) -> None:
        from complydesk.audit import AuditLog, load_audit_key
        from complydesk.clock import utcnow
        from complydesk.store.db import make_engine, make_sessionmaker
        from complydesk.vault import open_vault

        self.settings = get_settings()
        self.clock = utcnow
        self.engine = make_engine(self.settings.sqlalchemy_url)
        self.sessions = make_sessionmaker(self.engine)
        self.audit = AuditLog(load_audit_key(self.settings), utcnow)
        self.vault = open_vault(self.settings, utcnow)

    def close(self) -> None:
        self.engine.dispose()

    def request_id(self, ref: str) -> int:
        from complydesk.rights.requests import find_request
        from complydesk.store.db import read_transaction

        with read_transaction(self.sessions) as session:
            return find_request(session, ref).id


def _ctx() -> _Context:
    return _Context()


def _row(request: Any, now: Any) -> dict[str, Any]:
    from complydesk.rights.requests import response_status

    return {
        "ref": request.ref,
        "customer_id": request.customer_id,
        "type": request.type,
        "status": request.status,
        "pack": request.pack,
        "received_at": request.received_at.isoformat(),
        "due_at": request.due_at.isoformat() if request.due_at else None,
        "clock": response_status(request, now),
        "extended": request.extended,
    }


@app.command("list")
@handle_errors
def list_cmd(
    state: Annotated[
        str, typer.Option(help="open, due_soon, overdue, closed or all.")
    ] = "open",
    as_json: bool = JsonOption,
) -> None:
    """The due / overdue list: requests by state, soonest deadline first."""
    from complydesk.rights.requests import list_requests
    from complydesk.store.db import read_transaction

    ctx = _ctx()
    try:
        now = ctx.clock()
        with read_transaction(ctx.sessions) as session:
            rows = [_row(r, now) for r in list_requests(session, now, state)]
    finally:
        ctx.close()
    if as_json:
        print_json(rows)
        return
    table = Table("ref", "type", "status", "pack", "due (UTC)", "clock")
    for row in rows:
        due = row["due_at"][:16].replace("T", " ") if row["due_at"] else "—"
        style = "red" if row["clock"] == "overdue" else None
        table.add_row(
            row["ref"],
            row["type"],
            row["status"],
            row["pack"],
            due,
            row["clock"],
            style=style,
        )
    console.print(table)


@app.command("show")
@handle_errors
def show_cmd(
    ref: Annotated[str, typer.Argument(help="Request reference, e.g. R-1A2B3C4D5E.")],
    as_json: bool = JsonOption,
) -> None:
    """One request with every clock, its citation and time left."""
    from complydesk.rights.requests import find_request, views
    from complydesk.store.db import read_transaction

    ctx = _ctx()
    try:
        now = ctx.clock()
        with read_transaction(ctx.sessions) as session:
            request = find_request(session, ref)
            data = _row(request, now)
            data["clocks"] = [
                {
                    **vars(v),
                    "due_at": v.due_at.isoformat() if v.due_at else None,
                }
                for v in views(request, now)
            ]
    finally:
        ctx.close()
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if key != "clocks":
            console.print(f"{key}: {value}")
    for clock in data["clocks"]:
        console.print(
            f"clock {clock['name']}: due {clock['due_at']} ({clock['status']}) "
            f"— {clock['citation']}"
        )


def _customer_id(ctx: _Context, customer_ref: str) -> int:
    from sqlalchemy import select

    from complydesk.store.db import read_transaction
    from complydesk.store.models import Customer

    with read_transaction(ctx.sessions) as session:
        found = session.scalar(select(Customer.id).where(Customer.ref == customer_ref))
    if found is None:
        raise fail(f"no customer with ref {customer_ref}")
    return int(found)


def _print_request(ref: str, as_json: bool, verb: str) -> None:
    """Show the request after a change, as `show` does (a fresh read)."""
    if as_json:
        show_cmd(ref, as_json=True)
    else:
        console.print(f"{ref}: {verb}")


@app.command("intake")
@handle_errors
def intake_cmd(
    customer_ref: Annotated[
        str, typer.Argument(help="The data subject's customer ref, e.g. C-1A2B3C4D5E.")
    ],
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="access, portability, erasure, rectification, restriction "
            "or objection.",
        ),
    ],
    scope: Annotated[
        str | None,
        typer.Option(help="For restriction / objection: what it covers."),
    ] = None,
    channel: Annotated[
        str, typer.Option(help="How it arrived: phone, mail or cli.")
    ] = "cli",
    received: Annotated[
        str | None,
        typer.Option(help="When it arrived, if earlier (ISO-8601 with offset)."),
    ] = None,
    details_stdin: Annotated[
        bool,
        typer.Option(
            "--details-stdin",
            help="Read what the subject wrote from stdin (sealed; never an argument).",
        ),
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Register a request received by phone, mail or at the counter; clocks start."""
    from complydesk.desk.customers import get_customer
    from complydesk.rights.requests import create_request
    from complydesk.store.db import transaction

    if channel not in ("phone", "mail", "cli"):
        raise fail("channel must be one of phone, mail, cli")
    received_at = clocks.parse_when(received, "--received") if received else None
    details = None
    if details_stdin:
        details = typer.get_text_stream("stdin").read(8001).strip() or None
        if details is not None and len(details) > 2000:
            raise fail("details must be at most 2000 characters")
    ctx = _ctx()
    try:
        customer_id = _customer_id(ctx, customer_ref)
        with transaction(ctx.sessions) as session:
            request = create_request(
                session,
                ctx.vault,
                ctx.audit,
                ctx.settings,
                "cli",
                get_customer(session, customer_id),
                type_,
                scope=scope,
                details=details,
                channel=channel,
                received_at=received_at,
            )
            ref, status = request.ref, request.status
    finally:
        ctx.close()
    _print_request(ref, as_json, f"registered ({status})")


@app.command("send-code")
@handle_errors
def send_code_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of a request to verify.")],
    lang: LangOption = "zh",
) -> None:
    """Send a one-time code to the phone (else e-mail) on file, via the outbox."""
    from complydesk.desk.customers import get_customer
    from complydesk.notify import Outbox
    from complydesk.rights.requests import find_request
    from complydesk.rights.verification import code_key, send_code
    from complydesk.store.db import transaction

    if lang not in ("zh", "en"):
        raise fail("lang must be zh or en")
    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            request = find_request(session, ref)
            row = send_code(
                session,
                ctx.vault,
                ctx.audit,
                Outbox.from_settings(ctx.settings, ctx.clock),
                code_key(ctx.settings),
                "cli",
                request,
                get_customer(session, request.customer_id),
                lang=lang,
            )
            channel, expires = row.channel, row.expires_at
    finally:
        ctx.close()
    console.print(f"{ref}: code queued by {channel}, valid until {expires.isoformat()}")


@app.command("verify")
@handle_errors
def verify_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of a request to verify.")],
    code: Annotated[
        str | None, typer.Option(help="The six-digit code the subject received.")
    ] = None,
    manual_reason: Annotated[
        str | None,
        typer.Option(help="How identity was checked otherwise (no personal data)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Check the subject's code, or record a manual check with its reason (audited).

    A wrong code is counted even though the command fails.
    """
    from complydesk.rights.fulfil import verify_manually
    from complydesk.rights.requests import find_request
    from complydesk.rights.verification import MESSAGES, Check, check_code, code_key
    from complydesk.store.db import transaction

    if (code is None) == (manual_reason is None):
        raise fail("give exactly one of --code, --manual-reason")
    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:  # commits a wrong attempt too
            request = find_request(session, ref)
            if code is not None:
                result = check_code(
                    session, ctx.audit, code_key(ctx.settings), "cli", request, code
                )
            else:
                assert manual_reason is not None
                verify_manually(
                    session,
                    ctx.audit,
                    "cli",
                    request,
                    manual_reason,
                    ctx.vault.detector,
                )
                result = Check.OK
    finally:
        ctx.close()
    if result is not Check.OK:
        raise fail(MESSAGES[result])
    _print_request(ref, as_json, "verified")


@app.command("extend")
@handle_errors
def extend_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of an open request.")],
    reason: Annotated[
        str, typer.Option(help="Why more time is needed; sent to the subject.")
    ],
    as_json: bool = JsonOption,
) -> None:
    """Extend by the pack's maximum, once; the subject is told at once."""
    from complydesk.desk.customers import get_customer
    from complydesk.notify import Outbox
    from complydesk.rights.notices import extend_with_notice
    from complydesk.rights.requests import find_request
    from complydesk.store.db import transaction

    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            request = find_request(session, ref)
            clock = extend_with_notice(
                session,
                ctx.vault,
                ctx.audit,
                Outbox.from_settings(ctx.settings, ctx.clock),
                "cli",
                request,
                get_customer(session, request.customer_id),
                reason,
            )
            due = clock.due_at().isoformat()
    finally:
        ctx.close()
    _print_request(ref, as_json, f"extended; now due {due}; the subject is notified")


@app.command("close")
@handle_errors
def close_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of an open request.")],
    outcome: Annotated[
        str,
        typer.Option(help="fulfilled, partially_fulfilled, refused or withdrawn."),
    ],
    reason: Annotated[
        str | None,
        typer.Option(help="Reasons given to the subject (required to refuse)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Close a request with its outcome; the clocks stop."""
    from complydesk.rights.fulfil import close
    from complydesk.rights.requests import find_request
    from complydesk.store.db import transaction

    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            request = find_request(session, ref)
            close(
                session, ctx.audit, "cli", request, outcome, reason, ctx.vault.detector
            )
    finally:
        ctx.close()
    _print_request(ref, as_json, f"closed ({outcome})")


@app.command("restrict")
@handle_errors
def restrict_cmd(
    ref: Annotated[
        str, typer.Argument(help="Reference of a verified restriction or objection.")
    ],
) -> None:
    """Fulfil a restriction or objection: set the flag other modules honour."""
    from complydesk.rights.fulfil import fulfil_restriction
    from complydesk.rights.requests import find_request
    from complydesk.store.db import transaction

    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            flag, active = fulfil_restriction(
                session, ctx.audit, "cli", find_request(session, ref)
            )
    finally:
        ctx.close()
    console.print(f"{ref}: {flag} set; active: {', '.join(active)}")


@app.command("rectify")
@handle_errors
def rectify_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of a verified rectification.")],
) -> None:
    """Correct fields from a JSON object on stdin ({"address": "…"}; null clears).

    Values are read from stdin, never from arguments, so they stay out of
    shell history and process lists.
    """
    import json

    from complydesk.rights.fulfil import fulfil_rectification
    from complydesk.rights.requests import find_request
    from complydesk.store.db import transaction

    try:
        values = json.loads(typer.get_text_stream("stdin").read(20_000))
    except ValueError:
        raise fail("stdin must hold a JSON object of the fields to correct") from None
    if not isinstance(values, dict):
        raise fail("stdin must hold a JSON object of the fields to correct")
    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            fulfil_rectification(
                session, ctx.vault, ctx.audit, "cli", find_request(session, ref), values
            )
    finally:
        ctx.close()
    console.print(f"{ref}: corrected {', '.join(sorted(values))}; closed")


@app.command("erase")
@handle_errors
def erase_cmd(
    ref: Annotated[
        str, typer.Argument(help="Reference of a verified erasure request.")
    ],
    as_json: bool = JsonOption,
) -> None:
    """Start or resume an erasure everywhere; rerun it after a crash or failure."""
    from complydesk.notify import Outbox
    from complydesk.rights.connectors import load_connectors
    from complydesk.rights.erasure import run_erasure

    ctx = _ctx()
    try:
        result = run_erasure(
            ctx.sessions,
            ctx.vault,
            ctx.audit,
            ctx.settings,
            Outbox.from_settings(ctx.settings, ctx.clock),
            load_connectors(ctx.settings.connectors_file),
            ctx.request_id(ref),
            "cli",
        )
    finally:
        ctx.close()
    steps = [
        {
            "system": s.system,
            "status": s.status,
            "attempts": s.attempts,
            "last_error": s.last_error,
            "confirmation": s.confirmation,
        }
        for s in result.steps
    ]
    if as_json:
        print_json({"request": ref, "complete": result.complete, "steps": steps})
    else:
        for step in steps:
            console.print(
                f"{step['system']}: {step['status']}"
                + (f" ({step['last_error']})" if step["last_error"] else "")
            )
        console.print("complete" if result.complete else "incomplete: run again")
    if not result.complete:
        raise typer.Exit(1)


@app.command("receipt")
@handle_errors
def receipt_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of an erasure request.")],
    html: Annotated[bool, typer.Option("--html", help="Print HTML, not JSON.")] = False,
    lang: LangOption = "zh",
) -> None:
    """The erasure receipt (JSON, or HTML in zh / en)."""
    from complydesk.rights.erasure import status_of
    from complydesk.rights.receipt import render_receipt
    from complydesk.rights.requests import find_request
    from complydesk.store.db import read_transaction

    ctx = _ctx()
    try:
        with read_transaction(ctx.sessions) as session:
            result = status_of(session, find_request(session, ref))
    finally:
        ctx.close()
    if result.receipt is None:
        raise fail(f"the erasure for {ref} is not complete yet")
    if html:
        typer.echo(render_receipt(result.receipt, lang))
    else:
        print_json(result.receipt)


@app.command("export")
@handle_errors
def export_cmd(
    ref: Annotated[str, typer.Argument(help="Reference of a verified access request.")],
    out: Annotated[Path, typer.Argument(help="ZIP file to write (must not exist).")],
    lang: LangOption = "zh",
) -> None:
    """Write the subject's data ZIP (data.json + report.html); audited."""
    from complydesk.desk.customers import get_customer
    from complydesk.rights.common import record
    from complydesk.rights.connectors import load_connectors
    from complydesk.rights.package import build_package
    from complydesk.rights.requests import find_request, require_verified
    from complydesk.store.db import transaction

    if out.exists():
        raise fail(f"{out} exists; choose a new file")
    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            request = find_request(session, ref)
            if request.type not in ("access", "portability"):
                raise fail(f"request {ref} is of type {request.type}")
            require_verified(request)
            package = build_package(
                session,
                ctx.vault,
                load_connectors(ctx.settings.connectors_file),
                request,
                get_customer(session, request.customer_id),
                ctx.clock(),
                lang,
            )
            record(
                session,
                ctx.audit,
                "cli",
                "rights.export.download",
                "rights_requests",
                request.id,
                details={"rows": sum(package.counts.values())},
            )
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:  # the subject's data: owner only
                handle.write(package.content)
    finally:
        ctx.close()
    console.print(f"{out}: {sum(package.counts.values())} records")
    for name, error in package.external_failed.items():
        console.print(f"[red]{name}: {error}[/red]")


@app.command("retention")
@handle_errors
def retention_cmd(
    apply: Annotated[
        bool, typer.Option("--apply", help="Act on it (default: dry run only).")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """What has outlived its retention period (dry run), or shred/anonymise it."""
    from complydesk.rights import retention
    from complydesk.store.db import read_transaction

    ctx = _ctx()
    try:
        if apply:
            report = retention.apply(
                ctx.sessions, ctx.vault, ctx.audit, ctx.settings, "cli"
            )
        else:
            with read_transaction(ctx.sessions) as session:
                report = retention.plan(session, ctx.settings, ctx.clock())
            retention.audit_plan(ctx.sessions, ctx.audit, report, "cli")
    finally:
        ctx.close()
    rows: list[dict[str, Any]] = [
        {
            "pack": i.pack,
            "category": i.category,
            "action": i.action,
            "count": i.count,
            "held": i.held,
            "period": i.period,
            "citation": i.citation,
        }
        for i in report.items
    ]
    if as_json:
        print_json({"dry_run": report.dry_run, "items": rows})
        return
    title = "dry run: nothing changed" if report.dry_run else "applied"
    table = Table("pack", "category", "period", "action", "count", "held", title=title)
    for row in rows:
        table.add_row(
            row["pack"], row["category"], row["period"], row["action"],
            str(row["count"]), str(row["held"]),
        )  # fmt: skip
    console.print(table)


@app.command("hold")
@handle_errors
def hold_cmd(
    customer_ref: Annotated[
        str, typer.Argument(help="Customer ref, e.g. C-1A2B3C4D5E.")
    ],
    exception: Annotated[
        str, typer.Option(help="An erasure exception of the customer's pack.")
    ],
) -> None:
    """Keep a customer's data under a legal retention exception (audited)."""
    from sqlalchemy import select

    from complydesk.rights.holds import place_hold
    from complydesk.store.db import transaction
    from complydesk.store.models import Customer

    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            customer = session.scalar(
                select(Customer).where(Customer.ref == customer_ref)
            )
            if customer is None:
                raise fail(f"no customer with ref {customer_ref}")
            hold = place_hold(
                session, ctx.audit, ctx.settings, "cli", customer, exception
            )
            hold_id, expires = hold.id, hold.expires_at
    finally:
        ctx.close()
    until = expires.isoformat() if expires else "released"
    console.print(f"hold {hold_id} on {customer_ref} ({exception}) until {until}")


@app.command("release")
@handle_errors
def release_cmd(
    hold_id: Annotated[int, typer.Argument(help="The hold's id.")],
) -> None:
    """End a legal hold; the worker then finishes the erasure it held back."""
    from complydesk.rights.holds import release_hold
    from complydesk.store.db import transaction

    ctx = _ctx()
    try:
        with transaction(ctx.sessions) as session:
            release_hold(session, ctx.audit, "cli", hold_id)
    finally:
        ctx.close()
    console.print(f"hold {hold_id} released")
