"""The ticket timeline, and the save step that turns lost updates into 409s.

Every change to a ticket adds a `TicketEvent` in the same transaction. Tickets
carry a version column (SQLAlchemy `version_id_col`): an UPDATE that finds
another transaction's newer version matches no row, SQLAlchemy raises
StaleDataError, and `save` turns it into a Conflict, so a concurrent change is
never overwritten silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from complydesk.errors import Conflict, NotFound
from complydesk.store.models import Ticket, TicketEvent

Visibility = Literal["customer", "internal"]
SYSTEM = "system"


def record(
    session: Session,
    ticket: Ticket,
    at: datetime,
    actor: str,
    kind: str,
    visibility: Visibility,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: str | None = None,
    message_id: int | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor[:64],
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        visibility=visibility,
        detail=None if detail is None else detail[:200],
        message_id=message_id,
    )
    session.add(event)
    return event


def save(session: Session) -> None:
    """Flush now, so a stale ticket version is a Conflict and not a 500 later."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "the ticket was changed by someone else at the same time; "
            "reload it and try again"
        ) from None


def check_version(ticket: Ticket, expected: int | None) -> None:
    """Optimistic concurrency across requests: the version the client last saw."""
    if expected is not None and expected != ticket.version:
        raise Conflict(
            f"the ticket is at version {ticket.version}, not {expected}; "
            "reload it and try again"
        )


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return ticket


def events(
    session: Session, ticket_id: int, visibility: Visibility | None = None
) -> list[TicketEvent]:
    query = (
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id)
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    if visibility is not None:
        query = query.where(TicketEvent.visibility == visibility)
    return list(session.scalars(query))
