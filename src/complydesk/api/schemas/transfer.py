"""Cross-border transfer register as the API takes and shows it: no personal data.

Shapes are checked here (types, lengths, enums); the domain
(complydesk.transfer.registry) checks meaning and refuses free text that holds
personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["active", "suspended", "ended"]
Exemption = Literal["contract_with_individual", "hr_management", "emergency"]
MechanismKind = Literal[
    "security_assessment",
    "standard_contract",
    "certification",
    "adequacy_decision",
    "standard_contractual_clauses",
    "binding_corporate_rules",
    "art49_derogations",
]


class RecipientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2.")
    purpose: str = Field(min_length=1, max_length=500)
    data_categories: list[str] = Field(min_length=1, max_length=30)
    exemption: Exemption | None = None
    separate_consent: bool = False
    pia_completed_on: date | None = None


class RecipientUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: str | None = Field(default=None, min_length=1, max_length=500)
    status: Status | None = None
    exemption: Exemption | None = None
    data_categories: list[str] | None = Field(default=None, min_length=1, max_length=30)
    separate_consent: bool | None = None
    pia_completed_on: date | None = None


class RecipientPublic(BaseModel):
    ref: str
    name: str
    country: str
    purpose: str
    status: str
    exemption: str | None
    data_categories: list[str]
    separate_consent: bool
    pia_completed_on: date | None
    created_at: datetime
    updated_at: datetime


class MechanismCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MechanismKind
    effective_on: date
    reference: str | None = Field(default=None, min_length=1, max_length=120)
    valid_until: date | None = None
    filed_on: date | None = None


class MechanismPublic(BaseModel):
    id: int
    kind: str
    reference: str | None
    effective_on: date
    valid_until: date | None
    filed_on: date | None
    recorded_at: datetime
    recorded_by: str


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed_on: date
    expires_on: date | None = None
    retention: str = Field(min_length=1, max_length=40, examples=["36 calendar_months"])
    security_measures: list[str] = Field(min_length=1, max_length=20)
    profile: dict[str, Any] | None = Field(
        default=None, description="De-identification profile (docs/transfers.md)."
    )


class AgreementPublic(BaseModel):
    id: int
    signed_on: date
    expires_on: date | None
    retention: str
    security_measures: list[str]
    profile: dict[str, Any] | None
    recorded_at: datetime
    recorded_by: str


class FindingPublic(BaseModel):
    code: str
    severity: str
    citation: str
    params: dict[str, str | int]
    message_zh: str
    message_en: str


class CheckPublic(BaseModel):
    """Would a live flow to this recipient pass today (register facts only)?"""

    jurisdiction: str
    allowed: bool
    route: str
    accepted: list[str]
    findings: list[FindingPublic]


class RecipientDetail(RecipientPublic):
    mechanisms: list[MechanismPublic]
    agreement: AgreementPublic | None
    check: CheckPublic


class CounterPublic(BaseModel):
    jurisdiction: str
    year: int
    individuals: int
    sensitive_individuals: int
    updated_at: datetime


class AssessmentPublic(BaseModel):
    ref: str
    recipient: str
    kind: str
    jurisdiction: str
    pack_version: str
    year: int
    decided_at: datetime
    actor: str
    allowed: bool
    exported: bool
    route: str
    counted: bool
    counts: dict[str, int]
    findings: list[FindingPublic]
    input_sha256: str
    output_sha256: str | None


ReportFormat = Literal["md", "html"]
Lang = Literal["zh", "en"]
ResultFormat = Literal["json", "md", "html"]


class ExportPublic(AssessmentPublic):
    """An allowed export: the assessment and where to fetch the output."""

    download: str
    output_bytes: int | None


class QueryAssess(BaseModel):
    """A dataset as one read-only SELECT on complydesk's own database."""

    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(min_length=2, max_length=40)
    query: str = Field(min_length=1, max_length=20_000)
    jurisdiction: str | None = Field(
        default=None, max_length=32, pattern=r"^[a-z][a-z0-9-]*$"
    )


class QueryExport(QueryAssess):
    format: Literal["csv", "jsonl"] = "jsonl"
