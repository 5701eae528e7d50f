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
import re
import zoneinfo
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from complydesk.calendars import OpeningHours
from complydesk.duration import Duration, Unit

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
    home_countries: Cited[Names] | None = None
    """ISO 3166 alpha-2 codes a transfer stays within (cn: CN; eu: the EEA)."""
    uncounted_exemptions: Cited[Names] | None = None
    """Exempt flows whose individuals do not count towards the thresholds."""
    agreement_required_for: Cited[Names] | None = None
    """Mechanisms that also need a contract signed with the overseas recipient."""

    @model_validator(mode="after")
    def _known_ids(self) -> CrossBorder:
        if self.home_countries is not None:
            bad = [c for c in self.home_countries.value if not _COUNTRY_RE.match(c)]
            if bad:
                raise ValueError(f"home_countries must be ISO alpha-2 codes, not {bad}")
        if self.uncounted_exemptions is not None:
            known = self.exemptions.value if self.exemptions else ()
            _only(self.uncounted_exemptions.value, known, "uncounted exemptions")
        if self.agreement_required_for is not None:
            _only(
                self.agreement_required_for.value,
                self.mechanisms.value,
                "agreement mechanisms",
            )
        return self


_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class AiDisclosure(Section):
    """Telling people they are talking to an AI, and the words used."""

    required: Cited[bool]
    timing: Cited[str]
    wording: Cited[str]
    required_label_elements: Cited[Names] | None = None
    persistent_ui_label: Cited[bool] | None = None
    implicit_metadata_label: Cited[bool] | None = None
    effective_from: Cited[date] | None = None
    message_label: Cited[str] | None = None
    """The visible label every AI message carries (cn: "AI生成")."""

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
    ai_timeout: Cited[Duration]
    """Elapsed time (minutes or hours): a chat has no working days."""
    transfer_context: Cited[bool]

    @field_validator("ai_timeout")
    @classmethod
    def _elapsed(cls, value: Cited[Duration]) -> Cited[Duration]:
        if value.value.unit not in (Unit.MINUTES, Unit.HOURS):
            raise ValueError("ai_timeout must be in minutes or hours")
        return value


class AutomatedDecisions(Section):
    """Explanation and human review of automated decisions."""

    explanation_on_request: Cited[bool]
    may_refuse_solely_automated: Cited[bool]
    human_intervention_available: Cited[bool]
    non_personalised_option: Cited[bool] | None = None
    effective_from: Cited[date] | None = None
    protected_attributes: Cited[Names] | None = None
    """Inputs a decision policy may not read (they serve bias audits only)."""


class Fairness(Section):
    """Bias-audit metrics; thresholds are screening flags, not legal limits."""

    metrics: Cited[Names]
    flag_ratio_below: Cited[float]
    flag_is_screening_only: Cited[bool]
    min_group_size: Cited[int] | None = None
    """Groups with fewer decisions are reported but never flagged."""
    confidence_level: Cited[float] | None = None

    @field_validator("min_group_size")
    @classmethod
    def _size(cls, cited: Cited[int] | None) -> Cited[int] | None:
        if cited is not None and cited.value < 1:
            raise ValueError("min_group_size must be at least 1")
        return cited

    @field_validator("confidence_level")
    @classmethod
    def _level(cls, cited: Cited[float] | None) -> Cited[float] | None:
        if cited is not None and not 0.5 <= cited.value < 1:
            raise ValueError("confidence_level must be in [0.5, 1)")
        return cited

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


class RetentionRule(BaseModel):
    """How long one data category is kept after its last use, and why."""

    model_config = _FROZEN

    period: Duration
    purpose: str = Field(min_length=1, max_length=300)

    def __str__(self) -> str:
        return f"{self.period} ({self.purpose})"


class ErasureException(BaseModel):
    """A legal reason to keep some data categories despite an erasure request."""

    model_config = _FROZEN

    retains: Names = Field(min_length=1)
    period: Duration | None = None
    """Longest time kept under the hold; None: until the hold is released."""
    explanation_zh: str = Field(min_length=1, max_length=500)
    explanation_en: str = Field(min_length=1, max_length=500)

    def __str__(self) -> str:
        until = str(self.period) if self.period else "until released"
        return f"keeps {', '.join(self.retains)} ({until})"


class Retention(Section):
    """Storage limitation: periods per data category, and erasure exceptions."""

    categories: dict[str, Cited[RetentionRule]]
    erasure_exceptions: dict[str, Cited[ErasureException]]

    @model_validator(mode="after")
    def _known_categories(self) -> Retention:
        for name, cited in self.erasure_exceptions.items():
            unknown = [c for c in cited.value.retains if c not in self.categories]
            if unknown:
                raise ValueError(
                    f"erasure exception {name} retains unknown categories {unknown}"
                )
        return self


# --- desk: intake by purpose, SLA targets ---------------------------------------------
# Field ids intake may collect; each maps to a ticket column (complydesk.desk.intake).
INTAKE_FIELDS: tuple[str, ...] = (
    "order_number",
    "product_model",
    "waybill_number",
    "contact_phone",
    "contact_email",
    "delivery_address",
    "description",
    "reason",
)
# Customer fields intake may create a new customer with.
INTAKE_CUSTOMER_FIELDS: tuple[str, ...] = ("name", "phone", "email", "address")
# Purpose ids every pack must define: a stable contract; packs may add more.
STABLE_PURPOSES: tuple[str, ...] = (
    "complaint",
    "return_refund",
    "repair",
    "delivery",
    "billing",
    "inquiry",
)
ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
_ID_RE = re.compile(ID_PATTERN)
_LABEL_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")


def _only(values: Names, allowed: tuple[str, ...], what: str) -> Names:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; known: {list(allowed)}")
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must not repeat")
    return values


class IntakePurpose(BaseModel):
    """What a ticket of one purpose may collect: anything else is refused."""

    model_config = _FROZEN

    fields: Names = Field(min_length=1)
    customer_fields: Names = ()
    free_text_keeps: Names = ()
    """PII labels free text may keep (sealed); other entities are redacted."""

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: Names) -> Names:
        return _only(value, INTAKE_FIELDS, "intake fields")

    @field_validator("customer_fields")
    @classmethod
    def _customer(cls, value: Names) -> Names:
        return _only(value, INTAKE_CUSTOMER_FIELDS, "customer fields")

    @field_validator("free_text_keeps")
    @classmethod
    def _labels(cls, value: Names) -> Names:
        bad = [v for v in value if not _LABEL_RE.match(v)]
        if bad:
            raise ValueError(f"free_text_keeps holds PII labels like PHONE, not {bad}")
        return value

    def __str__(self) -> str:
        keeps = ", ".join(self.free_text_keeps) or "none"
        return f"fields {', '.join(self.fields)}; free text keeps {keeps}"


class SlaTarget(BaseModel):
    """How fast a ticket of one purpose is answered and solved."""

    model_config = _FROZEN

    first_response_within: Duration | None
    resolution_within: Duration | None
    pause_while_waiting_customer: bool

    def __str__(self) -> str:
        pause = "pauses" if self.pause_while_waiting_customer else "never pauses"
        return (
            f"first response {self.first_response_within or '-'}, resolution "
            f"{self.resolution_within or '-'}; {pause} while waiting for the customer"
        )


class SlaRule(BaseModel):
    """A target for some purposes in some product categories ("*": any).

    Every rule that matches a ticket competes with the purpose's own target
    and the earliest due time wins. `resolution_from` names another cited
    duration of the pack (e.g. `after_sales.electronics_solution_within`), so
    the figure and its citation live in one place; a null there means the
    rule does not apply in that pack.
    """

    model_config = _FROZEN

    purposes: Names = Field(min_length=1)
    categories: Names = Field(min_length=1)
    first_response_within: Duration | None = None
    resolution_within: Duration | None = None
    resolution_from: str | None = Field(default=None, pattern=r"^[a-z_]+\.[a-z_]+$")
    pause_while_waiting_customer: bool | None = None
    """False: the clocks of a ticket this rule matches never pause."""

    @model_validator(mode="after")
    def _one_source(self) -> SlaRule:
        if self.resolution_within is not None and self.resolution_from is not None:
            raise ValueError("give resolution_within or resolution_from, not both")
        if (
            self.first_response_within is None
            and self.resolution_within is None
            and self.resolution_from is None
            and self.pause_while_waiting_customer is None
        ):
            raise ValueError("a rule must set a target or the pause behaviour")
        for category in self.categories:
            if category != "*" and not _ID_RE.match(category):
                raise ValueError(f"category {category!r} is not an id")
        return self

    def __str__(self) -> str:
        target = self.resolution_from or self.resolution_within or "-"
        return (
            f"{', '.join(self.purposes)} in {', '.join(self.categories)}: "
            f"resolution {target}"
        )


class Desk(Section):
    """Complaint and after-sales tickets: what intake collects, how fast it runs."""

    intake: dict[str, Cited[IntakePurpose]]
    sla: dict[str, Cited[SlaTarget]]
    sla_rules: dict[str, Cited[SlaRule]] = Field(default_factory=dict)
    at_risk_fraction: Cited[float]
    statistics_min_cell: Cited[int]

    @model_validator(mode="after")
    def _consistent(self) -> Desk:
        for name in (*self.intake, *self.sla, *self.sla_rules):
            if not _ID_RE.match(name):
                raise ValueError(f"{name!r} is not an id ([a-z][a-z0-9_]*)")
        missing = [p for p in STABLE_PURPOSES if p not in self.intake]
        if missing:
            raise ValueError(f"intake lacks the stable purposes {missing}")
        if set(self.intake) != set(self.sla):
            raise ValueError("intake and sla must name the same purposes")
        for name, rule in self.sla_rules.items():
            unknown = [p for p in rule.value.purposes if p not in self.intake]
            if unknown:
                raise ValueError(f"sla rule {name} names unknown purposes {unknown}")
        if not 0 < self.at_risk_fraction.value < 1:
            raise ValueError("at_risk_fraction must be between 0 and 1")
        if self.statistics_min_cell.value < 1:
            raise ValueError("statistics_min_cell must be at least 1")
        return self


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
    business_hours: Cited[OpeningHours] | None = None
    """Opening hours on the calendar's working days, for `business_hours` figures."""
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
    retention: Retention | None = None
    desk: Desk | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _business_hours_defined(self) -> PolicyPack:
        if self.business_hours is None:
            where = next(_business_hour_figures(self), None)
            if where is not None:
                raise ValueError(
                    f"{where} counts business_hours but the pack sets no business_hours"
                )
        return self

    @model_validator(mode="after")
    def _desk_references(self) -> PolicyPack:
        if self.desk is None:
            return self
        for name, rule in self.desk.sla_rules.items():
            if rule.value.resolution_from is not None:
                self.cited_duration(rule.value.resolution_from, f"sla rule {name}")
        return self

    def cited_duration(self, key: str, where: str = "") -> Cited[Any]:
        """The cited Duration (or null) at dotted `key`, e.g. `after_sales.x`."""
        node: Any = self
        for part in key.split("."):
            node = getattr(node, part, None) if isinstance(node, BaseModel) else None
        if not isinstance(node, Cited) or not (
            node.value is None or isinstance(node.value, Duration)
        ):
            raise ValueError(f"{where or key}: {key} is not a cited duration")
        return node

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


def _business_hour_figures(node: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of every Duration in business_hours under `node`."""
    if isinstance(node, Duration):
        if node.unit is Unit.BUSINESS_HOURS:
            yield path or "(pack)"
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _business_hour_figures(getattr(node, name), _join(path, name))
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _business_hour_figures(child, _join(path, str(key)))
    elif isinstance(node, tuple | list):
        for child in node:
            yield from _business_hour_figures(child, path)


def _join(path: str, name: str) -> str:
    if name == "value":  # Cited's own field: the path names the figure
        return path
    return f"{path}.{name}" if path else name


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
        elif isinstance(child, dict):  # named entries, e.g. retention.categories
            for entry, cited in child.items():
                if isinstance(cited, Cited):
                    yield CitedRow(
                        f"{key}.{entry}",
                        cited.value,
                        cited.citation,
                        cited.confidence,
                        cited.note,
                        cited.source_url,
                    )
