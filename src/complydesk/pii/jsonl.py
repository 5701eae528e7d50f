"""The JSONL contract of `complydesk pii detect --jsonl`: a result line per input line.

Input: one JSON object per line with a string `text`. Output, in the same
order: `{"entities": [{"label", "start", "end", "text", "score"}]}`.
Evaluation tooling depends on this shape: keep it stable. A whitespace-only
line gets `{"entities": []}` so output lines stay aligned with input lines;
anything else that is not such an object stops the run with an error naming
the line number (never its content).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from complydesk.jsonlines import read_record, text_of
from complydesk.pii.detect import default_detector, places_detector
from complydesk.pii.entity import Entity

BATCH = 1000


def parse_line(line: str, number: int) -> str:
    return text_of(read_record(line, number), number)


def entity_json(entity: Entity) -> dict[str, Any]:
    return {
        "label": str(entity.label),
        "start": entity.start,
        "end": entity.end,
        "text": entity.text,
        "score": round(entity.score, 4),
    }


def _detect_batch(texts: list[str], places: bool = False) -> list[str]:
    detector = places_detector() if places else default_detector()
    return [
        json.dumps(
            {"entities": [entity_json(e) for e in detector.detect(text)]},
            ensure_ascii=False,
        )
        for text in texts
    ]


def _texts(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        yield parse_line(line, number) if line.strip() else ""


def detect_lines(
    lines: Iterable[str], workers: int = 1, *, places: bool = False
) -> Iterator[str]:
    """Result lines for JSONL input lines, in order, with bounded memory."""
    texts = _texts(lines)
    if workers <= 1:
        while batch := list(islice(texts, BATCH)):
            yield from _detect_batch(batch, places)
        return
    workers = min(workers, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[list[str]]] = []
        while batch := list(islice(texts, BATCH)):
            pending.append(pool.submit(_detect_batch, batch, places))
            while len(pending) >= 2 * workers:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def map_lines(
    lines: Iterable[str], transform: Callable[[str], dict[str, Any]]
) -> Iterator[str]:
    """Apply `transform` to each input line's text; one JSON result per line."""
    for text in _texts(lines):
        yield json.dumps(transform(text), ensure_ascii=False)
