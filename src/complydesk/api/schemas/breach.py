"""Breach incidents as the API takes and shows them: counts and categories only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Category = Literal[
    "customer_profile", "support_tickets", "conversations", "rights_requests"
]


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(
        min_length=1,
        max_length=4000,
        description="What happened and why; refused if it holds personal data.",
    )
    detected_at: AwareDatetime
    aware_at: AwareDatetime = Field(
        description="When the organisation became aware: the clocks start here."
    )
    systems: list[str] = Field(min_length=1, max_length=20)
    categories: list[Category] = Field(min_length=1)
    risk: Literal["unlikely", "risk", "high"]
    consequences: str = Field(default="", max_length=2000)
    measures: str = Field(default="", max_length=2000)
    contact_point: str = Field(min_length=3, max_length=300)
    operator_kind: Literal["ciio", "state_organs", "other_operators"] = (
        "other_operators"
    )
    public_interest: bool = False
    extra_affected: dict[str, int] = Field(
        default_factory=dict,
        description="Subjects affected elsewhere, per pack, not tied to a named "
        "system (prefer external_estimates).",
    )
    external_estimates: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        max_length=20,
        description="Per named system that complydesk cannot count (HTTP "
        "connectors, unregistered systems): subjects per pack, {} if none. "
        "Required for each such system; audited. SQL connectors are counted.",
    )


class AffectedSource(BaseModel):
    """How one named system's affected subjects were found."""

    system: str
    method: Literal["inventory", "connector", "estimate", "failed"]
    subjects: int
    unmatched: int
    by_pack: dict[str, int]
    note: str


class BreachClockPublic(BaseModel):
    jurisdiction: str
    obligation: str
    required: bool
    reason: str | None
    due_at: datetime | None
    status: str
    seconds_left: int | None
    overdue: bool
    citation: str
    confidence: str
    note: str | None
    notified_at: datetime | None


class IncidentPublic(BaseModel):
    id: int
    ref: str
    title: str
    description: str
    detected_at: datetime
    aware_at: datetime
    systems: list[str]
    categories: list[str]
    risk: str
    consequences: str
    measures: str
    contact_point: str
    operator_kind: str
    public_interest: bool
    affected: dict[str, int]
    status: str
    closed_at: datetime | None
    overdue: bool
    clocks: list[BreachClockPublic]
    sources: list[AffectedSource] | None = Field(
        default=None,
        description="Only in the answer that records the incident; the audit "
        "entry breach.record keeps it.",
    )


class NotificationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: str = Field(min_length=1, max_length=32)
    obligation: str = Field(min_length=1, max_length=80)
    sent_at: AwareDatetime
    reference: str | None = Field(default=None, max_length=200)
    late_reason: str | None = Field(default=None, max_length=500)


class NotificationPublic(BaseModel):
    id: int
    jurisdiction: str
    obligation: str
    sent_at: datetime
    on_time: bool | None
