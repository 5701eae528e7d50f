"""Cross-border transfers: recipients, mechanisms, agreements, assessments, counters.

Everything here is organisational metadata or a count. Individuals appear only
as keyed digests of normalised identifiers (`transfer_subject_digests`), which
say nothing without the deployment's key; they exist because the CAC
thresholds count *distinct* people per calendar year, so the same person sent
twice must be recognised without keeping who they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime

RECIPIENT_STATUSES = ("active", "suspended", "ended")
ASSESSMENT_KINDS = ("assessment", "export", "live")  # live: transfer/live.py


class TransferRecipient(Base):
    """An overseas recipient and the flow it receives (purpose, categories)."""

    __tablename__ = "transfer_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    purpose: Mapped[str] = mapped_column(String(500))
    exemption: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    separate_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    pia_completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferMechanism(Base):
    """A legal mechanism on file: CAC approval, filed contract, certificate, SCCs."""

    __tablename__ = "transfer_mechanisms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("transfer_recipients.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    effective_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))


class TransferAgreement(Base):
    """The contract with the recipient, and the de-identification profile it sets."""

    __tablename__ = "transfer_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("transfer_recipients.id"), index=True
    )
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    retention: Mapped[str] = mapped_column(String(40))
    security_measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))


class TransferAssessment(Base):
    """One assessment (and, for exports, the transfer it allowed): counts and why."""

    __tablename__ = "transfer_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("transfer_recipients.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    pack_hash: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    allowed: Mapped[bool] = mapped_column(Boolean)
    exported: Mapped[bool] = mapped_column(Boolean, default=False)
    route: Mapped[str] = mapped_column(String(40))
    counted: Mapped[bool] = mapped_column(Boolean)
    mechanism_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_mechanisms.id"), nullable=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_agreements.id"), nullable=True
    )
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_sha256: Mapped[str] = mapped_column(String(64))
    input_bytes: Mapped[int] = mapped_column(BigInteger)
    output_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    output_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class TransferCounter(Base):
    """Distinct individuals sent abroad per jurisdiction and calendar year.

    The row is also the lock that serialises exports of one year, so two
    concurrent exports cannot both slip under a threshold.
    """

    __tablename__ = "transfer_counters"
    __table_args__ = (UniqueConstraint("jurisdiction", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    individuals: Mapped[int] = mapped_column(Integer, default=0)
    sensitive_individuals: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferSubject(Base):
    """One counted individual of a year: a random-looking key and a flag."""

    __tablename__ = "transfer_subjects"
    __table_args__ = (UniqueConstraint("jurisdiction", "year", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(48))
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("transfer_assessments.id"))


class TransferSubjectDigest(Base):
    """A keyed digest of one normalised identifier of a counted individual."""

    __tablename__ = "transfer_subject_digests"
    __table_args__ = (UniqueConstraint("jurisdiction", "year", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(48))
