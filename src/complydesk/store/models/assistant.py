"""The AI assistant: conversation state, AI labels, hand-offs, decisions, reviews.

Chat text itself lives in the desk's `messages` table (sealed body plus a
masked copy, written only through the vault). These tables hold what the
governance rules need around it: which pack disclosed what, the machine-readable
AI label of every bot message, when and why a conversation went to a human and
how long that took, and every automated decision with its rule trace, its
explanation and any human review. Free text a person wrote (decision inputs,
explanations that quote them, review statements) is personal and sealed.
Coarse group labels (region, age band, gender, tier) kept only for fairness
audits live apart from the decision: `ai_audit_facts` holds, per decision,
only what an audit counts (policy, outcome, ground truth, label codes), with
no customer id, key ref, time or text; `ai_audit_attributes` and
`ai_audit_labels` are the code book. Decision policies never see them, and
they are deleted when the subject is erased (complydesk.fairness.groups).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from complydesk.store.models.base import Base, UTCDateTime
from complydesk.store.personal import TEXT, PersonalField

CONVERSATION_STATES = ("bot", "waiting_human", "human", "closed")
REVIEW_STATES = ("open", "upheld", "overturned")


def _when() -> Mapped[datetime | None]:
    return mapped_column(UTCDateTime, nullable=True)


class AiConversation(Base):
    """Assistant state of one desk conversation (one row per conversation)."""

    __tablename__ = "ai_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    pack_hash: Mapped[str] = mapped_column(String(64))
    backend: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nlu_failures: Mapped[int] = mapped_column(Integer, default=0)
    bot_turns: Mapped[int] = mapped_column(Integer, default=0)


class AiMessageLabel(Base):
    """The implicit (machine-readable) AI label of one bot message."""

    __tablename__ = "ai_message_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    label: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)


class AiHandoff(Base):
    """A conversation handed to a human: why, when, and how long a human took."""

    __tablename__ = "ai_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_conversation_id: Mapped[int] = mapped_column(
        ForeignKey("ai_conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    queue: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_wait_seconds: Mapped[int] = mapped_column(Integer)
    human_replied_at: Mapped[datetime | None] = _when()
    agent: Mapped[str | None] = mapped_column(String(120), nullable=True)
    time_to_human_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class AiDecision(Base):
    """One automated decision: masked inputs, rule trace, outcome, explanation."""

    __tablename__ = "ai_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True
    )
    policy: Mapped[str] = mapped_column(String(64), index=True)
    policy_version: Mapped[str] = mapped_column(String(32))
    policy_hash: Mapped[str] = mapped_column(String(64))
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    favourable: Mapped[bool] = mapped_column(Boolean)
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ground_truth: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    review_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    decided_by: Mapped[str] = mapped_column(String(120))
    key_ref: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("inputs", TEXT, max_chars=8000),
        PersonalField("explanation_zh", TEXT, max_chars=2000),
        PersonalField("explanation_en", TEXT, max_chars=2000),
    )
    inputs_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    inputs_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation_zh_sealed: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True
    )
    explanation_zh_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation_en_sealed: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True
    )
    explanation_en_masked: Mapped[str | None] = mapped_column(Text, nullable=True)

    def _no_groups(self, value: dict[str, str]) -> None:
        # Rows built by hand (older test helpers) may pass `audit_groups={}`;
        # labels themselves go through complydesk.fairness.groups.
        if value:
            raise TypeError("audit group labels are stored by fairness.groups")

    audit_groups = property(None, _no_groups)


AUDIT_SLOTS = 8


class AiAuditAttribute(Base):
    """An audit attribute name (region, gender, …) and its column slot, 1-8."""

    __tablename__ = "ai_audit_attributes"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, unique=True)


class AiAuditLabel(Base):
    """The code book: one coarse label of one attribute and its integer code."""

    __tablename__ = "ai_audit_labels"
    __table_args__ = (UniqueConstraint("attribute", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attribute: Mapped[str] = mapped_column(ForeignKey("ai_audit_attributes.name"))
    label: Mapped[str] = mapped_column(String(32))


class AiAuditFact(Base):
    """What a fairness audit counts of one decision, and nothing else.

    Keyed to the decision (for review ground truth and erasure), never to
    the customer; group labels as codes in the attribute's slot column.
    """

    __tablename__ = "ai_audit_facts"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("ai_decisions.id", ondelete="CASCADE"), primary_key=True
    )
    policy: Mapped[str] = mapped_column(String(64))
    favourable: Mapped[bool] = mapped_column(Boolean)
    ground_truth: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    g1: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g2: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g3: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g4: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g5: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g6: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g7: Mapped[int | None] = mapped_column(Integer, nullable=True)
    g8: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AiDecisionReview(Base):
    """A person's request for human review of a decision, and its outcome."""

    __tablename__ = "ai_decision_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("ai_decisions.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = _when()
    reviewer: Mapped[str | None] = mapped_column(String(120), nullable=True)
    new_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    key_ref: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    __personal__: ClassVar[tuple[PersonalField, ...]] = (
        PersonalField("statement", TEXT, max_chars=2000),
        PersonalField("reviewer_note", TEXT, max_chars=2000),
    )
    statement_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    statement_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewer_note_sealed: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True
    )
    reviewer_note_masked: Mapped[str | None] = mapped_column(Text, nullable=True)


class AiFairnessRun(Base):
    """A recorded fairness audit: its scope, size, alerts and the full report."""

    __tablename__ = "ai_fairness_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    run_by: Mapped[str] = mapped_column(String(120))
    policy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    decisions: Mapped[int] = mapped_column(Integer)
    pack: Mapped[str] = mapped_column(String(32))
    pack_version: Mapped[str] = mapped_column(String(32))
    alerts: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
