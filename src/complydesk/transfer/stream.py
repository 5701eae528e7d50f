"""The streaming pass over a dataset: de-identify, count, hash; flat memory, all cores.

The main process reads the source (a file, hashing its bytes on the way, or a
database query, see query.py), cuts it into batches and hands them to worker
processes (`cells.Worker`); at most two batches per worker are in flight, and
results are taken in input order, so the output and its SHA-256 are the same
whatever the number of workers. Workers return each batch's output as one
string with its labels and digests; the main process writes the text, feeds
the digests to the `SubjectIndex` and asks the caller to match them against
the register every few thousand digests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from complydesk.errors import InvalidInput
from complydesk.pii.classify import label_info
from complydesk.pii.detect import default_detector
from complydesk.transfer import cells
from complydesk.transfer.cells import BatchResult, Keys, Role
from complydesk.transfer.counting import SubjectIndex
from complydesk.transfer.profile import Profile
from complydesk.transfer.rules import category_of

Kind = Literal["csv", "jsonl"]
KINDS: dict[str, Kind] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
BATCH = 2000
LOOKUP_EVERY = 20_000  # digests between register look-ups
Job = tuple[str, tuple[Any, ...]]


def kind_of(path: Path) -> Kind:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(f"{path.name}: transfers take .csv or .jsonl files")
    return kind


@dataclass
class StreamSummary:
    """What the pass saw and wrote: counts and labels, never values."""

    kind: str
    records: int = 0
    without_personal_data: int = 0
    input_bytes: int = 0
    input_sha256: str = ""
    output_bytes: int | None = None
    output_sha256: str | None = None
    found: dict[str, Counter[str]] = field(default_factory=dict)
    outgoing: Counter[str] = field(default_factory=Counter)
    kept: dict[str, Counter[str]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def categories(self) -> frozenset[str]:
        """Categories of personal data that leave (organisations excluded)."""
        return frozenset(
            category_of(label)
            for label in self.outgoing
            if label_info(label).category != "organisation"
        )

    @property
    def personal(self) -> bool:
        return bool(self.categories)

    @property
    def sensitive_labels(self) -> list[str]:
        return sorted(x for x in self.outgoing if label_info(x).pipl_sensitive)


class Source(Protocol):
    """Where records come from: a file (`FileSource`) or a query (query.py)."""

    kind: str  # csv | jsonl | query: what the summary and report call it
    out_kind: Kind  # the output's format
    name: str  # how errors name it
    roles: dict[str, tuple[Role, str]]  # special columns (query on own database)

    def jobs(
        self, profile: Profile, summary: StreamSummary
    ) -> Any:  # a context manager yielding Iterator[Job]
        ...


class FileSource:
    """A .csv (header row) or .jsonl file, read as UTF-8 and hashed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind: str = kind_of(path)
        self.out_kind: Kind = kind_of(path)
        self.name = path.name
        self.roles: dict[str, tuple[Role, str]] = {}

    @contextmanager
    def jobs(self, profile: Profile, summary: StreamSummary) -> Iterator[Iterator[Job]]:
        if not self.path.is_file():
            raise InvalidInput(f"{self.name}: not a readable file")
        with self.path.open("rb") as raw:
            reader = _HashingReader(raw)
            text = io.TextIOWrapper(
                io.BufferedReader(reader, 1 << 20), encoding="utf-8", newline=""
            )
            yield _file_batches(text, self.out_kind, profile, summary)
            summary.input_bytes = reader.size
            summary.input_sha256 = reader.sha.hexdigest()


_WORKER: cells.Worker | None = None


def _init(
    profile: dict[str, Any],
    keys: Keys,
    transform: bool,
    roles: dict[str, tuple[Role, str]],
) -> None:
    global _WORKER
    _WORKER = cells.Worker(profile, keys, transform, roles)


def _csv_job(header: list[str], rows: list[list[str]]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.csv_batch(header, rows)


def _jsonl_job(lines: list[tuple[int, str]]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.jsonl_batch(lines)


def _rows_job(header: list[str], rows: list[Any], out_kind: str) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.rows_batch(header, rows, out_kind)


JOBS: dict[str, Callable[..., BatchResult]] = {
    "csv": _csv_job,
    "jsonl": _jsonl_job,
    "rows": _rows_job,
}


class _HashingReader(io.RawIOBase):
    """Counts and hashes the bytes the text reader pulls through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        self.size += n
        return n


class _Inline:
    """The executor interface in this process (workers=1: no fork cost)."""

    def __init__(self, *args: Any) -> None:
        self.worker = cells.Worker(*args)

    def submit(self, fn: Callable[..., BatchResult], *args: Any) -> Future[BatchResult]:
        global _WORKER
        future: Future[BatchResult] = Future()
        saved, _WORKER = _WORKER, self.worker
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - surfaced by result()
            future.set_exception(exc)
        finally:
            _WORKER = saved
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        return None


def output_header(
    header: list[str],
    profile: Profile,
    roles: dict[str, tuple[Role, str]] | None = None,
) -> list[str]:
    """Columns that leave: dropped ones and blind-index columns never do."""
    return [name for name in header if cells.leaves(profile, roles or {}, name)]


class _Sink:
    """Writes output bytes and hashes them."""

    def __init__(self, out: IO[bytes] | None) -> None:
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        if self.out is None or not text:
            return
        data = text.encode("utf-8")
        self.sha.update(data)
        self.size += len(data)
        self.out.write(data)


def stream_dataset(
    source: Path | Source,
    profile: Profile,
    keys: Keys,
    index: SubjectIndex,
    *,
    lookup: Callable[[SubjectIndex], None],
    out: IO[bytes] | None = None,
    workers: int | None = None,
) -> StreamSummary:
    """One pass over `source`: count individuals into `index`, write `out` if given.

    `lookup(index)` matches pending digests against the register; it is
    called every LOOKUP_EVERY digests and at the end.
    """
    src: Source = FileSource(source) if isinstance(source, Path) else source
    count = max(1, workers or os.cpu_count() or 1)
    summary = StreamSummary(src.kind, workers=count)
    started = time.perf_counter()
    sink = _Sink(out)
    args = (profile.to_json(), keys, out is not None, dict(src.roles))
    # Build the PII engine (regexes, gazetteers, models: seconds of CPU) once,
    # here: forked workers inherit it instead of each building their own.
    default_detector()
    pool: ProcessPoolExecutor | _Inline = (
        ProcessPoolExecutor(max_workers=count, initializer=_init, initargs=args)
        if count > 1
        else _Inline(*args)
    )
    since_lookup = 0

    def finish(future: Future[BatchResult]) -> None:
        nonlocal since_lookup
        result = future.result()
        sink.write(result.text)
        add = index.add
        for digests, sensitive in result.people:
            add(digests, sensitive)
            since_lookup += len(digests)
        summary.records += len(result.people) + result.skipped
        summary.without_personal_data += result.skipped
        summary.outgoing.update(result.outgoing)
        for column, labels in result.found.items():
            summary.found.setdefault(column, Counter()).update(labels)
        for column, labels in result.kept.items():
            summary.kept.setdefault(column, Counter()).update(labels)
        if since_lookup >= LOOKUP_EVERY:
            lookup(index)
            since_lookup = 0

    try:
        with src.jobs(profile, summary) as jobs:
            pending: list[Future[BatchResult]] = []
            for job, job_args in jobs:
                if job == "header":
                    sink.write(job_args[0])
                    continue
                pending.append(pool.submit(JOBS[job], *job_args))
                while len(pending) >= 2 * count:
                    finish(pending.pop(0))
            for future in pending:
                finish(future)
            pending.clear()
    except UnicodeDecodeError:
        raise InvalidInput(f"{src.name}: not UTF-8 text") from None
    except csv.Error as exc:
        raise InvalidInput(
            f"{src.name}: not valid CSV ({type(exc).__name__})"
        ) from None
    except InvalidInput as exc:
        raise InvalidInput(f"{src.name}: {exc.detail}") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    lookup(index)
    if out is not None:
        summary.output_bytes = sink.size
        summary.output_sha256 = sink.sha.hexdigest()
    summary.seconds = time.perf_counter() - started
    return summary


def _file_batches(
    text: IO[str], kind: Kind, profile: Profile, summary: StreamSummary
) -> Iterator[Job]:
    if kind == "csv":
        # Free-text cells can be long; the default limit (128 KiB) is not ours.
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        summary.columns = list(header)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(output_header(header, profile))
        yield "header", (buffer.getvalue(),)
        while rows := list(islice(reader, BATCH)):
            yield "csv", (header, rows)
        return
    numbered = (
        (number, line) for number, line in enumerate(text, start=1) if line.strip()
    )
    while lines := list(islice(numbered, BATCH)):
        yield "jsonl", (lines,)


__all__ = [
    "BATCH",
    "KINDS",
    "FileSource",
    "Keys",
    "Source",
    "StreamSummary",
    "kind_of",
    "output_header",
    "stream_dataset",
]
