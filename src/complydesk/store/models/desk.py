"""Customers, tickets, conversations and attachments.

Personal data lives only in the vault's columns: for each field listed in
`__personal__`, `<name>_sealed` (ciphertext under the subject's data key),
`<name>_masked` (a masked copy for display and search) and, for identifiers,
`<name>_bidx` (a blind index). `key_ref` names the subject's data key in the
keystore; complydesk.vault is the only code that reads or writes these columns.
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
)
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime
from complydesk.store.personal import TEXT, BlindKind, PersonalField


def _sealed() -> Mapped[bytes | None]:
    return mapped_column(LargeBinary, nullable=True)


def _key_ref() -> Mapped[str | None]:
    return mapped_column(String(32), nullable=True, index=True)


def _when() -> Mapped[datetime | None]:
    return mapped_column(UTCDateTime, nullable=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_ref: Mapped[str | None] = _key_ref()
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("name", "PERSON", max_chars=200),
        PersonalField("phone", "PHONE", BlindKind.PHONE, max_chars=40),
        PersonalField("email", "EMAIL", BlindKind.EMAIL, max_chars=254),
        PersonalField("id_number", "CN_ID_CARD", BlindKind.ID_NUMBER, max_chars=32),
        PersonalField("address", "ADDRESS", max_chars=500),
    )
    name_sealed: Mapped[bytes | None] = _sealed()
    name_masked: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone_sealed: Mapped[bytes | None] = _sealed()
    phone_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phone_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    email_sealed: Mapped[bytes | None] = _sealed()
    email_masked: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    id_number_sealed: Mapped[bytes | None] = _sealed()
    id_number_masked: Mapped[str | None] = mapped_column(String(32), nullable=True)
    id_number_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    address_sealed: Mapped[bytes | None] = _sealed()
    address_masked: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    key_ref: Mapped[str | None] = _key_ref()
    # Workflow (complydesk.desk): triage, routing, intake fields that are not
    # personal, and the SLA clocks (DeadlineClock.to_dict per clock, plus the
    # escalation level each clock reached). JSON columns are replaced, never
    # mutated in place.
    urgency: Mapped[str] = mapped_column(
        String(16), default="normal", server_default="normal"
    )
    escalation_level: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )
    triage_purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    triage_urgency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    triage_reasons: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    pii_flags: Mapped[dict[str, list[str]] | None] = mapped_column(JSON, nullable=True)
    order_number: Mapped[str | None] = mapped_column(String(64), index=True)
    product_model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    waybill_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    policy_pack: Mapped[str | None] = mapped_column(String(32), nullable=True)
    policy_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    policy_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sla: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    first_response_due_at: Mapped[datetime | None] = _when()
    resolution_due_at: Mapped[datetime | None] = _when()
    sla_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_state: Mapped[str | None] = mapped_column(String(16), index=True)
    first_responded_at: Mapped[datetime | None] = _when()
    resolved_at: Mapped[datetime | None] = _when()
    closed_at: Mapped[datetime | None] = _when()

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("description", TEXT, max_chars=10_000),
        PersonalField("contact_phone", "PHONE", max_chars=40),
        PersonalField("reason", TEXT, max_chars=2000),
        PersonalField("contact_email", "EMAIL", max_chars=254),
        PersonalField("delivery_address", "ADDRESS", max_chars=500),
    )
    description_sealed: Mapped[bytes | None] = _sealed()
    description_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_phone_sealed: Mapped[bytes | None] = _sealed()
    contact_phone_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason_sealed: Mapped[bytes | None] = _sealed()
    reason_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_email_sealed: Mapped[bytes | None] = _sealed()
    contact_email_masked: Mapped[str | None] = mapped_column(String(254), nullable=True)
    delivery_address_sealed: Mapped[bytes | None] = _sealed()
    delivery_address_masked: Mapped[str | None] = mapped_column(
        String(500), nullable=True
    )

    __mapper_args__ = {"version_id_col": version}


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(16))
    ai_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_ref: Mapped[str | None] = _key_ref()

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("body", TEXT, max_chars=10_000),
    )
    body_sealed: Mapped[bytes | None] = _sealed()
    body_masked: Mapped[str | None] = mapped_column(Text, nullable=True)


class Attachment(Base):
    """A file's metadata on a ticket; its name may be personal, so it is sealed."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_ref: Mapped[str | None] = _key_ref()

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("filename", TEXT, max_chars=255),
    )
    filename_sealed: Mapped[bytes | None] = _sealed()
    filename_masked: Mapped[str | None] = mapped_column(String(255), nullable=True)
