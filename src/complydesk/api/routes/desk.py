"""Tickets and conversations (read side; intake and lifecycle come with the desk)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from complydesk.api.deps import ReadSessionDep, require
from complydesk.api.schemas.desk import ConversationPublic, MessagePublic, TicketPublic
from complydesk.errors import NotFound
from complydesk.identity import Permission
from complydesk.store.models import Conversation, Customer, Message, Ticket
from complydesk.vault import ERASED

router = APIRouter(prefix="/v1/desk", tags=["desk"])

Status = Literal[
    "submitted", "accepted", "in_progress", "waiting_customer", "resolved", "closed"
]


def _ticket_public(ticket: Ticket, customer_ref: str) -> TicketPublic:
    return TicketPublic.model_validate(
        {
            **{
                c: getattr(ticket, c)
                for c in TicketPublic.model_fields
                if c != "customer_ref"
            },
            "customer_ref": customer_ref,
        }
    )


@router.get("/tickets", dependencies=[require(Permission.TICKETS_READ)])
def list_tickets(
    session: ReadSessionDep,
    status: Status | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[TicketPublic]:
    query = (
        select(Ticket, Customer.ref)
        .join(Customer, Customer.id == Ticket.customer_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Ticket.status == status)
    return [_ticket_public(t, ref) for t, ref in session.execute(query)]


@router.get("/tickets/{ticket_id}", dependencies=[require(Permission.TICKETS_READ)])
def get_ticket(ticket_id: int, session: ReadSessionDep) -> TicketPublic:
    row = session.execute(
        select(Ticket, Customer.ref)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.id == ticket_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return _ticket_public(*row)


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
