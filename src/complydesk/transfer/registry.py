"""The register of overseas recipients, their mechanisms and agreements.

Everything written here is about organisations and legal documents, so it is
stored in clear; free text is still refused when the PII engine finds personal
data in it (a purpose that names a customer belongs nowhere). Every write is
audited with ids and counts only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.duration import Duration
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.pii.detect import default_detector
from complydesk.store.models.transfer import (
    TransferAgreement,
    TransferMechanism,
    TransferRecipient,
)
from complydesk.transfer import rules
from complydesk.transfer.profile import Profile, parse_profile

REF_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_CATEGORIES = 30
MAX_MEASURES = 20
# Mechanisms whose document carries a number the report must cite.
NEEDS_REFERENCE = ("security_assessment", "certification")
UPDATABLE = (
    "name",
    "purpose",
    "status",
    "exemption",
    "data_categories",
    "separate_consent",
    "pia_completed_on",
)


def _text(value: Any, name: str, max_chars: int, min_chars: int = 1) -> str:
    """Trimmed text within limits, refused if it holds personal data."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    text = " ".join(value.split())
    if not min_chars <= len(text) <= max_chars:
        raise InvalidInput(f"{name} must have {min_chars}-{max_chars} characters")
    labels = sorted({e.label for e in default_detector().detect(text)})
    if labels:
        raise InvalidInput(
            f"{name} holds personal data ({', '.join(labels)}); describe it without"
        )
    return text


def check_ref(value: Any) -> str:
    if not isinstance(value, str) or not REF_RE.match(value):
        raise InvalidInput("ref must be 2-40 of a-z, 0-9 and -, starting alphanumeric")
    return value


def _country(value: Any) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if not COUNTRY_RE.match(text):
        raise InvalidInput("country must be an ISO 3166 alpha-2 code such as SG")
    return text


def _categories(values: Any) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise InvalidInput("data_categories must be a non-empty list")
    if len(values) > MAX_CATEGORIES:
        raise InvalidInput(f"data_categories holds at most {MAX_CATEGORIES} ids")
    bad = [
        i
        for i, v in enumerate(values)
        if not isinstance(v, str) or not CATEGORY_RE.match(v)
    ]
    if bad:
        raise InvalidInput(
            f"data_categories[{bad[0]}] must be an id such as contact or order_history"
        )
    if len(set(values)) != len(values):
        raise InvalidInput("data_categories must not repeat")
    return sorted(values)


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


def _date(value: Any, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD)")
    return value


def _optional_date(value: Any, name: str) -> date | None:
    return None if value is None else _date(value, name)


def get_recipient(session: Session, ref: str) -> TransferRecipient:
    check_ref(ref)
    row = session.scalars(
        select(TransferRecipient).where(TransferRecipient.ref == ref)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no transfer recipient {ref}")
    return row


def list_recipients(session: Session) -> list[TransferRecipient]:
    return list(
        session.scalars(select(TransferRecipient).order_by(TransferRecipient.ref))
    )


def _audit(
    session: Session,
    audit: AuditLog,
    actor: str,
    action: str,
    ref: str,
    **details: Any,
) -> None:
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action=action,
            object_type="transfer_recipient",
            object_id=ref,
            outcome="ok",
            details=details,
        ),
    )


def create_recipient(
    session: Session,
    audit: AuditLog,
    actor: str,
    *,
    ref: str,
    name: str,
    country: str,
    purpose: str,
    data_categories: list[str],
    now: datetime,
    exemption: str | None = None,
    separate_consent: bool = False,
    pia_completed_on: date | None = None,
) -> TransferRecipient:
    """Register a recipient (status active); the ref is its stable public id."""
    check_ref(ref)
    if exemption is not None:
        _choice(exemption, rules.EXEMPTIONS, "exemption")
    if not isinstance(separate_consent, bool):
        raise InvalidInput("separate_consent must be true or false")
    row = TransferRecipient(
        ref=ref,
        name=_text(name, "name", 200),
        country=_country(country),
        purpose=_text(purpose, "purpose", 500),
        exemption=exemption,
        data_categories=_categories(data_categories),
        status="active",
        separate_consent=separate_consent,
        pia_completed_on=_optional_date(pia_completed_on, "pia_completed_on"),
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    if session.scalars(
        select(TransferRecipient.id).where(TransferRecipient.ref == ref)
    ).first():
        raise Conflict(f"transfer recipient {ref} already exists")
    session.add(row)
    session.flush()
    _audit(
        session,
        audit,
        actor,
        "transfer.recipient.create",
        ref,
        country=row.country,
        categories=len(row.data_categories),
        exemption=exemption,
    )
    return row


def update_recipient(
    session: Session,
    audit: AuditLog,
    actor: str,
    recipient: TransferRecipient,
    changes: Mapping[str, Any],
    now: datetime,
) -> TransferRecipient:
    """Change status, purpose, categories, consent or PIA date; audited by name."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(unknown)}")
    if not changes:
        raise InvalidInput("nothing to change")
    for key, value in changes.items():
        if key == "name":
            recipient.name = _text(value, "name", 200)
        elif key == "purpose":
            recipient.purpose = _text(value, "purpose", 500)
        elif key == "status":
            recipient.status = _choice(value, rules.STATUSES, "status")
        elif key == "exemption":
            recipient.exemption = (
                None if value is None else _choice(value, rules.EXEMPTIONS, "exemption")
            )
        elif key == "data_categories":
            recipient.data_categories = _categories(value)
        elif key == "separate_consent":
            if not isinstance(value, bool):
                raise InvalidInput("separate_consent must be true or false")
            recipient.separate_consent = value
        else:
            recipient.pia_completed_on = _optional_date(value, "pia_completed_on")
    recipient.updated_at = now
    session.flush()
    _audit(
        session,
        audit,
        actor,
        "transfer.recipient.update",
        recipient.ref,
        fields=sorted(changes),
        status=recipient.status,
    )
    return recipient


def add_mechanism(
    session: Session,
    audit: AuditLog,
    actor: str,
    recipient: TransferRecipient,
    *,
    kind: str,
    effective_on: date,
    now: datetime,
    reference: str | None = None,
    valid_until: date | None = None,
    filed_on: date | None = None,
) -> TransferMechanism:
    """Record an approval, filed contract, certificate or GDPR mechanism."""
    _choice(kind, rules.MECHANISMS, "kind")
    start = _date(effective_on, "effective_on")
    until = _optional_date(valid_until, "valid_until")
    filed = _optional_date(filed_on, "filed_on")
    if until is not None and until < start:
        raise InvalidInput("valid_until must not be before effective_on")
    if filed is not None and filed < start:
        raise InvalidInput("filed_on must not be before effective_on")
    if filed is not None and kind != "standard_contract":
        raise InvalidInput("filed_on applies to a standard_contract only")
    ref_text = None if reference is None else _text(reference, "reference", 120)
    if kind in NEEDS_REFERENCE and ref_text is None:
        raise InvalidInput(
            f"a {kind} needs its reference (approval or certificate no.)"
        )
    row = TransferMechanism(
        recipient_id=recipient.id,
        kind=kind,
        reference=ref_text,
        effective_on=start,
        valid_until=until,
        filed_on=filed,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    _audit(
        session,
        audit,
        actor,
        "transfer.mechanism.add",
        recipient.ref,
        mechanism=row.id,
        kind=kind,
        effective_on=start.isoformat(),
    )
    return row


def add_agreement(
    session: Session,
    audit: AuditLog,
    actor: str,
    recipient: TransferRecipient,
    *,
    signed_on: date,
    retention: str,
    security_measures: Iterable[str],
    now: datetime,
    expires_on: date | None = None,
    profile: Mapping[str, Any] | None = None,
) -> TransferAgreement:
    """Record the agreement; the newest signed one is the one that applies."""
    signed = _date(signed_on, "signed_on")
    expires = _optional_date(expires_on, "expires_on")
    if expires is not None and expires < signed:
        raise InvalidInput("expires_on must not be before signed_on")
    try:
        Duration.model_validate(retention)
    except ValidationError:
        raise InvalidInput(
            "retention must be a duration such as '36 calendar_months'"
        ) from None
    measures = list(security_measures)
    if not measures or len(measures) > MAX_MEASURES:
        raise InvalidInput(f"security_measures must list 1-{MAX_MEASURES} measures")
    checked = [_text(m, f"security_measures[{i}]", 200) for i, m in enumerate(measures)]
    parsed: Profile | None = None if profile is None else parse_profile(profile)
    row = TransferAgreement(
        recipient_id=recipient.id,
        signed_on=signed,
        expires_on=expires,
        retention=str(Duration.model_validate(retention)),
        security_measures=checked,
        profile=None if parsed is None else parsed.to_json(),
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    _audit(
        session,
        audit,
        actor,
        "transfer.agreement.add",
        recipient.ref,
        agreement=row.id,
        signed_on=signed.isoformat(),
        expires_on=expires.isoformat() if expires else None,
        profile=parsed is not None,
    )
    return row


def mechanisms_of(
    session: Session, recipient: TransferRecipient
) -> list[TransferMechanism]:
    stmt = (
        select(TransferMechanism)
        .where(TransferMechanism.recipient_id == recipient.id)
        .order_by(TransferMechanism.effective_on, TransferMechanism.id)
    )
    return list(session.scalars(stmt))


def current_agreement(
    session: Session, recipient: TransferRecipient
) -> TransferAgreement | None:
    stmt = (
        select(TransferAgreement)
        .where(TransferAgreement.recipient_id == recipient.id)
        .order_by(TransferAgreement.signed_on.desc(), TransferAgreement.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def state_of(session: Session, recipient: TransferRecipient) -> rules.Recipient:
    """The recipient as the rules see it: register rows reduced to facts."""
    agreement = current_agreement(session, recipient)
    return rules.Recipient(
        ref=recipient.ref,
        country=recipient.country,
        status=recipient.status,
        exemption=recipient.exemption,
        categories=frozenset(recipient.data_categories),
        separate_consent=recipient.separate_consent,
        pia_completed_on=recipient.pia_completed_on,
        mechanisms=tuple(
            rules.Mechanism(
                kind=m.kind,
                effective_on=m.effective_on,
                reference=m.reference,
                valid_until=m.valid_until,
                filed_on=m.filed_on,
                id=m.id,
            )
            for m in mechanisms_of(session, recipient)
        ),
        agreement=None
        if agreement is None
        else rules.Agreement(agreement.signed_on, agreement.expires_on, agreement.id),
    )


__all__ = [
    "add_agreement",
    "add_mechanism",
    "check_ref",
    "create_recipient",
    "current_agreement",
    "get_recipient",
    "list_recipients",
    "mechanisms_of",
    "state_of",
    "update_recipient",
]
