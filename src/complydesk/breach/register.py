"""The breach register: incidents, who is affected where, and the notice clocks.

Recording an incident computes the affected subjects from the data inventory
(which customers had data in the affected categories of complydesk when the
breach was detected) and from the external systems it names (counted through
SQL connectors, or the operator's audited estimate: complydesk.breach.external),
groups them by jurisdiction, and starts every clock
`complydesk.obligations.breach_obligations` finds in each jurisdiction's pack
(GDPR 72 hours to the authority; California 30 days to residents and, above
500 residents, the Attorney General 15 days after; PIPL "立即" with the CAC
incident report in 1, 2 or 4 hours). Whether a notice is owed at all follows
the pack too (GDPR: authority only if there is a risk, people only if it is
high). The register stores ids, counts and categories, never personal data:
descriptions that look like they hold some are refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.breach import external
from complydesk.breach.external import SystemCount
from complydesk.deadlines import DeadlineClock, Status
from complydesk.errors import ComplydeskError, Conflict, InvalidInput, NotFound
from complydesk.obligations import breach_obligations, start_clock
from complydesk.pii.detect import Detector
from complydesk.policy import PolicyPack, load_pack
from complydesk.rights.common import aware, clean_text, new_ref, record
from complydesk.rights.connectors import Connector, ConnectorError
from complydesk.settings import Settings
from complydesk.store.models import (
    BreachIncident,
    BreachNotification,
    Conversation,
    Customer,
    Message,
    SubjectRequest,
    Ticket,
)
from complydesk.store.personal import personal_fields
from complydesk.vault import Vault

RISKS: Final = ("unlikely", "risk", "high")
OPERATOR_KINDS: Final = ("ciio", "state_organs", "other_operators")
CATEGORIES: Final = (
    "customer_profile",
    "support_tickets",
    "conversations",
    "rights_requests",
)
LOCAL_SYSTEM: Final = "complydesk"
AG_KEY: Final = "breach.attorney_general"
INDIVIDUALS_KEY: Final = "breach.individuals_deadline"
OPEN: Final = "open"
CLOSED: Final = "closed"


@dataclass(frozen=True)
class ClockView:
    jurisdiction: str
    obligation: str
    required: bool
    reason: str | None
    due_at: datetime | None
    status: str
    seconds_left: int | None
    citation: str
    confidence: str
    note: str | None
    notified_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.status == Status.OVERDUE.value


def _sealed_rows(model: type[Any]) -> Any:
    return or_(
        *(
            getattr(model, f.sealed).is_not(None)
            for f in personal_fields(model).values()
        )
    )


def _local_ids(
    session: Session, categories: Iterable[str], detected_at: datetime
) -> set[int]:
    """Customers with data in the categories of complydesk when it was detected."""
    ids: set[int] = set()
    for category in categories:
        if category == "customer_profile":
            stmt: Any = select(Customer.id).where(_sealed_rows(Customer))
        elif category == "support_tickets":
            stmt = select(Ticket.customer_id).where(_sealed_rows(Ticket))
        elif category == "conversations":
            stmt = (
                select(Conversation.customer_id)
                .join(Message, Message.conversation_id == Conversation.id)
                .where(_sealed_rows(Message))
            )
        else:
            stmt = select(SubjectRequest.customer_id).where(
                _sealed_rows(SubjectRequest)
            )
        ids.update(int(i) for i in session.scalars(stmt.distinct()))
    if not ids:
        return set()
    return {
        int(i)
        for i in session.scalars(
            select(Customer.id).where(
                Customer.id.in_(ids), Customer.created_at <= detected_at
            )
        )
    }


def _by_pack(session: Session, settings: Settings, ids: set[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        for jurisdiction in session.scalars(
            select(Customer.jurisdiction).where(
                Customer.id.in_(ordered[start : start + 1000])
            )
        ):
            counts[jurisdiction or settings.default_pack] += 1
    return counts


def affected_subjects(
    session: Session,
    settings: Settings,
    categories: Iterable[str],
    detected_at: datetime,
) -> dict[str, int]:
    """Jurisdiction (pack) -> customers with data in the categories at detection."""
    ids = _local_ids(session, categories, detected_at)
    return dict(sorted(_by_pack(session, settings, ids).items()))


def _estimates(
    settings: Settings,
    systems: list[str],
    needed: list[str],
    given: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, int]]:
    """The operator's estimates, checked: each uncountable system needs one."""
    unknown = sorted(set(given) - set(systems))
    if unknown:
        raise InvalidInput(
            "external_estimates may only name systems of this incident "
            f"(not {', '.join(unknown)[:100]})"
        )
    missing = [s for s in needed if s not in given]
    if missing:
        raise InvalidInput(
            f"{', '.join(missing)[:100]} cannot be counted from complydesk: give "
            "external_estimates for each (subjects per jurisdiction; {} if none)"
        )
    out: dict[str, dict[str, int]] = {}
    for system, by_pack in given.items():
        if not isinstance(by_pack, Mapping):
            raise InvalidInput("external_estimates maps a system to counts per pack")
        for jurisdiction, count in by_pack.items():
            load_pack(jurisdiction, settings.policy_dir)  # PolicyError names packs
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InvalidInput("estimated counts must be whole numbers >= 0")
        out[system] = {k: v for k, v in by_pack.items() if v > 0}
    return out


def count_affected(
    session: Session,
    settings: Settings,
    vault: Vault | None,
    connectors: list[Connector],
    *,
    systems: list[str],
    categories: list[str],
    detected_at: datetime,
    extra_affected: Mapping[str, int],
    external_estimates: Mapping[str, Mapping[str, int]],
) -> tuple[dict[str, int], list[SystemCount]]:
    """Affected subjects per pack over every named system, and how each was found.

    complydesk's inventory and SQL connectors are counted and merged (one
    person in both counts once); other systems need the operator's estimate.
    """
    counted, needed = external.split(systems, connectors, LOCAL_SYSTEM)
    estimates = _estimates(settings, systems, needed, external_estimates)
    for jurisdiction, count in extra_affected.items():
        load_pack(jurisdiction, settings.policy_dir)
        if not isinstance(count, int) or count < 0:
            raise InvalidInput("extra_affected counts must be whole numbers >= 0")
    sources: list[SystemCount] = []
    ids: set[int] = set()
    if LOCAL_SYSTEM in systems:
        ids = _local_ids(session, categories, detected_at)
        sources.append(
            SystemCount(
                LOCAL_SYSTEM,
                "inventory",
                len(ids),
                by_pack=dict(_by_pack(session, settings, ids)),
            )
        )
    totals: Counter[str] = Counter()
    for connector in counted:
        try:
            if vault is None:
                raise ConnectorError(f"{connector.name}: no_vault")
            matched, found = external.count_connector(session, vault, connector)
        except ComplydeskError as exc:
            fallback = estimates.get(connector.name)
            sources.append(
                SystemCount(
                    connector.name,
                    "estimate" if fallback is not None else "failed",
                    sum((fallback or {}).values()),
                    note=f"counting failed ({exc.detail[:80]})",
                    by_pack=dict(fallback or {}),
                )
            )
            totals.update(fallback or {})
            continue
        ids |= matched
        if found.unmatched:
            found.by_pack = {settings.default_pack: found.unmatched}
            found.note = (
                found.note + "; " if found.note else ""
            ) + f"unknown people counted under {settings.default_pack}"
            totals[settings.default_pack] += found.unmatched
        sources.append(found)
    for system in needed:
        by_pack = estimates[system]
        sources.append(
            SystemCount(system, "estimate", sum(by_pack.values()), by_pack=by_pack)
        )
        totals.update(by_pack)
    if extra_affected:
        extra = {k: v for k, v in extra_affected.items() if v > 0}
        sources.append(
            SystemCount("other", "estimate", sum(extra.values()), by_pack=extra)
        )
        totals.update(extra)
    totals.update(_by_pack(session, settings, ids))
    affected = {k: v for k, v in sorted(totals.items()) if v > 0}
    return affected, sources


def _applies(
    pack: PolicyPack, key: str, incident: BreachIncident, count: int
) -> tuple[bool, str | None]:
    """Whether this notice is owed for this incident under `pack`, and why not."""
    breach = pack.breach
    kind = key.rsplit(".", 1)[-1]
    if key == "breach.authority_deadline":
        rule = breach.authority_notice_requires_risk
        if rule.value and incident.risk == "unlikely":
            return False, f"not owed when a risk is unlikely ({rule.citation})"
    elif key == INDIVIDUALS_KEY:
        rule = breach.individuals_notice_requires_high_risk
        if rule.value and incident.risk != "high":
            return False, f"owed only for a high risk ({rule.citation})"
    elif key == "breach.public_interest_report_deadline":
        if not incident.public_interest:
            return (
                False,
                "only where national security or the public interest is at risk",
            )
    elif key.startswith("breach.incident_reporting."):
        if kind != incident.operator_kind:
            return False, f"applies to {kind}, not {incident.operator_kind}"
    elif key == AG_KEY and breach.attorney_general is not None:
        limit = breach.attorney_general.residents_over.value
        if count <= limit:
            return False, f"only when more than {limit} residents are affected"
    return True, None


def _stored(
    key: str,
    clock: DeadlineClock | None,
    citation: str,
    confidence: str,
    note: str | None,
    required: bool,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "obligation": key,
        "clock": clock.to_dict() if clock else None,
        "citation": citation,
        "confidence": confidence,
        "note": note,
        "required": required,
        "reason": reason,
    }


def start_clocks(
    incident: BreachIncident, settings: Settings
) -> dict[str, list[dict[str, Any]]]:
    """Every notice clock per affected jurisdiction, with whether it is owed."""
    out: dict[str, list[dict[str, Any]]] = {}
    for jurisdiction, count in incident.affected.items():
        pack = load_pack(jurisdiction, settings.policy_dir)
        entries = []
        for item in breach_obligations(pack, incident.aware_at):
            required, reason = _applies(pack, item.key, incident, count)
            entries.append(
                _stored(
                    item.key,
                    item.clock,
                    item.citation,
                    item.confidence,
                    item.note,
                    required,
                    reason,
                )
            )
        ag = pack.breach.attorney_general
        if ag is not None:
            required, reason = _applies(pack, AG_KEY, incident, count)
            entries.append(
                _stored(
                    AG_KEY,
                    None,  # starts when the residents are notified
                    ag.within_after_individual_notice.citation,
                    ag.within_after_individual_notice.confidence.value,
                    "Starts when the residents' notice goes out.",
                    required,
                    reason,
                )
            )
        out[jurisdiction] = entries
    return out


def create_incident(
    session: Session,
    audit: AuditLog,
    settings: Settings,
    detector: Detector,
    actor: str,
    *,
    title: str,
    description: str,
    detected_at: datetime,
    aware_at: datetime,
    systems: list[str],
    categories: list[str],
    risk: str,
    consequences: str = "",
    measures: str = "",
    contact_point: str,
    operator_kind: str = "other_operators",
    public_interest: bool = False,
    extra_affected: dict[str, int] | None = None,
    external_estimates: Mapping[str, Mapping[str, int]] | None = None,
    vault: Vault | None = None,
    connectors: list[Connector] | None = None,
) -> BreachIncident:
    """Record an incident, count who is affected where, start the clocks."""
    incident, _ = record_incident(
        session,
        audit,
        settings,
        detector,
        actor,
        title=title,
        description=description,
        detected_at=detected_at,
        aware_at=aware_at,
        systems=systems,
        categories=categories,
        risk=risk,
        consequences=consequences,
        measures=measures,
        contact_point=contact_point,
        operator_kind=operator_kind,
        public_interest=public_interest,
        extra_affected=extra_affected,
        external_estimates=external_estimates,
        vault=vault,
        connectors=connectors,
    )
    return incident


def record_incident(
    session: Session,
    audit: AuditLog,
    settings: Settings,
    detector: Detector,
    actor: str,
    *,
    title: str,
    description: str,
    detected_at: datetime,
    aware_at: datetime,
    systems: list[str],
    categories: list[str],
    risk: str,
    consequences: str = "",
    measures: str = "",
    contact_point: str,
    operator_kind: str = "other_operators",
    public_interest: bool = False,
    extra_affected: Mapping[str, int] | None = None,
    external_estimates: Mapping[str, Mapping[str, int]] | None = None,
    vault: Vault | None = None,
    connectors: list[Connector] | None = None,
) -> tuple[BreachIncident, list[SystemCount]]:
    """`create_incident`, also answering how each system's count was found."""
    now = audit.clock()
    detected_at = aware(detected_at, "detected_at")
    aware_at = aware(aware_at, "aware_at")
    if aware_at < detected_at:
        raise InvalidInput("aware_at must not be before detected_at")
    if aware_at > now:
        raise InvalidInput("aware_at must not be in the future")
    if risk not in RISKS:
        raise InvalidInput(f"risk must be one of {', '.join(RISKS)}")
    if operator_kind not in OPERATOR_KINDS:
        raise InvalidInput(f"operator_kind must be one of {', '.join(OPERATOR_KINDS)}")
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown or not categories:
        raise InvalidInput(f"categories must be some of {', '.join(CATEGORIES)}")
    if not systems or any(
        not s.replace("-", "").replace("_", "").isalnum() or len(s) > 64
        for s in systems
    ):
        raise InvalidInput("systems must be ids such as complydesk or crm")
    texts = {
        "title": clean_text(title, "title", max_chars=200, detector=detector),
        "description": clean_text(
            description, "description", max_chars=4000, detector=detector
        ),
        "consequences": clean_text(
            consequences, "consequences", max_chars=2000, min_chars=0, detector=detector
        ),
        "measures": clean_text(
            measures, "measures", max_chars=2000, min_chars=0, detector=detector
        ),
        "contact_point": clean_text(contact_point, "contact_point", max_chars=300),
    }
    affected, sources = count_affected(
        session,
        settings,
        vault,
        connectors or [],
        systems=systems,
        categories=categories,
        detected_at=detected_at,
        extra_affected=extra_affected or {},
        external_estimates=external_estimates or {},
    )
    incident = BreachIncident(
        ref=new_ref("B"),
        detected_at=detected_at,
        aware_at=aware_at,
        recorded_at=now,
        recorded_by=actor,
        systems=sorted(set(systems)),
        categories=sorted(set(categories)),
        risk=risk,
        operator_kind=operator_kind,
        public_interest=public_interest,
        affected=affected,
        alerts={},
        status=OPEN,
        **texts,
    )
    incident.clocks = start_clocks(incident, settings)
    session.add(incident)
    session.flush()
    record(
        session,
        audit,
        actor,
        "breach.record",
        "breach_incidents",
        incident.id,
        details={
            "jurisdictions": ",".join(affected),
            "subjects": sum(affected.values()),
            "risk": risk,
            **{f"source.{c.system}"[:64]: c.summary() for c in sources},
        },
    )
    return incident, sources


def get_incident(session: Session, incident_id: int) -> BreachIncident:
    incident = session.get(BreachIncident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return incident


def find_incident(session: Session, ref: str) -> BreachIncident:
    incident = session.scalar(select(BreachIncident).where(BreachIncident.ref == ref))
    if incident is None:
        raise NotFound("no incident with this reference")
    return incident


def _notified(session: Session, incident_id: int) -> dict[tuple[str, str], datetime]:
    rows = session.scalars(
        select(BreachNotification).where(BreachNotification.incident_id == incident_id)
    )
    return {(n.jurisdiction, n.obligation): n.sent_at for n in rows}


def views(session: Session, incident: BreachIncident, now: datetime) -> list[ClockView]:
    """Every clock as of `now`, soonest first; notices already sent count as met."""
    sent = _notified(session, incident.id)
    out = []
    for jurisdiction, entries in incident.clocks.items():
        for entry in entries:
            clock = DeadlineClock.from_dict(entry["clock"]) if entry["clock"] else None
            key = entry["obligation"]
            if not entry["required"]:
                status = "not_required"
            elif clock is None:
                status = "met" if (jurisdiction, key) in sent else "no_fixed_deadline"
            else:
                status = clock.status(now).value
            out.append(
                ClockView(
                    jurisdiction=jurisdiction,
                    obligation=key,
                    required=entry["required"],
                    reason=entry["reason"],
                    due_at=clock.due_at() if clock else None,
                    status=status,
                    seconds_left=int(clock.time_left(now).total_seconds())
                    if clock and entry["required"]
                    else None,
                    citation=entry["citation"],
                    confidence=entry["confidence"],
                    note=entry["note"],
                    notified_at=sent.get((jurisdiction, key)),
                )
            )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(out, key=lambda v: (not v.required, v.due_at or far, v.jurisdiction))


def record_notification(
    session: Session,
    audit: AuditLog,
    settings: Settings,
    actor: str,
    incident: BreachIncident,
    *,
    jurisdiction: str,
    obligation: str,
    sent_at: datetime,
    reference: str | None = None,
    late_reason: str | None = None,
) -> BreachNotification:
    """Record that a notice went out; a late one needs reasons where the pack says."""
    sent_at = aware(sent_at, "sent_at")
    if sent_at > audit.clock():
        raise InvalidInput("sent_at must not be in the future")
    entries = incident.clocks.get(jurisdiction)
    if entries is None:
        raise InvalidInput(
            f"jurisdiction must be one of {', '.join(incident.clocks) or 'none'}"
        )
    entry = next((e for e in entries if e["obligation"] == obligation), None)
    if entry is None:
        raise InvalidInput(
            "obligation must be one of " + ", ".join(e["obligation"] for e in entries)
        )
    if (jurisdiction, obligation) in _notified(session, incident.id):
        raise Conflict(
            f"the {obligation} notice for {jurisdiction} is already recorded"
        )
    if sent_at < incident.aware_at:
        raise InvalidInput("sent_at must not be before aware_at")
    clock = DeadlineClock.from_dict(entry["clock"]) if entry["clock"] else None
    on_time = None if clock is None else sent_at <= clock.due_at()
    pack = load_pack(jurisdiction, settings.policy_dir)
    reasons = None
    if late_reason is not None and late_reason.strip():
        reasons = clean_text(late_reason, "late_reason", max_chars=500)
    if (
        on_time is False
        and pack.breach.late_notice_requires_reasons is not None
        and pack.breach.late_notice_requires_reasons.value
        and not reasons
    ):
        raise InvalidInput(
            "this notice is late: give the reasons for the delay "
            f"({pack.breach.late_notice_requires_reasons.citation})"
        )
    notification = BreachNotification(
        incident_id=incident.id,
        jurisdiction=jurisdiction,
        obligation=obligation,
        sent_at=sent_at,
        recorded_by=actor,
        reference=clean_text(reference, "reference", max_chars=200)
        if reference
        else None,
        late_reason=reasons,
        on_time=on_time,
    )
    session.add(notification)
    clocks = {k: [dict(e) for e in v] for k, v in incident.clocks.items()}
    for stored in clocks[jurisdiction]:
        if stored["obligation"] == obligation and clock is not None:
            stored["clock"] = clock.complete(sent_at).to_dict()
        if (
            obligation == INDIVIDUALS_KEY
            and stored["obligation"] == AG_KEY
            and pack.breach.attorney_general is not None
        ):
            stored["clock"] = start_clock(
                pack,
                pack.breach.attorney_general.within_after_individual_notice.value,
                sent_at,
            ).to_dict()
    incident.clocks = clocks
    session.flush()
    record(
        session,
        audit,
        actor,
        "breach.notified",
        "breach_incidents",
        incident.id,
        details={
            "jurisdiction": jurisdiction,
            "obligation": obligation,
            "on_time": on_time,
        },
    )
    return notification


def close_incident(
    session: Session, audit: AuditLog, actor: str, incident: BreachIncident
) -> BreachIncident:
    """Close once every notice owed under the packs has been recorded."""
    if incident.status == CLOSED:
        raise Conflict(f"incident {incident.ref} is already closed")
    now = audit.clock()
    missing = [
        f"{v.jurisdiction}:{v.obligation}"
        for v in views(session, incident, now)
        if v.required and v.notified_at is None
    ]
    if missing:
        raise Conflict("notices still owed: " + ", ".join(missing))
    incident.status = CLOSED
    incident.closed_at = now
    record(session, audit, actor, "breach.close", "breach_incidents", incident.id)
    return incident


def list_incidents(session: Session, status: str = OPEN) -> list[BreachIncident]:
    if status not in (OPEN, CLOSED, "all"):
        raise InvalidInput("status must be open, closed or all")
    stmt = select(BreachIncident).order_by(BreachIncident.aware_at.desc())
    if status != "all":
        stmt = stmt.where(BreachIncident.status == status)
    return list(session.scalars(stmt))
