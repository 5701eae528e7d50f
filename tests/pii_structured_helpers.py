"""Shared helper for the structured-PII recognizer tests."""

from __future__ import annotations

from complydesk.pii.detect import Detector
from complydesk.pii.recognizers import contact, finance, ids, network, vehicle
from complydesk.pii.registry import Registry

# threshold 0: these tests look at recognizers' own scores, weak guesses included.
DETECTOR = Detector(
    Registry(
        [r for m in (contact, ids, finance, network, vehicle) for r in m.RECOGNIZERS]
    ),
    threshold=0.0,
)


def found(text: str, label: str) -> list[str]:
    """Texts of the `label` findings, checking offsets point at the original."""
    out = []
    for entity in DETECTOR.detect(text):
        assert text[entity.start : entity.end] == entity.text
        if entity.label == label:
            out.append(entity.text)
    return out
