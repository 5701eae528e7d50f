"""Agent desk pages: the work queue, one ticket, its actions and the reply box.

Thin views over the domain functions the API uses (complydesk.desk for the
lifecycle, notes and checked replies; `Vault.unmask` for the audited reveal),
so a page can never do what `/v1` would refuse. Every page answers with
`Cache-Control: no-store`: a revealed value is shown once and never kept by
the browser.

Forms post back and get the ticket page (200, or the domain error's status
with its reason shown); agent.js then swaps the history entry for the
ticket's GET address, so a reload never re-sends a form. The session cookie
is SameSite=Strict, as login sets it; each form also carries a token derived
from that cookie, checked here, so a cross-site post fails even in a browser
that ignores SameSite. Bearer-token callers carry no ambient credential and
need no token.

This module imports complydesk.web.pages only inside functions: pages.py
registers this router, so a top-level import would be circular.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complydesk.api.deps import (
    SESSION_COOKIE,
    AppContext,
    ContextDep,
    record_denial,
)
from complydesk.api.routes.desk import desk_context, get_timeline, ticket_detail
from complydesk.desk import lifecycle, sla, timeline
from complydesk.desk.replies import add_note, add_reply, public_finding
from complydesk.desk.triage import URGENCIES, queue_key
from complydesk.errors import ComplydeskError, Conflict, InvalidInput, NotFound
from complydesk.identity import Permission, Principal, Role, permissions_for
from complydesk.speech.capabilities import load_capabilities
from complydesk.speech.finding import Finding
from complydesk.speech.promises import CaseFacts
from complydesk.speech.reply import check_reply
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import Customer, Queue, Ticket, User
from complydesk.store.personal import personal_fields
from complydesk.vault.records import MIN_REASON_CHARS

router = APIRouter(include_in_schema=False)
BASE = "/console/agent"
QUEUE_LIMIT = 200
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
STATUS_FILTERS = ("open", "all", *lifecycle.STATUSES)


# --- access ---------------------------------------------------------------------------
def page_user(permission: Permission) -> Any:
    """The signed-in principal, if it holds `permission` (else login or 403)."""

    def check(request: Request, ctx: ContextDep) -> Principal:
        from complydesk.web.pages import PageForbidden, page_principal

        principal = page_principal(request, ctx)
        if not principal.can(permission):
            record_denial(ctx, principal, permission.value, request.url.path)
            raise PageForbidden
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # access matrix
    return Depends(check)


Reader = Annotated[Principal, page_user(Permission.TICKETS_READ)]
Writer = Annotated[Principal, page_user(Permission.TICKETS_WRITE)]
Router = Annotated[Principal, page_user(Permission.TICKETS_ASSIGN)]
Checker = Annotated[Principal, page_user(Permission.SPEECH_CHECK)]
Revealer = Annotated[Principal, page_user(Permission.PII_UNMASK)]
CsrfForm = Annotated[str, Form(max_length=128)]


def csrf_token(request: Request) -> str:
    """Derived from the session secret: unguessable, and it never reveals it."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return ""
    digest = hashlib.sha256(b"complydesk-console-csrf\x00" + cookie.encode())
    return digest.hexdigest()[:40]


def csrf_ok(request: Request, sent: str | None) -> bool:
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True  # a token is sent on purpose, never by a cross-site form
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(expected, sent or "")


# --- rendering ------------------------------------------------------------------------
def _render(
    request: Request, name: str, principal: Principal, status: int = 200, **data: Any
) -> HTMLResponse:
    from complydesk.web.pages import render

    response = render(
        request,
        name,
        principal,
        status=status,
        csrf=csrf_token(request),
        base=BASE,
        **data,
    )
    response.headers.update(NO_STORE)
    return response


def time_left(due: datetime | None, now: datetime) -> tuple[str, int] | None:
    """(hours:minutes, sign) until `due`: sign -1 once it has passed."""
    if due is None:
        return None
    seconds = int((due - now).total_seconds())
    minutes = abs(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}", (-1 if seconds < 0 else 1)


@dataclass(frozen=True)
class QueueRow:
    """One line of the work queue (no personal data, not even masked)."""

    ticket: Ticket
    customer_ref: str
    queue: str | None
    risk: str | None  # at_risk | breached, live from the SLA clocks
    due_at: datetime | None
    due_clock: str | None
    left: tuple[str, int] | None


def _queue_row(ticket: Ticket, ref: str, queue: str | None, now: datetime) -> QueueRow:
    clocks = [c for c in sla.view(ticket, now) if c.state not in ("met",)]
    states = {c.state for c in clocks}
    risk = "breached" if "breached" in states else None
    risk = risk or ("at_risk" if "at_risk" in states else None)
    if risk is None and ticket.status in lifecycle.OPEN_STATUSES:
        risk = ticket.sla_state  # what the worker already acted on
    nearest = min(clocks, key=lambda c: c.due_at, default=None)
    due = nearest.due_at if nearest else None
    return QueueRow(
        ticket,
        ref,
        queue,
        risk,
        due,
        nearest.name if nearest else None,
        time_left(due, now),
    )


def _sort_key(row: QueueRow) -> tuple[Any, ...]:
    """Urgent and SLA-at-risk first (triage.queue_key), breached first, by due."""
    at_risk = row.risk is not None and row.ticket.status in lifecycle.OPEN_STATUSES
    return (
        queue_key(row.ticket.urgency, at_risk=at_risk),
        0 if row.risk == "breached" else 1,
        row.due_at is None,
        row.due_at or row.ticket.created_at,
        row.ticket.id,
    )


# --- the queue ------------------------------------------------------------------------
@router.get(f"{BASE}/queue")
def queue_page(
    request: Request,
    ctx: ContextDep,
    principal: Reader,
    queue: str = "",
    status: str = "open",
    mine: str = "",
) -> HTMLResponse:
    """The agent's work list: filters by queue, status and "assigned to me"."""
    problems = []
    if status not in STATUS_FILTERS:
        problems.append("agent_bad_status")
        status = "open"
    now = ctx.clock()
    with read_transaction(ctx.sessions) as session:
        queues = _queue_counts(session)
        names = {q.name for q, _ in queues}
        if queue and queue != "-" and queue not in names:
            problems.append("agent_bad_queue")
            queue = ""
        query = (
            select(Ticket, Customer.ref, Queue.name)
            .join(Customer, Customer.id == Ticket.customer_id)
            .outerjoin(Queue, Queue.id == Ticket.queue_id)
        )
        if status == "open":
            query = query.where(Ticket.status.in_(lifecycle.OPEN_STATUSES))
        elif status != "all":
            query = query.where(Ticket.status == status)
        if queue == "-":
            query = query.where(Ticket.queue_id.is_(None))
        elif queue:
            query = query.where(Queue.name == queue)
        if mine:
            query = query.where(Ticket.assignee == principal.username)
        found = session.execute(query.order_by(Ticket.id.desc()).limit(5000)).all()
        rows = sorted((_queue_row(t, r, q, now) for t, r, q in found), key=_sort_key)
        mine_open = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.assignee == principal.username,
                Ticket.status.in_(lifecycle.OPEN_STATUSES),
            )
        )
    return _render(
        request,
        "agent_queue.html",
        principal,
        status=422 if problems else 200,
        rows=rows[:QUEUE_LIMIT],
        total=len(rows),
        limit=QUEUE_LIMIT,
        queues=queues,
        mine_open=mine_open or 0,
        filters={"queue": queue, "status": status, "mine": bool(mine)},
        statuses=STATUS_FILTERS,
        problems=problems,
        now=now,
    )


def _queue_counts(session: Session) -> list[tuple[Queue, int]]:
    counts = dict(
        session.execute(
            select(Ticket.queue_id, func.count())
            .where(Ticket.status.in_(lifecycle.OPEN_STATUSES))
            .group_by(Ticket.queue_id)
        ).all()
    )
    return [(q, int(counts.get(q.id, 0))) for q in lifecycle.list_queues(session)]


# --- one ticket -----------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A piece of a checked reply: plain text, or the text of one finding."""

    text: str
    finding: dict[str, Any] | None = None


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """Split `text` at the findings (code-point offsets; overlaps are merged)."""
    out: list[Segment] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.start < cursor or finding.end <= finding.start:
            continue
        if finding.start > cursor:
            out.append(Segment(text[cursor : finding.start]))
        out.append(Segment(text[finding.start : finding.end], public_finding(finding)))
        cursor = finding.end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out


def _ticket_view(session: Session, ctx: AppContext, ticket_id: int) -> dict[str, Any]:
    ticket = timeline.get_ticket(session, ticket_id)
    customer = session.get(Customer, ticket.customer_id)
    assert customer is not None  # a foreign key
    detail = ticket_detail(session, ctx, ticket)
    staff = [
        name
        for name, role in session.execute(
            select(User.username, User.role)
            .where(User.active.is_(True), User.is_service.is_(False))
            .order_by(User.username)
        )
        if Permission.TICKETS_WRITE in permissions_for(Role(role))
    ]
    now = ctx.clock()
    return {
        "ticket": detail,
        "customer": customer,
        "customer_masked": ctx.vault.masked(customer),
        "customer_fields": list(personal_fields(Customer)),
        "events": get_timeline(ticket_id, session, ctx),
        "moves": lifecycle.TRANSITIONS.get(ticket.status, ()),
        "is_open": ticket.status in lifecycle.OPEN_STATUSES,
        "queues": lifecycle.list_queues(session),
        "staff": staff,
        "urgencies": URGENCIES,
        "left": {c.name: time_left(c.due_at, now) for c in detail.clocks},
        "min_reason": MIN_REASON_CHARS,
    }


def _ticket_page(
    request: Request,
    ctx: AppContext,
    principal: Principal,
    ticket_id: int,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    try:
        with read_transaction(ctx.sessions) as session:
            view = _ticket_view(session, ctx, ticket_id)
    except NotFound as exc:
        return _render(
            request, "agent_missing.html", principal, status=404, detail=exc.detail
        )
    defaults = {"notice": None, "error": None, "blocked": None, "revealed": None}
    return _render(
        request, "agent_ticket.html", principal, status, **{**defaults, **view, **extra}
    )


@router.get(BASE + "/tickets/{ticket_id}")
def ticket_page(
    request: Request, ctx: ContextDep, principal: Reader, ticket_id: int
) -> HTMLResponse:
    """Masked customer data, SLA clocks, the timeline and every action."""
    return _ticket_page(request, ctx, principal, ticket_id)


def _act(
    request: Request,
    ctx: AppContext,
    principal: Principal,
    ticket_id: int,
    csrf: str,
    action: Callable[[Session, Ticket], str],
) -> HTMLResponse:
    """Run one change in one transaction; show its result or its reason."""
    if not csrf_ok(request, csrf):
        return _ticket_page(
            request, ctx, principal, ticket_id, 403, error="agent_csrf_failed"
        )
    try:
        with transaction(ctx.sessions) as session:
            notice = action(session, timeline.get_ticket(session, ticket_id))
    except (Conflict, InvalidInput, NotFound) as exc:
        return _ticket_page(
            request, ctx, principal, ticket_id, exc.status, error=exc.detail
        )
    return _ticket_page(request, ctx, principal, ticket_id, notice=notice)


def _version(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput("version must be a whole number")
    return int(value)


@router.post(BASE + "/tickets/{ticket_id}/status")
def change_status(
    request: Request,
    ctx: ContextDep,
    principal: Writer,
    ticket_id: int,
    to: Annotated[str, Form(max_length=32)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    csrf: CsrfForm = "",
) -> HTMLResponse:
    """accept, start, wait for the customer, resolve, close, reopen (409 if not)."""

    def run(session: Session, ticket: Ticket) -> str:
        changed = lifecycle.transition(
            session,
            desk_context(ctx),
            principal.username,
            ticket,
            to,
            expected_version=_version(version),
        )
        return "agent_done_status" if changed else "agent_done_nothing"

    return _act(request, ctx, principal, ticket_id, csrf, run)


@router.post(BASE + "/tickets/{ticket_id}/assign")
def assign(
    request: Request,
    ctx: ContextDep,
    principal: Router,
    ticket_id: int,
    queue: Annotated[str, Form(max_length=64)] = "",
    assignee: Annotated[str, Form(max_length=64)] = "",
    urgency: Annotated[str, Form(max_length=16)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    csrf: CsrfForm = "",
) -> HTMLResponse:
    """Route to a queue and an agent, set urgency ("-" clears queue/assignee)."""

    def run(session: Session, ticket: Ticket) -> str:
        changes: dict[str, str | None] = {}
        for name, value in (("queue", queue), ("assignee", assignee)):
            if value.strip():
                changes[name] = None if value.strip() == "-" else value.strip()
        if urgency.strip():
            changes["urgency"] = urgency.strip()
        changed = lifecycle.assign(
            session,
            desk_context(ctx),
            principal.username,
            ticket,
            changes,
            expected_version=_version(version),
        )
        return "agent_done_assign" if changed else "agent_done_nothing"

    return _act(request, ctx, principal, ticket_id, csrf, run)


@router.post(BASE + "/tickets/{ticket_id}/escalate")
def escalate(
    request: Request,
    ctx: ContextDep,
    principal: Writer,
    ticket_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: CsrfForm = "",
) -> HTMLResponse:
    """One level up; the reason (free text) becomes a sealed internal note."""

    def run(session: Session, ticket: Ticket) -> str:
        lifecycle.escalate(
            session,
            desk_context(ctx),
            principal.username,
            ticket,
            reason=reason.strip() or None,
        )
        return "agent_done_escalate"

    return _act(request, ctx, principal, ticket_id, csrf, run)


@router.post(BASE + "/tickets/{ticket_id}/notes")
def note(
    request: Request,
    ctx: ContextDep,
    principal: Writer,
    ticket_id: int,
    text: Annotated[str, Form(max_length=5000)] = "",
    csrf: CsrfForm = "",
) -> HTMLResponse:
    def run(session: Session, ticket: Ticket) -> str:
        add_note(session, desk_context(ctx), principal.username, ticket, text)
        return "agent_done_note"

    return _act(request, ctx, principal, ticket_id, csrf, run)


@router.post(BASE + "/tickets/{ticket_id}/replies")
def reply(
    request: Request,
    ctx: ContextDep,
    principal: Writer,
    ticket_id: int,
    text: Annotated[str, Form(max_length=5000)] = "",
    override_reason: Annotated[str, Form(max_length=500)] = "",
    csrf: CsrfForm = "",
) -> HTMLResponse:
    """A checked reply: blocked ones come back with their findings (422).

    Only `replies.override` may send a blocked reply, with a reason (audited);
    anyone else asking to override is denied (403, audited as for the API).
    """
    if not csrf_ok(request, csrf):
        return _ticket_page(
            request, ctx, principal, ticket_id, 403, error="agent_csrf_failed"
        )
    may_override = principal.can(Permission.REPLIES_OVERRIDE)
    if override_reason.strip() and not may_override:
        record_denial(
            ctx, principal, Permission.REPLIES_OVERRIDE.value, request.url.path
        )
        return _ticket_page(
            request, ctx, principal, ticket_id, 403, error="agent_override_denied",
            draft=text,
        )  # fmt: skip
    try:
        with transaction(ctx.sessions) as session:
            ticket = timeline.get_ticket(session, ticket_id)
            outcome = add_reply(
                session,
                desk_context(ctx),
                principal.username,
                ticket,
                text,
                may_override=may_override,
                override_reason=override_reason.strip() or None,
            )
    except (Conflict, InvalidInput, NotFound) as exc:
        return _ticket_page(
            request, ctx, principal, ticket_id, exc.status, error=exc.detail,
            draft=text,
        )  # fmt: skip
    findings = list(outcome.verdict.findings)
    if outcome.blocked:
        # The block's audit entry has committed with the transaction above.
        return _ticket_page(
            request,
            ctx,
            principal,
            ticket_id,
            422,
            draft=text,
            blocked={"segments": segments(text, findings), "findings": findings},
        )
    notice = "agent_done_override" if outcome.overridden else "agent_done_reply"
    warned = [public_finding(f) for f in findings]
    return _ticket_page(
        request, ctx, principal, ticket_id, notice=notice, warnings=warned
    )


class DraftCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=5000)
    lang: str | None = Field(default=None, pattern="^(zh|en)$")


@router.post(BASE + "/tickets/{ticket_id}/check")
def check_draft(
    request: Request,
    ctx: ContextDep,
    principal: Checker,
    ticket_id: int,
    body: DraftCheck,
) -> Response:
    """Live feedback on a draft, against the same facts the send path uses.

    Not audited: nothing is sent or decided here; sending re-checks the reply
    and audits every warn, block and override (complydesk.desk.replies).
    """
    if not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        return JSONResponse({"detail": "form token missing or stale"}, 403)
    if not body.text.strip():
        return JSONResponse({"verdict": "pass", "findings": []}, headers=NO_STORE)
    now = ctx.clock()
    try:
        with read_transaction(ctx.sessions) as session:
            ticket = timeline.get_ticket(session, ticket_id)
            due = sla.resolution_due(ticket, now)
    except ComplydeskError as exc:
        return JSONResponse({"detail": exc.detail}, exc.status)
    verdict = check_reply(
        body.text,
        role="agent",
        facts=CaseFacts(sla_due_at=due),
        now=now,
        lang=body.lang,
        capabilities=load_capabilities(ctx.settings.capabilities_file),
    )
    return JSONResponse(
        {
            "verdict": verdict.verdict,
            "findings": [public_finding(f) for f in verdict.findings],
        },
        headers=NO_STORE,
    )


@router.post(BASE + "/tickets/{ticket_id}/reveal")
def reveal(
    request: Request,
    ctx: ContextDep,
    principal: Revealer,
    ticket_id: int,
    reason: Annotated[str, Form(max_length=500)] = "",
    fields: Annotated[list[str] | None, Form(max_length=10)] = None,
    csrf: CsrfForm = "",
) -> HTMLResponse:
    """The customer's plaintext, once, through the audited `Vault.unmask`.

    The same call as POST /v1/customers/{id}/unmask: no reason of at least
    MIN_REASON_CHARS, no values; the audit entry commits with the read.
    """
    if not csrf_ok(request, csrf):
        return _ticket_page(
            request, ctx, principal, ticket_id, 403, error="agent_csrf_failed"
        )
    wanted = fields if fields else list(personal_fields(Customer))
    try:
        with transaction(ctx.sessions) as session:
            ticket = timeline.get_ticket(session, ticket_id)
            customer = session.get(Customer, ticket.customer_id)
            assert customer is not None  # a foreign key
            values = ctx.vault.unmask(
                session, ctx.audit, principal.username, customer, wanted, reason
            )
    except (InvalidInput, NotFound) as exc:
        return _ticket_page(
            request, ctx, principal, ticket_id, exc.status, error=exc.detail
        )
    shown = {k: v for k, v in values.items() if v is not None}
    return _ticket_page(
        request, ctx, principal, ticket_id, revealed=shown, notice="agent_done_reveal"
    )
