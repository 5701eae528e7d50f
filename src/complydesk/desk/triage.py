"""Ticket triage: a purpose suggestion and an urgency for new ticket text, with reasons.

Agents and queues act on the result, so every decision carries short reasons
that name the cue that drove it (never more of the customer's text than the
matched keyword). `RuleTriage` scores weighted keyword and regex cues from
`data/triage.yaml`; anything with a `classify(text) -> Triage` method (a model,
later) can stand in for it through the `TriageClassifier` protocol.

How the rules decide (details in docs/desk.md, "Triage"):

* text is normalised first: NFKC (full-width to half-width), case-folded,
  traditional characters mapped to simplified by the data's `char_map`;
* a cue after a negator in the same clause does not count ("不是要退货",
  "没有起火", "don't want a refund"), unless another cue stands in between;
* purpose cues right after a request marker ("我要", "要求", "please") weigh
  more: the purpose is what the customer wants done;
* purpose = highest score (ties by `purpose_order`), `inquiry` when nothing
  scores; urgency = the first of urgent, high, normal, low whose score reaches
  its threshold, `normal` when none does.

The JSONL contract of `complydesk desk triage --jsonl` (`triage_lines`): one
`{"purpose", "urgency", "reasons"}` object per input line, in order.
Evaluation tooling depends on this shape: keep it stable.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from complydesk.errors import ConfigError
from complydesk.jsonlines import read_record, text_of

__all__ = [
    "PURPOSES",
    "URGENCIES",
    "RuleTriage",
    "Triage",
    "TriageClassifier",
    "TriageRulesError",
    "default_triage",
    "load_rules",
    "parse_rules",
    "queue_key",
    "triage_lines",
    "urgency_rank",
]

Purpose = Literal[
    "complaint", "return_refund", "repair", "delivery", "billing", "inquiry"
]
Urgency = Literal["urgent", "high", "normal", "low"]
PURPOSES: tuple[Purpose, ...] = (
    "complaint",
    "return_refund",
    "repair",
    "delivery",
    "billing",
    "inquiry",
)
# Most pressing first: the order queues sort by.
URGENCIES: tuple[Urgency, ...] = ("urgent", "high", "normal", "low")
SHIPPED_NAME = "triage.yaml"
MAX_CUE_CHARS = 12  # a reason never quotes more of the text than this


# --- result and interface -----------------------------------------------------------
@dataclass(frozen=True)
class Triage:
    """A suggestion, not a decision: agents can override both fields."""

    purpose: Purpose
    urgency: Urgency
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL contract shape (scores stay out: they are rule-specific)."""
        return {
            "purpose": self.purpose,
            "urgency": self.urgency,
            "reasons": list(self.reasons),
        }


class TriageClassifier(Protocol):
    """What the desk needs from a triage engine; rules today, a model later."""

    def classify(self, text: str) -> Triage: ...


def urgency_rank(urgency: str) -> int:
    """0 for urgent ... 3 for low: sort ascending to work the most pressing first."""
    try:
        return URGENCIES.index(urgency)
    except ValueError:
        raise ValueError(f"unknown urgency {urgency!r}") from None


def queue_key(urgency: str, *, at_risk: bool = False) -> tuple[int, int]:
    """Sort key for a work queue: urgent and SLA-at-risk tickets come first.

    Within each band tickets keep urgency order; callers add their own
    tie-breaker (e.g. the due date) after this key.
    """
    rank = urgency_rank(urgency)
    return (0 if at_risk or rank == 0 else 1, rank)


# --- the data file --------------------------------------------------------------------
class TriageRulesError(ConfigError):
    """The triage data failed to load; the message names the source and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}")
        self.source = source
        self.key = key


def _compile(pattern: str) -> re.Pattern[str]:
    """ASCII word semantics: `\\b` must see a boundary between 汉字 and Latin."""
    return re.compile(pattern, re.ASCII)


def _check_regex(value: str) -> str:
    try:
        _compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regex {value!r}: {exc}") from exc
    return value


def _check_keyword(value: str) -> str:
    if not value.strip():
        raise ValueError("empty keyword")
    return value


Regex = Annotated[str, AfterValidator(_check_regex)]
Keyword = Annotated[str, AfterValidator(_check_keyword)]
NegationKind = Literal["intent", "fact", "any", "none"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CueGroup(_Strict):
    """Cues that mean one thing, with one weight (a reason names the group)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    weight: float = Field(gt=0, le=10)
    keywords: list[Keyword] = Field(default_factory=list)
    patterns: list[Regex] = Field(default_factory=list)
    # A match that overlaps one of these is not a cue (工商 in 工商银行).
    unless: list[Regex] = Field(default_factory=list)
    negation: NegationKind = "intent"
    # Purpose groups only: a match is evidence of a problem (urgency >= normal).
    problem: bool = False
    # Counts only when the text also reports a problem ("老人" in a plain
    # question about senior plans does not make it high).
    needs_problem: bool = False
    # The most this group adds to one text (topic nouns repeat: 快递, 快递员).
    cap: float | None = Field(default=None, gt=0)


class NegatorList(_Strict):
    # How far (characters) the negator may end before the cue.
    window: int = Field(ge=0, le=30)
    patterns: list[Regex] = Field(min_length=1)


class Negation(_Strict):
    intent: NegatorList  # the customer does not want it: 不是要, 不想, don't want
    fact: NegatorList  # it did not happen: 没有, 没, no one was
    # Question forms that contain a negator but negate nothing (是不是, 会不会,
    # rhetorical 这不是…吗).
    ignore: list[Regex] = Field(default_factory=list)


class RequestBoost(_Strict):
    window: int = Field(ge=0, le=30)
    boost: float = Field(ge=1, le=5)
    patterns: list[Regex] = Field(min_length=1)


class Amounts(_Strict):
    """Money amounts at or above these count as a `level` cue."""

    level: Literal["urgent", "high"] = "high"
    weight: float = Field(gt=0, le=10)
    min_cny: float = Field(gt=0)
    min_usd: float = Field(gt=0)
    needs_problem: bool = True


class TriageRules(_Strict):
    version: Literal[1]
    char_map: dict[str, str] = Field(default_factory=dict)
    clause_breaks: Regex
    negation: Negation
    request: RequestBoost
    purpose_order: list[Purpose]
    min_purpose_score: float = Field(gt=0)
    # No purpose cue, but an urgent or high cue (a threat, an injury, anger):
    # the customer is complaining.
    escalation_purpose: Purpose = "complaint"
    purposes: dict[Purpose, list[CueGroup]]
    thresholds: dict[Urgency, float]
    urgency: dict[Urgency, list[CueGroup]]
    amounts: Amounts


def _key(loc: tuple[int | str, ...], data: Any) -> str:
    """`purposes.repair[2](fault).patterns[1]` from a pydantic error location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                parts[-1] += f"({node['name']})"
            continue
        parts.append(("." if parts else "") + str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "<root>"


def _check_semantics(rules: TriageRules, source: str) -> None:
    """What pydantic's field types cannot say: coverage, orders, unique names."""
    if sorted(rules.purpose_order) != sorted(PURPOSES):
        raise TriageRulesError(
            source, "purpose_order", f"must list each of {list(PURPOSES)} once"
        )
    for table, wanted in (
        ("purposes", PURPOSES),
        ("urgency", URGENCIES),
        ("thresholds", URGENCIES),
    ):
        missing = [k for k in wanted if k not in getattr(rules, table)]
        if missing:
            raise TriageRulesError(source, table, f"missing {missing}")
    for bad, value in rules.char_map.items():
        if len(bad) != 1 or len(value) != 1:
            raise TriageRulesError(
                source, f"char_map.{bad}", "map one character to one character"
            )
    for table in ("purposes", "urgency"):
        for owner, groups in getattr(rules, table).items():
            names: set[str] = set()
            for i, group in enumerate(groups):
                key = f"{table}.{owner}[{i}]({group.name})"
                if group.name in names:
                    raise TriageRulesError(source, key + ".name", "duplicate name")
                if not group.keywords and not group.patterns:
                    raise TriageRulesError(source, key, "needs keywords or patterns")
                names.add(group.name)


def parse_rules(data: Any, source: str) -> TriageRules:
    """Validate parsed YAML; raise TriageRulesError naming `source` and the key."""
    try:
        rules = TriageRules.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise TriageRulesError(
            source, _key(tuple(err["loc"]), data), err["msg"]
        ) from exc
    _check_semantics(rules, source)
    return rules


def _parse_text(text: str, source: str) -> TriageRules:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TriageRulesError(source, "<yaml>", str(exc).splitlines()[0]) from exc
    return parse_rules(data, source)


def load_rules(path: str | Path | None = None) -> TriageRules:
    """The rules in `path`, or the shipped data/triage.yaml (package data)."""
    if path is None:
        res = resources.files("complydesk.desk") / "data" / SHIPPED_NAME
        return _parse_text(res.read_text(encoding="utf-8"), f"data/{SHIPPED_NAME}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TriageRulesError(
            str(path), "<file>", exc.strerror or "unreadable"
        ) from exc
    return _parse_text(text, str(path))


# --- matching -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Cue:
    owner: str  # a purpose id or an urgency level
    group: CueGroup
    regex: re.Pattern[str]
    label: str | None  # the keyword as written in the data; None for a pattern
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class _Hit:
    cue: _Cue
    start: int
    end: int
    text: str
    weight: float
    negator: str | None = None

    def quote(self) -> str:
        """The cue as shown in a reason: the keyword, or a short matched text."""
        shown = self.cue.label or self.text
        if len(shown) > MAX_CUE_CHARS:
            shown = shown[:MAX_CUE_CHARS] + "…"
        return f"'{shown}'"


def _translate_table(char_map: dict[str, str]) -> dict[int, str]:
    return {ord(k): v for k, v in char_map.items()}


def normalize(text: str, table: dict[int, str]) -> str:
    """NFKC, case-folded, traditional to simplified: what all cues are matched on."""
    return unicodedata.normalize("NFKC", text).casefold().translate(table)


def _keyword_regex(keyword: str) -> str:
    """Latin keywords must start a word ('sue' is not in 'issue'); CJK need not."""
    escaped = re.escape(keyword)
    return (r"(?<![a-z0-9])" + escaped) if keyword[:1].isascii() else escaped


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    return _compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _compile_groups(
    owner: str, groups: list[CueGroup], table: dict[int, str]
) -> list[_Cue]:
    cues: list[_Cue] = []
    for group in groups:
        unless = _any_of(group.unless)
        for keyword in dict.fromkeys(normalize(k, table) for k in group.keywords):
            regex = _compile(_keyword_regex(keyword))
            cues.append(_Cue(owner, group, regex, keyword, unless))
        for pattern in group.patterns:
            cues.append(_Cue(owner, group, _compile(pattern), None, unless))
    return cues


_AMOUNT_PATTERNS = (
    # 8999元, 2,000块, 3万, 1.5万元, 5k元
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<mult>万|千|k|w)?\s*"
    r"(?P<cur>元|块|rmb|cny|人民币|美元|美金|usd|dollars?|bucks)",
    r"(?P<num2>\d[\d,]*(?:\.\d+)?)\s*(?P<mult2>万)(?:多)?(?![个次条人份件步字])",
    # ¥200, $1,200, rmb 500
    r"(?P<sign>¥|\$|rmb|usd|cny)\s*(?P<num3>\d[\d,]*(?:\.\d+)?)\s*(?P<mult3>万|千|k)?",
    # 两万多, 八千多块, 上万
    r"(?P<cn>[一二两三四五六七八九十几数]+|上)(?P<cnmult>万|千)(?:多)?(?P<cncur>元|块)?"
    r"(?![个次条人份件步字])",
)
_AMOUNT = re.compile("|".join(f"(?:{p})" for p in _AMOUNT_PATTERNS))
# The leading numeral of 两万, 八千多, 几万 (几/数 "a few" counts as 2).
_CN_DIGITS = dict(
    zip(
        "一二两三四五六七八九十几数上",
        (1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 2, 1),
        strict=True,
    )
)
_MULT = {"万": 10_000.0, "w": 10_000.0, "千": 1_000.0, "k": 1_000.0}


def _amount_value(m: re.Match[str]) -> tuple[float, str] | None:
    """(value, currency 'cny' | 'usd') of one amount match; None if unusable."""
    g = m.groupdict()
    if g["cn"]:
        if g["cnmult"] == "千" and not g["cncur"]:
            return None  # 几千积分: a count, not money
        first = _CN_DIGITS.get(g["cn"][0], 1)
        return first * _MULT[g["cnmult"]], "cny"
    num = g["num"] or g["num2"] or g["num3"]
    mult = g["mult"] or g["mult2"] or g["mult3"]
    try:
        value = float(num.replace(",", "")) * _MULT.get(mult or "", 1.0)
    except ValueError:
        return None
    marker = g["cur"] or g["sign"] or "元"
    usd = marker in ("$", "usd", "dollar", "dollars", "bucks", "美元", "美金")
    return value, "usd" if usd else "cny"


def _large_amount(text: str, amounts: Amounts) -> bool:
    for m in _AMOUNT.finditer(text):
        parsed = _amount_value(m)
        if parsed is None:
            continue
        value, currency = parsed
        if value >= (amounts.min_usd if currency == "usd" else amounts.min_cny):
            return True
    return False


# --- the rule engine ------------------------------------------------------------------
@dataclass(frozen=True)
class _Text:
    """One text being classified: per call, so a RuleTriage is thread-safe."""

    norm: str
    masked: str  # `norm` with negation-free question forms (是不是) blanked
    breaks: list[int]  # clause start offsets, ascending, starting with 0

    def clause_start(self, pos: int) -> int:
        return self.breaks[bisect_right(self.breaks, pos) - 1]


@dataclass
class _Scored:
    """Kept hits and score per owner (purpose id or urgency level)."""

    hits: dict[str, list[_Hit]] = field(default_factory=dict)
    negated: list[_Hit] = field(default_factory=list)

    def score(self, owner: str) -> float:
        return _capped_sum(self.hits.get(owner, []))


class RuleTriage:
    """Weighted keyword and regex cues from data; see the module docstring."""

    def __init__(self, rules: TriageRules) -> None:
        self.rules = rules
        self._table = _translate_table(rules.char_map)
        self._breaks = _compile(rules.clause_breaks)
        neg = rules.negation
        self._neg = {
            "intent": (_any_of(neg.intent.patterns), neg.intent.window),
            "fact": (_any_of(neg.fact.patterns), neg.fact.window),
        }
        self._ignore = _any_of(neg.ignore)
        self._request = _any_of(rules.request.patterns)
        self._purpose_cues = [
            cue
            for purpose in PURPOSES
            for cue in _compile_groups(purpose, rules.purposes[purpose], self._table)
        ]
        self._urgency_cues = [
            cue
            for level in URGENCIES
            for cue in _compile_groups(level, rules.urgency[level], self._table)
        ]
        self._cues = self._purpose_cues + self._urgency_cues

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> RuleTriage:
        return cls(load_rules(path))

    # -- public --
    def classify(self, text: str) -> Triage:
        norm = normalize(text, self._table)
        if not norm.strip():
            return Triage("inquiry", "normal", ["empty text: default inquiry, normal"])
        scored = self._score(norm)
        urgency, urgency_reasons = self._urgency(norm, scored)
        purpose, purpose_reasons, scores = self._purpose(scored, urgency)
        notes = [
            f"ignored {h.quote()} (negated by '{h.negator}')"
            for h in scored.negated[:2]
        ]
        reasons = list(dict.fromkeys(purpose_reasons + urgency_reasons + notes))
        return Triage(purpose, urgency, reasons, scores)

    # -- scoring --
    def _score(self, norm: str) -> _Scored:
        raw = [
            (cue, m)
            for cue in self._cues
            if cue.label is None or cue.label in norm  # cheap pre-check
            for m in cue.regex.finditer(norm)
            if m.end() > m.start() and not self._suppressed(cue, m, norm)
        ]
        starts = sorted({m.start() for _, m in raw})
        text = self._prepare(norm)
        scored = _Scored()
        seen: set[int] = set()
        for cue, m in raw:
            if id(cue) in seen:
                continue
            negator = self._negator(cue, m, text, starts)
            weight = self._weight(cue, m, text)
            hit = _Hit(cue, m.start(), m.end(), m.group(), weight, negator)
            if negator is not None:
                scored.negated.append(hit)
                continue
            seen.add(id(cue))
            scored.hits.setdefault(cue.owner, []).append(hit)
        scored.negated = [h for h in scored.negated if id(h.cue) not in seen]
        for owner, hits in scored.hits.items():
            scored.hits[owner] = _without_overlaps(hits)
        return scored

    @staticmethod
    def _suppressed(cue: _Cue, m: re.Match[str], norm: str) -> bool:
        if cue.unless is None:
            return False
        return any(
            u.start() < m.end() and m.start() < u.end()
            for u in cue.unless.finditer(norm)
        )

    def _prepare(self, norm: str) -> _Text:
        masked = norm
        if self._ignore is not None:
            masked = self._ignore.sub(lambda m: " " * len(m.group()), norm)
        breaks = [0] + [m.end() for m in self._breaks.finditer(norm)]
        return _Text(norm, masked, breaks)

    def _negator(
        self, cue: _Cue, match: re.Match[str], text: _Text, starts: list[int]
    ) -> str | None:
        """The negator that cancels this cue, if any.

        It must start before the cue, in the same clause, end at most `window`
        characters before it (or overlap its start: 不是要|退), with no other
        cue in between (不想退货也不想换货 negates each once).
        """
        kinds = {"any": ("intent", "fact"), "none": ()}.get(
            cue.group.negation, (cue.group.negation,)
        )
        start = match.start()
        clause = text.clause_start(start)
        for kind in kinds:
            regex, window = self._neg[kind]
            if regex is None:
                continue
            for m in regex.finditer(text.masked, clause, match.end()):
                if m.start() >= start or start - m.end() > window:
                    continue
                if not any(m.end() <= s < start for s in starts):
                    return m.group().strip()
        return None

    def _weight(self, cue: _Cue, m: re.Match[str], text: _Text) -> float:
        """Purpose cues right after a request marker say what is wanted: boost."""
        weight = cue.group.weight
        if self._request is None or cue.owner not in PURPOSES:
            return weight
        req = self.rules.request
        lo = max(text.clause_start(m.start()), m.start() - req.window - 8)
        for r in self._request.finditer(text.norm, lo, m.start()):
            if m.start() - r.end() <= req.window:
                return weight * req.boost
        return weight

    # -- decisions --
    def _purpose(
        self, scored: _Scored, urgency: Urgency
    ) -> tuple[Purpose, list[str], dict[str, float]]:
        scores: dict[str, float] = {p: round(scored.score(p), 3) for p in PURPOSES}
        order = self.rules.purpose_order
        best = max(PURPOSES, key=lambda p: (scores[p], -order.index(p)))
        if scores[best] >= self.rules.min_purpose_score:
            hits = sorted(scored.hits[best], key=lambda h: (-h.weight, h.start))[:3]
            return best, [f"purpose {best}: {h.quote()}" for h in hits], scores
        if urgency in ("urgent", "high"):
            fallback = self.rules.escalation_purpose
            return fallback, [f"purpose {fallback}: {urgency} cue, no topic"], scores
        return "inquiry", ["purpose inquiry: no purpose cue matched (default)"], scores

    def _urgency(self, norm: str, scored: _Scored) -> tuple[Urgency, list[str]]:
        problems = [
            h for p in PURPOSES for h in scored.hits.get(p, []) if h.cue.group.problem
        ]
        normal_hits = scored.hits.get("normal", []) + problems
        thresholds = self.rules.thresholds
        has_problem = _capped_sum(normal_hits) >= thresholds["normal"]
        amount = self.rules.amounts
        large = (has_problem or not amount.needs_problem) and _large_amount(
            norm, amount
        )
        for level in URGENCIES:
            hits = (
                normal_hits
                if level == "normal"
                else [
                    h
                    for h in scored.hits.get(level, [])
                    if has_problem or not h.cue.group.needs_problem
                ]
            )
            with_amount = large and level == amount.level
            total = _capped_sum(hits) + (amount.weight if with_amount else 0.0)
            if total >= thresholds[level]:
                return level, self._urgency_reasons(level, hits, with_amount)
        return "normal", ["normal: no urgency cue (default)"]

    def _urgency_reasons(
        self, level: Urgency, hits: list[_Hit], large: bool
    ) -> list[str]:
        reasons = [
            f"{level}: {_cue_kind(h)} cue {h.quote()}"
            for h in sorted(hits, key=lambda h: (-h.weight, h.start))[:3]
        ]
        if large:
            amounts = self.rules.amounts
            reasons.append(
                f"{level}: large amount (>= {amounts.min_cny:,.0f} CNY"
                f" or {amounts.min_usd:,.0f} USD)"
            )
        return reasons


def _cue_kind(hit: _Hit) -> str:
    """'safety', 'repeated contact', or 'problem' for a purpose cue."""
    if hit.cue.owner in PURPOSES:
        return "problem"
    return hit.cue.group.name.replace("_", " ")


def _capped_sum(hits: list[_Hit]) -> float:
    """Sum of hit weights, each group contributing at most its `cap`."""
    per_group: dict[int, tuple[float, float | None]] = {}
    for h in hits:
        total, cap = per_group.get(id(h.cue.group), (0.0, h.cue.group.cap))
        per_group[id(h.cue.group)] = (total + h.weight, cap)
    return sum(min(t, c) if c is not None else t for t, c in per_group.values())


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """One owner scores a stretch of text once: the heaviest (then longest) cue."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.weight, -(h.end - h.start), h.start)):
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


@cache
def default_triage() -> RuleTriage:
    """The rule engine over the shipped data, built once per process."""
    return RuleTriage(load_rules())


# --- JSONL contract -----------------------------------------------------------------
def triage_lines(lines: Iterable[str], classifier: TriageClassifier) -> Iterator[str]:
    """One result line per input line, in order (blank lines get the empty result).

    Anything that is not a JSON object with a string `text` stops the run with
    an InvalidInput naming the line number, never its content.
    """
    for number, line in enumerate(lines, start=1):
        text = text_of(read_record(line, number), number) if line.strip() else ""
        yield json.dumps(classifier.classify(text).to_dict(), ensure_ascii=False)
