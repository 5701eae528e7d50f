"""Built-in recognizers: person names in English text.

A title (Mr, Ms, Dr …) before a capitalised name, a greeting (Dear, Hi …)
before a common given name, or a common given name followed by a capitalised
surname ("Sarah Johnson") marks a person. A given name alone, without a cue,
is too ambiguous in support text to report. The given-name list leaves out
names that are mostly ordinary words (Will, May, Grace, Bill, Mark).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Gated, Recognizer, has_latin
from complydesk.pii.text import Doc

_WORD = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_TITLED = re.compile(
    rf"[MDP](?<![A-Za-z][MDP])(?:r|rs|s|iss|x|r\.|rs\.|s\.|x\.|rof\.?)(?<=[a-z.])\s+"
    rf"(?P<name>{_WORD}(?:\s+{_WORD})?)"
)
_GREETED = re.compile(
    rf"[DHTG](?<![A-Za-z][DHTG])(?:ear|i|ello|ey|hanks|hank you|ood morning"
    rf"|ood afternoon|ood evening),?\s+(?P<name>{_WORD}(?:\s+{_WORD})?)"
)
_PAIR = re.compile(rf"[A-Z](?<![A-Za-z][A-Z])[a-z]+\s+{_WORD}")
# Capitalised words that follow a given name without being a surname.
_NOT_SURNAME = frozenset(
    "Street St Avenue Ave Road Rd Lane Drive Customer Service Support Team Bank Card"
    " Airlines Airways Group Company Inc Ltd LLC Store Shop Hotel Hospital School"
    " University College Center Centre Monday Tuesday Wednesday Thursday Friday"
    " Saturday Sunday January February March April June July August September"
    " October November December Account Order Refund Please Thanks Thank The And"
    " Or But If When I You We They He She It This That".split()
)


@cache
def first_names() -> frozenset[str]:
    text = (
        resources.files("complydesk.pii")
        .joinpath("data/first_names_en.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        word.capitalize()
        for line in text.splitlines()
        if not line.startswith("#")
        for word in line.split()
    )


@dataclass(frozen=True)
class EnglishNameRecognizer:
    """English names after titles or greetings, and given name + surname pairs."""

    name: str = "person_en"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PERSON.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        text = doc.folded
        names = first_names()
        found: list[tuple[int, int, float]] = []
        for m in _TITLED.finditer(text):
            found.append((*_trim(m), 0.85))
        for m in _GREETED.finditer(text):
            first = m.group("name").split()[0]
            if first in names:
                found.append((*_trim(m), 0.8))
        for m in _PAIR.finditer(text):
            first, last = m.group().split(maxsplit=1)
            if first in names and last not in _NOT_SURNAME and last not in names:
                found.append((m.start(), m.end(), 0.75))
        last_end = -1
        for start, end, score in sorted(found, key=lambda f: (f[0], -f[1])):
            if start < last_end:
                continue
            last_end = end
            yield Entity(
                Label.PERSON, start, end, doc.text[start:end], score, self.name
            )


def _trim(m: re.Match[str]) -> tuple[int, int]:
    """The name group, without a trailing non-surname word ("Dear Sarah Thanks")."""
    start, end = m.span("name")
    parts = m.group("name").split()
    if len(parts) == 2 and parts[1] in _NOT_SURNAME:
        end = start + len(parts[0])
    return start, end


# Every pattern above has a lower-case letter or '.', maybe ',', spaces and
# a capitalised word; spaces may be non-ASCII ones, dropped from `doc.ascii`.
_HINT = re.compile(r"[a-z.],?\s*[A-Z][a-z]")


def _may_have_name(doc: Doc) -> bool:
    return _HINT.search(doc.ascii) is not None


RECOGNIZERS: list[Recognizer] = [
    Gated(EnglishNameRecognizer(), _may_have_name, has_latin)
]
