"""The schema of a policy pack: every legal figure with the citation behind it.

A pack is data, not code, so lawyers can review it and deployments can
override it. Each leaf is a `Cited[T]`: the value plus where it comes from and
how sure we are. A value is `None` where the law sets no figure (GDPR Art. 34
"without undue delay", PIPL "及时"); the note then says so, and a separate
`operational_*` field carries the product's configurable default, if any.

Sections that only some jurisdictions have (`cross_border`, `pia`) and
jurisdiction-specific blocks inside sections (`breach.attorney_general`) are
optional; everything else must be answered by every pack, usually by
inheriting it from `baseline`.
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from complydesk.duration import Duration

T = TypeVar("T")

NAME_PATTERN = r"^[a-z][a-z0-9-]*$"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Confidence(StrEnum):
    """How well a figure is sourced (labels of the regulations fact sheet)."""

    OK = "ok"  # checked against the legal text or an official page
    SECONDARY = "secondary"  # only a secondary source
    UNCONFIRMED = "unconfirmed"  # no source: a configurable default, not law


class Cited(BaseModel, Generic[T]):
    """A value with its citation, so every decision can say which rule it used."""

    model_config = _FROZEN

    value: T
    citation: str = Field(min_length=1)
    confidence: Confidence
    note: str | None = None
    source_url: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> Cited[T]:
        if not self.citation.strip():
            raise ValueError("citation must not be blank")
        if self.value is None and not self.note:
            raise ValueError("a null value needs a note saying what the law says")
        if self.confidence is Confidence.UNCONFIRMED and not self.note:
            raise ValueError("an unconfirmed value needs a note saying why")
        return self


Names = tuple[str, ...]
"""A list of ids in YAML; a tuple here so shared cached packs stay immutable."""


class Section(BaseModel):
    model_config = _FROZEN


class DataSubjectRequests(Section):
    """Access, erasure, correction and opt-out requests from individuals."""

    response_deadline: Cited[Duration | None]
    operational_response_deadline: Cited[Duration] | None = None
    extension_allowed: Cited[bool]
    max_extension: Cited[Duration | None]
    extension_notice_within: Cited[Duration | None]
    acknowledgement_deadline: Cited[Duration | None]
    opt_out_of_sale_deadline: Cited[Duration | None]
    opt_out_identity_verification_allowed: Cited[bool] | None = None
    clock_pauses_for_identity_verification: Cited[bool]
    refusal_reasons_within: Cited[Duration | None] | None = None
    free_of_charge: Cited[bool] | None = None

    @model_validator(mode="after")
    def _extension_consistent(self) -> DataSubjectRequests:
        if self.extension_allowed.value and self.max_extension.value is None:
            raise ValueError("extension_allowed is true but max_extension is null")
        return self

    @property
    def effective_response_deadline(self) -> Duration | None:
        """The statutory deadline, else the operational default, else None."""
        if self.response_deadline.value is not None:
            return self.response_deadline.value
        if self.operational_response_deadline is not None:
            return self.operational_response_deadline.value
        return None


class AttorneyGeneralNotice(Section):
    """A copy of the individuals' notice to a state attorney general."""

    residents_over: Cited[int]
    within_after_individual_notice: Cited[Duration]
    notice_title: Cited[str] | None = None


class IncidentReporting(Section):
    """Security-incident reports to authorities, by kind of operator."""

    minimum_severity: Cited[str]
    ciio: Cited[Duration]
    state_organs: Cited[Duration]
    other_operators: Cited[Duration]


class Breach(Section):
    """Personal-data breach notification to the authority and individuals."""

    authority_deadline: Cited[Duration | None]
    authority_notice_requires_risk: Cited[bool]
    late_notice_requires_reasons: Cited[bool] | None = None
    individuals_deadline: Cited[Duration | None]
    individuals_notice_requires_high_risk: Cited[bool]
    individuals_notice_exemptions: Cited[Names] | None = None
    public_interest_report_deadline: Cited[Duration] | None = None
    attorney_general: AttorneyGeneralNotice | None = None
    incident_reporting: IncidentReporting | None = None


class AfterSales(Section):
    """Service levels for after-sales requests, complaints and returns."""

    electronics_solution_within: Cited[Duration]
    complaint_handling_limit: Cited[Duration | None]
    no_reason_return_period: Cited[Duration | None]
    defective_goods_return_period: Cited[Duration | None] | None = None
    public_complaint_tracking: Cited[bool]


class VolumeThresholds(Section):
    """Headcount thresholds that pick a transfer route (CAC Order 16)."""

    counting_period: Cited[str]
    exempt_nonsensitive_below: Cited[int]
    assessment_nonsensitive_at_least: Cited[int]
    assessment_sensitive_at_least: Cited[int]
    sensitive_free_allowance: Cited[int]
    ciio_always_assessment: Cited[bool]
    important_data_always_assessment: Cited[bool]

    @model_validator(mode="after")
    def _ordered(self) -> VolumeThresholds:
        low = self.exempt_nonsensitive_below.value
        if low > self.assessment_nonsensitive_at_least.value:
            raise ValueError(
                "exempt_nonsensitive_below exceeds assessment_nonsensitive_at_least"
            )
        return self


class CrossBorder(Section):
    """Transfers of personal data out of the jurisdiction."""

    mechanisms: Cited[Names]
    separate_consent_required: Cited[bool]
    localisation_applies_to: Cited[Names]
    exemptions: Cited[Names] | None = None
    volume_thresholds: VolumeThresholds | None = None
    security_assessment_validity: Cited[Duration] | None = None
    certification_validity: Cited[Duration] | None = None
    renewal_window_before_expiry: Cited[Duration] | None = None
    standard_contract_filing_within: Cited[Duration] | None = None


class AiDisclosure(Section):
    """Telling people they are talking to an AI, and the words used."""

    required: Cited[bool]
    timing: Cited[str]
    wording: Cited[str]
    required_label_elements: Cited[Names] | None = None
    persistent_ui_label: Cited[bool] | None = None
    implicit_metadata_label: Cited[bool] | None = None
    effective_from: Cited[date] | None = None

    @model_validator(mode="after")
    def _wording_has_elements(self) -> AiDisclosure:
        if self.required.value and not self.wording.value.strip():
            raise ValueError("wording must not be blank when disclosure is required")
        if self.required_label_elements is None:
            return self
        for element in self.required_label_elements.value:
            if not any(alt and alt in self.wording.value for alt in element.split("|")):
                raise ValueError(f"wording lacks a required label element {element!r}")
        return self


class HumanHandoff(Section):
    """When the assistant must hand a conversation to a human agent."""

    triggers: Cited[Names]
    request_phrases: Cited[Names]
    nlu_failure_limit: Cited[int]
    # Duration has no minutes unit, so the AI timeout is kept in seconds.
    ai_timeout_seconds: Cited[int]
    transfer_context: Cited[bool]


class AutomatedDecisions(Section):
    """Explanation and human review of automated decisions."""

    explanation_on_request: Cited[bool]
    may_refuse_solely_automated: Cited[bool]
    human_intervention_available: Cited[bool]
    non_personalised_option: Cited[bool] | None = None
    effective_from: Cited[date] | None = None


class Fairness(Section):
    """Bias-audit metrics; thresholds are screening flags, not legal limits."""

    metrics: Cited[Names]
    flag_ratio_below: Cited[float]
    flag_is_screening_only: Cited[bool]

    @field_validator("flag_ratio_below")
    @classmethod
    def _ratio(cls, cited: Cited[float]) -> Cited[float]:
        if not 0 < cited.value <= 1:
            raise ValueError("flag_ratio_below must be in (0, 1]")
        return cited


class Consumer(Section):
    """Consumer-protection rules that bind what agents and the AI say."""

    truthful_answers_required: Cited[bool]
    fraud_damages_multiplier: Cited[int] | None = None
    fraud_damages_minimum_cny: Cited[int] | None = None
    auto_renewal_reminders: Cited[Names] | None = None
    auto_renewal_cancel_anytime: Cited[bool] | None = None
    marketing_requires_consent: Cited[bool] | None = None


class Pia(Section):
    """Personal-information impact assessments and how long to keep them."""

    required_for: Cited[Names]
    record_retention: Cited[Duration]


class PolicyPack(BaseModel):
    """One jurisdiction's rules, merged with the pack it extends."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", ignored_types=(cached_property,)
    )

    pack: str = Field(pattern=NAME_PATTERN)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=NAME_PATTERN)
    extends: str | None = Field(default=None, pattern=NAME_PATTERN)
    timezone: str
    working_calendar: str = Field(pattern=NAME_PATTERN)
    data_subject_requests: DataSubjectRequests
    breach: Breach
    after_sales: AfterSales
    cross_border: CrossBorder | None = None
    ai_disclosure: AiDisclosure
    human_handoff: HumanHandoff
    automated_decisions: AutomatedDecisions
    fairness: Fairness
    consumer: Consumer
    pia: Pia | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the canonical merged content; recorded with every decision."""
        canonical = json.dumps(
            self.model_dump(mode="json"),
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CitedRow(NamedTuple):
    """One cited value flattened for display: `breach.authority_deadline` etc."""

    key: str
    value: Any
    citation: str
    confidence: Confidence
    note: str | None
    source_url: str | None


def iter_cited(model: BaseModel, prefix: str = "") -> Iterator[CitedRow]:
    """Every cited value under `model`, depth first in schema order."""
    for name in type(model).model_fields:
        child = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(child, Cited):
            yield CitedRow(
                key,
                child.value,
                child.citation,
                child.confidence,
                child.note,
                child.source_url,
            )
        elif isinstance(child, BaseModel) and not isinstance(child, Duration):
            yield from iter_cited(child, f"{key}.")
