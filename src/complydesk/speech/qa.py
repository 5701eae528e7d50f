"""Batch QA over transcripts: how often each agent, rule and category is flagged.

Input is a CSV (header row) or JSONL file with the columns `text`, `role` and
`agent_id`, optionally `conversation_id` and `timestamp`. Rows whose role is
`agent` or `bot` are run through the checker; any other role (e.g. `customer`)
is counted as skipped. The checker is a parameter (`check(text, role)`), so the
same aggregation runs against the rule engine, the reply path or a test double.

Rates are utterance based: *rate = flagged utterances / checked utterances* of
the group (an agent), or of the whole file (a rule, a category). An utterance
with two findings of one rule counts once for that rule; `findings` keeps the
raw number of findings.

Ordering is deterministic: agents by id; rules and categories by flagged
utterances (descending), then name; flagged utterances in input order.

`qa_html.render_html` turns a report into one self-contained page (inline CSS and SVG,
no scripts, no external assets); every piece of text from the input is escaped.
Error messages name the file, line and column, never a value.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from complydesk.errors import InvalidInput
from complydesk.speech.finding import Finding, Verdict

Checker = Callable[[str, str], Verdict]

REQUIRED_COLUMNS = ("text", "role", "agent_id")
OPTIONAL_COLUMNS = ("conversation_id", "timestamp")
CHECKED_ROLES = ("agent", "bot")
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class Utterance:
    """One transcript row; `line` is the 1-based line in the source file."""

    text: str
    role: str
    agent_id: str
    line: int
    conversation_id: str | None = None
    timestamp: str | None = None


# --- reading ---------------------------------------------------------------------
def load_transcript(path: Path) -> list[Utterance]:
    """Rows of a `.csv` or `.jsonl` (`.ndjson`, `.json` lines) transcript."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InvalidInput(f"{path.name}: not a readable file")
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _read_jsonl(path)
    raise InvalidInput(f"{path.name}: expected a .csv or .jsonl file")


def _cell(value: object, name: str, column: str, line: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{name} line {line}: column '{column}' must be a string")
    return str(value)


def _utterance(record: dict[str, Any], name: str, line: int) -> Utterance:
    for column in REQUIRED_COLUMNS:
        if record.get(column) is None:
            raise InvalidInput(f"{name} line {line}: missing column '{column}'")
    text = record["text"]
    if not isinstance(text, str):
        raise InvalidInput(f"{name} line {line}: column 'text' must be a string")
    role = _cell(record["role"], name, "role", line) or ""
    agent_id = _cell(record["agent_id"], name, "agent_id", line) or ""
    return Utterance(
        text=text,
        role=role.strip().lower(),
        agent_id=agent_id.strip() or UNASSIGNED,
        line=line,
        conversation_id=_cell(
            record.get("conversation_id"), name, "conversation_id", line
        ),
        timestamp=_cell(record.get("timestamp"), name, "timestamp", line),
    )


def _read_csv(path: Path) -> list[Utterance]:
    name = path.name
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for column in REQUIRED_COLUMNS:
            if column not in header:
                raise InvalidInput(f"{name}: missing column '{column}'")
        rows: list[Utterance] = []
        for record in reader:
            # line_num is the last physical line read (quoted cells may span lines)
            rows.append(_utterance(record, name, reader.line_num))
    return rows


def _read_jsonl(path: Path) -> list[Utterance]:
    name = path.name
    rows: list[Utterance] = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InvalidInput(f"{name} line {number}: not valid JSON") from None
            if not isinstance(record, dict):
                raise InvalidInput(f"{name} line {number}: expected a JSON object")
            rows.append(_utterance(record, name, number))
    return rows


# --- aggregation -----------------------------------------------------------------
@dataclass
class Tally:
    """Counts for one group; `rate` = flagged / checked."""

    checked: int = 0
    flagged: int = 0
    blocked: int = 0
    warned: int = 0
    findings: int = 0
    categories: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.flagged / self.checked if self.checked else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "flagged": self.flagged,
            "blocked": self.blocked,
            "warned": self.warned,
            "findings": self.findings,
            "rate": round(self.rate, 6),
            "categories": dict(sorted(self.categories.items())),
        }


@dataclass(frozen=True)
class Count:
    """A rule or category: utterances it flagged, its findings, share of checked."""

    name: str
    flagged: int
    findings: int
    rate: float
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.category is not None:
            out["category"] = self.category
        out.update(
            flagged=self.flagged, findings=self.findings, rate=round(self.rate, 6)
        )
        return out


@dataclass(frozen=True)
class Flag:
    """A flagged utterance with its findings."""

    utterance: Utterance
    verdict: str
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        u = self.utterance
        return {
            "line": u.line,
            "agent_id": u.agent_id,
            "role": u.role,
            "conversation_id": u.conversation_id,
            "timestamp": u.timestamp,
            "verdict": self.verdict,
            "text": u.text,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class QAReport:
    source: str
    rows: int
    skipped: int
    total: Tally
    agents: dict[str, Tally]
    rules: tuple[Count, ...]
    categories: tuple[Count, ...]
    flags: tuple[Flag, ...]

    def to_dict(self, *, include_flags: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "rows": self.rows,
            "skipped": self.skipped,
            "total": self.total.to_dict(),
            "agents": [
                {"agent_id": agent, **tally.to_dict()}
                for agent, tally in self.agents.items()
            ],
            "rules": [c.to_dict() for c in self.rules],
            "categories": [c.to_dict() for c in self.categories],
        }
        if include_flags:
            out["flags"] = [f.to_dict() for f in self.flags]
        return out


def _add(tally: Tally, verdict: Verdict) -> None:
    tally.checked += 1
    if not verdict.findings:
        return
    tally.flagged += 1
    tally.findings += len(verdict.findings)
    if verdict.verdict == "block":
        tally.blocked += 1
    else:
        tally.warned += 1
    for category in {f.category for f in verdict.findings}:
        tally.categories[category] += 1


def _ranked(
    flagged: Counter[str], findings: Counter[str], checked: int
) -> list[tuple[str, int, int, float]]:
    order = sorted(flagged, key=lambda k: (-flagged[k], k))
    return [
        (k, flagged[k], findings[k], flagged[k] / checked if checked else 0.0)
        for k in order
    ]


def run_qa(
    utterances: Iterable[Utterance], check: Checker, *, source: str = ""
) -> QAReport:
    """Run `check(text, role)` on every agent/bot utterance and aggregate."""
    total = Tally()
    agents: dict[str, Tally] = {}
    rule_flagged: Counter[str] = Counter()
    rule_findings: Counter[str] = Counter()
    rule_category: dict[str, str] = {}
    cat_flagged: Counter[str] = Counter()
    cat_findings: Counter[str] = Counter()
    flags: list[Flag] = []
    rows = skipped = 0
    for u in utterances:
        rows += 1
        if u.role not in CHECKED_ROLES:
            skipped += 1
            continue
        verdict = check(u.text, u.role)
        _add(total, verdict)
        _add(agents.setdefault(u.agent_id, Tally()), verdict)
        if not verdict.findings:
            continue
        flags.append(Flag(u, verdict.verdict, verdict.findings))
        for f in verdict.findings:
            rule_findings[f.rule] += 1
            cat_findings[f.category] += 1
            rule_category.setdefault(f.rule, f.category)
        for rule in {f.rule for f in verdict.findings}:
            rule_flagged[rule] += 1
        for category in {f.category for f in verdict.findings}:
            cat_flagged[category] += 1
    rules = tuple(
        Count(name, n, k, r, category=rule_category[name])
        for name, n, k, r in _ranked(rule_flagged, rule_findings, total.checked)
    )
    categories = tuple(
        Count(name, n, k, r)
        for name, n, k, r in _ranked(cat_flagged, cat_findings, total.checked)
    )
    return QAReport(
        source=source,
        rows=rows,
        skipped=skipped,
        total=total,
        agents=dict(sorted(agents.items())),
        rules=rules,
        categories=categories,
        flags=tuple(flags),
    )


def qa_file(path: Path, check: Checker) -> QAReport:
    """`run_qa` over a CSV or JSONL transcript file."""
    return run_qa(load_transcript(path), check, source=path.name)
