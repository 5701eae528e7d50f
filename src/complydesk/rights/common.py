"""Small helpers the rights and breach modules share: refs, packs, checks, audit."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.errors import InvalidInput
from complydesk.pii.detect import Detector
from complydesk.policy import PolicyPack, load_pack
from complydesk.settings import Settings
from complydesk.store.models import Customer


def new_ref(prefix: str) -> str:
    """An unguessable public reference (R-…, B-…): safe to tell the subject."""
    return f"{prefix}-{secrets.token_hex(5).upper()}"


def pack_for(customer: Customer, settings: Settings) -> PolicyPack:
    """The subject's jurisdiction pack, or the deployment default."""
    return load_pack(
        customer.jurisdiction or settings.default_pack, settings.policy_dir
    )


def aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(f"{name} must be a timezone-aware time")
    return value


def clean_text(
    value: str,
    name: str,
    *,
    max_chars: int,
    min_chars: int = 1,
    detector: Detector | None = None,
) -> str:
    """Trimmed text within limits; with a detector, refused if it holds PII.

    Used for free text that is stored or shown in clear (reasons, breach
    descriptions): the error names the kind found, never the value.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    text = " ".join(value.split())
    if len(text) < min_chars:
        raise InvalidInput(f"{name} must have at least {min_chars} characters")
    if len(text) > max_chars:
        raise InvalidInput(f"{name} is longer than {max_chars} characters")
    if detector is not None:
        labels = sorted({e.label for e in detector.detect(text)})
        if labels:
            raise InvalidInput(
                f"{name} seems to contain personal data ({', '.join(labels)}); "
                "describe it without names, numbers or addresses"
            )
    return text


def record(
    session: Session,
    audit: AuditLog,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | str,
    *,
    outcome: str = "ok",
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """One audit entry with ids and counts only (see complydesk.audit)."""
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=outcome,
            reason=reason[:500],
            details=dict(details or {}),
        ),
    )
