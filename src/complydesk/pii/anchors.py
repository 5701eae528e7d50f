"""One regex pass per message finds where the anchored recognizers may match.

Profiling (callgrind) showed the regex engine walking every message once per
always-on recognizer (width folding, person cues, name candidates, address
suffixes: four passes of ~1 µs each on a 55-character chat message). An
anchored recognizer declares `anchors` instead: `Anchor(chars, rest)` says
"a match can only start at one of `chars`, followed by what `rest` (a
look-around, no capturing groups) accepts". The Detector fuses every
recognizer's anchors and the foldable characters into one pattern that
starts with a character class (so the engine skips other characters in C),
runs it once per text, and calls each recognizer's `find_at(doc, positions)`
only with the positions that are its own; a recognizer with no position is
not called at all. Outside a Detector, `own_positions` gives a recognizer
the same positions from its own anchors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain


@dataclass(frozen=True)
class Anchor:
    """A match starts at one of `chars`; `rest` (look-arounds only) follows it."""

    chars: str
    rest: str = ""


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


def _alternatives(anchors: Sequence[Anchor], marker: str) -> list[str]:
    # (?<=[chars]) re-checks the one consumed character for this alternative.
    return [f"(?<={_class(a.chars)}){a.rest}{marker}" for a in anchors]


@cache
def own_regex(anchors: tuple[Anchor, ...]) -> re.Pattern[str]:
    """One recognizer's anchors as a pattern consuming one character per match."""
    chars = "".join(a.chars for a in anchors)
    return re.compile(f"{_class(chars)}(?:{'|'.join(_alternatives(anchors, ''))})")


def own_positions(anchors: tuple[Anchor, ...], text: str) -> list[int]:
    return [m.start() for m in own_regex(anchors).finditer(text)]


class AnchorScan:
    """The fused anchors of several recognizers, plus characters that fold.

    `scan(text)` returns (needs folding, positions per recognizer). Every
    alternative consumes exactly one character, so finditer tries every
    position and reports each one where any anchor matches. Where a
    character belongs to two recognizers' anchor sets (区 is a surname and an
    address suffix), the fused pattern names only the first that matched, so
    the others are tested with their own patterns there.
    """

    def __init__(self, anchor_sets: Sequence[tuple[Anchor, ...]], fold_chars: str):
        self.size = len(anchor_sets)
        # Alternatives are tried in order at every candidate character: the
        # largest character sets (name candidates) first, folding (rare) last.
        order = sorted(
            ((anchor, index) for index, s in enumerate(anchor_sets) for anchor in s),
            key=lambda pair: -len(pair[0].chars),
        )
        if fold_chars:
            order.append((Anchor(fold_chars), -1))
        alternatives = []
        owner: dict[int, int] = {}
        for anchor, index in order:
            owner[len(owner) + 1] = index
            alternatives.append(_alternatives((anchor,), "()")[0])
        chars = fold_chars + "".join(a.chars for s in anchor_sets for a in s)
        self.regex = re.compile(f"{_class(chars)}(?:{'|'.join(alternatives)})")
        self.owner = [owner.get(i, -1) for i in range(len(owner) + 1)]
        sets = [frozenset("".join(a.chars for a in s)) for s in anchor_sets]
        shared: set[str] = set()
        for i, a in enumerate(sets):
            for b in sets[i + 1 :]:
                shared |= a & b
        self.shared = frozenset(shared)
        self.checks = [
            (index, sets[index], own_regex(tuple(s)))
            for index, s in enumerate(anchor_sets)
        ]

    def scan(self, text: str) -> tuple[bool, list[list[int]] | None]:
        """(needs folding, positions per recognizer or None if there are none)."""
        first = self.regex.search(text)
        if first is None:
            return False, None  # 4 in 10 chat messages: no lists to build
        positions: list[list[int]] = [[] for _ in range(self.size)]
        owner, shared = self.owner, self.shared
        for match in chain((first,), self.regex.finditer(text, first.end())):
            who = owner[match.lastindex or 0]
            if who < 0:
                return True, positions
            at = match.start()
            if text[at] in shared:
                ch = text[at]
                for index, chars, own in self.checks:
                    if ch in chars and own.match(text, at):
                        positions[index].append(at)
            else:
                positions[who].append(at)
        return False, positions
