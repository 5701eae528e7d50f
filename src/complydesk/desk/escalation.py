"""SLA follow-up: the at-risk work list and the worker job that escalates.

The job looks only at open tickets whose `sla_alert_at` has passed (an
index), each in its own short transaction. When a clock has become at risk
or breached since the last look, it adds an internal timeline entry, raises
the escalation level on a breach, and enqueues a notification with ids,
states and times only (no personal data). A ticket someone else is saving at
the same moment is skipped and picked up on the next round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.clock import Clock
from complydesk.desk import sla, timeline
from complydesk.desk.lifecycle import OPEN_STATUSES
from complydesk.desk.triage import queue_key
from complydesk.errors import Conflict
from complydesk.notify import Outbox
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import Ticket

BATCH = 200


@dataclass(frozen=True)
class AtRisk:
    ticket: Ticket
    clocks: list[sla.ClockView]

    @property
    def due_at(self) -> datetime:
        return min(c.due_at for c in self.clocks)


def at_risk(session: Session, now: datetime, limit: int = 100) -> list[AtRisk]:
    """Open tickets with a clock at risk or breached now, most pressing first."""
    candidates = session.scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(OPEN_STATUSES),
            or_(Ticket.sla_state.is_not(None), Ticket.sla_alert_at <= now),
        )
        .order_by(Ticket.sla_alert_at)
        .limit(5000)
    )
    found = []
    for ticket in candidates:
        risky = [c for c in sla.view(ticket, now) if c.state in ("at_risk", "breached")]
        if risky:
            found.append(AtRisk(ticket, risky))
    found.sort(
        key=lambda r: (
            queue_key(r.ticket.urgency, at_risk=True),
            0 if any(c.state == "breached" for c in r.clocks) else 1,
            r.due_at,
        )
    )
    return found[:limit]


def escalate_ticket(
    session: Session, ticket: Ticket, now: datetime, outbox: Outbox
) -> int:
    """Act on clocks that rose since the last look; returns how many rose."""
    risen = sla.escalations(ticket, now)
    if not risen:
        sla.refresh(ticket, now)  # an early alert: just re-arm it
        timeline.save(session)
        return 0
    due = {c.name: c.due_at for c in sla.view(ticket, now)}
    if any(level == "breached" for _, level in risen):
        ticket.escalation_level += 1
    for name, level in risen:
        timeline.record(
            session,
            ticket,
            now,
            timeline.SYSTEM,
            f"sla_{level}",
            "internal",
            detail=f"{name} due {due[name].isoformat()}",
        )
    # Flush the ticket before the outbox does: a ticket saved by someone else
    # meanwhile is a Conflict (skipped this round), not a failed job.
    timeline.save(session)
    for name, level in risen:
        outbox.enqueue(
            session,
            f"ticket.sla_{level}",
            {
                "ticket_id": ticket.id,
                "clock": name,
                "due_at": due[name].isoformat(),
                "purpose": ticket.purpose,
                "category": ticket.category,
                "urgency": ticket.urgency,
                "escalation_level": ticket.escalation_level,
            },
        )
    return len(risen)


class JobLike(Protocol):
    """The worker's JobContext, without importing the worker (it imports us)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def sessions(self) -> sessionmaker[Session]: ...
    @property
    def clock(self) -> Clock: ...


def run_escalations(
    sessions: sessionmaker[Session], settings: Settings, clock: Clock
) -> str:
    """One round of the `desk.sla` job; returns a one-line summary."""
    now = clock()
    with read_transaction(sessions) as session:
        ids = list(
            session.scalars(
                select(Ticket.id)
                .where(Ticket.status.in_(OPEN_STATUSES), Ticket.sla_alert_at <= now)
                .order_by(Ticket.sla_alert_at)
                .limit(BATCH)
            )
        )
    if not ids:
        return "no SLA clock needs attention"
    outbox = Outbox.from_settings(settings, clock)
    escalated = skipped = 0
    for ticket_id in ids:
        try:
            with transaction(sessions) as session:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None or ticket.status not in OPEN_STATUSES:
                    continue
                escalated += escalate_ticket(session, ticket, now, outbox)
        except Conflict:
            skipped += 1
    return f"{escalated} SLA escalations on {len(ids)} tickets, {skipped} skipped"


def sla_job(ctx: JobLike) -> str:
    """The worker's `desk.sla` job."""
    return run_escalations(ctx.sessions, ctx.settings, ctx.clock)
