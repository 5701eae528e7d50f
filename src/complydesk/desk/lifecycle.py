"""Ticket lifecycle: status changes, assignment to queues and agents, escalation.

    submitted -> accepted -> in_progress <-> waiting_customer -> resolved -> closed
                      \\________________________________________/^
    reopen: resolved | closed -> in_progress;  escalate: any open status

Moving a ticket to the status it already has is a no-op, so a retried request
is safe; any other move outside the table is a Conflict that says what is
allowed. Each change adds a timeline entry and, for status changes, a
notification (ids and states only) in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.desk import sla, timeline
from complydesk.desk.context import DeskContext
from complydesk.desk.triage import URGENCIES
from complydesk.errors import Conflict, InvalidInput
from complydesk.identity import Permission, Role, permissions_for
from complydesk.notify import Outbox
from complydesk.store.models import Queue, Ticket, User

STATUSES = (
    "submitted",
    "accepted",
    "in_progress",
    "waiting_customer",
    "resolved",
    "closed",
)
OPEN_STATUSES = ("submitted", "accepted", "in_progress", "waiting_customer")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("accepted",),
    "accepted": ("in_progress", "waiting_customer", "resolved"),
    "in_progress": ("waiting_customer", "resolved"),
    "waiting_customer": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}
QUEUE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def transition(
    session: Session,
    ctx: DeskContext,
    actor: str,
    ticket: Ticket,
    to: str,
    *,
    expected_version: int | None = None,
    outbox: Outbox | None = None,
) -> bool:
    """Move `ticket` to status `to`; False when it already is there."""
    if to not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    timeline.check_version(ticket, expected_version)
    before = ticket.status
    if to == before:
        return False
    if to not in TRANSITIONS.get(before, ()):
        allowed = " or ".join(TRANSITIONS.get(before, ())) or "nothing"
        raise Conflict(
            f"a ticket cannot move from {before} to {to}; from {before} it can "
            f"move to {allowed}"
        )
    now = ctx.clock()
    reopening = before in ("resolved", "closed") and to == "in_progress"
    if before == "waiting_customer":
        sla.resume(ticket, now)
    if reopening:
        ticket.resolved_at = None
        ticket.closed_at = None
        sla.reopen(ticket, now)
    if to == "waiting_customer":
        sla.pause(ticket, now)
    elif to == "resolved":
        ticket.resolved_at = now
        ticket.first_responded_at = ticket.first_responded_at or now
        sla.complete(ticket, ("first_response", "resolution"), now)
    elif to == "closed":
        ticket.closed_at = now
    ticket.status = to
    ticket.updated_at = now
    timeline.record(
        session,
        ticket,
        now,
        actor,
        "reopen" if reopening else "status",
        "customer",
        from_status=before,
        to_status=to,
    )
    # Flush the ticket first: the outbox flushes too, and a stale version
    # must surface here as a Conflict (409), not as a raw StaleDataError.
    timeline.save(session)
    (outbox or ctx.outbox()).enqueue(
        session,
        "ticket.status_changed",
        {
            "ticket_id": ticket.id,
            "tracking_code": ticket.tracking_code,
            "from": before,
            "status": to,
        },
    )
    return True


def assign(
    session: Session,
    ctx: DeskContext,
    actor: str,
    ticket: Ticket,
    changes: Mapping[str, str | None],
    *,
    expected_version: int | None = None,
) -> bool:
    """Route a ticket: `queue`, `assignee` (None clears them) and `urgency`.

    Urgency overrides the triage suggestion; both stay on the ticket.
    """
    unknown = set(changes) - {"queue", "assignee", "urgency"}
    if unknown or not changes:
        raise InvalidInput("give at least one of queue, assignee, urgency")
    timeline.check_version(ticket, expected_version)
    if ticket.status == "closed":
        raise Conflict("a closed ticket cannot be routed; reopen it first")
    done: list[str] = []
    if "queue" in changes:
        queue_id = None
        if changes["queue"] is not None:
            queue_id = get_queue(session, changes["queue"]).id
        if queue_id != ticket.queue_id:
            ticket.queue_id = queue_id
            done.append(f"queue {changes['queue'] or '-'}")
    if "assignee" in changes:
        assignee = changes["assignee"]
        if assignee is not None:
            _check_assignee(session, assignee)
        if assignee != ticket.assignee:
            ticket.assignee = assignee
            done.append(f"assignee {assignee or '-'}")
    if "urgency" in changes:
        urgency = changes["urgency"]
        if urgency not in URGENCIES:
            raise InvalidInput(f"urgency must be one of {', '.join(URGENCIES)}")
        if urgency != ticket.urgency:
            ticket.urgency = urgency
            done.append(f"urgency {urgency}")
    if not done:
        return False
    now = ctx.clock()
    ticket.updated_at = now
    timeline.record(
        session, ticket, now, actor, "assign", "internal", detail="; ".join(done)
    )
    timeline.save(session)
    return True


def _check_assignee(session: Session, username: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    writes = user is not None and Permission.TICKETS_WRITE in permissions_for(
        Role(user.role)
    )
    if user is None or not user.active or user.is_service or not writes:
        raise InvalidInput(
            "assignee must be an active staff account that may work on tickets"
        )


def escalate(
    session: Session,
    ctx: DeskContext,
    actor: str,
    ticket: Ticket,
    *,
    reason: str | None = None,
    queue: str | None = None,
) -> int:
    """Raise the escalation level of an open ticket; returns the new level.

    The reason is free text, so it is kept as an internal note (sealed).
    """
    from complydesk.desk.replies import add_note

    if ticket.status not in OPEN_STATUSES:
        raise Conflict(
            f"only open tickets can be escalated; this one is {ticket.status}"
        )
    now = ctx.clock()
    note_id = None
    if reason is not None:
        note_id = add_note(session, ctx, actor, ticket, reason).id
    if queue is not None:
        ticket.queue_id = get_queue(session, queue).id
    ticket.escalation_level += 1
    ticket.updated_at = now
    detail = f"level {ticket.escalation_level}" + (f"; queue {queue}" if queue else "")
    timeline.record(
        session, ticket, now, actor, "escalate", "internal", detail=detail,
        message_id=note_id,
    )  # fmt: skip
    timeline.save(session)
    return ticket.escalation_level


def create_queue(session: Session, name: str, title: str, now: datetime) -> Queue:
    if not QUEUE_NAME.match(name):
        raise InvalidInput("queue name must be lower case letters, digits, - or _")
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise InvalidInput("queue title must have 1 to 200 characters")
    if session.scalar(select(Queue.id).where(Queue.name == name)) is not None:
        raise Conflict(f"queue {name} already exists")
    queue = Queue(name=name, title=title, created_at=now)
    session.add(queue)
    session.flush()
    return queue


def get_queue(session: Session, name: str) -> Queue:
    """A queue named in a request body: a missing one is bad input (422)."""
    queue = session.scalar(select(Queue).where(Queue.name == name))
    if queue is None:
        shown = name if QUEUE_NAME.match(name) else "with that name"
        raise InvalidInput(f"queue {shown} does not exist; create it first")
    return queue


def list_queues(session: Session) -> list[Queue]:
    return list(session.scalars(select(Queue).order_by(Queue.name)))
