"""Privacy operations: data-subject requests, erasure runs, legal holds, breaches.

Everything in clear here is metadata (types, states, times, counts, policy
names). What a subject wrote in a request (`details`) and the identifiers an
erasure needs to reach external systems (`lookup`) are personal, so they go
through the vault like every other personal field (`__personal__`). Legal
clocks are stored as `DeadlineClock.to_dict()` JSON, so pauses and extensions
are recomputed from their events; `due_at` is a snapshot for listing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime
from complydesk.store.personal import TEXT, PersonalField

REQUEST_TYPES = (
    "access",
    "erasure",
    "rectification",
    "portability",
    "restriction",
    "objection",
)
REQUEST_STATUSES = ("pending_verification", "in_progress", "completed", "refused")
ERASURE_STEP_STATUSES = ("pending", "done", "failed", "retained", "skipped")


class SubjectRequest(Base):
    """A data-subject request and its legal clocks (acknowledgement, response)."""

    __tablename__ = "rights_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(32), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    pack_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verification_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, index=True
    )
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    clocks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    outcome_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_alerted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True
    )
    created_by: Mapped[str] = mapped_column(String(120))
    key_ref: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("details", TEXT, max_chars=2000),
    )
    details_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    details_masked: Mapped[str | None] = mapped_column(Text, nullable=True)


class Verification(Base):
    """A one-time code sent to the contact on file; only its keyed hash is kept."""

    __tablename__ = "rights_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CustomerRestriction(Base):
    """A processing restriction or objection other modules must honour."""

    __tablename__ = "customer_restrictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    flag: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_requests.id"), nullable=True
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by: Mapped[str] = mapped_column(String(120))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LegalHold(Base):
    """A legal exception to erasure (from the pack) keeping a subject's key alive."""

    __tablename__ = "rights_legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    exception: Mapped[str] = mapped_column(String(64))
    pack: Mapped[str] = mapped_column(String(32))
    citation: Mapped[str] = mapped_column(String(300))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class Erasure(Base):
    """One erasure run per request: resumable, with a step per system.

    `lookup` holds the identifiers external systems are searched by, sealed
    under a key of the run's own (`key_ref`), so connectors can still be
    reached after the subject's key is shredded; that key is shredded in turn
    once every connector has confirmed.
    """

    __tablename__ = "rights_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_requests.id"), unique=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    key_ref: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("lookup", TEXT, max_chars=2000),
    )
    lookup_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    lookup_masked: Mapped[str | None] = mapped_column(Text, nullable=True)


class ErasureStep(Base):
    """One system's part of an erasure: its outcome and confirmation."""

    __tablename__ = "rights_erasure_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    erasure_id: Mapped[int] = mapped_column(
        ForeignKey("rights_erasures.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    confirmation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("erasure_id", "system"),)


class BreachIncident(Base):
    """A personal-data breach: what, when known, how many, and its clocks."""

    __tablename__ = "breach_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk: Mapped[str] = mapped_column(String(16))
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    contact_point: Mapped[str] = mapped_column(String(300))
    operator_kind: Mapped[str] = mapped_column(String(24))
    public_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    affected: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    clocks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alerts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BreachNotification(Base):
    """When one notice of an incident went out, to whom, under which clock."""

    __tablename__ = "breach_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("breach_incidents.id"), index=True
    )
    jurisdiction: Mapped[str] = mapped_column(String(32))
    obligation: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    late_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
