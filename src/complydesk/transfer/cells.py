"""Per-cell work of the streaming pass: one plan per column, cached outcomes.

Why a plan: a profile's rule for a column is the same on every row, so it is
resolved once per column instead of once per cell. Typed columns (the whole
value is one entity of a known label) never reach the PII engine; a
database query's `*_bidx` columns only give counting digests and never leave;
its `*_sealed` columns are never decrypted (their label is known from the
schema). Only the other columns are scanned, kept ones included, so personal
data hiding in a kept column is still found, counted and reported.

Why caches: customer exports repeat values (the same person on several rows,
the same dates, amounts and stock phrases). The whole outcome of a cell
(output, labels, digests) is cached per column and value, so a repeated
value costs one dict lookup; each column has its own bounded cache, so a
column of unique values (order numbers) cannot evict the useful ones, and a
column that turns out never to repeat stops caching. Encrypted output is
never cached: equal ciphertexts would reveal equal values.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from complydesk.errors import InvalidInput
from complydesk.pii.classify import label_info
from complydesk.pii.detect import default_detector
from complydesk.pii.entity import Entity
from complydesk.pii.operators import redact_value, select, transform_value
from complydesk.transfer.counting import SubjectHasher
from complydesk.transfer.profile import REMOVES, Action, ColumnRule, Profile

Role = Literal["bidx", "sealed", "masked"]
"""How a query column of complydesk's own database is read (see query.py)."""

CACHE_BUDGET = 400_000  # cached cell outcomes per worker, shared by columns
CACHE_MIN = 20_000  # entries per column however many columns there are
CACHE_MAX_CHARS = 256  # longer values (real free text) are not cached
SAMPLE = 20_000  # look-ups before a column that never repeats stops caching
MAX_PLANS = 2_000  # JSON keys with a plan of their own; later ones share one
OTHER_KEYS = "(other keys)"
DROPPED: Any = object()


@dataclass(frozen=True)
class Keys:
    """Everything secret a worker needs; passed once per worker process."""

    counting: dict[str, bytes]
    pseudonym: bytes
    encrypt: bytes


@dataclass
class BatchResult:
    """One batch's output text and what it held: labels and digests, no values."""

    text: str = ""
    people: list[tuple[tuple[int, ...], bool]] = field(default_factory=list)
    skipped: int = 0
    found: dict[str, Counter[str]] = field(default_factory=dict)
    outgoing: Counter[str] = field(default_factory=Counter)
    kept: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Outcome:
    out: Any  # the value that leaves, DROPPED, or None: recompute (encryption)
    found: tuple[str, ...] = ()
    digests: tuple[int, ...] = ()
    outgoing: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    entities: tuple[Entity, ...] = ()


class _Column:
    """A column's rule, resolved once, with its cache and batch tallies."""

    __slots__ = (
        "action",
        "cache",
        "found",
        "hits",
        "kept",
        "label",
        "limit",
        "lookups",
        "name",
        "role",
        "typed_found",
    )

    def __init__(self, name: str, rule: ColumnRule, role: str, limit: int) -> None:
        self.name = name
        self.action = rule.action
        self.label = rule.label
        # typed: one entity of `label`; scan: the PII engine; drop: nothing
        # leaves and nothing is read; bidx / sealed: see the module docstring.
        self.role = role
        self.cache: dict[str, _Outcome] | None = {}
        self.limit = limit
        self.lookups = 0
        self.hits = 0
        self.typed_found = 0
        self.found: Counter[str] = Counter()
        self.kept: Counter[str] = Counter()


def resolve(
    profile: Profile, roles: dict[str, tuple[Role, str]], name: str
) -> tuple[ColumnRule, str]:
    """The rule and role of a column: typed, scan, drop, bidx or sealed."""
    rule = profile.rule(name)
    special = roles.get(name)
    if special is not None:
        kind, label = special
        if kind == "bidx":
            return ColumnRule(action=Action.DROP, label=label), "bidx"
        # The schema knows the label: a typed column under the profile's rule
        # for the column if it names one, else for that entity.
        action = rule.action if name in profile.columns else Action.SCAN
        if action is Action.SCAN:
            action = profile.entity_action(label)
        return ColumnRule(action=action, label=label), (
            "sealed" if kind == "sealed" else "typed"
        )
    if rule.action is Action.DROP and rule.label is None:
        return rule, "drop"
    return rule, "scan" if rule.label is None else "typed"


def leaves(profile: Profile, roles: dict[str, tuple[Role, str]], name: str) -> bool:
    """Whether a column is part of the output at all (the CSV header)."""
    rule, role = resolve(profile, roles, name)
    return role not in ("drop", "bidx") and rule.action is not Action.DROP


class Worker:
    """Applies one profile to batches of records; built once per process."""

    def __init__(
        self,
        profile: dict[str, Any],
        keys: Keys,
        transform: bool,
        roles: dict[str, tuple[Role, str]] | None = None,
    ) -> None:
        self.profile = Profile.model_validate(profile)
        self.hasher = SubjectHasher.from_material(keys.counting)
        self.keys = keys
        self.transform = transform
        self.roles = roles or {}
        self.detector = default_detector()
        self._plans: dict[str, _Column] = {}
        self._ops: dict[tuple[str, str, str], str] = {}
        self._label_facts: dict[str, tuple[bool, bool]] = {}
        self._digests: list[int] = []
        self._labels: set[str] = set()

    # --- plans ----------------------------------------------------------------
    def plan(self, name: str) -> _Column:
        column = self._plans.get(name)
        if column is not None:
            return column
        rule, role = resolve(self.profile, self.roles, name)
        if (
            len(self._plans) >= MAX_PLANS
            and role == "scan"
            and rule == self.profile.default
        ):
            # Records with ever new keys: one shared plan for the default rule.
            name = OTHER_KEYS
            if name in self._plans:
                return self._plans[name]
        limit = max(CACHE_MIN, CACHE_BUDGET // max(1, len(self._plans) + 1))
        column = _Column(name, rule, role, limit)
        if role in ("drop", "sealed"):
            column.cache = None
        self._plans[name] = column
        return column

    def _evict(self, column: _Column) -> None:
        """Forget a column's oldest quarter (dicts keep insertion order) and
        share the budget among the columns still caching."""
        cache = column.cache
        assert cache is not None
        caching = sum(1 for c in self._plans.values() if c.cache is not None)
        column.limit = max(CACHE_MIN, CACHE_BUDGET // max(1, caching))
        if len(cache) >= column.limit:
            for key in list(islice(cache, max(1, len(cache) // 4))):
                del cache[key]

    # --- one cell ---------------------------------------------------------------
    def cell(self, column: _Column, value: str) -> Any:
        """The value that leaves for one cell, or DROPPED; tallies labels."""
        role = column.role
        if role == "drop":
            return DROPPED
        if not value.strip():
            return DROPPED if column.action is Action.DROP else value
        cache = column.cache
        outcome = None
        if cache is not None:
            column.lookups += 1
            outcome = cache.get(value)
            if outcome is not None:
                column.hits += 1
        if outcome is None:
            outcome = self._compute(column, value)
            if cache is not None and len(value) <= CACHE_MAX_CHARS:
                if len(cache) >= column.limit:
                    self._evict(column)
                cache[value] = outcome
            if column.lookups == SAMPLE and column.hits * 100 < SAMPLE:
                column.cache = None  # values never repeat: stop paying for it
        if outcome.digests:
            self._digests.extend(outcome.digests)
        if outcome.outgoing:
            self._labels.update(outcome.outgoing)
        if role == "typed" or role == "sealed":
            column.typed_found += 1
        elif outcome.found:
            column.found.update(outcome.found)
            if outcome.kept:
                column.kept.update(outcome.kept)
        out = outcome.out
        if out is None:
            out = self._render(column, value, outcome.entities)
        return out

    def _compute(self, column: _Column, value: str) -> _Outcome:
        label, action = column.label, column.action
        if column.role == "bidx":
            assert label is not None
            digest = self.hasher.from_index(label, value.strip().lower())
            return _Outcome(DROPPED, (), () if digest is None else (digest,))
        if column.role == "sealed":
            # Never decrypted: the label is known, the value never leaves
            # unless removed (query.py refuses other actions for exports).
            assert label is not None
            outgoing = () if action in REMOVES else (label,)
            if action is Action.DROP:
                return _Outcome(DROPPED, (label,), (), outgoing)
            tag = redact_value(label, self.profile.lang)
            return _Outcome(tag if self.transform else value, (label,), (), outgoing)
        if label is not None:
            digest = self.hasher.digest(label, value)
            digests = () if digest is None else (digest,)
            if action is Action.DROP:
                return _Outcome(DROPPED, (label,), digests)
            outgoing = () if action in REMOVES else (label,)
            out: Any = value
            if self.transform:
                out = (
                    None if action is Action.ENCRYPT else self._op(value, label, action)
                )
            return _Outcome(out, (label,), digests, outgoing)
        return self._scan(value, action)

    def _scan(self, value: str, action: Action) -> _Outcome:
        entities = self.detector.detect(value)
        if not entities:
            return _Outcome(value)
        found = tuple(e.label for e in entities)
        digests = tuple(
            d
            for e in entities
            if (d := self.hasher.digest(e.label, e.text)) is not None
        )
        if action is Action.KEEP:
            return _Outcome(value, found, digests, found, found)
        chosen = [(e, self._entity_action(e, action)) for e in select(value, entities)]
        outgoing = tuple(e.label for e, a in chosen if a not in REMOVES)
        if not self.transform:
            return _Outcome(value, found, digests, outgoing)
        if any(a is Action.ENCRYPT for _, a in chosen):
            return _Outcome(None, found, digests, outgoing, (), tuple(entities))
        return _Outcome(self._replace(value, chosen), found, digests, outgoing)

    def _entity_action(self, entity: Entity, action: Action) -> Action:
        if action is Action.SCAN:
            return self.profile.entity_action(entity.label)
        return action

    def _render(self, column: _Column, value: str, entities: tuple[Entity, ...]) -> str:
        """Output that is never cached: anything encrypted."""
        if not entities:  # a typed column under `encrypt`
            assert column.label is not None
            return self._op(value, column.label, column.action)
        chosen = [
            (e, self._entity_action(e, column.action)) for e in select(value, entities)
        ]
        return self._replace(value, chosen)

    def _replace(self, text: str, chosen: list[tuple[Entity, Action]]) -> str:
        out = text
        for entity, action in reversed(chosen):
            new = self._op(entity.text, entity.label, action)
            out = out[: entity.start] + new + out[entity.end :]
        return out

    def _op(self, value: str, label: str, action: Action) -> str:
        if action is Action.KEEP:
            return value
        if action is Action.DROP:
            return ""
        if action is Action.REDACT:
            return redact_value(label, self.profile.lang)
        if action is Action.ENCRYPT:
            return transform_value(value, label, "encrypt", key=self.keys.encrypt)
        # Shared by columns and entities in text: the same phone in the phone
        # column and in a note is pseudonymised once.
        memo = (label, action.value, value)
        done = self._ops.get(memo)
        if done is None:
            done = transform_value(value, label, action.value, key=self.keys.pseudonym)
            if len(self._ops) >= CACHE_BUDGET // 2:
                for key in list(islice(self._ops, len(self._ops) // 4)):
                    del self._ops[key]
            self._ops[memo] = done
        return done

    # --- records ---------------------------------------------------------------
    def _facts(self, label: str) -> tuple[bool, bool]:
        """(personal, sensitive) of a label; organisations are not people."""
        facts = self._label_facts.get(label)
        if facts is None:
            info = label_info(label)
            facts = (info.category != "organisation", bool(info.pipl_sensitive))
            self._label_facts[label] = facts
        return facts

    def _end(self, result: BatchResult) -> None:
        labels = self._labels
        personal = sensitive = False
        for label in labels:
            is_personal, is_sensitive = self._facts(label)
            personal = personal or is_personal
            sensitive = sensitive or (is_personal and is_sensitive)
        if labels:
            result.outgoing.update(labels)
            labels.clear()
        if personal:
            result.people.append((tuple(self._digests), sensitive))
        else:
            result.skipped += 1
        self._digests.clear()

    def _tally(self, result: BatchResult) -> None:
        for column in self._plans.values():
            if column.typed_found:
                assert column.label is not None
                counter = result.found.setdefault(column.name, Counter())
                counter[column.label] += column.typed_found
                column.typed_found = 0
            if column.found:
                result.found.setdefault(column.name, Counter()).update(column.found)
                column.found.clear()
            if column.kept:
                result.kept.setdefault(column.name, Counter()).update(column.kept)
                column.kept.clear()

    def csv_batch(self, header: list[str], rows: list[list[str]]) -> BatchResult:
        result = BatchResult()
        columns = [self.plan(name) for name in header]
        buffer = io.StringIO()
        write = csv.writer(buffer, lineterminator="\n").writerow
        cell, end, transform = self.cell, self._end, self.transform
        for row in rows:
            if len(row) > len(columns):
                columns += [
                    self.plan(f"col{i + 1}") for i in range(len(columns), len(row))
                ]
            out = [
                new
                for column, value in zip(columns, row, strict=False)
                if (new := cell(column, value)) is not DROPPED
            ]
            end(result)
            if transform:
                write(out)
        self._tally(result)
        result.text = buffer.getvalue()
        return result

    def jsonl_batch(self, lines: list[tuple[int, str]]) -> BatchResult:
        result = BatchResult()
        parts: list[str] = []
        for number, line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InvalidInput(f"line {number} is not JSON") from None
            if not isinstance(record, dict):
                raise InvalidInput(f"line {number} is not a JSON object")
            out = self._record(record.items())
            self._end(result)
            if self.transform:
                parts.append(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
                parts.append("\n")
        self._tally(result)
        result.text = "".join(parts)
        return result

    def rows_batch(
        self, header: list[str], rows: list[Sequence[Any]], out_kind: str
    ) -> BatchResult:
        """Rows of a database query (JSON-typed values), written as CSV or JSONL."""
        result = BatchResult()
        buffer = io.StringIO()
        write = csv.writer(buffer, lineterminator="\n").writerow
        parts: list[str] = []
        for row in rows:
            out = self._record(zip(header, row, strict=True))
            self._end(result)
            if not self.transform:
                continue
            if out_kind == "csv":
                write(list(out.values()))
            else:
                parts.append(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
                parts.append("\n")
        self._tally(result)
        result.text = buffer.getvalue() if out_kind == "csv" else "".join(parts)
        return result

    def subjects(self, record: Any) -> BatchResult:
        """One live message (a webhook payload) as one record: who is in it."""
        result = BatchResult()
        if isinstance(record, dict):
            self._record(record.items())
        else:
            self._json(self.plan("data"), record)
        self._end(result)
        self._tally(result)
        return result

    def _record(self, items: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            new = self._json(self.plan(str(key)), value)
            if new is not DROPPED:
                out[key] = new
        return out

    def _json(self, column: _Column, value: Any) -> Any:
        if isinstance(value, str):
            return self.cell(column, value)
        if column.role == "drop" or column.role == "bidx":
            return DROPPED
        typed = column.label is not None
        if isinstance(value, int | float) and not isinstance(value, bool) and typed:
            return self.cell(column, str(value))
        if isinstance(value, dict):
            if column.action is Action.DROP:
                return DROPPED
            inner = {k: self._json(column, v) for k, v in value.items()}
            return {k: v for k, v in inner.items() if v is not DROPPED}
        if isinstance(value, list):
            if column.action is Action.DROP:
                return DROPPED
            items = [self._json(column, v) for v in value]
            return [v for v in items if v is not DROPPED]
        if column.action is Action.DROP:
            return DROPPED
        return value


__all__ = ["DROPPED", "BatchResult", "Keys", "Role", "Worker", "leaves", "resolve"]
