"""Tickets: intake by purpose, lifecycle, routing, notes, checked replies, SLA.

Handlers only translate: the rules live in complydesk.desk (intake,
lifecycle, replies, sla, escalation). Each request is one transaction, so a
ticket, its timeline entry, its audit entry and its notification commit
together or not at all.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.api.deps import (
    AppContext,
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    record_denial,
    require,
)
from complydesk.api.problems import problem
from complydesk.api.schemas.desk import (
    AssignRequest,
    AtRiskItem,
    ClockPublic,
    ConversationPublic,
    EscalateRequest,
    MessageOut,
    MessagePublic,
    NoteRequest,
    QueueCreate,
    QueuePublic,
    ReplyRequest,
    ReplyResult,
    Status,
    TicketCreate,
    TicketDetail,
    TicketPublic,
    TimelineEntry,
    TransitionRequest,
    TriagePublic,
    Urgency,
)
from complydesk.desk import escalation, lifecycle, sla, timeline
from complydesk.desk.context import DeskContext
from complydesk.desk.intake import Intake, create_ticket_and_customer
from complydesk.desk.replies import add_note, add_reply
from complydesk.desk.triage import queue_key
from complydesk.errors import NotAllowed, NotFound
from complydesk.identity import Permission
from complydesk.store.models import (
    Conversation,
    Customer,
    Message,
    Queue,
    Ticket,
    TicketMessage,
)
from complydesk.vault import ERASED

router = APIRouter(prefix="/v1/desk", tags=["desk"])
sla_router = APIRouter(prefix="/v1/sla", tags=["desk"])


def desk_context(ctx: AppContext) -> DeskContext:
    return DeskContext(ctx.settings, ctx.vault, ctx.audit, ctx.clock)


def _public(ticket: Ticket, customer_ref: str, queue: str | None) -> dict[str, Any]:
    data = {
        name: getattr(ticket, name)
        for name in TicketPublic.model_fields
        if name not in ("customer_ref", "queue")
    }
    return {**data, "customer_ref": customer_ref, "queue": queue}


def _refs(
    session: Session, ticket: Ticket, customer_ref: str | None = None
) -> tuple[str, str | None]:
    ref = customer_ref
    if ref is None:
        ref = session.scalar(
            select(Customer.ref).where(Customer.id == ticket.customer_id)
        )
    queue = None
    if ticket.queue_id is not None:
        queue = session.scalar(select(Queue.name).where(Queue.id == ticket.queue_id))
    return ref or "", queue


def ticket_detail(
    session: Session,
    ctx: AppContext,
    ticket: Ticket,
    *,
    customer_ref: str | None = None,
) -> TicketDetail:
    """The staff view of a ticket (`customer_ref` if the caller has it: no query)."""
    ref, queue = _refs(session, ticket, customer_ref)
    now = ctx.clock()
    return TicketDetail.model_validate(
        {
            **_public(ticket, ref, queue),
            "order_number": ticket.order_number,
            "product_model": ticket.product_model,
            "waybill_number": ticket.waybill_number,
            "masked": ctx.vault.masked(ticket),
            "triage": TriagePublic(
                purpose=ticket.triage_purpose,
                urgency=ticket.triage_urgency,
                reasons=list(ticket.triage_reasons or []),
            ),
            "pii_flags": dict(ticket.pii_flags or {}),
            "clocks": [
                ClockPublic.model_validate(c.__dict__) for c in sla.view(ticket, now)
            ],
            "policy": (
                f"{ticket.policy_pack}@{ticket.policy_version}"
                if ticket.policy_pack
                else None
            ),
            "first_responded_at": ticket.first_responded_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
        }
    )


@router.get("/tickets", dependencies=[require(Permission.TICKETS_READ)])
def list_tickets(
    session: ReadSessionDep,
    status: Status | None = None,
    queue: str | None = Query(default=None, max_length=64),
    assignee: str | None = Query(default=None, max_length=64),
    urgency: Urgency | None = None,
    order: Literal["newest", "priority"] = Query(
        default="newest",
        description="priority: urgent and SLA-at-risk first, then by due time.",
    ),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[TicketPublic]:
    query = (
        select(Ticket, Customer.ref, Queue.name)
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(Queue, Queue.id == Ticket.queue_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    if status is not None:
        query = query.where(Ticket.status == status)
    if queue is not None:
        query = query.where(Queue.name == queue)
    if assignee is not None:
        query = query.where(Ticket.assignee == assignee)
    if urgency is not None:
        query = query.where(Ticket.urgency == urgency)
    if order == "newest":
        rows = list(session.execute(query.limit(limit)))
    else:
        if status is None:
            query = query.where(Ticket.status.in_(lifecycle.OPEN_STATUSES))
        rows = sorted(
            session.execute(query.limit(5000)),
            key=lambda r: (
                queue_key(r[0].urgency, at_risk=r[0].sla_state is not None),
                r[0].resolution_due_at is None,
                r[0].resolution_due_at or r[0].created_at,
            ),
        )[:limit]
    return [TicketPublic.model_validate(_public(t, ref, q)) for t, ref, q in rows]


@router.post(
    "/tickets",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.TICKETS_WRITE)],
)
def create(
    body: TicketCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> TicketDetail:
    """Intake: refuses fields the purpose does not collect (422 naming both)."""
    intake = Intake(
        purpose=body.purpose,
        category=body.category,
        fields=body.fields,
        subject=body.subject,
        customer_id=body.customer_id,
        customer=body.customer,
        jurisdiction=body.jurisdiction,
    )
    # The audit entries are appended after the response is built: on
    # PostgreSQL that is when the chain head gets locked until the commit.
    with ctx.audit.batch(session):
        ticket, customer = create_ticket_and_customer(
            session, desk_context(ctx), principal.username, intake
        )
        return ticket_detail(session, ctx, ticket, customer_ref=customer.ref)


@router.get("/tickets/{ticket_id}", dependencies=[require(Permission.TICKETS_READ)])
def get_ticket(
    ticket_id: int, session: ReadSessionDep, ctx: ContextDep
) -> TicketDetail:
    return ticket_detail(session, ctx, timeline.get_ticket(session, ticket_id))


@router.get(
    "/tickets/{ticket_id}/timeline", dependencies=[require(Permission.TICKETS_READ)]
)
def get_timeline(
    ticket_id: int, session: ReadSessionDep, ctx: ContextDep
) -> list[TimelineEntry]:
    """Every entry, internal ones included; texts are masked copies."""
    ticket = timeline.get_ticket(session, ticket_id)
    messages = {
        m.id: m
        for m in session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        )
    }
    out = []
    for event in timeline.events(session, ticket.id):
        message = messages.get(event.message_id) if event.message_id else None
        out.append(
            TimelineEntry(
                id=event.id,
                at=event.at,
                actor=event.actor,
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                visibility=event.visibility,
                detail=event.detail,
                message=None
                if message is None
                else MessageOut(
                    id=message.id,
                    kind=message.kind,
                    author=message.author,
                    body=message.body_masked or ERASED,
                    verdict=message.verdict,
                    rules=message.rules,
                    overridden_by=message.overridden_by,
                ),
            )
        )
    return out


@router.post(
    "/tickets/{ticket_id}/transitions",
    dependencies=[require(Permission.TICKETS_WRITE)],
)
def transition(
    ticket_id: int,
    body: TransitionRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> TicketDetail:
    """Move to `to`; an invalid move is a 409 saying what is allowed."""
    ticket = timeline.get_ticket(session, ticket_id)
    lifecycle.transition(
        session,
        desk_context(ctx),
        principal.username,
        ticket,
        body.to,
        expected_version=body.version,
    )
    return ticket_detail(session, ctx, ticket)


@router.post(
    "/tickets/{ticket_id}/assign", dependencies=[require(Permission.TICKETS_ASSIGN)]
)
def assign(
    ticket_id: int,
    body: AssignRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> TicketDetail:
    ticket = timeline.get_ticket(session, ticket_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    lifecycle.assign(
        session,
        desk_context(ctx),
        principal.username,
        ticket,
        changes,
        expected_version=body.version,
    )
    return ticket_detail(session, ctx, ticket)


@router.post(
    "/tickets/{ticket_id}/escalate", dependencies=[require(Permission.TICKETS_WRITE)]
)
def escalate(
    ticket_id: int,
    body: EscalateRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> TicketDetail:
    ticket = timeline.get_ticket(session, ticket_id)
    lifecycle.escalate(
        session,
        desk_context(ctx),
        principal.username,
        ticket,
        reason=body.reason,
        queue=body.queue,
    )
    return ticket_detail(session, ctx, ticket)


@router.post(
    "/tickets/{ticket_id}/notes",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.TICKETS_WRITE)],
)
def note(
    ticket_id: int,
    body: NoteRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> MessageOut:
    """An internal note: sealed, never shown to the customer."""
    ticket = timeline.get_ticket(session, ticket_id)
    message = add_note(
        session, desk_context(ctx), principal.username, ticket, body.text
    )
    return MessageOut(
        id=message.id,
        kind=message.kind,
        author=message.author,
        body=message.body_masked or "",
        verdict=None,
        rules=None,
        overridden_by=None,
    )


@router.post(
    "/tickets/{ticket_id}/replies",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.TICKETS_WRITE)],
    response_model=ReplyResult,
    responses={422: {"description": "Blocked by the speech check (findings)"}},
)
def reply(
    ticket_id: int,
    body: ReplyRequest,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> Any:
    """A reply to the customer, checked first: `block` stops it (422 + findings).

    A supervisor may send a blocked reply with `override_reason` (audited).
    """
    allowed = principal.can(Permission.REPLIES_OVERRIDE)
    if body.override_reason is not None and not allowed:
        route = request.scope.get("route")
        path = getattr(route, "path", "/v1/desk/tickets/{ticket_id}/replies")
        record_denial(ctx, principal, Permission.REPLIES_OVERRIDE.value, path)
        raise NotAllowed("an override needs the permission replies.override")
    ticket = timeline.get_ticket(session, ticket_id)
    outcome = add_reply(
        session,
        desk_context(ctx),
        principal.username,
        ticket,
        body.text,
        lang=body.lang,
        may_override=allowed,
        override_reason=body.override_reason,
    )
    if outcome.message is None:
        # Returned, not raised: the audit entry of the block must commit.
        return problem(
            422,
            "Reply blocked",
            "the speech check blocked this reply; see findings for the rules, "
            "reasons and suggested rewrites",
            verdict=outcome.verdict.verdict,
            findings=outcome.findings(),
        )
    return JSONResponse(
        ReplyResult(
            message_id=outcome.message.id,
            verdict=outcome.verdict.verdict,
            overridden=outcome.overridden,
            findings=outcome.findings(),
        ).model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/queues", dependencies=[require(Permission.TICKETS_READ)])
def queues(session: ReadSessionDep) -> list[QueuePublic]:
    return [QueuePublic.model_validate(q) for q in lifecycle.list_queues(session)]


@router.post(
    "/queues",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.TICKETS_ASSIGN)],
)
def add_queue(body: QueueCreate, session: SessionDep, ctx: ContextDep) -> QueuePublic:
    queue = lifecycle.create_queue(session, body.name, body.title, ctx.clock())
    return QueuePublic.model_validate(queue)


@sla_router.get("/at-risk", dependencies=[require(Permission.TICKETS_READ)])
def at_risk(
    session: ReadSessionDep,
    ctx: ContextDep,
    limit: int = Query(default=100, ge=1, le=500),
) -> list[AtRiskItem]:
    """Open tickets with an SLA clock at risk or breached now, most pressing first."""
    items = []
    for found in escalation.at_risk(session, ctx.clock(), limit):
        ref, queue = _refs(session, found.ticket)
        items.append(
            AtRiskItem(
                ticket=TicketPublic.model_validate(_public(found.ticket, ref, queue)),
                clocks=[ClockPublic.model_validate(c.__dict__) for c in found.clocks],
            )
        )
    return items


@router.get(
    "/conversations/{conversation_id}",
    dependencies=[require(Permission.CONVERSATIONS_READ)],
)
def get_conversation(
    conversation_id: int, session: ReadSessionDep
) -> ConversationPublic:
    row = session.execute(
        select(Conversation, Customer.ref)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.id == conversation_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    conversation, ref = row
    messages = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.created_at, Message.id)
    )
    return ConversationPublic(
        id=conversation.id,
        customer_ref=ref,
        channel=conversation.channel,
        started_at=conversation.started_at,
        messages=[
            MessagePublic(
                id=m.id,
                sender=m.sender,
                ai_generated=m.ai_generated,
                body=m.body_masked if m.body_masked is not None else ERASED,
                created_at=m.created_at,
            )
            for m in messages
        ],
    )
