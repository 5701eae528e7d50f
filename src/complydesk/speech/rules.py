"""Speech rule packs: YAML data, validated with pydantic, errors naming file and key.

A pack holds one language's rules plus its *guards*: the negation, hedge,
question and conditional cues that turn a trigger into a non-promise. The
rules are data so QA leads can review and extend them without touching code;
validation is strict (unknown keys, bad regexes, capturing groups, duplicate
ids) because a silently broken pattern is a silent compliance gap.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

Role = Literal["agent", "bot"]
Guard = Literal["negation", "hedge", "question", "quote", "conditional"]
Scope = Literal["clause", "sentence"]

# Scored categories, in report order; a pack must cover them all (extra
# categories are fine).
CORE_CATEGORIES: tuple[str, ...] = (
    "absolute_promise",
    "time_commitment",
    "permanent_price",
    "financial_guarantee",
    "bot_claims_human",
    "unnecessary_personal_data",
    "threat_insult",
)
DEFAULT_GUARDS: tuple[Guard, ...] = ("negation", "hedge", "question", "quote")
LANGUAGES = ("zh", "en")


class RulePackError(ValueError):
    """A rule pack failed to load; the message names the file and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}")
        self.source = source
        self.key = key


def _check_regex(value: str) -> str:
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regex {value!r}: {exc}") from exc
    if compiled.groups:
        # Rules are merged into one regex with a named group per rule; their
        # own capturing groups would shift the group numbering.
        raise ValueError(f"use (?:...) instead of capturing groups in {value!r}")
    return value


# Validated per item, so an error's key ends in the list index (patterns[1]).
Regex = Annotated[str, AfterValidator(_check_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z]{2}\.[a-z0-9_.]+$")
    category: str = Field(pattern=r"^[a-z_]+$")
    severity: Literal["block", "warn"]
    patterns: list[Regex] = Field(min_length=1)
    unless: list[Regex] = Field(default_factory=list)
    unless_scope: Scope = "clause"
    guards: tuple[Guard, ...] = DEFAULT_GUARDS
    explanation: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    roles: tuple[Role, ...] = ("agent", "bot")
    citation: str | None = None


class NegationGuard(_Strict):
    window: int = Field(ge=1, le=60)
    patterns: list[Regex] = Field(min_length=1)
    # Negated promise verbs (不能承诺, "can't guarantee") that cover the rest of
    # their clause however far the trigger is: 不能承诺升级后信号一定变好.
    clause: list[Regex] = Field(default_factory=list)


class Guards(_Strict):
    negation: NegationGuard
    hedge: list[Regex] = Field(min_length=1)
    question: list[Regex] = Field(min_length=1)
    conditional: list[Regex] = Field(min_length=1)
    # Reported speech without quote marks (您说的…, you said …): part of `quote`.
    attribution: list[Regex] = Field(min_length=1)
    # Statements of inability (无法累积, "we're unable to"): a clause saying
    # what cannot be done is no promise. Used for the learned backstop's
    # clause (model.py), whose span has no trigger to measure a window from.
    inability: list[Regex] = Field(default_factory=list)


class CategoryText(_Strict):
    """How a category is named and rewritten when no single rule speaks (the
    learned backstop, model.py, knows the category but not a rule)."""

    name: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)


class Pack(_Strict):
    language: Literal["zh", "en"]
    guards: Guards
    rules: list[Rule] = Field(min_length=1)
    categories: dict[str, CategoryText] = Field(default_factory=dict)


def _key(loc: tuple[int | str, ...], data: Any) -> str:
    """`rules[3].patterns[1]` (with the rule id when known) from a pydantic loc."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if (
                    isinstance(node, dict)
                    and "id" in node
                    and parts[-2:-1] == ["rules"]
                ):
                    parts[-1] = f"[{item}]({node['id']})"
                continue
        else:
            parts.append(("." if parts else "") + item)
        node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "<root>"


def parse_pack(data: Any, source: str) -> Pack:
    """Validate one pack's parsed YAML; raise RulePackError naming `source`."""
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RulePackError(source, _key(tuple(err["loc"]), data), err["msg"]) from exc
    seen: set[str] = set()
    for i, rule in enumerate(pack.rules):
        key = f"rules[{i}]({rule.id})"
        if rule.id in seen:
            raise RulePackError(source, key + ".id", "duplicate rule id")
        if not rule.id.startswith(pack.language + "."):
            raise RulePackError(source, key + ".id", f"must start {pack.language}.")
        seen.add(rule.id)
    used = {r.category for r in pack.rules}
    for cat in pack.categories:
        if cat not in used:
            raise RulePackError(
                source, f"categories.{cat}", "no rule has this category"
            )
    missing = set(CORE_CATEGORIES) - used
    if missing:
        raise RulePackError(source, "rules", f"no rule for {sorted(missing)}")
    return pack


def load_pack(path: str | Path) -> Pack:
    """Load and validate a pack file (YAML syntax errors also name the file)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulePackError(str(path), "<yaml>", str(exc)) from exc
    return parse_pack(data, str(path))


@cache
def default_packs() -> tuple[Pack, ...]:
    """The shipped packs (rules/zh.yaml, rules/en.yaml), read from package data."""
    base = resources.files("complydesk.speech") / "rules"
    packs = []
    for lang in LANGUAGES:
        res = base / f"{lang}.yaml"
        data = yaml.safe_load(res.read_text(encoding="utf-8"))
        packs.append(parse_pack(data, f"rules/{lang}.yaml"))
    return tuple(packs)
