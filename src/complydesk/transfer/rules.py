"""The transfer decision: counts, pack and register state in; route and findings out.

Pure on purpose (no database, no clock, no files but the pack's calendar) so
every edge the law draws can be unit-tested directly: 99,999 vs 100,000
people, the 10,000th sensitive subject, a CIIO, an agreement that expired
yesterday, 1 January. Every finding carries the citation of the rule that
produced it, taken from the pack wherever the pack states the figure, so a
report can always say which rule it applied.

Reading of CAC Order 16 encoded here (see docs/transfers.md):

* purpose exemptions (contract with the individual, HR, emergency) apply to
  every processor, CIIOs included, but never to important data (Art. 5);
* otherwise a CIIO, important data, >= 1,000,000 people or >= 10,000
  sensitive subjects need a security assessment (Art. 7);
* >= 100,000 people, or any sensitive subject, need a standard contract or
  certification (Art. 8); below that a non-CIIO is exempt (Art. 5);
* people are counted per calendar year from 1 January; everyone whose
  personal information leaves counts towards the "non-sensitive" figure,
  which can only make the route stricter, never laxer.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

from complydesk.calendars import WorkingCalendar, load_calendar
from complydesk.duration import Duration, Unit
from complydesk.errors import ConfigError
from complydesk.policy import PolicyPack

# Mechanism ids the register accepts: the cn and eu packs' `mechanisms`.
MECHANISMS: tuple[str, ...] = (
    "security_assessment",
    "standard_contract",
    "certification",
    "adequacy_decision",
    "standard_contractual_clauses",
    "binding_corporate_rules",
    "art49_derogations",
)
# Exemptions a recipient can be registered under: purpose-based ones only.
# The volume exemption and "no personal data" are computed, never declared.
EXEMPTIONS: tuple[str, ...] = ("contract_with_individual", "hr_management", "emergency")
STATUSES: tuple[str, ...] = ("active", "suspended", "ended")
# When several valid mechanisms cover a flow, the report names the strongest.
PREFERENCE: tuple[str, ...] = (
    "security_assessment",
    "adequacy_decision",
    "certification",
    "standard_contractual_clauses",
    "binding_corporate_rules",
    "standard_contract",
    "art49_derogations",
)

# Data categories of the PII engine's labels (recipients declare categories
# with these ids, plus their own ids for data the engine cannot see).
CATEGORY_OF_LABEL: Mapping[str, str] = {
    "PERSON": "identity",
    "PHONE": "contact",
    "EMAIL": "contact",
    "ADDRESS": "contact",
    "QQ": "contact",
    "WECHAT": "contact",
    "CN_ID_CARD": "identity_document",
    "PASSPORT": "identity_document",
    "HK_MACAU_PERMIT": "identity_document",
    "TAIWAN_PERMIT": "identity_document",
    "BANK_CARD": "financial_account",
    "IP_ADDRESS": "online_identifier",
    "LICENSE_PLATE": "vehicle",
    "CN_USCC": "organisation",
}
OTHER_PERSONAL = "other_personal"
# Sector rules the deployment may opt into. A general "financial data stays in
# China" rule is UNCONFIRMED (regulations fact sheet §3b), so this is a
# deployment choice, cited as such, never presented as law.
SECTOR_LOCALISED: Mapping[str, frozenset[str]] = {
    "financial": frozenset({"financial_account"}),
}
SECTOR_CITATION = (
    "deployment setting transfer_sector (sector rules; a general financial-data "
    "localisation rule is unconfirmed)"
)
LOCALISED_CITATION = "deployment setting transfer_localised_categories"
CATEGORIES_CITATION = "PIPL Art. 39; GDPR Art. 13(1)(f): only declared categories"
REGISTER_CITATION = "transfer register"
DEROGATION_CITATION = "GDPR Art. 49(1): occasional transfers, not systematic ones"


def category_of(label: str) -> str:
    return CATEGORY_OF_LABEL.get(label, OTHER_PERSONAL)


class Severity(StrEnum):
    BLOCK = "block"  # a missing prerequisite: the transfer is refused
    WARN = "warn"  # allowed, but someone must act
    INFO = "info"  # why the route is what it is


class Route(StrEnum):
    NOT_A_TRANSFER = "not_a_transfer"
    NO_RULES = "no_rules"
    EXEMPT = "exempt"
    MECHANISM = "transfer_mechanism"
    CONTRACT_OR_CERTIFICATION = "standard_contract_or_certification"
    SECURITY_ASSESSMENT = "security_assessment"


class _Level(IntEnum):
    EXEMPT = 0
    CONTRACT = 1
    ASSESSMENT = 2


ACCEPTED: Mapping[Route, tuple[str, ...]] = {
    Route.CONTRACT_OR_CERTIFICATION: (
        "standard_contract",
        "certification",
        "security_assessment",
    ),
    Route.SECURITY_ASSESSMENT: ("security_assessment",),
}


@dataclass(frozen=True)
class Finding:
    """One reason in a decision: a stable code, its rule, and ids/counts only."""

    code: str
    severity: Severity
    citation: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "citation": self.citation,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Deployment:
    """What the deployment says about itself (settings, not law)."""

    ciio: bool = False
    sector: str | None = None
    important_data: frozenset[str] = frozenset()
    localised: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mechanism:
    kind: str
    effective_on: date
    reference: str | None = None
    valid_until: date | None = None
    filed_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class Agreement:
    signed_on: date
    expires_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class Recipient:
    """A recipient as the register holds it, reduced to what the rules read."""

    ref: str
    country: str
    status: str = "active"
    exemption: str | None = None
    categories: frozenset[str] = frozenset()
    separate_consent: bool = False
    pia_completed_on: date | None = None
    mechanisms: tuple[Mechanism, ...] = ()
    agreement: Agreement | None = None


@dataclass(frozen=True)
class Counts:
    """Individuals this year before the flow (prior) and what the flow adds."""

    prior_individuals: int = 0
    prior_sensitive: int = 0
    new_individuals: int = 0
    new_sensitive: int = 0
    individuals: int = 0
    sensitive: int = 0
    records: int = 0

    @property
    def projected_individuals(self) -> int:
        return self.prior_individuals + self.new_individuals

    @property
    def projected_sensitive(self) -> int:
        return self.prior_sensitive + self.new_sensitive

    def to_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "individuals": self.individuals,
            "sensitive": self.sensitive,
            "new_individuals": self.new_individuals,
            "new_sensitive": self.new_sensitive,
            "prior_individuals": self.prior_individuals,
            "prior_sensitive": self.prior_sensitive,
            "projected_individuals": self.projected_individuals,
            "projected_sensitive": self.projected_sensitive,
        }


@dataclass(frozen=True)
class Dataset:
    """What leaves: its categories after de-identification, and the counts."""

    categories: frozenset[str]
    personal: bool
    counts: Counts = Counts()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    route: Route
    accepted: tuple[str, ...]
    satisfied_by: Mechanism | None
    counted: bool
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCK)

    def codes(self, severity: Severity | None = None) -> list[str]:
        return [f.code for f in self.findings if severity in (None, f.severity)]


def counting_year(now: datetime, pack: PolicyPack) -> int:
    """The calendar year a transfer at `now` counts in, in the pack's time zone."""
    if now.tzinfo is None:
        raise ConfigError("counting_year needs a timezone-aware time")
    cross = pack.cross_border
    thresholds = cross.volume_thresholds if cross else None
    if thresholds is not None and thresholds.counting_period.value != "calendar_year":
        raise ConfigError(
            f"pack {pack.pack}: counting period "
            f"{thresholds.counting_period.value!r} is not supported"
        )
    return now.astimezone(ZoneInfo(pack.timezone)).year


def local_today(now: datetime, pack: PolicyPack) -> date:
    return now.astimezone(ZoneInfo(pack.timezone)).date()


def add_duration(day: date, duration: Duration, calendar: WorkingCalendar) -> date:
    """`day` plus a pack duration, by date (validity periods, filing windows)."""
    if duration.unit is Unit.CALENDAR_MONTHS:
        index = day.month - 1 + duration.amount
        year, month = day.year + index // 12, index % 12 + 1
        last = _stdlib_calendar.monthrange(year, month)[1]
        return date(year, month, min(day.day, last))
    if duration.unit is Unit.CALENDAR_DAYS:
        return day + timedelta(days=duration.amount)
    if duration.unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(day, duration.amount)
    return (
        datetime.combine(day, datetime.min.time(), UTC)
        + timedelta(hours=duration.amount)
    ).date()


class _Rules:
    """One decision's working state; `decide` is the public entry point."""

    def __init__(
        self,
        pack: PolicyPack,
        deployment: Deployment,
        recipient: Recipient,
        dataset: Dataset,
        today: date,
        calendar: WorkingCalendar,
    ) -> None:
        self.pack = pack
        self.deployment = deployment
        self.recipient = recipient
        self.dataset = dataset
        self.today = today
        self.calendar = calendar
        self.findings: list[Finding] = []

    def add(
        self, code: str, severity: Severity, citation: str, **params: str | int
    ) -> None:
        self.findings.append(Finding(code, severity, citation, params))

    def decide(self) -> Decision:
        self._register_checks()
        cross = self.pack.cross_border
        if cross is None:
            self.add(
                "route.no_rules",
                Severity.INFO,
                f"policy pack {self.pack.pack} {self.pack.version}",
                pack=self.pack.pack,
            )
            return self._done(Route.NO_RULES, (), None, counted=False)
        home = cross.home_countries.value if cross.home_countries else ()
        if self.recipient.country in home:
            assert cross.home_countries is not None
            self.add(
                "route.not_a_transfer",
                Severity.INFO,
                cross.home_countries.citation,
                country=self.recipient.country,
            )
            return self._done(Route.NOT_A_TRANSFER, (), None, counted=False)
        self._category_checks()
        important = sorted(self._flow_categories() & self.deployment.important_data)
        if not self.dataset.personal and not important:
            citation = cross.exemptions.citation if cross.exemptions else "—"
            self.add("exempt.no_personal_data", Severity.INFO, citation)
            return self._done(Route.EXEMPT, (), None, counted=False)
        if cross.volume_thresholds is None:
            route, counted = Route.MECHANISM, False
            accepted = tuple(cross.mechanisms.value)
            self.add(
                "route.mechanism",
                Severity.INFO,
                cross.mechanisms.citation,
                mechanisms=", ".join(accepted),
            )
            self._exemption_not_in_pack()
        else:
            route, counted = self._cn_route(important)
            accepted = ACCEPTED.get(route, ())
        satisfied = self._prerequisites(route, accepted)
        return self._done(route, accepted, satisfied, counted)

    # --- checks that hold whatever the route --------------------------------
    def _register_checks(self) -> None:
        recipient = self.recipient
        if recipient.status != "active":
            self.add(
                "recipient.inactive",
                Severity.BLOCK,
                REGISTER_CITATION,
                status=recipient.status,
            )
        agreement = recipient.agreement
        if agreement is not None and agreement.expires_on is not None:
            if self.today > agreement.expires_on:
                self.add(
                    "agreement.expired",
                    Severity.BLOCK,
                    self._agreement_citation(),
                    expired_on=agreement.expires_on.isoformat(),
                )

    def _flow_categories(self) -> frozenset[str]:
        return self.dataset.categories | self.recipient.categories

    def _category_checks(self) -> None:
        undeclared = sorted(self.dataset.categories - self.recipient.categories)
        if undeclared:
            self.add(
                "category.undeclared",
                Severity.BLOCK,
                CATEGORIES_CITATION,
                categories=", ".join(undeclared),
            )
        flow = self._flow_categories()
        configured = sorted(flow & self.deployment.localised)
        if configured:
            self.add(
                "localisation.category",
                Severity.BLOCK,
                LOCALISED_CITATION,
                categories=", ".join(configured),
            )
        sector = self.deployment.sector
        by_sector = sorted(
            (flow & SECTOR_LOCALISED.get(sector or "", frozenset()))
            - self.deployment.localised
        )
        if by_sector:
            self.add(
                "localisation.sector",
                Severity.BLOCK,
                SECTOR_CITATION,
                sector=sector or "",
                categories=", ".join(by_sector),
            )

    # --- the cn route: CAC Order 16 -----------------------------------------
    def _cn_route(self, important: list[str]) -> tuple[Route, bool]:
        cross = self.pack.cross_border
        assert cross is not None and cross.volume_thresholds is not None
        limits = cross.volume_thresholds
        exemption = self.recipient.exemption
        uncounted = cross.uncounted_exemptions
        purpose_exempt = uncounted is not None and exemption in uncounted.value
        reasons: list[tuple[_Level, str, str, dict[str, str | int]]] = []
        if important and limits.important_data_always_assessment.value:
            reasons.append(
                (
                    _Level.ASSESSMENT,
                    "route.important_data",
                    limits.important_data_always_assessment.citation,
                    {"categories": ", ".join(important)},
                )
            )
            if purpose_exempt:
                assert uncounted is not None and exemption is not None
                self.add(
                    "exempt.not_for_important_data",
                    Severity.INFO,
                    uncounted.citation,
                    exemption=exemption,
                )
        elif purpose_exempt:
            assert uncounted is not None and exemption is not None
            self.add(
                "exempt.purpose", Severity.INFO, uncounted.citation, exemption=exemption
            )
            if self.deployment.ciio:
                self.add("exempt.purpose_ciio", Severity.INFO, uncounted.citation)
            return Route.EXEMPT, False
        elif exemption is not None:
            self._exemption_not_in_pack()
        counts = self.dataset.counts
        people, sensitive = counts.projected_individuals, counts.projected_sensitive
        if self.deployment.ciio and limits.ciio_always_assessment.value:
            reasons.append(
                (
                    _Level.ASSESSMENT,
                    "route.ciio",
                    limits.ciio_always_assessment.citation,
                    {},
                )
            )
        at_least = limits.assessment_sensitive_at_least
        if sensitive >= at_least.value:
            reasons.append(
                (
                    _Level.ASSESSMENT,
                    "route.sensitive_assessment",
                    at_least.citation,
                    {"projected": sensitive, "threshold": at_least.value},
                )
            )
        at_least = limits.assessment_nonsensitive_at_least
        if people >= at_least.value:
            reasons.append(
                (
                    _Level.ASSESSMENT,
                    "route.volume_assessment",
                    at_least.citation,
                    {"projected": people, "threshold": at_least.value},
                )
            )
        allowance = limits.sensitive_free_allowance
        if sensitive > 0 and sensitive >= allowance.value:
            reasons.append(
                (
                    _Level.CONTRACT,
                    "route.sensitive_contract",
                    allowance.citation,
                    {"projected": sensitive, "allowance": allowance.value},
                )
            )
        below = limits.exempt_nonsensitive_below
        if people >= below.value:
            reasons.append(
                (
                    _Level.CONTRACT,
                    "route.volume_contract",
                    below.citation,
                    {"projected": people, "threshold": below.value},
                )
            )
        if not reasons:
            self.add(
                "exempt.below_threshold",
                Severity.INFO,
                below.citation,
                projected=people,
                threshold=below.value,
            )
            return Route.EXEMPT, True
        for _, code, citation, params in reasons:
            self.add(code, Severity.INFO, citation, **params)
        level = max(level for level, *_ in reasons)
        route = (
            Route.SECURITY_ASSESSMENT
            if level is _Level.ASSESSMENT
            else Route.CONTRACT_OR_CERTIFICATION
        )
        return route, True

    def _exemption_not_in_pack(self) -> None:
        exemption = self.recipient.exemption
        if exemption is not None:
            self.add(
                "exempt.not_in_pack",
                Severity.INFO,
                f"policy pack {self.pack.pack} {self.pack.version}",
                exemption=exemption,
            )

    # --- prerequisites of the route ------------------------------------------
    def _prerequisites(
        self, route: Route, accepted: tuple[str, ...]
    ) -> Mechanism | None:
        satisfied: Mechanism | None = None
        if accepted:
            satisfied = self._mechanism(route, accepted)
            kind = satisfied.kind if satisfied else accepted[0]
            if kind in self._agreement_kinds() and self.recipient.agreement is None:
                self.add(
                    "agreement.missing", Severity.BLOCK, self._agreement_citation()
                )
        self._pia()
        self._consent(route)
        return satisfied

    def _mechanism(self, route: Route, accepted: tuple[str, ...]) -> Mechanism | None:
        on_file = [m for m in self.recipient.mechanisms if m.kind in accepted]
        citation = self._route_citation(route)
        if not on_file:
            self.add(
                "mechanism.missing",
                Severity.BLOCK,
                citation,
                mechanisms=", ".join(accepted),
            )
            return None
        rank = {kind: -i for i, kind in enumerate(PREFERENCE)}
        current = [
            m for m in on_file if m.effective_on <= self.today and not self._expired(m)
        ]
        if not current:
            pending = [m for m in on_file if m.effective_on > self.today]
            if pending:
                first = min(pending, key=lambda m: m.effective_on)
                self.add(
                    "mechanism.not_yet_effective",
                    Severity.BLOCK,
                    citation,
                    mechanism=first.kind,
                    effective_on=first.effective_on.isoformat(),
                )
            else:
                last = max(on_file, key=lambda m: self._expiry(m) or date.max)
                expiry = self._expiry(last)
                self.add(
                    "mechanism.expired",
                    Severity.BLOCK,
                    self._validity_citation(last.kind) or citation,
                    mechanism=last.kind,
                    expired_on=expiry.isoformat() if expiry else "",
                )
            return None
        best = max(
            current,
            key=lambda m: (rank[m.kind], self._expiry(m) or date.max, m.effective_on),
        )
        if best.kind == "standard_contract" and not self._filing_ok(best):
            return None
        self._renewal(best)
        if best.kind == "art49_derogations":
            self.add("mechanism.derogation", Severity.WARN, DEROGATION_CITATION)
        return best

    def _expiry(self, mechanism: Mechanism) -> date | None:
        """Last valid day: the stated date, capped by the pack's validity."""
        cross = self.pack.cross_border
        validity = None
        if cross is not None:
            if mechanism.kind == "security_assessment":
                validity = cross.security_assessment_validity
            elif mechanism.kind == "certification":
                validity = cross.certification_validity
        limits = [mechanism.valid_until] if mechanism.valid_until else []
        if validity is not None:
            limits.append(
                add_duration(mechanism.effective_on, validity.value, self.calendar)
            )
        return min(limits) if limits else None

    def _expired(self, mechanism: Mechanism) -> bool:
        expiry = self._expiry(mechanism)
        return expiry is not None and self.today > expiry

    def _filing_ok(self, contract: Mechanism) -> bool:
        cross = self.pack.cross_border
        window = cross.standard_contract_filing_within if cross else None
        if window is None:
            return True
        due = add_duration(contract.effective_on, window.value, self.calendar)
        if contract.filed_on is None:
            if self.today > due:
                self.add(
                    "mechanism.not_filed",
                    Severity.BLOCK,
                    window.citation,
                    due_on=due.isoformat(),
                )
                return False
            self.add(
                "mechanism.filing_due",
                Severity.WARN,
                window.citation,
                due_on=due.isoformat(),
            )
        elif contract.filed_on > due:
            self.add(
                "mechanism.filed_late",
                Severity.WARN,
                window.citation,
                filed_on=contract.filed_on.isoformat(),
                due_on=due.isoformat(),
            )
        return True

    def _renewal(self, mechanism: Mechanism) -> None:
        cross = self.pack.cross_border
        window = cross.renewal_window_before_expiry if cross else None
        expiry = self._expiry(mechanism)
        if window is None or expiry is None:
            return
        if window.value.unit is Unit.WORKING_DAYS:
            left = self.calendar.working_days_between(self.today, expiry)
        else:
            left = (expiry - self.today).days
        if left <= window.value.amount:
            self.add(
                "mechanism.renewal_due",
                Severity.WARN,
                window.citation,
                mechanism=mechanism.kind,
                valid_until=expiry.isoformat(),
                left=left,
            )

    def _pia(self) -> None:
        pia = self.pack.pia
        if pia is None or "cross_border_transfer" not in pia.required_for.value:
            return
        done = self.recipient.pia_completed_on
        if done is None or done > self.today:
            self.add("pia.missing", Severity.BLOCK, pia.required_for.citation)

    def _consent(self, route: Route) -> None:
        cross = self.pack.cross_border
        assert cross is not None
        rule = cross.separate_consent_required
        if not rule.value or self.recipient.separate_consent:
            return
        if route is Route.EXEMPT and self._purpose_exempt():
            # PIPL Art. 13(1)(2)-(4): contract, HR and emergencies need no
            # consent; Art. 39 still requires telling the individual.
            self.add(
                "consent.inform_only", Severity.WARN, f"{rule.citation}; PIPL Art. 13"
            )
            return
        self.add("consent.missing", Severity.BLOCK, rule.citation)

    def _purpose_exempt(self) -> bool:
        cross = self.pack.cross_border
        uncounted = cross.uncounted_exemptions if cross else None
        return uncounted is not None and self.recipient.exemption in uncounted.value

    # --- citations --------------------------------------------------------
    def _agreement_kinds(self) -> tuple[str, ...]:
        cross = self.pack.cross_border
        required = cross.agreement_required_for if cross else None
        return tuple(required.value) if required else ()

    def _agreement_citation(self) -> str:
        cross = self.pack.cross_border
        required = cross.agreement_required_for if cross else None
        return required.citation if required else REGISTER_CITATION

    def _route_citation(self, route: Route) -> str:
        cross = self.pack.cross_border
        assert cross is not None
        limits = cross.volume_thresholds
        if limits is not None and route is Route.SECURITY_ASSESSMENT:
            return limits.assessment_nonsensitive_at_least.citation
        if limits is not None and route is Route.CONTRACT_OR_CERTIFICATION:
            return limits.sensitive_free_allowance.citation
        return cross.mechanisms.citation

    def _validity_citation(self, kind: str) -> str | None:
        cross = self.pack.cross_border
        if cross is None:
            return None
        if kind == "security_assessment" and cross.security_assessment_validity:
            return cross.security_assessment_validity.citation
        if kind == "certification" and cross.certification_validity:
            return cross.certification_validity.citation
        return None

    def _done(
        self,
        route: Route,
        accepted: tuple[str, ...],
        satisfied: Mechanism | None,
        counted: bool,
    ) -> Decision:
        findings = tuple(self.findings)
        allowed = not any(f.severity is Severity.BLOCK for f in findings)
        return Decision(allowed, route, accepted, satisfied, counted, findings)


def decide(
    pack: PolicyPack,
    deployment: Deployment,
    recipient: Recipient,
    dataset: Dataset,
    today: date,
    calendar: WorkingCalendar | None = None,
) -> Decision:
    """Which route the flow needs, whether the register satisfies it, and why.

    `today` is the date in the pack's time zone (`local_today`); `dataset`
    counts must be those of `counting_year` for the same moment.
    """
    cal = calendar if calendar is not None else load_calendar(pack.working_calendar)
    return _Rules(pack, deployment, recipient, dataset, today, cal).decide()


__all__ = [
    "ACCEPTED",
    "CATEGORY_OF_LABEL",
    "EXEMPTIONS",
    "MECHANISMS",
    "OTHER_PERSONAL",
    "SECTOR_LOCALISED",
    "STATUSES",
    "Agreement",
    "Counts",
    "Dataset",
    "Decision",
    "Deployment",
    "Finding",
    "Mechanism",
    "Recipient",
    "Route",
    "Severity",
    "add_duration",
    "category_of",
    "counting_year",
    "decide",
    "local_today",
]
