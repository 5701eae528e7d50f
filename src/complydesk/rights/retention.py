"""Storage limitation: shred or anonymise what has outlived its retention period.

Periods come from each subject's pack (`retention.categories`, cited), counted
from the data's last use in the pack's time zone and calendar:

* `customer_profile`: last use is the newest event in any table about the
  subject (complydesk.rights.activity: found from the schema, so tickets,
  replies and notes, the timeline, messages, AI conversations and decisions,
  requests and whatever a later module adds); then the subject is
  crypto-shredded.
* `support_tickets`: from the ticket's last update; its personal fields and
  attachment names are cleared.
* `conversations`: from the message's time; its text is cleared.
* `rights_requests`: from closing; the subject's own words are cleared.

Rows kept for statistics stay, without personal fields. A subject under an
active legal hold is left alone for the categories the hold retains. `plan`
is the dry run: it reports counts and changes nothing; `apply` does the same
selection and acts, in batches, auditing one entry per category.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.deadlines import add, load_calendar
from complydesk.desk.customers import erase_customer
from complydesk.duration import Duration, Unit
from complydesk.policy import PolicyPack, load_pack
from complydesk.rights.activity import last_activity
from complydesk.rights.anonymise import clear_rows
from complydesk.rights.common import record
from complydesk.rights.holds import retained_categories
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import (
    Conversation,
    Customer,
    LegalHold,
    Message,
    SubjectRequest,
    Ticket,
)
from complydesk.store.models.desk import Attachment
from complydesk.store.personal import personal_fields
from complydesk.vault import Vault

CATEGORIES: Final = (
    "customer_profile",
    "support_tickets",
    "conversations",
    "rights_requests",
)
BATCH: Final = 500
ACTOR: Final = "retention"


@dataclass
class Item:
    category: str
    pack: str
    period: str
    citation: str
    action: str
    ids: list[int] = field(default_factory=list)
    held: int = 0

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass
class Report:
    as_of: datetime
    dry_run: bool
    items: list[Item] = field(default_factory=list)

    def total(self) -> int:
        return sum(i.count for i in self.items)


def _min_span(period: Duration) -> timedelta:
    """A lower bound of the period, for a cheap SQL prefilter (exact check after)."""
    days = {
        Unit.MINUTES: period.amount / 1440,
        Unit.HOURS: period.amount / 24,
        Unit.BUSINESS_HOURS: period.amount / 24,
        Unit.CALENDAR_DAYS: period.amount,
        Unit.CALENDAR_MONTHS: period.amount * 28,
        Unit.WORKING_DAYS: period.amount,
    }[period.unit]
    return timedelta(days=max(0.0, days - 1))


def _expired(pack: PolicyPack, last: datetime, period: Duration, now: datetime) -> bool:
    cal = load_calendar(pack.working_calendar)
    hours = pack.business_hours.value if pack.business_hours is not None else None
    return add(last, period, cal, ZoneInfo(pack.timezone), hours) <= now


def _packs(session: Session, settings: Settings) -> dict[str, list[int]]:
    """Pack name -> ids of the non-erased customers it governs."""
    out: dict[str, list[int]] = defaultdict(list)
    for customer_id, jurisdiction in session.execute(
        select(Customer.id, Customer.jurisdiction).where(Customer.erased_at.is_(None))
    ):
        out[jurisdiction or settings.default_pack].append(customer_id)
    return out


def _held(
    session: Session, settings: Settings, customer_ids: list[int], now: datetime
) -> dict[int, set[str]]:
    """Customer -> the categories their active holds retain (one query)."""
    holds = session.scalars(
        select(LegalHold).where(
            LegalHold.customer_id.in_(customer_ids),
            LegalHold.released_at.is_(None),
            or_(LegalHold.expires_at.is_(None), LegalHold.expires_at > now),
        )
    )
    by_customer: dict[int, list[LegalHold]] = defaultdict(list)
    for hold in holds:
        by_customer[hold.customer_id].append(hold)
    return {
        cid: set(retained_categories(found, settings))
        for cid, found in by_customer.items()
    }


def _sealed_any(model: type[Any]) -> Any:
    return or_(
        *(
            getattr(model, f.sealed).is_not(None)
            for f in personal_fields(model).values()
        )
    )


def plan(session: Session, settings: Settings, now: datetime) -> Report:
    """What is past its period, per pack and category; changes nothing."""
    report = Report(now, dry_run=True)
    for pack_name, customer_ids in sorted(_packs(session, settings).items()):
        pack = load_pack(pack_name, settings.policy_dir)
        if pack.retention is None:
            continue
        held = _held(session, settings, customer_ids, now)
        for category in CATEGORIES:
            cited = pack.retention.categories.get(category)
            if cited is None:
                continue
            item = Item(
                category,
                pack.pack,
                str(cited.value.period),
                cited.citation,
                "shred_subject" if category == "customer_profile" else "anonymise",
            )
            for row_id, customer_id, last in _candidates(
                session,
                category,
                customer_ids,
                now - _min_span(cited.value.period),
                now,
            ):
                if not _expired(pack, last, cited.value.period, now):
                    continue
                if category in held.get(customer_id, set()):
                    item.held += 1
                    continue
                if item.count < BATCH:
                    item.ids.append(row_id)
            report.items.append(item)
    return report


def _candidates(
    session: Session,
    category: str,
    customer_ids: list[int],
    before: datetime,
    now: datetime,
) -> list[tuple[int, int, datetime]]:
    """(row id, customer id, last use) of rows possibly past their period."""
    if not customer_ids:
        return []
    if category == "customer_profile":
        last = last_activity(session, customer_ids, now)
        return [(cid, cid, at) for cid, at in last.items() if at < before]
    if category == "support_tickets":
        rows = session.execute(
            select(Ticket.id, Ticket.customer_id, Ticket.updated_at).where(
                Ticket.customer_id.in_(customer_ids),
                Ticket.updated_at < before,
                _sealed_any(Ticket),
            )
        )
    elif category == "conversations":
        rows = session.execute(
            select(Message.id, Conversation.customer_id, Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.customer_id.in_(customer_ids),
                Message.created_at < before,
                _sealed_any(Message),
            )
        )
    else:
        rows = session.execute(
            select(
                SubjectRequest.id, SubjectRequest.customer_id, SubjectRequest.closed_at
            ).where(
                SubjectRequest.customer_id.in_(customer_ids),
                SubjectRequest.closed_at.is_not(None),
                SubjectRequest.closed_at < before,
                _sealed_any(SubjectRequest),
            )
        )
    return [(int(a), int(b), c) for a, b, c in rows]


def _clear(session: Session, model: type[Any], column: Any, ids: list[int]) -> int:
    values: dict[str, None] = {}
    for spec in personal_fields(model).values():
        values[spec.sealed] = None
        values[spec.masked] = None
        if spec.blind is not None:
            values[spec.bidx] = None
    result = session.execute(
        update(model)
        .where(column.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def apply(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    actor: str = ACTOR,
) -> Report:
    """Act on the plan, one transaction per category and pack, audited."""
    now = audit.clock()
    with read_transaction(sessions) as session:
        report = plan(session, settings, now)
    report.dry_run = False
    for item in report.items:
        if not item.ids:
            continue
        with transaction(sessions) as session:
            if item.category == "customer_profile":
                for customer_id in item.ids:
                    customer = session.get(Customer, customer_id)
                    if customer is None or customer.erased_at is not None:
                        continue
                    erase_customer(
                        session,
                        vault,
                        audit,
                        actor,
                        customer,
                        f"retention period ended ({item.pack} customer_profile)",
                    )
                    if customer.key_ref:
                        clear_rows(session, customer.key_ref, set())
            elif item.category == "support_tickets":
                _clear(session, Ticket, Ticket.id, item.ids)
                _clear(session, Attachment, Attachment.ticket_id, item.ids)
            elif item.category == "conversations":
                _clear(session, Message, Message.id, item.ids)
            else:
                _clear(session, SubjectRequest, SubjectRequest.id, item.ids)
            record(
                session,
                audit,
                actor,
                "rights.retention.apply",
                "retention",
                item.category,
                details={
                    "pack": item.pack,
                    "count": item.count,
                    "held": item.held,
                    "period": item.period,
                },
            )
    return report


def audit_plan(
    sessions: sessionmaker[Session], audit: AuditLog, report: Report, actor: str
) -> None:
    """Record a dry run: what would be done, in counts."""
    with transaction(sessions) as session:
        record(
            session,
            audit,
            actor,
            "rights.retention.report",
            "retention",
            "dry-run",
            details={
                f"{i.pack}.{i.category}": i.count for i in report.items if i.count
            },
        )
