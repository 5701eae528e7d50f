"""The compliance dashboard: every legal clock and register on one page.

A compliance officer should see at a glance what is late or about to be:
data-subject requests by deadline, breach notice clocks per jurisdiction,
SLA breaches, speech-check violations by rule and agent, fairness screening,
the transfer register and the audit chain. Each section is a thin read over
the same domain functions the API uses, and is shown only to a role that may
read that register through the API too (an auditor sees no ticket SLA list).
Nothing here holds personal data: ids, refs, counts, rule ids, staff names.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.api.deps import AppContext, ContextDep
from complydesk.audit import verify_chain
from complydesk.breach import register as breach
from complydesk.desk import escalation
from complydesk.errors import ComplydeskError, InvalidInput
from complydesk.identity import Permission, Principal
from complydesk.policy import available_packs, load_pack
from complydesk.rights import requests as rq
from complydesk.store.db import read_transaction
from complydesk.store.models import AuditEntry, TransferRecipient
from complydesk.transfer import registry
from complydesk.transfer.assessment import list_assessments
from complydesk.transfer.gate import check_recipient
from complydesk.transfer.rules import Severity
from complydesk.web.charts import Bar, duration_text, hbars, progress
from complydesk.web.i18n import pick_lang, translator
from complydesk.web.pages import LANG_COOKIE, PagePrincipal, render, require_page

router: APIRouter = APIRouter(include_in_schema=False)

P = Permission
SECTIONS: Final = {
    "dsr": P.RIGHTS_READ,
    "breach": P.BREACH_READ,
    "sla": P.TICKETS_READ,
    "speech": P.AUDIT_READ,
    "fairness": P.AI_FAIRNESS,
    "transfer": P.TRANSFER_READ,
    "audit": P.AUDIT_VERIFY,
}
# Audit actions that carry speech-check rule ids (see desk.replies,
# api.routes.speech, assistant.conversation).
SPEECH_ACTIONS: Final = (
    "reply.check",
    "reply.override",
    "speech.check",
    "ai.reply.blocked",
)
# Display windows, not legal figures: how far back violations are counted and
# when an agreement's expiry is flagged for renewal work.
SPEECH_DAYS: Final = (7, 30, 90)
EXPIRING_DAYS: Final = 90
BY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*){0,3}$")
DSR_BUCKETS: Final = ("overdue", "d3", "d7", "d30", "later", "paused")


@dataclass(frozen=True)
class AgentRow:
    """One staff member's (or the assistant's) speech-check outcomes."""

    agent: str
    warn: int
    block: int
    override: int
    rules: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.warn + self.block + self.override


@dataclass
class Dashboard:
    """What the template shows; a section left None is not shown."""

    now: datetime
    lang: str
    pack: str
    packs: list[str]
    by: str
    days: int
    dsr: dict[str, Any] | None = None
    breach: dict[str, Any] | None = None
    sla: dict[str, Any] | None = None
    speech: dict[str, Any] | None = None
    fairness: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    audit: dict[str, Any] | None = None
    tiles: list[dict[str, Any]] = field(default_factory=list)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _left(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return "—"
    text = duration_text(seconds, lang)
    return text if seconds >= 0 else _t(lang, f"已逾期 {text}", f"{text} overdue")


def dsr_section(session: Session, now: datetime, lang: str) -> dict[str, Any]:
    """Open requests soonest first; overdue ones flagged, paused ones apart."""
    rows = []
    buckets: Counter[str] = Counter()
    for request in rq.list_requests(session, now, "open", limit=1000):
        clock = rq.clock_of(request)
        state = rq.response_status(request, now)
        seconds = int(clock.time_left(now).total_seconds()) if clock else None
        due = clock.due_at(now) if clock else None
        if state == "overdue":
            bucket = "overdue"
        elif state == "paused" or seconds is None:
            bucket = "paused"
        else:
            days = seconds / 86400
            bucket = (
                "d3"
                if days <= 3
                else "d7"
                if days <= 7
                else "d30"
                if days <= 30
                else "later"
            )
        buckets[bucket] += 1
        rows.append(
            {
                "ref": request.ref,
                "type": request.type,
                "pack": request.pack,
                "status": request.status,
                "state": state,
                "received_at": request.received_at,
                "due_at": due,
                "seconds_left": seconds,
                "left": _left(seconds, lang),
                "overdue": state == "overdue",
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], r["due_at"] is None, r["due_at"] or now))
    t = translator(lang)
    tones = {"overdue": "bad", "d3": "warn", "paused": "muted"}
    bars = [
        Bar(t[f"dash_b_{b}"], buckets[b], tones.get(b, "info")) for b in DSR_BUCKETS
    ]
    chart = hbars(bars, name=t["dash_dsr"]) if rows else None
    return {"rows": rows[:100], "total": len(rows), "buckets": buckets, "chart": chart}


def breach_section(session: Session, now: datetime, lang: str) -> dict[str, Any]:
    """Every owed notice of every open incident, with the time left on it."""
    incidents = []
    owed = overdue = 0
    for incident in breach.list_incidents(session, breach.OPEN):
        clocks = []
        for view in breach.views(session, incident, now):
            if not view.required or view.notified_at is not None:
                continue
            owed += 1
            overdue += view.overdue
            fraction = 1.0
            if view.due_at is not None and view.due_at > incident.aware_at:
                window = (view.due_at - incident.aware_at).total_seconds()
                fraction = (now - incident.aware_at).total_seconds() / window
            tone = "bad" if view.overdue or fraction >= 0.8 else "info"
            clocks.append(
                {
                    "jurisdiction": view.jurisdiction,
                    "obligation": view.obligation,
                    "due_at": view.due_at,
                    "seconds_left": view.seconds_left,
                    "left": _left(view.seconds_left, lang),
                    "status": view.status,
                    "overdue": view.overdue,
                    "citation": view.citation,
                    "bar": progress(
                        fraction, tone, f"{view.obligation}: {fraction:.0%}"
                    ),
                }
            )
        incidents.append(
            {
                "ref": incident.ref,
                "title": incident.title,
                "risk": incident.risk,
                "aware_at": incident.aware_at,
                "affected": incident.affected,
                "clocks": clocks,
            }
        )
    return {"incidents": incidents, "owed": owed, "overdue": overdue}


def sla_section(session: Session, now: datetime, lang: str) -> dict[str, Any]:
    """Open tickets with a clock at risk or breached, counted per clock."""
    found = escalation.at_risk(session, now, limit=500)
    counts: Counter[tuple[str, str]] = Counter()
    rows = []
    for item in found:
        for clock in item.clocks:
            counts[(clock.name, clock.state)] += 1
        worst = min(item.clocks, key=lambda c: c.seconds_left)
        rows.append(
            {
                "code": item.ticket.tracking_code,
                "purpose": item.ticket.purpose,
                "urgency": item.ticket.urgency,
                "clock": worst.name,
                "state": worst.state,
                "due_at": worst.due_at,
                "left": _left(worst.seconds_left, lang),
            }
        )
    t = translator(lang)
    bars = [
        Bar(
            f"{name} · {t['dash_sla_' + state]}",
            counts[(name, state)],
            "bad" if state == "breached" else "warn",
        )
        for name in ("first_response", "resolution")
        for state in ("breached", "at_risk")
    ]
    tickets_breached = sum(any(c.state == "breached" for c in i.clocks) for i in found)
    return {
        "rows": rows[:20],
        "chart": hbars(bars, name=t["dash_sla"]) if found else None,
        "breached": tickets_breached,
        "at_risk": len(found) - tickets_breached,
    }


def speech_section(
    session: Session, now: datetime, days: int, lang: str
) -> dict[str, Any]:
    """Warned, blocked and overridden replies in the window, by rule and by agent."""
    t = translator(lang)
    since = now - timedelta(days=days)
    entries = session.execute(
        select(
            AuditEntry.actor, AuditEntry.action, AuditEntry.outcome, AuditEntry.details
        )
        .where(AuditEntry.action.in_(SPEECH_ACTIONS), AuditEntry.at >= since)
        .order_by(AuditEntry.seq)
    ).all()
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    by_agent: dict[str, Counter[str]] = defaultdict(Counter)
    for actor, action, outcome, details in entries:
        kind = "override" if action == "reply.override" else outcome
        kind = "block" if kind == "denied" else kind
        if kind not in ("warn", "block", "override"):
            continue
        rules = [r for r in str((details or {}).get("rules", "")).split(",") if r]
        by_agent[actor][kind] += 1
        for rule in rules or ["(none)"]:
            by_rule[rule][kind] += 1
            by_agent[actor]["rule:" + rule] += 1
    rule_rows = sorted(by_rule.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    agent_rows = [
        AgentRow(
            agent,
            c["warn"],
            c["block"],
            c["override"],
            sorted(
                ((k[5:], n) for k, n in c.items() if k.startswith("rule:")),
                key=lambda kv: (-kv[1], kv[0]),
            ),
        )
        for agent, c in by_agent.items()
    ]
    agent_rows.sort(key=lambda r: (-r.total, r.agent))
    rule_bars = [
        Bar(rule, sum(c.values()), "bad" if c["block"] or c["override"] else "warn")
        for rule, c in rule_rows[:15]
    ]
    agent_bars = [
        Bar(r.agent, r.total, "bad" if r.block or r.override else "warn")
        for r in agent_rows[:15]
    ]
    return {
        "rules": [
            {"rule": rule, **dict(c), "total": sum(c.values())} for rule, c in rule_rows
        ],
        "agents": agent_rows,
        "rule_chart": hbars(rule_bars, name=t["dash_by_rule"]),
        "agent_chart": hbars(agent_bars, name=t["dash_by_agent"]),
        "total": sum(r.total for r in agent_rows),
    }


def fairness_section(
    session: Session, ctx: AppContext, by: str, pack_name: str
) -> dict[str, Any]:
    """Favourable rates per group with the pack's four-fifths line and alerts."""
    from complydesk.fairness import audit_frame, load_decisions

    attributes = list(dict.fromkeys(by.split(",")))
    pack = load_pack(pack_name, ctx.settings.policy_dir)
    report = audit_frame(load_decisions(session, attributes), attributes, pack)
    sections = []
    for section in report.sections:
        reference = next(
            (g for g in section.groups if g.group == section.reference_group), None
        )
        line = reference.rate * report.flag_ratio_below if reference else None
        bars = [
            Bar(
                f"{g.group} (n={g.n})",
                g.rate,
                "bad" if g.flagged else "muted" if g.small else "info",
                f"{g.rate:.0%}",
                g.ci_low,
                g.ci_high,
            )
            for g in section.groups
        ]
        label = f"{report.flag_ratio_below:g} × {reference.group}" if reference else ""
        sections.append(
            {
                "attribute": section.attribute,
                "groups": section.groups,
                "reference": section.reference_group,
                "dp_ratio": section.dp_ratio,
                "chart": hbars(
                    bars,
                    name=f"favourable rate by {section.attribute}",
                    max_value=1.0,
                    threshold=line,
                    threshold_label=label,
                ),
            }
        )
    return {"report": report, "sections": sections, "alerts": report.alerts}


def transfer_section(
    session: Session, ctx: AppContext, now: datetime, pack_name: str
) -> dict[str, Any]:
    """The register with each recipient's live check and agreement expiry."""
    today = now.date()
    recipients = []
    for row in registry.list_recipients(session):
        agreement = registry.current_agreement(session, row)
        expires = agreement.expires_on if agreement else None
        days_left = (expires - today).days if expires else None
        try:
            _, decision = check_recipient(
                session, ctx.settings, row.ref, now, pack_name
            )
            allowed: bool | None = decision.allowed
            findings = [
                (f.code, f.severity.value)
                for f in decision.findings
                if f.severity is not Severity.INFO
            ]
        except ComplydeskError as exc:
            allowed, findings = None, [(str(exc)[:120], "warn")]
        recipients.append(
            {
                "ref": row.ref,
                "name": row.name,
                "country": row.country,
                "status": row.status,
                "expires_on": expires,
                "days_left": days_left,
                "expiring": days_left is not None and 0 <= days_left <= EXPIRING_DAYS,
                "expired": days_left is not None and days_left < 0,
                "allowed": allowed,
                "findings": findings,
            }
        )
    refs = {
        row.id: row.ref
        for row in session.execute(select(TransferRecipient.id, TransferRecipient.ref))
    }
    assessments = [
        {
            "ref": a.ref,
            "recipient": refs.get(a.recipient_id, "?"),
            "kind": a.kind,
            "jurisdiction": a.jurisdiction,
            "decided_at": a.decided_at,
            "allowed": a.allowed,
            "route": a.route,
            "individuals": (a.counts or {}).get("individuals"),
        }
        for a in list_assessments(session, limit=10)
    ]
    return {
        "recipients": recipients,
        "assessments": assessments,
        "blocked": sum(r["allowed"] is False for r in recipients),
        "expiring": sum(r["expiring"] or r["expired"] for r in recipients),
        "expiring_days": EXPIRING_DAYS,
    }


def audit_section(session: Session, ctx: AppContext) -> dict[str, Any]:
    report = verify_chain(session, ctx.audit.key)
    return {"report": report}


def build(
    session: Session,
    ctx: AppContext,
    principal: Principal,
    lang: str,
    *,
    by: str,
    pack: str,
    days: int,
) -> Dashboard:
    """Every section the principal may read, plus the summary tiles."""
    now = ctx.clock()
    board = Dashboard(
        now=now,
        lang=lang,
        pack=pack,
        packs=sorted(available_packs(ctx.settings.policy_dir)),
        by=by,
        days=days,
    )
    may = {name: principal.can(perm) for name, perm in SECTIONS.items()}
    if may["dsr"]:
        board.dsr = dsr_section(session, now, lang)
    if may["breach"]:
        board.breach = breach_section(session, now, lang)
    if may["sla"]:
        board.sla = sla_section(session, now, lang)
    if may["speech"]:
        board.speech = speech_section(session, now, days, lang)
    if may["fairness"]:
        board.fairness = fairness_section(session, ctx, by, pack)
    if may["transfer"]:
        board.transfer = transfer_section(session, ctx, now, pack)
    if may["audit"]:
        board.audit = audit_section(session, ctx)
    board.tiles = _tiles(board)
    return board


def _tiles(board: Dashboard) -> list[dict[str, Any]]:
    """The counts at the top: (key, value, bad?, anchor)."""
    tiles = []
    if board.dsr is not None:
        tiles.append(("dash_tile_dsr", board.dsr["buckets"]["overdue"], "dsr"))
    if board.breach is not None:
        tiles.append(("dash_tile_breach", board.breach["owed"], "breach"))
    if board.sla is not None:
        tiles.append(("dash_tile_sla", board.sla["breached"], "sla"))
    if board.speech is not None:
        tiles.append(("dash_tile_speech", board.speech["total"], "speech"))
    if board.fairness is not None:
        tiles.append(("dash_tile_fairness", len(board.fairness["alerts"]), "fairness"))
    if board.transfer is not None:
        tiles.append(
            (
                "dash_tile_transfer",
                board.transfer["expiring"] + board.transfer["blocked"],
                "transfer",
            )
        )
    out = [{"key": k, "value": v, "bad": v > 0, "anchor": a} for k, v, a in tiles]
    if board.audit is not None:
        ok = board.audit["report"].ok
        out.append(
            {
                "key": "dash_tile_audit",
                "value": "✔" if ok else "✘",
                "bad": not ok,
                "anchor": "audit",
            }
        )
    return out


@router.get(
    "/console/compliance", dependencies=[require_page(Permission.COMPLIANCE_DASHBOARD)]
)
def compliance_page(
    request: Request,
    ctx: ContextDep,
    principal: PagePrincipal,
    by: str = Query(default="region", max_length=200),
    pack: str | None = Query(default=None, max_length=32),
    days: int = Query(default=30),
) -> HTMLResponse:
    """The dashboard; `by`, `pack` and `days` pick the fairness view and window."""
    if not BY_RE.match(by):
        raise InvalidInput("by must name 1 to 4 attributes such as region,tier")
    chosen = pack or ctx.settings.default_pack
    if chosen not in available_packs(ctx.settings.policy_dir):
        raise InvalidInput(f"unknown policy pack {chosen}")
    if days not in SPEECH_DAYS:
        raise InvalidInput(f"days must be one of {', '.join(map(str, SPEECH_DAYS))}")
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    with read_transaction(ctx.sessions) as session:
        board = build(session, ctx, principal, lang, by=by, pack=chosen, days=days)
    return render(
        request,
        "dashboard_compliance.html",
        principal,
        board=board,
        speech_days=SPEECH_DAYS,
    )
