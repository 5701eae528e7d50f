"""The notification outbox: one row per (event, webhook endpoint) to deliver.

Rows are written in the same transaction as the state change they announce,
so a notification exists if and only if that change committed. Everything in
clear is non-personal metadata; the payload is sealed (AES-256-GCM, see
complydesk.notify.sealed) and erased once delivered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime

OUTBOX_STATUSES = ("pending", "sending", "delivered", "dead")


class OutboxMessage(Base):
    """A notification waiting for, in, or done with delivery to one endpoint."""

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    # Sent as the idempotency header: receivers drop a delivery id seen before.
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(80))
    endpoint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    carries_personal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A short reason (error class or "http_503"), never a response body.
    last_error: Mapped[str | None] = mapped_column(String(80), nullable=True)
    last_http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'delivered', 'dead')", name="status"
        ),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    )
