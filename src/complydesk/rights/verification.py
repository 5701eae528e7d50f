"""Identity verification: a one-time code sent to the contact already on file.

The code goes to the phone (else the e-mail) the customer record holds, never
to an address the requester types, so only someone who controls that contact
can act on the record. It travels through the notification outbox (event
`dsr.verification_code`, payload sealed, `to` and `code` declared personal).
Only a keyed hash is stored: HMAC-SHA256 under `<data_dir>/rights-code.key`,
because six digits hashed without a key fall to a million guesses. Codes
expire, wrong attempts are counted and capped, and so are codes per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.errors import Conflict, InvalidInput
from complydesk.keyfile import load_or_create_key
from complydesk.notify import Outbox
from complydesk.rights.common import record
from complydesk.rights.notices import contact_on_file
from complydesk.rights.requests import PENDING, acknowledge, mark_verified
from complydesk.settings import Settings
from complydesk.store.models import Customer, SubjectRequest, Verification
from complydesk.vault import Vault

EVENT: Final = "dsr.verification_code"
CODE_DIGITS: Final = 6
CODE_TTL: Final = timedelta(minutes=15)
MAX_ATTEMPTS: Final = 5
MAX_CODES: Final = 5
RESEND_AFTER: Final = timedelta(seconds=60)
KEY_FILE: Final = "rights-code.key"


class Check(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NO_CODE = "no_code"


MESSAGES: Final = {
    Check.WRONG: "the code is wrong",
    Check.EXPIRED: "the code has expired; ask for a new one",
    Check.LOCKED: "too many wrong codes; ask for a new one",
    Check.NO_CODE: "no code was sent for this request; ask for one",
}


def code_key(settings: Settings) -> bytes:
    return load_or_create_key(settings.ensure_data_dir() / KEY_FILE)


def _hash(key: bytes, request: SubjectRequest, sent_at: datetime, code: str) -> str:
    at = sent_at.astimezone(UTC).isoformat(timespec="microseconds")
    message = f"dsr-code-v1\0{request.ref}\0{at}\0{code}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def send_code(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    outbox: Outbox,
    key: bytes,
    actor: str,
    request: SubjectRequest,
    customer: Customer,
    *,
    lang: str = "zh",
) -> Verification:
    """Queue a fresh code to the contact on file; earlier codes stop working."""
    if request.status != PENDING:
        raise Conflict(f"request {request.ref} does not wait for verification")
    now = audit.clock()
    sent = list(
        session.scalars(
            select(Verification)
            .where(Verification.request_id == request.id)
            .order_by(Verification.id)
        )
    )
    if len(sent) >= MAX_CODES:
        raise Conflict(
            f"{MAX_CODES} codes were already sent for this request; "
            "verify identity another way"
        )
    if sent and now - sent[-1].sent_at < RESEND_AFTER:
        raise Conflict(
            "a code was sent less than a minute ago; wait before asking again"
        )
    contact = contact_on_file(vault, customer)
    if contact is None:
        raise Conflict("the customer has no phone or e-mail on file to send a code to")
    for old in sent:
        if old.verified_at is None and old.expires_at > now:
            old.expires_at = now
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = Verification(
        request_id=request.id,
        channel=contact.channel,
        code_hash=_hash(key, request, now, code),
        sent_at=now,
        expires_at=now + CODE_TTL,
        attempts=0,
    )
    session.add(row)
    messages = outbox.enqueue(
        session,
        EVENT,
        {
            "to": contact.to,
            "channel": contact.channel,
            "code": code,
            "request": request.ref,
            "expires_at": row.expires_at.isoformat(),
            "lang": lang if lang in ("zh", "en") else "zh",
        },
        personal=("to", "code"),
    )
    if not messages:
        raise Conflict(
            f"no notification endpoint subscribes to {EVENT}; configure webhooks"
        )
    acknowledge(request, now)
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.verification.sent",
        "rights_requests",
        request.id,
        details={"channel": contact.channel, "codes_sent": len(sent) + 1},
    )
    return row


def codes_sent_today(session: Session, customer_id: int, now: datetime) -> int:
    """Codes sent for the customer's requests in the last day (abuse limit)."""
    return int(
        session.scalar(
            select(func.count(Verification.id))
            .join(SubjectRequest, SubjectRequest.id == Verification.request_id)
            .where(
                SubjectRequest.customer_id == customer_id,
                Verification.sent_at > now - timedelta(days=1),
            )
        )
        or 0
    )


def check_code(
    session: Session,
    audit: AuditLog,
    key: bytes,
    actor: str,
    request: SubjectRequest,
    code: str,
) -> Check:
    """Count the attempt and mark the request verified on a match.

    Returns the outcome instead of raising, so the caller commits the
    attempt count even when the code is wrong.
    """
    code = code.strip()
    if not (code.isdigit() and code.isascii() and len(code) == CODE_DIGITS):
        raise InvalidInput(f"code must be {CODE_DIGITS} digits")
    if request.status != PENDING:
        raise Conflict(f"request {request.ref} does not wait for verification")
    now = audit.clock()
    row = session.scalar(
        select(Verification)
        .where(Verification.request_id == request.id)
        .order_by(Verification.id.desc())
        .limit(1)
    )
    if row is None:
        result = Check.NO_CODE
    elif row.attempts >= MAX_ATTEMPTS:
        result = Check.LOCKED
    elif now >= row.expires_at:
        result = Check.EXPIRED
    else:
        row.attempts += 1
        expected = _hash(key, request, row.sent_at, code)
        result = (
            Check.OK if hmac.compare_digest(expected, row.code_hash) else Check.WRONG
        )
        if result is Check.OK:
            row.verified_at = now
    session.flush()
    if result is Check.OK:
        mark_verified(session, audit, actor, request, "code")
    else:
        record(
            session,
            audit,
            actor,
            "rights.verification.failed",
            "rights_requests",
            request.id,
            outcome="denied",
            details={
                "result": result.value,
                "attempts": row.attempts if row is not None else 0,
            },
        )
    return result
