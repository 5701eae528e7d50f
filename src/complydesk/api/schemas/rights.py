"""Data-subject requests as the API takes and shows them: metadata, never values."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from complydesk.api.schemas.customers import CustomerFields

RequestType = Literal[
    "access", "erasure", "rectification", "portability", "restriction", "objection"
]
Scope = Literal[
    "all_processing",
    "automated_decisions",
    "marketing",
    "profiling",
    "sale_or_sharing",
]
Channel = Literal["api", "phone", "mail"]
Outcome = Literal["fulfilled", "partially_fulfilled", "refused", "withdrawn"]
State = Literal["open", "due_soon", "overdue", "closed", "all"]


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(ge=1)
    type: RequestType
    scope: Scope | None = Field(
        default=None, description="For restriction and objection: what it covers."
    )
    details: str | None = Field(
        default=None,
        max_length=2000,
        description="What the subject wrote; sealed in the vault like any "
        "personal field.",
    )
    channel: Channel = "api"
    received_at: AwareDatetime | None = Field(
        default=None, description="When it arrived, if earlier than now."
    )


class ClockPublic(BaseModel):
    name: str
    due_at: datetime | None
    status: str
    seconds_left: int | None
    paused: bool
    citation: str
    confidence: str
    note: str | None


class RequestPublic(BaseModel):
    id: int
    ref: str
    customer_id: int
    type: str
    scope: str | None
    channel: str
    status: str
    pack: str
    pack_version: str
    received_at: datetime
    verified_at: datetime | None
    verification_method: str | None
    acknowledged_at: datetime | None
    due_at: datetime | None
    extended: bool
    closed_at: datetime | None
    outcome: str | None
    outcome_reason: str | None
    clocks: list[ClockPublic]
    has_details: bool


class VerifyBody(BaseModel):
    """A code the subject received, or a staff member's manual check with a reason."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, min_length=6, max_length=6)
    manual_reason: str | None = Field(default=None, min_length=8, max_length=500)

    @model_validator(mode="after")
    def _exactly_one(self) -> VerifyBody:
        if (self.code is None) == (self.manual_reason is None):
            raise ValueError("give exactly one of code, manual_reason")
        return self


class SendCodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Literal["zh", "en"] = "zh"


class VerificationSent(BaseModel):
    request: str
    channel: str
    expires_at: datetime


class ExtendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=8, max_length=500)


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reason: str | None = Field(default=None, max_length=500)


class RectifyBody(BaseModel):
    """The corrected values; only the fields sent change (null clears one)."""

    model_config = ConfigDict(extra="forbid")

    fields: CustomerFields


class RestrictionApplied(BaseModel):
    customer_id: int
    flag: str
    active: list[str]


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(ge=1)
    exception: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")


class HoldPublic(BaseModel):
    id: int
    customer_id: int
    exception: str
    pack: str
    citation: str
    placed_at: datetime
    expires_at: datetime | None
    released_at: datetime | None


class ErasureStepPublic(BaseModel):
    system: str
    status: str
    attempts: int
    last_error: str | None
    confirmation: str | None
    done_at: datetime | None


class ErasurePublic(BaseModel):
    request: str
    complete: bool
    steps: list[ErasureStepPublic]
    receipt: dict[str, Any] | None


class RetentionItemPublic(BaseModel):
    category: str
    action: str
    count: int
    period: str
    citation: str
    held: int


class RetentionReportPublic(BaseModel):
    pack: str
    dry_run: bool
    as_of: datetime
    items: list[RetentionItemPublic]
