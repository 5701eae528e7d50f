"""Public ticket tracking: a tracking code plus the last four digits of the phone.

The answer is the customer-visible timeline (status changes and the masked
text of replies), never who acted and never internal notes or assignments.
An unknown code and a wrong verification give the same answer (`None` here,
one 404 body at the edge) after the same work: one query joining ticket and
customer, one constant-time comparison. The digits are compared with the
vault's masked copy of the phone (its last four digits stay visible there),
so no decryption happens on this path; the ticket's contact phone is used,
else the customer's phone. Erased customers' masked copies are scrubbed, so
their tickets can no longer be tracked.

`TrackingGuard` rate-limits attempts per client address and failed attempts
per code, keyed by the code as typed, so a locked-out code says nothing about
whether it exists.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.desk.ratelimit import SlidingWindow
from complydesk.store.models import Customer, Ticket, TicketEvent, TicketMessage

NOT_FOUND = "no ticket matches this tracking code and verification"
PER_ADDRESS = (30, 600.0)  # attempts per client address per 10 minutes
PER_CODE_FAILURES = (5, 3600.0)  # failed verifications per code per hour
_LAST4 = re.compile(r"^\d{4}$")
_PUBLIC_KINDS = ("created", "status", "reopen", "reply")


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    text: str | None


@dataclass(frozen=True)
class PublicTicket:
    tracking_code: str
    purpose: str
    category: str
    status: str
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    events: list[PublicEvent]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracking_code": self.tracking_code,
            "purpose": self.purpose,
            "category": self.category,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "first_response_due_at": self.first_response_due_at,
            "resolution_due_at": self.resolution_due_at,
            "events": [e.__dict__ for e in self.events],
        }


def normalize_code(code: str) -> str:
    """Upper case without spaces, at most 32 characters (the column's width)."""
    return "".join(code.split()).upper()[:32]


def _last4(masked: str | None) -> str | None:
    if not masked or len(masked) < 4 or not masked[-4:].isdigit():
        return None
    return masked[-4:]


def lookup(session: Session, code: str, last4: str) -> PublicTicket | None:
    """The public view of a ticket, or None for an unknown code or wrong digits."""
    row = session.execute(
        select(Ticket, Customer.phone_masked)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.tracking_code == normalize_code(code))
    ).one_or_none()
    expected = None
    if row is not None:
        expected = _last4(row[0].contact_phone_masked) or _last4(row[1])
    given = last4 if _LAST4.match(last4 or "") else "x"
    matches = hmac.compare_digest((expected or "----").encode(), given.encode())
    if row is None or expected is None or not matches:
        return None
    ticket: Ticket = row[0]
    return PublicTicket(
        tracking_code=ticket.tracking_code,
        purpose=ticket.purpose,
        category=ticket.category,
        status=ticket.status,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        events=public_events(session, ticket.id),
    )


def public_events(session: Session, ticket_id: int) -> list[PublicEvent]:
    """Customer-visible events only, without actors; replies as masked text."""
    rows = session.execute(
        select(TicketEvent, TicketMessage.body_masked)
        .outerjoin(TicketMessage, TicketMessage.id == TicketEvent.message_id)
        .where(
            TicketEvent.ticket_id == ticket_id,
            TicketEvent.visibility == "customer",
            TicketEvent.kind.in_(_PUBLIC_KINDS),
        )
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    return [
        PublicEvent(
            at=event.at,
            kind=event.kind,
            from_status=event.from_status,
            to_status=event.to_status,
            text=body if event.kind == "reply" else None,
        )
        for event, body in rows
    ]


class TrackingGuard:
    """Rate limits for tracking, per process (see ratelimit.py)."""

    def __init__(
        self,
        per_address: tuple[int, float] = PER_ADDRESS,
        per_code_failures: tuple[int, float] = PER_CODE_FAILURES,
    ) -> None:
        self.by_address = SlidingWindow(*per_address)
        self.by_code = SlidingWindow(*per_code_failures)

    def admit(self, address: str, code: str, now: float) -> int | None:
        """Count an attempt; seconds to wait if it must be refused, else None."""
        wait = self.by_address.retry_after(address, now)
        if wait is None:
            wait = self.by_code.retry_after(normalize_code(code), now)
        if wait is None:
            self.by_address.hit(address, now)
        return wait

    def failed(self, code: str, now: float) -> None:
        self.by_code.hit(normalize_code(code), now)


_GUARD_LOCK = threading.Lock()


def guard_for(state: Any) -> TrackingGuard:
    """The guard kept on an app's state (one per app, so tests stay apart)."""
    with _GUARD_LOCK:
        guard = getattr(state, "tracking_guard", None)
        if guard is None:
            guard = TrackingGuard()
            state.tracking_guard = guard
        return guard


@dataclass(frozen=True)
class Attempt:
    """The outcome of one tracking attempt: found, not found, or wait."""

    ticket: PublicTicket | None
    retry_after: int | None = None


def attempt(
    guard: TrackingGuard, address: str, session: Session, code: str, last4: str
) -> Attempt:
    """Rate-limit, look up, count a failure: what the API and the page share."""
    now = time.monotonic()
    wait = guard.admit(address, code, now)
    if wait is not None:
        return Attempt(None, wait)
    found = lookup(session, code, last4)
    if found is None:
        guard.failed(code, now)
    return Attempt(found)
