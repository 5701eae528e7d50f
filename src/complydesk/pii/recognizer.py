"""Recognizers: small objects that find one kind of personal data.

A recognizer is anything with a `name`, the `labels` it emits and a
`find(doc)` method. `PatternRecognizer` covers the common case as data: a
regular expression over the folded text, an optional validator (checksum,
date), and context words that raise the score or veto the match. The YAML
configuration (registry.py) builds exactly these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Protocol

from complydesk.pii.anchors import Anchor
from complydesk.pii.entity import Entity
from complydesk.pii.text import Doc

Validator = Callable[[str], bool]


class Recognizer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def labels(self) -> tuple[str, ...]: ...

    def find(self, doc: Doc) -> Iterable[Entity]: ...


@dataclass(frozen=True)
class Context:
    """Words near a match that change its score.

    `boost` words within `window` characters before (or `after_window` after)
    the match add `boost_by`; any `veto` word there drops the match entirely
    (订单号 before a Luhn-valid number means an order, not a card).
    `required` makes the match count only when a boost word is present.
    """

    boost: tuple[str, ...] = ()
    veto: tuple[str, ...] = ()
    window: int = 12
    after_window: int = 0
    boost_by: float = 0.3
    required: bool = False

    def adjust(self, doc: Doc, start: int, end: int, score: float) -> float | None:
        """The adjusted score, or None when the context vetoes the match."""
        if not (self.boost or self.veto):
            return score
        near = doc.before(start, self.window)
        if self.after_window:
            near += "\0" + doc.after(end, self.after_window)
        if any(word in near for word in self.veto):
            return None
        if any(word in near for word in self.boost):
            return min(1.0, score + self.boost_by)
        return None if self.required else score


NO_CONTEXT = Context()


class Anchored(Recognizer, Protocol):
    """A recognizer whose matches start only at its `anchors` (anchors.py).

    The Detector finds those positions for all anchored recognizers in one
    pass and calls `find_at` with them (never with an empty list); `find`
    must give the same result on its own. Empty `anchors` means "not
    anchored in this configuration": the Detector then calls `find`.
    """

    @property
    def anchors(self) -> tuple[Anchor, ...]: ...

    def find_at(self, doc: Doc, positions: list[int]) -> Iterable[Entity]: ...


@dataclass(frozen=True)
class PatternRecognizer:
    """A regex, a validator and context rules, emitting one label.

    The pattern runs on the folded text. Use the named group `v` to report only
    part of the match (e.g. a number after a keyword); otherwise the whole
    match is the entity. `normalize` prepares the matched value for the
    validator (e.g. strip spaces and dashes inside a card number).
    """

    name: str
    label: str
    pattern: re.Pattern[str]
    score: float = 0.6
    validator: Validator | None = None
    context: Context = NO_CONTEXT
    normalize: Callable[[str], str] = field(default=lambda s: s)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label,)

    def find(self, doc: Doc) -> list[Entity]:
        out: list[Entity] = []
        has_v = "v" in self.pattern.groupindex
        for match in self.pattern.finditer(doc.folded):
            if has_v and match.group("v") is not None:
                start, end = match.span("v")
            else:
                start, end = match.span()
            if self.validator is not None:
                if not self.validator(self.normalize(doc.folded[start:end])):
                    continue
            score = self.context.adjust(doc, start, end, self.score)
            if score is None:
                continue
            out.append(
                Entity(self.label, start, end, doc.text[start:end], score, self.name)
            )
        return out


def strip_separators(value: str) -> str:
    """Digits and letters only: '6222 0212-3456' -> '622202123456'."""
    return value.replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class Gated:
    """A recognizer that only runs when a cheap whole-text test passes.

    The Detector evaluates each distinct gate once per text and skips every
    recognizer behind a closed one, so gates should be shared objects (e.g.
    one `has_digit_run` for all number-shaped recognizers). `needs` is an
    optional cheaper test the gate implies (`has_latin`, `has_at`): the
    Detector groups gates by it and skips the whole group, without calling
    any gate, on texts that fail it (most chat messages have no ASCII letter).
    """

    inner: Recognizer
    gate: Callable[[Doc], bool]
    needs: Callable[[Doc], bool] | None = None

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def labels(self) -> tuple[str, ...]:
        return self.inner.labels

    def find(self, doc: Doc) -> Iterable[Entity]:
        if self.needs is not None and not self.needs(doc):
            return ()
        return self.inner.find(doc) if self.gate(doc) else ()


# The shared gate for recognizers whose matches contain ASCII letters; also
# `has_at` for e-mail, `has_digit_run` for number-shaped recognizers and
# `has_ascii` for any match with an ASCII letter, digit, '@' or ':'.
# attrgetter runs in C: one attribute read per text.
has_latin: Callable[[Doc], bool] = attrgetter("has_latin")
has_at: Callable[[Doc], bool] = attrgetter("has_at")
has_digit_run: Callable[[Doc], bool] = attrgetter("has_digit_run")
has_ascii: Callable[[Doc], bool] = attrgetter("has_ascii")
# `needs` tests that imply `has_ascii`: the Detector runs their groups only
# on texts that pass it (see Doc).
ASCII_NEEDS: tuple[Callable[[Doc], bool], ...] = (
    has_latin,
    has_at,
    has_digit_run,
    has_ascii,
)
