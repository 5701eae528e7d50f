"""One call for the reply path: phrasing rules plus promises checked against facts.

The rule engine (check.py) flags risky wording; the promise checker
(promises.py) parses time commitments and compares them with the company's
capabilities and the case's facts. Where both speak about the same words the
promise checker's finding wins: it knows what is possible for this order.

The generic-versus-specific choice (`prefer_specific`) runs after that merge,
so a wording finding survives when the time it sat next to turns out to be
kept. A keepable time said as a certainty keeps the rule's time warning:
"我保证48小时内发货" promises nothing beyond the 48-hour capability, but the
guarantee is still reported, once.

Last, when nothing blocked, the learned backstop (model.py) may add one
warning for wording no rule covers; it never blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from complydesk.clock import utcnow
from complydesk.speech.capabilities import Capabilities, load_capabilities
from complydesk.speech.check import (
    default_checker,
    normalize,
    prefer_specific,
    rule_findings,
    sentence_of,
)
from complydesk.speech.commitments import HANDOFF, Commitment, firm_in
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.model import default_model
from complydesk.speech.promises import CaseFacts, certain_finding, check_promises
from complydesk.speech.rules import LANGUAGES, default_packs


def check_reply(
    text: str,
    *,
    role: str = "agent",
    facts: CaseFacts | None = None,
    now: datetime | None = None,
    lang: str | None = None,
    capabilities: Capabilities | None = None,
    backstop: bool = True,
) -> Verdict:
    """Verdict for one agent or bot reply (see finding.py for the shape).

    `capabilities` defaults to the shipped figures; deployments pass theirs
    (settings.capabilities_file through `load_capabilities`). `backstop`
    adds the learned model's warning (model.py) when no rule blocked; False
    gives the rules and the promise checker alone.
    """
    # The rules and the promise parser read the normalized copy (same length,
    # traditional characters folded: 發貨 is 发货); findings quote the text.
    norm = normalize(text)
    rules = rule_findings(text, role=role, lang=lang, norm=norm)
    when = now or utcnow()
    commitments: list[Commitment] = []  # parsed once, judged and merged
    promises = [
        replace(f, text=text[f.start : f.end])
        for f in check_promises(
            norm,
            capabilities=capabilities or load_capabilities(),
            facts=facts,
            now=when,
            parsed=commitments,
        )
    ]
    # A time commitment the promise checker parsed has been judged against the
    # capabilities and facts: its verdict replaces the keyword rule's warning,
    # whether that verdict is a finding or a pass. One exception: a pass said
    # as a certainty (保证/一定/definitely + a time the company can keep)
    # keeps the rule's time warning, which then stands for both.
    kept = [f for f in rules if _keep(f, rules, promises, commitments, norm)]
    certain = [
        replace(certain_finding(c), text=text[c.start : c.end])
        for c in commitments
        if _certain(c, kept, promises, norm)
    ]
    merged = sorted(
        [*kept, *promises, *certain], key=lambda f: (f.start, f.end, f.rule)
    )
    findings = prefer_specific(merged, norm)
    if backstop and not any(f.severity == "block" for f in findings):
        extra = model_finding(text, role, lang, findings, commitments, norm)
        if extra is not None:
            findings = sorted([*findings, extra], key=lambda f: (f.start, f.end))
    return Verdict(tuple(findings))


def model_finding(
    text: str,
    role: str,
    lang: str | None,
    findings: list[Finding],
    commitments: Sequence[Commitment] = (),
    norm: str | None = None,
) -> Finding | None:
    """The learned backstop's warning (model.py), when the rules did not
    block, the model is confident and no finding already covers its clause
    or its category. A time commitment the promise checker parsed in the
    model's clause has been judged against the capabilities: its pass stands
    ("we'll call you back within 24 hours" is what the company can do)."""
    hit = default_model().flag(text, role, norm)
    if hit is None or any(
        f.category == hit.category or (f.start < hit.end and hit.start < f.end)
        for f in findings
    ):
        return None
    if hit.category == "time_commitment" and (
        any(c.start < hit.end and hit.start < c.end for c in commitments)
        or HANDOFF.search(text, hit.start, hit.end) is not None
    ):
        # judged by the promise checker, or a hand-off it does not count as a
        # promise (明天为您转工程师: the hand-off is promised, not the visit)
        return None
    if lang not in LANGUAGES:
        lang = default_checker().languages(text)[0]
    pack = next(p for p in default_packs() if p.language == lang)
    info = pack.categories.get(hit.category)
    name = info.name if info else hit.category.replace("_", " ")
    suggestion = info.suggestion if info else ""
    if lang == "zh":
        reason = (
            f"这句话与“{name}”类违规话术相似（学习模型的判断，未命中具体规则），"
            "请确认后再发送。"
        )
    else:
        reason = (
            f"This wording resembles a risky {name} (a learned model's "
            "judgement; no specific rule matched); please review it before sending."
        )
    return Finding(
        rule=f"model.{hit.category}",
        category=hit.category,
        severity="warn",
        start=hit.start,
        end=hit.end,
        text=text[hit.start : hit.end],
        reason=reason,
        suggestion=suggestion,
    )


def _keep(
    f: Finding,
    rules: list[Finding],
    promises: list[Finding],
    commitments: list[Commitment],
    norm: str,
) -> bool:
    if f.category != "time_commitment":
        return True
    if any(_overlap(f, p) for p in promises):
        return False
    if not any(_overlap(f, c) and not c.hedged for c in commitments):
        # no firm commitment here: an estimate or negation drops the rule's
        # warning; none parsed at all leaves the rule to speak
        return not any(_overlap(f, c) for c in commitments)
    lo, hi = sentence_of(norm, f.start, f.end)
    return firm_in(norm, lo, hi) or any(
        g.category == "absolute_promise" and g.start < hi and g.end > lo for g in rules
    )


def _certain(
    c: Commitment, kept: list[Finding], promises: list[Finding], norm: str
) -> bool:
    """A firm commitment the checker passed, said with a certainty word in
    its sentence, that no time finding reports yet."""
    if c.hedged or any(_overlap(f, c) for f in promises):
        return False
    if any(f.category == "time_commitment" and _overlap(f, c) for f in kept):
        return False
    lo, hi = sentence_of(norm, c.start, c.end)
    return firm_in(norm, lo, hi)


def _overlap(a: Finding, b: Finding | Commitment) -> bool:
    return a.start < b.end and b.start < a.end
