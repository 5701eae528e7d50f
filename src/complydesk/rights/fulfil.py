"""Acting on a request: the steps the API and `complydesk rights` share.

Each function is one domain step with its checks, so the HTTP route and the
command line cannot drift apart (a manual verification needs a reason free of
personal data on both; a rectification closes the request on both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.desk.customers import get_customer, update_customer
from complydesk.errors import Conflict, InvalidInput
from complydesk.pii.detect import Detector
from complydesk.rights import requests as rq
from complydesk.rights.common import clean_text
from complydesk.rights.restrictions import active_flags, apply_request_flag
from complydesk.store.models import SubjectRequest
from complydesk.vault import Vault

RECTIFIABLE: Final = ("name", "phone", "email", "id_number", "address")
MIN_MANUAL_REASON: Final = 8


def verify_manually(
    session: Session,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    reason: str,
    detector: Detector | None,
) -> None:
    """A staff member confirmed the subject by other means; the reason is audited.

    The reason goes into the audit trail in clear, so it is refused if it
    holds personal data (say "ID card checked at the counter", not the number).
    """
    text = clean_text(
        reason,
        "manual_reason",
        max_chars=rq.MAX_REASON_CHARS,
        min_chars=MIN_MANUAL_REASON,
        detector=detector,
    )
    rq.mark_verified(session, audit, actor, request, "manual", text)


def close(
    session: Session,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    outcome: str,
    reason: str | None,
    detector: Detector | None,
) -> SubjectRequest:
    """Close with an outcome; fulfilling one needs a verified subject first."""
    if outcome in ("fulfilled", "partially_fulfilled"):
        rq.require_verified(request)
    return rq.close_request(
        session, audit, actor, request, outcome, reason, detector=detector
    )


def fulfil_restriction(
    session: Session, audit: AuditLog, actor: str, request: SubjectRequest
) -> tuple[str, list[str]]:
    """Set the flag a restriction or objection asks for and close it."""
    rq.require_verified(request)
    flag = apply_request_flag(session, audit, actor, request)
    rq.close_request(session, audit, actor, request, "fulfilled")
    return flag, sorted(active_flags(session, request.customer_id))


def fulfil_rectification(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    values: Mapping[str, str | None],
) -> SubjectRequest:
    """Correct the customer's fields through the vault and close the request."""
    if request.type != "rectification":
        raise Conflict(f"request {request.ref} is of type {request.type}")
    rq.require_verified(request)
    unknown = sorted(set(values) - set(RECTIFIABLE))
    if unknown:
        raise InvalidInput(f"fields must be some of {', '.join(RECTIFIABLE)}")
    if not values:
        raise InvalidInput("fields must name at least one field to correct")
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        raise InvalidInput("field values must be text or null")
    customer = get_customer(session, request.customer_id)
    update_customer(session, vault, audit, actor, customer, dict(values))
    return rq.close_request(session, audit, actor, request, "fulfilled")
