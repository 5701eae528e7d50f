"""Detection: run every recognizer over one folded copy, then resolve overlaps."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache

from complydesk.pii.entity import Entity
from complydesk.pii.recognizer import Gated, Recognizer
from complydesk.pii.registry import Registry, normalize_allowed
from complydesk.pii.resolve import resolve
from complydesk.pii.text import Doc

DEFAULT_THRESHOLD = 0.5


class Detector:
    """Finds personal data in text with a registry's recognizers.

    `threshold` drops findings scored below it (after context adjustments).
    The default 0.5 keeps what recognizers report with some evidence and drops
    their weak guesses (a bare Luhn-valid number, a passport-shaped code with
    no 护照 nearby); pass 0.0 to see those too.
    """

    def __init__(
        self, registry: Registry | None = None, threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.registry = registry or Registry.builtin()
        self.threshold = threshold
        self._plan = _plan(self.registry.recognizers)

    def detect(self, text: str) -> list[Entity]:
        if not text:
            return []
        doc = Doc(text)
        found: list[Entity] = []
        append, threshold = found.append, self.threshold
        for gate, finders in self._plan:
            if gate is None or gate(doc):
                for find in finders:
                    for entity in find(doc):
                        if entity.score >= threshold:
                            append(entity)
        if found and self.registry.allowlist:
            allow = self.registry.allowlist
            found = [e for e in found if normalize_allowed(e.text) not in allow]
        return resolve(found) if len(found) > 1 else found

    def detect_many(self, texts: Iterable[str]) -> Iterator[list[Entity]]:
        for text in texts:
            yield self.detect(text)


Finder = Callable[[Doc], Iterable[Entity]]
Plan = list[tuple[Callable[[Doc], bool] | None, list[Finder]]]


def _plan(recognizers: list[Recognizer]) -> Plan:
    """Group recognizers by gate so each gate runs once per text.

    Order does not matter for the result: overlaps resolve by score, length,
    label priority and name, never by which recognizer ran first.
    """
    groups: dict[object, list[Finder]] = {}
    gates: dict[object, Callable[[Doc], bool] | None] = {}
    for recognizer in recognizers:
        if isinstance(recognizer, Gated):
            gate, inner = recognizer.gate, recognizer.inner
        else:
            gate, inner = None, recognizer
        key = id(gate) if gate is not None else None
        groups.setdefault(key, []).append(inner.find)
        gates[key] = gate
    return [(gates[key], members) for key, members in groups.items()]


@cache
def default_detector() -> Detector:
    return Detector()


def detect(text: str) -> list[Entity]:
    """Personal data in `text` with the built-in recognizers."""
    return default_detector().detect(text)


def detect_many(texts: Iterable[str]) -> Iterator[list[Entity]]:
    return default_detector().detect_many(texts)
