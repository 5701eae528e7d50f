"""Tickets and conversations as the API takes and shows them.

Personal fields only ever appear as the vault's masked copies. Intake fields
are a free-form mapping on purpose: the desk checks them against the
purpose's allowlist and names the offending field and purpose (a fixed schema
would answer a generic "extra field" instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Status = Literal[
    "submitted", "accepted", "in_progress", "waiting_customer", "resolved", "closed"
]
Urgency = Literal["urgent", "high", "normal", "low"]
FieldValue = Annotated[str, StringConstraints(max_length=10_000)]


class TicketPublic(BaseModel):
    """A ticket in a list: no personal data, not even masked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tracking_code: str
    customer_ref: str
    purpose: str
    category: str
    status: str
    subject: str
    urgency: str = "normal"
    queue: str | None = None
    assignee: str | None = None
    escalation_level: int = 0
    sla_state: str | None = None
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime


class TriagePublic(BaseModel):
    purpose: str | None
    urgency: str | None
    reasons: list[str]


class ClockPublic(BaseModel):
    name: str
    state: str
    due_at: datetime
    seconds_left: int
    source: str = Field(description="The policy-pack key that set the target.")
    met_on_time: bool | None
    calendar_note: str | None = Field(
        default=None,
        description="Set when the due time is approximate (no holiday data).",
    )


class TicketDetail(TicketPublic):
    """One ticket for staff: masked personal fields, triage, PII flags, clocks."""

    order_number: str | None = None
    product_model: str | None = None
    waybill_number: str | None = None
    masked: dict[str, str | None] = Field(default_factory=dict)
    triage: TriagePublic | None = None
    pii_flags: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per field, the PII labels intake removed because the "
        "purpose does not need them (labels only, never values).",
    )
    clocks: list[ClockPublic] = Field(default_factory=list)
    policy: str | None = Field(
        default=None, description="pack@version whose SLA rules were applied"
    )
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1)
    customer: dict[str, FieldValue] | None = Field(
        default=None,
        max_length=10,
        description="Fields of a new customer, within the purpose's customer_fields.",
    )
    jurisdiction: str | None = Field(
        default=None, max_length=16, description="Policy pack of a new customer."
    )
    purpose: str = Field(max_length=32)
    category: str = Field(max_length=32, description="Product category id.")
    subject: str | None = Field(default=None, max_length=200)
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=20)


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status
    version: int | None = Field(
        default=None, description="The version you last saw; a newer one is a 409."
    )


class AssignRequest(BaseModel):
    """Only the fields sent change; null clears queue or assignee."""

    model_config = ConfigDict(extra="forbid")

    queue: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=64)
    urgency: Urgency | None = None
    version: int | None = None


class EscalateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(
        default=None, max_length=2000, description="Kept as an internal note."
    )
    queue: str | None = Field(default=None, max_length=64)


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    lang: Literal["zh", "en"] | None = None
    override_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Send despite a blocking finding (needs replies.override).",
    )


class ReplyResult(BaseModel):
    message_id: int
    verdict: str
    overridden: bool
    findings: list[dict[str, Any]]


class MessageOut(BaseModel):
    id: int
    kind: str
    author: str
    body: str
    verdict: str | None
    rules: str | None
    overridden_by: str | None


class TimelineEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    visibility: str
    detail: str | None
    message: MessageOut | None = None


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)


class QueuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title: str
    created_at: datetime


class AtRiskItem(BaseModel):
    ticket: TicketPublic
    clocks: list[ClockPublic]


class PublicEvent(BaseModel):
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    text: str | None = Field(description="A reply's masked text; null otherwise.")


class TrackResult(BaseModel):
    """What a customer sees: no staff names, no internal notes."""

    tracking_code: str
    purpose: str
    category: str
    status: str
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    events: list[PublicEvent]


class MessagePublic(BaseModel):
    """A message as staff see it: `body` is the vault's masked copy."""

    id: int
    sender: str
    ai_generated: bool
    body: str
    created_at: datetime


class ConversationPublic(BaseModel):
    id: int
    customer_ref: str
    channel: str
    started_at: datetime
    messages: list[MessagePublic]
