"""The desk workflow around a ticket: queues, the timeline, replies and notes.

The timeline (`ticket_events`) is append-only: every status change, assignment,
reply, note and SLA escalation adds a row with its actor, time and visibility
(`customer` rows are what the public tracker shows, without the actor).
Replies and notes are free text and live in the vault's columns like every
other personal field (`body_sealed`, `body_masked`), under the customer's key.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime
from complydesk.store.personal import TEXT, PersonalField


class Queue(Base):
    """A named work queue tickets are routed to (returns, repairs, escalations)."""

    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketMessage(Base):
    """A reply to the customer or an internal note; the text is sealed."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The speech check of a reply: verdict and rule ids, and who overrode a block.
    verdict: Mapped[str | None] = mapped_column(String(8), nullable=True)
    rules: Mapped[str | None] = mapped_column(String(200), nullable=True)
    overridden_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_ref: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("body", TEXT, max_chars=5000),
    )
    body_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    body_masked: Mapped[str | None] = mapped_column(Text, nullable=True)


class TicketEvent(Base):
    """One line of a ticket's timeline; `detail` is system text, never input."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    visibility: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_messages.id", ondelete="SET NULL"), nullable=True
    )
