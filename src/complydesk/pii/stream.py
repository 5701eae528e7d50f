"""Detection over a chat stream, catching an entity split across two messages.

Customers often send a number in pieces ("我的手机号是138" then "12345678").
`StreamDetector.feed` detects on the tail of what came before plus the new
message and reports what touches the new message, once, with offsets in the
whole stream and the message indexes the entity spans.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from complydesk.pii.detect import Detector, default_detector
from complydesk.pii.entity import Entity


@dataclass(frozen=True)
class StreamEntity:
    """An entity in stream coordinates; `first_message` < `last_message` if split."""

    entity: Entity
    first_message: int
    last_message: int

    @property
    def split(self) -> bool:
        return self.first_message != self.last_message


@dataclass
class StreamDetector:
    """Feed messages in order; each call returns the entities touching the new one.

    `carry` is how many characters of earlier messages are re-read with the new
    one: enough for the longest entity we expect to be split (an address).
    """

    detector: Detector = field(default_factory=default_detector)
    carry: int = 64
    _tail: str = ""
    _tail_start: int = 0
    _starts: list[int] = field(default_factory=list)
    _length: int = 0

    def feed(self, message: str) -> list[StreamEntity]:
        message_start = self._length
        self._starts.append(message_start)
        window = self._tail + message
        found: list[StreamEntity] = []
        for entity in self.detector.detect(window):
            start = self._tail_start + entity.start
            end = self._tail_start + entity.end
            if end <= message_start:
                continue  # wholly in earlier messages: already reported
            shifted = Entity(
                entity.label, start, end, entity.text, entity.score, entity.recognizer
            )
            found.append(
                StreamEntity(shifted, self._message_at(start), len(self._starts) - 1)
            )
        self._length += len(message)
        keep = window[-self.carry :] if self.carry else ""
        self._tail_start = self._length - len(keep)
        self._tail = keep
        return found

    def _message_at(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)
