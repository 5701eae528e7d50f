"""Placeholder tokens: personal data never leaves for a model, and comes back after.

Before a message goes to a model, every personal value the PII engine finds
(and every value already replaced earlier in the same conversation) becomes a
token such as `[PHONE_1]`; the model's reply has the tokens put back. The map
is per conversation, so `[PHONE_1]` in one chat never resolves to another
chat's number; it lives only in memory, is guarded by a lock (several requests
of one conversation may run at once) and expires after `ttl_seconds` without
use, so a forgotten conversation does not keep personal data in memory.
A token the model invents, or one from an expired map, is left as it is: it
cannot reveal anything.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from complydesk.pii.detect import Detector, default_detector

TOKEN = re.compile(r"\[([A-Z][A-Z_]*_\d+)\]")


@dataclass
class _Map:
    used_at: float
    forward: dict[str, str] = field(default_factory=dict)
    reverse: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


class TokenMaps:
    """Per-conversation value <-> token maps with expiry; safe across threads."""

    def __init__(
        self,
        ttl_seconds: float = 1800,
        detector: Detector | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.detector = detector or default_detector()
        self.clock = clock
        self._maps: dict[str, _Map] = {}
        self._lock = threading.Lock()

    def _map(self, conversation: str) -> _Map:
        now = self.clock()
        expired = [k for k, m in self._maps.items() if now - m.used_at > self.ttl]
        for key in expired:
            del self._maps[key]
        found = self._maps.get(conversation)
        if found is None:
            found = self._maps[conversation] = _Map(now)
        found.used_at = now
        return found

    def pseudonymize(self, conversation: str, text: str) -> str:
        """`text` with every personal value replaced by its conversation token."""
        entities = self.detector.detect(text)
        with self._lock:
            tokens = self._map(conversation)
            out: list[str] = []
            last = 0
            for entity in sorted(entities, key=lambda e: e.start):
                if entity.start < last:
                    continue
                out.append(text[last : entity.start])
                out.append(self._token(tokens, entity.label, entity.text))
                last = entity.end
            out.append(text[last:])
            result = "".join(out)
            # Values replaced earlier in this conversation but not found again
            # here (a name without its cue, a number repeated by the bot).
            for value in sorted(tokens.forward, key=len, reverse=True):
                if value in result:
                    result = result.replace(value, tokens.forward[value])
            return result

    @staticmethod
    def _token(tokens: _Map, label: str, value: str) -> str:
        known = tokens.forward.get(value)
        if known is not None:
            return known
        tokens.counters[label] = tokens.counters.get(label, 0) + 1
        token = f"[{label}_{tokens.counters[label]}]"
        tokens.forward[value] = token
        tokens.reverse[token] = value
        return token

    def restore(self, conversation: str, text: str) -> str:
        """`text` with this conversation's tokens put back; unknown tokens stay."""
        with self._lock:
            tokens = self._map(conversation)
            reverse = dict(tokens.reverse)
        return TOKEN.sub(lambda m: reverse.get(m.group(0), m.group(0)), text)

    def forget(self, conversation: str) -> None:
        with self._lock:
            self._maps.pop(conversation, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._maps)
