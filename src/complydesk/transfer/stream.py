"""The streaming pass over a dataset: de-identify, count, hash; flat memory, all cores.

The main process reads the input (hashing its bytes on the way), cuts it into
batches and hands them to worker processes; at most two batches per worker
are in flight, and results are taken in input order, so the output and its
SHA-256 are the same whatever the number of workers. Each worker applies the
profile to every cell (typed columns without detection, other columns through
the PII engine), serialises the output lines and computes the keyed digests
of each record's identifiers. The main process writes the lines, feeds the
digests to the `SubjectIndex` and asks the caller to match them against the
register every few thousand digests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

from complydesk.errors import InvalidInput
from complydesk.pii.classify import label_info
from complydesk.pii.detect import default_detector
from complydesk.pii.entity import Entity
from complydesk.pii.operators import redact_value, select, transform_value
from complydesk.transfer.counting import SubjectHasher, SubjectIndex
from complydesk.transfer.profile import REMOVES, Action, Profile
from complydesk.transfer.rules import category_of

Kind = Literal["csv", "jsonl"]
KINDS: dict[str, Kind] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
BATCH = 2000
LOOKUP_EVERY = 20_000  # digests between register look-ups
MEMO_LIMIT = 200_000  # entries per worker cache before it starts afresh
MEMO_MAX_CHARS = 64  # only short values are memoised (fields, not free text)
_DROPPED = object()


def kind_of(path: Path) -> Kind:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(f"{path.name}: transfers take .csv or .jsonl files")
    return kind


@dataclass(frozen=True)
class Keys:
    """Everything secret a worker needs; passed once per worker process."""

    counting: dict[str, bytes]
    pseudonym: bytes
    encrypt: bytes


@dataclass
class BatchResult:
    lines: list[str]
    people: list[tuple[tuple[int, ...], bool]]
    skipped: int
    found: dict[str, Counter[str]]
    outgoing: Counter[str]
    kept: dict[str, Counter[str]]


@dataclass
class StreamSummary:
    """What the pass saw and wrote: counts and labels, never values."""

    kind: Kind
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


class _Worker:
    """Applies one profile; built once per worker process."""

    def __init__(self, profile: dict[str, Any], keys: Keys, transform: bool) -> None:
        self.profile = Profile.model_validate(profile)
        self.hasher = SubjectHasher.from_material(keys.counting)
        self.keys = keys
        self.transform = transform
        self.detector = default_detector()
        # Customer exports repeat values (the same person on many rows, the
        # same dates and amounts): memoise the deterministic work per worker.
        # Encryption is never memoised: equal ciphertexts would reveal equality.
        self._ops: dict[tuple[str, str, str], str] = {}
        self._digest_memo: dict[tuple[str, str], int | None] = {}
        self._found: dict[str, list[Entity]] = {}

    # one record ---------------------------------------------------------------
    def _begin(self) -> None:
        self._digests: list[int] = []
        self._labels: set[str] = set()

    def _op(self, value: str, label: str, action: Action) -> str:
        if action is Action.KEEP:
            return value
        if action is Action.DROP:
            return ""
        if action is Action.REDACT:
            return redact_value(label, self.profile.lang)
        if action is Action.ENCRYPT:
            return transform_value(value, label, "encrypt", key=self.keys.encrypt)
        memo = (label, action.value, value)
        done = self._ops.get(memo)
        if done is None:
            done = transform_value(value, label, action.value, key=self.keys.pseudonym)
            _remember(self._ops, memo, done)
        return done

    def _identify(self, label: str, value: str) -> None:
        memo = (label, value)
        if memo in self._digest_memo:
            digest = self._digest_memo[memo]
        else:
            digest = self.hasher.digest(label, value)
            _remember(self._digest_memo, memo, digest)
        if digest is not None:
            self._digests.append(digest)

    def _detect(self, value: str) -> list[Entity]:
        if len(value) > MEMO_MAX_CHARS:
            return self.detector.detect(value)
        found = self._found.get(value)
        if found is None:
            found = self.detector.detect(value)
            _remember(self._found, value, found)
        return found

    def cell(self, column: str, value: str, result: BatchResult) -> object:
        """The value that leaves for one cell, or _DROPPED; records labels."""
        rule = self.profile.rule(column)
        dropped = rule.action is Action.DROP
        if not value.strip() or (dropped and rule.label is None):
            return _DROPPED if dropped else value
        if rule.label is not None:
            result.found.setdefault(column, Counter())[rule.label] += 1
            self._identify(rule.label, value)
            if rule.action is Action.DROP:
                return _DROPPED
            if rule.action not in REMOVES:
                self._labels.add(rule.label)
            return self._op(value, rule.label, rule.action) if self.transform else value
        entities = self._detect(value)
        if not entities:
            return value
        found = result.found.setdefault(column, Counter())
        for entity in entities:
            found[entity.label] += 1
            self._identify(entity.label, entity.text)
        if rule.action is Action.KEEP:
            kept = result.kept.setdefault(column, Counter())
            for entity in entities:
                kept[entity.label] += 1
                self._labels.add(entity.label)
            return value
        return self._apply(value, entities, rule.action)

    def _apply(self, text: str, entities: list[Entity], action: Action) -> str:
        out = text
        for entity in reversed(select(text, entities)):
            chosen = (
                self.profile.entity_action(entity.label)
                if action is Action.SCAN
                else action
            )
            if chosen not in REMOVES:
                self._labels.add(entity.label)
            if self.transform:
                new = self._op(entity.text, entity.label, chosen)
                out = out[: entity.start] + new + out[entity.end :]
        return out

    def _end(self, result: BatchResult) -> None:
        personal = [x for x in self._labels if label_info(x).category != "organisation"]
        result.outgoing.update(self._labels)
        if not personal:
            result.skipped += 1
            return
        sensitive = any(label_info(x).pipl_sensitive for x in personal)
        result.people.append((tuple(self._digests), sensitive))

    # batches -------------------------------------------------------------------
    def csv_batch(self, header: list[str], rows: list[list[str]]) -> BatchResult:
        result = BatchResult([], [], 0, {}, Counter(), {})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            self._begin()
            out = []
            for index, value in enumerate(row):
                name = header[index] if index < len(header) else f"col{index + 1}"
                new = self.cell(name, value, result)
                if new is not _DROPPED:
                    out.append(new)
            self._end(result)
            if self.transform:
                writer.writerow(out)
        if self.transform:
            result.lines.append(buffer.getvalue())
        return result

    def jsonl_batch(self, lines: list[tuple[int, str]]) -> BatchResult:
        result = BatchResult([], [], 0, {}, Counter(), {})
        for number, line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InvalidInput(f"line {number} is not JSON") from None
            if not isinstance(record, dict):
                raise InvalidInput(f"line {number} is not a JSON object")
            self._begin()
            out = {}
            for key, value in record.items():
                new = self._json(str(key), value, result)
                if new is not _DROPPED:
                    out[key] = new
            self._end(result)
            if self.transform:
                result.lines.append(
                    json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"
                )
        return result

    def _json(self, column: str, value: Any, result: BatchResult) -> Any:
        if isinstance(value, str):
            return self.cell(column, value, result)
        typed = self.profile.rule(column).label is not None
        if isinstance(value, int | float) and not isinstance(value, bool) and typed:
            return self.cell(column, str(value), result)
        if isinstance(value, dict):
            if self.profile.rule(column).action is Action.DROP:
                return _DROPPED
            inner = {k: self._json(column, v, result) for k, v in value.items()}
            return {k: v for k, v in inner.items() if v is not _DROPPED}
        if isinstance(value, list):
            if self.profile.rule(column).action is Action.DROP:
                return _DROPPED
            items = [self._json(column, v, result) for v in value]
            return [v for v in items if v is not _DROPPED]
        if self.profile.rule(column).action is Action.DROP:
            return _DROPPED
        return value


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value


_WORKER: _Worker | None = None


def _init(profile: dict[str, Any], keys: Keys, transform: bool) -> None:
    global _WORKER
    _WORKER = _Worker(profile, keys, transform)


def _csv_job(header: list[str], rows: list[list[str]]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.csv_batch(header, rows)


def _jsonl_job(lines: list[tuple[int, str]]) -> BatchResult:
    assert _WORKER is not None
    return _WORKER.jsonl_batch(lines)


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

    def __init__(self, profile: dict[str, Any], keys: Keys, transform: bool) -> None:
        self.worker = _Worker(profile, keys, transform)

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


def output_header(header: list[str], profile: Profile) -> list[str]:
    return [name for name in header if profile.rule(name).action is not Action.DROP]


def stream_dataset(
    path: Path,
    profile: Profile,
    keys: Keys,
    index: SubjectIndex,
    *,
    lookup: Callable[[SubjectIndex], None],
    out: IO[bytes] | None = None,
    workers: int | None = None,
) -> StreamSummary:
    """One pass over `path`: count individuals into `index`, write `out` if given.

    `lookup(index)` matches pending digests against the register; it is
    called every LOOKUP_EVERY digests and at the end.
    """
    kind = kind_of(path)
    if not path.is_file():
        raise InvalidInput(f"{path.name}: not a readable file")
    count = max(1, workers or os.cpu_count() or 1)
    summary = StreamSummary(kind, workers=count)
    started = time.perf_counter()
    transform = out is not None
    sha_out = hashlib.sha256()
    written = 0
    args = (profile.to_json(), keys, transform)
    pool: ProcessPoolExecutor | _Inline = (
        ProcessPoolExecutor(max_workers=count, initializer=_init, initargs=args)
        if count > 1
        else _Inline(*args)
    )
    try:
        with path.open("rb") as raw:
            reader = _HashingReader(raw)
            text = io.TextIOWrapper(
                io.BufferedReader(reader, 1 << 20), encoding="utf-8", newline=""
            )
            pending: list[Future[BatchResult]] = []
            since_lookup = 0

            def finish(future: Future[BatchResult]) -> None:
                nonlocal written, since_lookup
                result = future.result()
                for line in result.lines:
                    data = line.encode("utf-8")
                    sha_out.update(data)
                    written += len(data)
                    assert out is not None
                    out.write(data)
                for digests, sensitive in result.people:
                    index.add(digests, sensitive)
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

            for job, batch_args in _batches(text, kind, profile, summary):
                if job == "header":
                    line = batch_args[0]
                    assert isinstance(line, str)
                    if out is not None:
                        data = line.encode("utf-8")
                        sha_out.update(data)
                        written += len(data)
                        out.write(data)
                    continue
                fn = _csv_job if job == "csv" else _jsonl_job
                pending.append(pool.submit(fn, *batch_args))
                while len(pending) >= 2 * count:
                    finish(pending.pop(0))
            for future in pending:
                finish(future)
            pending.clear()
            summary.input_bytes = reader.size
            summary.input_sha256 = reader.sha.hexdigest()
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name}: not UTF-8 text") from None
    except csv.Error as exc:
        raise InvalidInput(
            f"{path.name}: not valid CSV ({type(exc).__name__})"
        ) from None
    except InvalidInput as exc:
        raise InvalidInput(f"{path.name}: {exc.detail}") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    lookup(index)
    if out is not None:
        summary.output_bytes = written
        summary.output_sha256 = sha_out.hexdigest()
    summary.seconds = time.perf_counter() - started
    return summary


def _batches(
    text: IO[str], kind: Kind, profile: Profile, summary: StreamSummary
) -> Iterator[tuple[str, tuple[Any, ...]]]:
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
    "Keys",
    "StreamSummary",
    "kind_of",
    "output_header",
    "stream_dataset",
]
