"""Pluggable answerers: the offline FAQ bot and any OpenAI-compatible endpoint.

A backend answers one customer message given the conversation so far. It
never stores anything and never sees more personal data than it needs: the
OpenAI-compatible backend replaces personal data by placeholders before a
message leaves (complydesk.assistant.backends.placeholders).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from complydesk.assistant.handoff import Turn
from complydesk.errors import ComplydeskError

_CJK = re.compile(r"[\u3400-\u9fff]")


class BackendError(ComplydeskError):
    """The model could not answer (unreachable, refused, malformed reply)."""

    status = 502
    title = "AI backend unavailable"


@dataclass(frozen=True)
class Answer:
    text: str
    understood: bool
    confidence: float | None = None
    source: str | None = None
    """What the answer came from (a knowledge-base entry id), never customer text."""


class Backend(Protocol):
    name: str
    model: str | None

    def answer(
        self,
        conversation: str,
        text: str,
        history: Sequence[Turn],
        *,
        lang: str,
        jurisdiction: str,
    ) -> Answer: ...


def language_of(text: str) -> str:
    """zh when the text has Chinese characters, else en: reply in kind."""
    return "zh" if _CJK.search(text) else "en"
