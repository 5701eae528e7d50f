"""The gate: the one check every outbound flow passes, batch or live.

`evaluate` applies `rules.decide` to a recipient's register state and a
dataset summary; `transfer assess` and `transfer export` call it with the
scanned file, live flows (outbound webhooks, the assistant's external
model endpoint) call `check_flow` with the register facts and this year's
counts so far. A live flow to a receiver outside the deployment's country is
refused unless its registered recipient passes; once it went, live.py adds
its individual to the year's counters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditEvent, AuditLog
from complydesk.clock import Clock
from complydesk.errors import InvalidInput, NotFound
from complydesk.pii.detect import default_detector
from complydesk.policy import PolicyPack, available_packs, load_pack
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models.transfer import TransferAgreement, TransferRecipient
from complydesk.transfer import registry, rules
from complydesk.transfer.counting import YearRegister
from complydesk.transfer.profile import DEFAULT_PROFILE, Profile, parse_profile
from complydesk.transfer.rules import Counts, Decision, Finding, Severity
from complydesk.transfer.stream import StreamSummary


def deployment_of(settings: Settings) -> rules.Deployment:
    return rules.Deployment(
        ciio=settings.transfer_ciio,
        sector=settings.transfer_sector,
        important_data=frozenset(settings.transfer_important_data),
        localised=frozenset(settings.transfer_localised_categories),
    )


@dataclass
class Context:
    """Everything a decision reads, loaded once at the start of a run."""

    settings: Settings
    pack: PolicyPack
    deployment: rules.Deployment
    recipient: TransferRecipient
    state: rules.Recipient
    agreement: TransferAgreement | None
    profile: Profile
    profile_source: str  # "agreement" or "default"
    now: datetime
    year: int
    today: date

    @property
    def jurisdiction(self) -> str:
        return self.pack.pack


def load_context(
    session: Session,
    settings: Settings,
    recipient_ref: str,
    now: datetime,
    jurisdiction: str | None = None,
) -> Context:
    recipient = registry.get_recipient(session, recipient_ref)
    name = jurisdiction or settings.default_pack
    known = available_packs(settings.policy_dir)
    if name not in known:
        raise InvalidInput(f"unknown jurisdiction {name}; packs: {', '.join(known)}")
    pack = load_pack(name, settings.policy_dir)
    agreement = registry.current_agreement(session, recipient)
    profile, source = DEFAULT_PROFILE, "default"
    if agreement is not None and agreement.profile is not None:
        profile, source = parse_profile(agreement.profile), "agreement"
    return Context(
        settings=settings,
        pack=pack,
        deployment=deployment_of(settings),
        recipient=recipient,
        state=registry.state_of(session, recipient),
        agreement=agreement,
        profile=profile,
        profile_source=source,
        now=now,
        year=rules.counting_year(now, pack),
        today=rules.local_today(now, pack),
    )


def safe_column(name: str) -> str:
    """A column name safe to show: names that look like personal data are hidden."""
    short = " ".join(name.split())[:64]
    if default_detector().detect(short):
        return "[column name withheld]"
    return short


def evaluate(ctx: Context, summary: StreamSummary | None, counts: Counts) -> Decision:
    """The rules applied to this run's dataset (None: registry facts only)."""
    dataset = rules.Dataset(
        categories=summary.categories if summary else frozenset(),
        personal=summary.personal if summary else True,
        counts=counts,
    )
    decision = rules.decide(ctx.pack, ctx.deployment, ctx.state, dataset, ctx.today)
    extra: list[Finding] = []
    if summary is not None:
        for column, labels in sorted(summary.kept.items()):
            extra.append(
                Finding(
                    "profile.kept_personal",
                    Severity.WARN,
                    "de-identification profile of the agreement",
                    {
                        "column": safe_column(column),
                        "labels": ", ".join(sorted(labels)),
                    },
                )
            )
        if ctx.profile_source == "default":
            extra.append(
                Finding(
                    "profile.default",
                    Severity.INFO,
                    "no profile in the agreement: every column scanned, every "
                    "finding masked",
                )
            )
    if not extra:
        return decision
    return rules.Decision(
        decision.allowed,
        decision.route,
        decision.accepted,
        decision.satisfied_by,
        decision.counted,
        decision.findings + tuple(extra),
    )


def check_recipient(
    session: Session,
    settings: Settings,
    recipient: str,
    now: datetime,
    jurisdiction: str | None = None,
) -> tuple[Context, Decision]:
    """The register-only decision for a live flow: this year's counts so far,
    the recipient's declared categories; nothing is counted or recorded."""
    ctx = load_context(session, settings, recipient, now, jurisdiction)
    register = YearRegister.read(session, ctx.jurisdiction, ctx.year)
    counts = Counts(
        prior_individuals=register.individuals, prior_sensitive=register.sensitive
    )
    return ctx, evaluate(ctx, None, counts)


@dataclass(frozen=True)
class GateResult:
    """A live flow's answer: `reason` is a short code safe for logs and rows."""

    allowed: bool
    reason: str | None = None
    recipient: str | None = None
    blocking: tuple[str, ...] = ()


def check_flow(
    session: Session,
    settings: Settings,
    *,
    country: str | None,
    recipient: str | None,
    now: datetime,
    jurisdiction: str | None = None,
) -> GateResult:
    """May a live flow go to a receiver in `country`, registered as `recipient`?"""
    home = settings.country
    if country is None or country == home:
        return GateResult(True)
    if home is None:
        return GateResult(False, "transfer_country_not_set")
    if recipient is None:
        return GateResult(False, "transfer_recipient_missing")
    try:
        ctx, decision = check_recipient(session, settings, recipient, now, jurisdiction)
    except NotFound:
        return GateResult(False, "transfer_recipient_unknown", recipient)
    if ctx.recipient.country != country:
        return GateResult(False, "transfer_country_mismatch", recipient)
    if not decision.allowed:
        codes = tuple(f.code for f in decision.blocking)
        return GateResult(False, "transfer_blocked", recipient, codes)
    return GateResult(True, None, recipient)


class EndpointLike:
    """What the webhook gate reads from an endpoint (notify.webhooks.Endpoint)."""

    name: str
    country: str | None
    transfer_recipient: str | None


def webhook_gate(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    audit: AuditLog | None = None,
) -> Callable[[Any], str | None]:
    """A check for `notify.deliver`: None lets the delivery go, else a reason.

    Answers are cached for the gate's life (one delivery round), so a round
    of many messages to one receiver costs one register read; a refusal is
    audited once per round and endpoint.
    """
    answers: dict[str, GateResult] = {}

    def check(endpoint: Any) -> str | None:
        country = getattr(endpoint, "country", None)
        if country is None or country == settings.country:
            return None
        name = str(endpoint.name)
        if name not in answers:
            with read_transaction(sessions) as session:
                result = check_flow(
                    session,
                    settings,
                    country=country,
                    recipient=getattr(endpoint, "transfer_recipient", None),
                    now=clock(),
                )
            answers[name] = result
            if not result.allowed and audit is not None:
                with transaction(sessions) as session:
                    audit.record(
                        session,
                        AuditEvent(
                            actor="system",
                            action="transfer.live.refused",
                            object_type="webhook_endpoint",
                            object_id=name[:120],
                            outcome="refused",
                            reason=result.reason or "",
                            details={
                                "country": country,
                                "recipient": result.recipient,
                                "blocking": list(result.blocking)[:10],
                            },
                        ),
                    )
        return answers[name].reason

    return check


__all__ = [
    "Context",
    "GateResult",
    "check_flow",
    "check_recipient",
    "deployment_of",
    "evaluate",
    "load_context",
    "safe_column",
    "webhook_gate",
]
