"""Telling the subject: notices to the contact on file through the outbox.

Verification codes, extension notices and erasure receipts all go to the
phone (else the e-mail) already on the customer record, as sealed outbox
payloads with the contact declared personal. Event names are documented in
docs/privacy-ops.md so an SMS or e-mail adapter can subscribe to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.deadlines import DeadlineClock
from complydesk.errors import Conflict, InvalidInput
from complydesk.notify import Outbox
from complydesk.rights.requests import extend_request
from complydesk.store.models import Customer, SubjectRequest
from complydesk.vault import ERASED, Vault
from complydesk.vault.blind import normalize_phone

EXTENSION_EVENT: Final = "dsr.extension_notice"
RECEIPT_EVENT: Final = "dsr.erasure_receipt"


@dataclass(frozen=True)
class Contact:
    channel: str  # "sms" or "email"
    to: str


def contact_on_file(vault: Vault, customer: Customer) -> Contact | None:
    """The phone, else the e-mail, the record holds (for the system's own use)."""
    values = vault.reveal(customer, ["phone", "email"])
    phone, email = values.get("phone"), values.get("email")
    if phone and phone != ERASED:
        region = "US" if customer.jurisdiction == "us-ca" else "CN"
        try:
            return Contact("sms", normalize_phone(phone, region))  # E.164 for gateways
        except InvalidInput:
            return Contact("sms", phone)
    if email and email != ERASED:
        return Contact("email", email)
    return None


def notify_contact(
    session: Session,
    outbox: Outbox,
    contact: Contact,
    event: str,
    payload: Mapping[str, Any],
) -> int:
    """Queue `payload` to the contact; returns the number of outbox rows."""
    rows = outbox.enqueue(
        session,
        event,
        {"to": contact.to, "channel": contact.channel, **payload},
        personal=("to",),
    )
    return len(rows)


def extend_with_notice(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    outbox: Outbox,
    actor: str,
    request: SubjectRequest,
    customer: Customer,
    reason: str,
) -> DeadlineClock:
    """Extend the deadline and tell the subject why, in one transaction."""
    contact = contact_on_file(vault, customer)
    if contact is None:
        raise Conflict(
            "the customer has no phone or e-mail on file for the extension notice"
        )
    now: datetime = audit.clock()
    clock = extend_request(session, audit, actor, request, reason, notice_sent_at=now)
    sent = notify_contact(
        session,
        outbox,
        contact,
        EXTENSION_EVENT,
        {
            "request": request.ref,
            "due_at": clock.due_at().isoformat(),
            "reason": " ".join(reason.split()),
        },
    )
    if not sent:
        raise Conflict(
            f"no notification endpoint subscribes to {EXTENSION_EVENT}; "
            "configure webhooks before extending"
        )
    return clock
