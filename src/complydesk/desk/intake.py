"""Ticket intake by purpose: collect only what the purpose needs (data minimisation).

The pack's `desk.intake` lists, per purpose, the ticket fields and customer
fields intake may take; anything else is refused naming the field and the
purpose, never echoing its value. Free text (`description`, `reason`) is run
through the PII engine first: entities whose label the purpose does not keep
(an ID or bank-card number in a return reason) are redacted *before* the text
is sealed, so no copy keeps them, and their labels are flagged on the ticket
for the agent. Intake then runs triage and starts the SLA clocks.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent
from complydesk.desk import sla, timeline
from complydesk.desk.context import DeskContext, desk_policy
from complydesk.desk.customers import create_customer, get_customer
from complydesk.errors import Conflict, InvalidInput
from complydesk.notify import Outbox
from complydesk.pii.operators import mask, redact
from complydesk.policy import available_packs
from complydesk.store.models import Customer, Ticket

PLAIN_FIELDS: dict[str, int] = {
    "order_number": 64,
    "product_model": 100,
    "waybill_number": 64,
}
"""Fields that are not personal, stored in clear, with their length limits."""
FREE_TEXT = ("description", "reason")
ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PLAIN = re.compile(r"^[\w][\w .:/#()+-]*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
SUBJECT_MAX = 200
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # ~59 bits: guessing is hopeless, and tracking is rate-limited


@dataclass(frozen=True)
class Intake:
    """One intake request as the API or CLI received it (not yet validated)."""

    purpose: str
    category: str
    fields: Mapping[str, str] = field(default_factory=dict)
    subject: str | None = None
    customer_id: int | None = None
    customer: Mapping[str, str] | None = None
    jurisdiction: str | None = None


def new_tracking_code() -> str:
    return "T-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _shown(name: object) -> str:
    """A field name safe to put in an error (names are input too)."""
    return name if isinstance(name, str) and ID.match(name) else "(not an identifier)"


def _id(value: str, what: str) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise InvalidInput(f"{what} must be an id: lower case letters, digits and _")
    return value


def _plain(name: str, value: str, ctx: DeskContext) -> str:
    value = " ".join(value.split())
    limit = PLAIN_FIELDS[name]
    if not value or len(value) > limit or not _PLAIN.match(value):
        raise InvalidInput(
            f"{name} must be 1 to {limit} letters, digits, spaces or . : / # ( ) + -"
        )
    found = ctx.vault.detector.detect(value)
    if found:
        labels = ", ".join(sorted({e.label for e in found}))
        raise InvalidInput(
            f"{name} looks like personal data ({labels}); use the contact fields"
        )
    return value


def minimise(
    ctx: DeskContext, text: str, keeps: tuple[str, ...]
) -> tuple[str, list[str]]:
    """Redact entities the purpose does not keep; return the text and their labels."""
    drop = [e for e in ctx.vault.detector.detect(text) if e.label not in keeps]
    if not drop:
        return text, []
    lang = "zh" if _CJK.search(text) else "en"
    return redact(text, drop, lang=lang), sorted({e.label for e in drop})


def create_ticket(
    session: Session,
    ctx: DeskContext,
    actor: str,
    intake: Intake,
    *,
    outbox: Outbox | None = None,
) -> Ticket:
    """Validate everything, then store the ticket (and a new customer, if asked).

    The customer's and the ticket's audit entries are appended together at
    the end (`AuditLog.batch`): on PostgreSQL the chain head is then locked
    only for the append and the commit, not for the whole intake.
    """
    return create_ticket_and_customer(session, ctx, actor, intake, outbox=outbox)[0]


def create_ticket_and_customer(
    session: Session,
    ctx: DeskContext,
    actor: str,
    intake: Intake,
    *,
    outbox: Outbox | None = None,
) -> tuple[Ticket, Customer]:
    """`create_ticket`, also giving the (new or known) customer for the response."""
    with ctx.audit.batch(session):
        return _create_ticket(session, ctx, actor, intake, outbox)


def _create_ticket(
    session: Session,
    ctx: DeskContext,
    actor: str,
    intake: Intake,
    outbox: Outbox | None,
) -> tuple[Ticket, Customer]:
    purpose = _id(intake.purpose, "purpose")
    category = _id(intake.category, "category")
    if (intake.customer_id is None) == (intake.customer is None):
        raise InvalidInput("give either customer_id or customer")
    existing: Customer | None = None
    if intake.customer_id is not None:
        existing = get_customer(session, intake.customer_id)
        if existing.erased_at is not None or not existing.key_ref:
            raise Conflict("this customer was erased; create a new customer instead")
    if existing is None and intake.jurisdiction is not None:
        known = available_packs(ctx.settings.policy_dir)
        if intake.jurisdiction not in known:
            raise InvalidInput(f"jurisdiction must be one of {', '.join(known)}")
    pack = ctx.pack(existing.jurisdiction if existing else intake.jurisdiction)
    desk = desk_policy(pack)
    if purpose not in desk.intake:
        raise InvalidInput(f"purpose must be one of {', '.join(desk.intake)}")
    allowed = desk.intake[purpose].value

    for name in intake.fields:
        if name not in allowed.fields:
            raise InvalidInput(
                f"field {_shown(name)} is not collected for purpose {purpose}; "
                f"allowed: {', '.join(allowed.fields)}"
            )
    customer_values = dict(intake.customer or {})
    for name in customer_values:
        if name not in allowed.customer_fields:
            raise InvalidInput(
                f"customer field {_shown(name)} is not collected for purpose "
                f"{purpose}; allowed: {', '.join(allowed.customer_fields) or 'none'}"
            )
    values = {}
    for name, value in intake.fields.items():
        if not isinstance(value, str):
            raise InvalidInput(f"field {name} must be text")
        values[name] = value
    plain = {n: _plain(n, v, ctx) for n, v in values.items() if n in PLAIN_FIELDS}
    personal = {n: v for n, v in values.items() if n not in PLAIN_FIELDS}
    ctx.vault.check(Ticket, personal)  # lengths and formats, before anything is kept
    flags: dict[str, list[str]] = {}
    for name in FREE_TEXT:
        if name in personal:
            personal[name], labels = minimise(
                ctx, personal[name], allowed.free_text_keeps
            )
            if labels:
                flags[name] = labels
    subject = _subject(ctx, intake.subject, purpose, category, flags)
    verdict = ctx.triage.classify(
        " ".join([subject, *(personal[n] for n in FREE_TEXT if n in personal)])
    )

    customer = existing or create_customer(
        session, ctx.vault, ctx.audit, actor, customer_values, intake.jurisdiction
    )
    now = ctx.clock()
    ticket = Ticket(
        customer_id=customer.id,
        tracking_code=new_tracking_code(),
        purpose=purpose,
        category=category,
        status="submitted",
        subject=subject,
        created_at=now,
        updated_at=now,
        key_ref=customer.key_ref,
        urgency=verdict.urgency,
        triage_purpose=verdict.purpose,
        triage_urgency=verdict.urgency,
        triage_reasons=list(verdict.reasons),
        pii_flags=flags or None,
        policy_pack=pack.pack,
        policy_version=pack.version,
        policy_hash=pack.content_hash,
        **plain,
    )
    sla.start(ticket, pack, now)
    ctx.vault.put(session, ticket, personal)
    session.add(ticket)
    session.flush()
    timeline.record(
        session, ticket, now, actor, "created", "customer", to_status="submitted"
    )
    (outbox or ctx.outbox()).enqueue(
        session,
        "ticket.created",
        {
            "ticket_id": ticket.id,
            "tracking_code": ticket.tracking_code,
            "purpose": purpose,
            "category": category,
            "urgency": ticket.urgency,
        },
    )
    timeline.save(session)
    ctx.audit.record(
        session,
        AuditEvent(
            actor=actor,
            action="ticket.create",
            object_type="tickets",
            object_id=str(ticket.id),
            outcome="ok",
            details={
                "purpose": purpose,
                "fields": ",".join(sorted(values)),
                "redacted": ",".join(sorted({x for v in flags.values() for x in v})),
                "pack": f"{pack.pack}@{pack.version}",
            },
        ),
    )
    return ticket, customer


def _subject(
    ctx: DeskContext,
    subject: str | None,
    purpose: str,
    category: str,
    flags: dict[str, list[str]],
) -> str:
    """A short title stored in clear: every entity in it is masked first."""
    if subject is None:
        return f"{purpose} / {category}"
    subject = " ".join(subject.split())
    if not subject or len(subject) > SUBJECT_MAX:
        raise InvalidInput(f"subject must have 1 to {SUBJECT_MAX} characters")
    found = ctx.vault.detector.detect(subject)
    if found:
        flags["subject"] = sorted({e.label for e in found})
        subject = mask(subject, found)
    return subject
