"""Deterministic overlap resolution: one answer per character, same every run."""

from __future__ import annotations

from collections.abc import Iterable

from complydesk.pii.entity import Entity
from complydesk.pii.labels import PRIORITY

_LAST = len(PRIORITY)


def _rank(entity: Entity) -> tuple[float, int, int, int, str]:
    # Higher score first, then longer, then label priority, then position/name
    # so that ties are broken the same way whatever order recognizers ran in.
    return (
        -entity.score,
        -(entity.end - entity.start),
        PRIORITY.get(entity.label, _LAST),
        entity.start,
        entity.recognizer,
    )


def resolve(entities: Iterable[Entity]) -> list[Entity]:
    """Keep the best of overlapping findings; return them sorted by position."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=_rank):
        if not any(entity.overlaps(other) for other in kept):
            kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.end))
    return kept
