"""One call for the reply path: phrasing rules plus promises checked against facts.

The rule engine (check.py) flags risky wording; the promise checker
(promises.py) parses time commitments and compares them with the company's
capabilities and the case's facts. Where both speak about the same words the
promise checker's finding wins: it knows what is possible for this order.
"""

from __future__ import annotations

from datetime import datetime

from complydesk.clock import utcnow
from complydesk.speech.capabilities import Capabilities, load_capabilities
from complydesk.speech.check import check
from complydesk.speech.commitments import Commitment
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.promises import CaseFacts, check_promises, parse_commitments


def check_reply(
    text: str,
    *,
    role: str = "agent",
    facts: CaseFacts | None = None,
    now: datetime | None = None,
    lang: str | None = None,
    capabilities: Capabilities | None = None,
) -> Verdict:
    """Verdict for one agent or bot reply (see finding.py for the shape).

    `capabilities` defaults to the shipped figures; deployments pass theirs
    (settings.capabilities_file through `load_capabilities`).
    """
    rules = check(text, role=role, lang=lang).findings
    when = now or utcnow()
    promises = check_promises(
        text,
        capabilities=capabilities or load_capabilities(),
        facts=facts,
        now=when,
    )
    # A time commitment the promise checker parsed has been judged against the
    # capabilities and facts: its verdict replaces the keyword rule's warning,
    # whether that verdict is a finding or a pass.
    judged: list[Finding | Commitment] = [*promises, *parse_commitments(text, now=when)]
    kept = [
        f
        for f in rules
        if not (f.category == "time_commitment" and any(_overlap(f, j) for j in judged))
    ]
    merged = sorted([*kept, *promises], key=lambda f: (f.start, f.end, f.rule))
    return Verdict(tuple(merged))


def _overlap(a: Finding, b: Finding | Commitment) -> bool:
    return a.start < b.end and b.start < a.end
