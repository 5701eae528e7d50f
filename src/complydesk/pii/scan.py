"""Scanning files for personal data: CSV, JSONL, TXT and XLSX, on all cores.

Files are read as a stream of (column, text) cells and cut into batches;
at most two batches per worker are in flight, so memory stays flat however
large the input. Each worker process builds its detector once.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from complydesk.errors import InvalidInput
from complydesk.pii.detect import default_detector

Cell = tuple[str, str]  # (column, text); column is "" for plain text lines
Counts = dict[str, Counter[str]]  # column -> label -> count
KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt",
         ".log": "txt", ".xlsx": "xlsx"}  # fmt: skip
BATCH = 2000


@dataclass
class FileReport:
    path: str
    kind: str
    cells: int = 0
    chars: int = 0
    columns: Counts = field(default_factory=dict)

    @property
    def labels(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.columns.values():
            total.update(counts)
        return total


@dataclass
class ScanReport:
    files: list[FileReport]
    seconds: float

    @property
    def labels(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for report in self.files:
            total.update(report.labels)
        return total

    @property
    def chars(self) -> int:
        return sum(f.chars for f in self.files)


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"{path.name}: unsupported file type; use {', '.join(sorted(KINDS))}"
        )
    return kind


def read_cells(path: Path, kind: str) -> Iterator[Cell]:
    """The file's text cells; errors name the file and line, never the content."""
    if kind == "xlsx":
        yield from _xlsx_cells(path)
        return
    with path.open(encoding="utf-8", newline="") as handle:
        if kind == "txt":
            for line in handle:
                yield "", line.rstrip("\n")
        elif kind == "csv":
            reader = csv.reader(handle)
            header = next(reader, [])
            for row in reader:
                for index, value in enumerate(row):
                    name = header[index] if index < len(header) else f"col{index + 1}"
                    if value:
                        yield name, value
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise InvalidInput(
                        f"{path.name}: line {number} is not JSON"
                    ) from None
                yield from _json_strings(record, "")


def _json_strings(value: Any, key: str) -> Iterator[Cell]:
    if isinstance(value, str):
        yield key or "value", value
    elif isinstance(value, dict):
        for name, child in value.items():
            yield from _json_strings(child, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for child in value:
            yield from _json_strings(child, key)


def _xlsx_cells(path: Path) -> Iterator[Cell]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise InvalidInput(f"{path.name}: not a readable XLSX file") from exc
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(v) if v is not None else "" for v in next(rows, ())]
            for row in rows:
                for index, value in enumerate(row):
                    if isinstance(value, str) and value:
                        name = header[index] if index < len(header) else ""
                        yield f"{sheet.title}!{name or f'col{index + 1}'}", value
    finally:
        book.close()


def _count_batch(batch: list[Cell]) -> tuple[Counts, int]:
    detector = default_detector()
    counts: Counts = {}
    chars = 0
    for column, text in batch:
        chars += len(text)
        for entity in detector.detect(text):
            counts.setdefault(column, Counter())[entity.label] += 1
    return counts, chars


def _merge(report: FileReport, result: tuple[Counts, int], cells: int) -> None:
    counts, chars = result
    report.cells += cells
    report.chars += chars
    for column, labels in counts.items():
        report.columns.setdefault(column, Counter()).update(labels)


def scan_paths(
    paths: list[Path],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanReport:
    """Count entities per file, column and label; `progress` gets cells done."""
    kinds = [(path, kind_of(path)) for path in paths]
    for path, _ in kinds:
        if not path.is_file():
            raise InvalidInput(f"{path} is not a readable file")
    workers = max(1, workers or os.cpu_count() or 1)
    started = time.perf_counter()
    reports = []
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else _Inline() as pool:
        for path, kind in kinds:
            report = FileReport(str(path), kind)
            pending: list[tuple[Future[tuple[Counts, int]], int]] = []
            cells = read_cells(path, kind)
            while batch := list(islice(cells, BATCH)):
                pending.append((pool.submit(_count_batch, batch), len(batch)))
                while len(pending) >= 2 * workers:
                    _finish(pending.pop(0), report, progress)
            for item in pending:
                _finish(item, report, progress)
            reports.append(report)
    return ScanReport(reports, time.perf_counter() - started)


def _finish(
    item: tuple[Future[tuple[Counts, int]], int],
    report: FileReport,
    progress: Callable[[int], None] | None,
) -> None:
    future, size = item
    _merge(report, future.result(), size)
    if progress is not None:
        progress(size)


class _Inline:
    """The executor interface, run in this process (workers=1: no fork cost)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(
        self, fn: Callable[[list[Cell]], tuple[Counts, int]], batch: list[Cell]
    ) -> Future[tuple[Counts, int]]:
        future: Future[tuple[Counts, int]] = Future()
        future.set_result(fn(batch))
        return future
