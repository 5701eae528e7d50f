"""Legal holds: a retention exception from the pack that keeps a subject's key.

An erasure normally shreds the subject's data key at once. When the law
requires keeping some of the data (transaction records, an open dispute), a
person places a hold naming one of the pack's `retention.erasure_exceptions`;
the erasure then clears every category the exception does not retain,
restricts processing of the rest, keeps the key, and states the exception,
its citation and its explanation in the receipt. When the last hold ends
(released, or its period from the pack runs out) the worker shreds the key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.deadlines import add, load_calendar
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.policy import ErasureException, PolicyPack, load_pack
from complydesk.rights.common import pack_for, record
from complydesk.settings import Settings
from complydesk.store.models import Customer, LegalHold

# Which data category each personal table belongs to (the pack's
# retention.categories); tables added later default to "other", which no
# exception retains, so erasure clears them.
CATEGORY_OF_TABLE: Final = {
    "customers": "customer_profile",
    "tickets": "support_tickets",
    "attachments": "support_tickets",
    "conversations": "conversations",
    "messages": "conversations",
    "rights_requests": "rights_requests",
}


def category_of(table: str) -> str:
    return CATEGORY_OF_TABLE.get(table, "other")


def exceptions(pack: PolicyPack) -> dict[str, ErasureException]:
    if pack.retention is None:
        return {}
    return {k: v.value for k, v in pack.retention.erasure_exceptions.items()}


def place_hold(
    session: Session,
    audit: AuditLog,
    settings: Settings,
    actor: str,
    customer: Customer,
    exception: str,
) -> LegalHold:
    """Keep the subject's key under a named exception of their pack."""
    if customer.erased_at is not None:
        raise Conflict("this customer was erased; nothing is left to hold")
    pack = pack_for(customer, settings)
    known = pack.retention.erasure_exceptions if pack.retention else {}
    if exception not in known:
        raise InvalidInput(
            f"exception must be one of the {pack.pack} pack's: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    cited = known[exception]
    now = audit.clock()
    expires = None
    if cited.value.period is not None:
        expires = add(
            now,
            cited.value.period,
            load_calendar(pack.working_calendar),
            ZoneInfo(pack.timezone),
        )
    hold = LegalHold(
        customer_id=customer.id,
        exception=exception,
        pack=pack.pack,
        citation=cited.citation[:300],
        placed_at=now,
        placed_by=actor,
        expires_at=expires,
    )
    session.add(hold)
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.hold.place",
        "customers",
        customer.id,
        details={"hold": hold.id, "exception": exception, "pack": pack.pack},
    )
    return hold


def release_hold(
    session: Session, audit: AuditLog, actor: str, hold_id: int
) -> LegalHold:
    """End a hold (the dispute is settled); the worker then finishes erasure."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"legal hold {hold_id} does not exist")
    if hold.released_at is not None:
        raise Conflict(f"legal hold {hold_id} was already released")
    hold.released_at = audit.clock()
    hold.released_by = actor
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.hold.release",
        "customers",
        hold.customer_id,
        details={"hold": hold.id, "exception": hold.exception},
    )
    return hold


def active_holds(session: Session, customer_id: int, now: datetime) -> list[LegalHold]:
    return list(
        session.scalars(
            select(LegalHold)
            .where(
                LegalHold.customer_id == customer_id,
                LegalHold.released_at.is_(None),
                or_(LegalHold.expires_at.is_(None), LegalHold.expires_at > now),
            )
            .order_by(LegalHold.id)
        )
    )


def retained_categories(
    holds: list[LegalHold], settings: Settings
) -> dict[str, list[LegalHold]]:
    """Category -> the holds that keep it (from each hold's own pack)."""
    out: dict[str, list[LegalHold]] = {}
    for hold in holds:
        pack = load_pack(hold.pack, settings.policy_dir)
        spec = exceptions(pack).get(hold.exception)
        if spec is None:  # the pack changed since: keep everything, to be safe
            categories: tuple[str, ...] = tuple(CATEGORY_OF_TABLE.values())
        else:
            categories = spec.retains
        for category in categories:
            out.setdefault(category, []).append(hold)
    return out
