"""Detection: one anchor scan, the recognizers that have candidates, then overlaps.

Per text: one regex pass (complydesk.pii.anchors) finds the positions where
the anchored recognizers (person cues, the name scorer, addresses) can match
and whether the text needs width folding; the other recognizers run behind
cheap gates (an '@', four digits in a row, ...) computed once per text, and
those gated on ASCII content only on texts that have some (half do not). The
gates and finders run from one generated function of nested `if`s (see
`_compile`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import cast

from complydesk.pii.anchors import AnchorScan
from complydesk.pii.entity import Entity
from complydesk.pii.recognizer import (
    ASCII_NEEDS,
    Anchored,
    Gated,
    Recognizer,
    has_ascii,
    has_at,
    has_digit_run,
    has_latin,
)
from complydesk.pii.registry import Registry, normalize_allowed
from complydesk.pii.resolve import resolve
from complydesk.pii.text import FOLD_CHARS, Doc, fold

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
        recognizers = self.registry.recognizers
        anchored = [cast(Anchored, r) for r in recognizers if _anchors(r)]
        scan = AnchorScan([r.anchors for r in anchored], FOLD_CHARS)
        self._scan_text = scan.scan
        self._find_at = tuple(r.find_at for r in anchored)
        others = [r for r in recognizers if not _anchors(r)]
        self._plan = _plan([r for r in others if not _ascii_only(r)])
        self._ascii_plan = _plan([r for r in others if _ascii_only(r)])
        self._run_gated = _compile(self._plan, self._ascii_plan)

    def detect(self, text: str) -> list[Entity]:
        if not text:
            return []
        scan = self._scan_text
        needs_fold, positions = scan(text)
        if needs_fold:
            folded = fold(text)
            positions = scan(folded)[1]
            doc = Doc(text, folded)
        else:
            doc = Doc(text, text)
        found: list[Entity] = []
        extend = found.extend
        if positions is not None:
            for find_at, at in zip(self._find_at, positions, strict=False):
                if at:
                    extend(find_at(doc, at))
        self._run_gated(doc, extend)
        if not found:
            return found
        threshold = self.threshold
        found = [e for e in found if e.score >= threshold]
        if found and self.registry.allowlist:
            allow = self.registry.allowlist
            found = [e for e in found if normalize_allowed(e.text) not in allow]
        return resolve(found) if len(found) > 1 else found

    def detect_many(self, texts: Iterable[str]) -> Iterator[list[Entity]]:
        for text in texts:
            yield self.detect(text)


Finder = Callable[[Doc], Iterable[Entity]]
Test = Callable[[Doc], bool]
Plan = tuple[
    tuple[Test | None, tuple[tuple[Test | None, tuple[Finder, ...]], ...]], ...
]


def _anchors(recognizer: Recognizer) -> bool:
    return bool(getattr(recognizer, "anchors", ()))


def _ascii_only(recognizer: Recognizer) -> bool:
    """Gated on a test that implies `doc.has_ascii` (see ASCII_NEEDS)."""
    needs = getattr(recognizer, "needs", None)
    return isinstance(recognizer, Gated) and any(needs is t for t in ASCII_NEEDS)


def _plan(recognizers: list[Recognizer]) -> Plan:
    """Group recognizers by `needs`, then by gate: each test runs once per text.

    Order does not matter for the result: overlaps resolve by score, length,
    label priority and name, never by which recognizer ran first.
    """
    groups: dict[object, dict[object, list[Finder]]] = {}
    tests: dict[object, Test | None] = {None: None}
    for recognizer in recognizers:
        needs: Test | None = None
        gate: Test | None = None
        inner = recognizer
        if isinstance(recognizer, Gated):
            gate, inner, needs = recognizer.gate, recognizer.inner, recognizer.needs
            if needs is has_ascii:
                needs = None  # the Detector tests it once for all of them
        outer = id(needs) if needs is not None else None
        key = id(gate) if gate is not None else None
        groups.setdefault(outer, {}).setdefault(key, []).append(inner.find)
        tests[outer], tests[key] = needs, gate
    return tuple(
        (tests[outer], tuple((tests[key], tuple(f)) for key, f in by_gate.items()))
        for outer, by_gate in groups.items()
    )


# The attribute tests (attrgetters of Doc flags) by the flag they read.
_ATTRIBUTE_TESTS = {
    id(has_latin): "has_latin",
    id(has_at): "has_at",
    id(has_digit_run): "has_digit_run",
    id(has_ascii): "has_ascii",
}


def _compile(
    plan: Plan, ascii_plan: Plan
) -> Callable[[Doc, Callable[[Iterable[Entity]], None]], None]:
    """The plans as one generated function of nested `if`s.

    Why: walking the plan's tuples per text (tuple unpacking, `is None`
    tests, a call per attribute test) cost 2-4% of all detection
    instructions (callgrind); the generated code reads `doc.has_at` and
    friends directly and calls only the gates and finders. Same tests, same
    order, same finders.
    """
    env: dict[str, object] = {}
    lines = ["def run(doc, extend):"]

    def test(t: Test, prefix: str) -> str:
        name = _ATTRIBUTE_TESTS.get(id(t))
        if name is not None:
            return f"doc.{name}"
        key = f"{prefix}{len(env)}"
        env[key] = t
        return f"{key}(doc)"

    def emit(p: Plan, indent: str) -> None:
        for needs, gated in p:
            inner = indent
            if needs is not None:
                lines.append(f"{indent}if {test(needs, 'n')}:")
                inner += "    "
            for gate, finders in gated:
                body = inner
                if gate is not None:
                    lines.append(f"{inner}if {test(gate, 'g')}:")
                    body += "    "
                for find in finders:
                    key = f"f{len(env)}"
                    env[key] = find
                    lines.append(f"{body}extend({key}(doc))")

    emit(plan, "    ")
    if ascii_plan:
        lines.append("    if doc.has_ascii:")
        emit(ascii_plan, "        ")
    if len(lines) == 1:
        lines.append("    pass")
    exec("\n".join(lines), env)  # noqa: S102 - our own plan, no outside input
    return cast(Callable[[Doc, Callable[[Iterable[Entity]], None]], None], env["run"])


@cache
def default_detector() -> Detector:
    return Detector()


@cache
def places_detector() -> Detector:
    """The built-ins that also report bare place names (`--places`)."""
    return Detector(Registry.builtin(places=True))


def detect(text: str) -> list[Entity]:
    """Personal data in `text` with the built-in recognizers."""
    return default_detector().detect(text)


def detect_many(texts: Iterable[str]) -> Iterator[list[Entity]]:
    return default_detector().detect_many(texts)
