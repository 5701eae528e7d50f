"""The hash chain: event type, canonical encoding, MACs, O(1) append, head.

Each entry's MAC is HMAC-SHA256 (key from the data dir) over a canonical JSON
encoding of the entry *including the previous entry's MAC*, so changing,
removing or reordering any entry breaks every link after it. The single
`audit_head` row records the newest (seq, mac) and carries its own MAC, so a
tail cut off the chain cannot be hidden by rewriting the head without the key.

Appends run on every write request, so they use pre-built Core statements
(no ORM unit of work) and `AuditLog.batch` lets one request append all its
entries under a single lock of the head row, taken as late as possible.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from complydesk.clock import Clock, utcnow
from complydesk.errors import IntegrityError, InvalidInput
from complydesk.store.models.audit import AuditEntry, AuditHead

GENESIS_MAC: Final = "0" * 64
HEAD_ROW_ID: Final = 1

OUTCOME_OK: Final = "ok"
OUTCOME_DENIED: Final = "denied"
OUTCOME_ERROR: Final = "error"

# Column widths from the model: reject here rather than let PostgreSQL fail
# (or SQLite silently accept) an over-long value.
_FIELD_LIMITS: Final = {
    "actor": 120,
    "action": 80,
    "object_type": 60,
    "object_id": 120,
    "outcome": 20,
    "reason": 500,
}
_REQUIRED: Final = ("actor", "action", "object_type", "outcome")
_OUTCOME_RE: Final = re.compile(r"^[a-z][a-z0-9_-]*$")
MAX_DETAIL_STRING: Final = 200
MAX_DETAIL_DEPTH: Final = 2
MAX_DETAIL_KEY: Final = 64


@dataclass(frozen=True)
class AuditEvent:
    """What happened, to what, by whom. Carries ids, never personal values.

    `details` is a small dict of JSON-safe scalars (ids, counts, policy names);
    the guard rejects long strings and deep nesting because those are usually
    a sign that a caller is about to log personal data in plaintext.
    """

    actor: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name, limit in _FIELD_LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                raise InvalidInput(f"audit event field {name} must be a string")
            if len(value) > limit:
                raise InvalidInput(f"audit event field {name} exceeds {limit} chars")
            _check_text(value, name)
        for name in _REQUIRED:
            if not getattr(self, name):
                raise InvalidInput(f"audit event field {name} must not be empty")
        if not _OUTCOME_RE.match(self.outcome):
            raise InvalidInput("audit event outcome must be a lowercase word")
        if not isinstance(self.details, Mapping):
            raise InvalidInput("audit event details must be a dict")
        _check_details(self.details, depth=1, path="details")
        # A private JSON-normalised copy: later mutation by the caller cannot
        # change what gets MACed, and tuples become the lists we read back.
        object.__setattr__(self, "details", json.loads(_dumps(dict(self.details))))


def _check_text(value: str, where: str) -> None:
    if "\x00" in value:
        raise InvalidInput(f"{where} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{where} is not valid Unicode text") from None


def _check_details(value: Any, depth: int, path: str) -> None:
    """Reject values that do not look like ids/flags/counts (see AuditEvent)."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{path} must be a finite number")
        return
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_STRING:
            raise InvalidInput(
                f"{path} exceeds {MAX_DETAIL_STRING} chars; log ids, not content"
            )
        _check_text(value, path)
        return
    if isinstance(value, Mapping | list | tuple):
        if depth > MAX_DETAIL_DEPTH:
            raise InvalidInput(f"{path} is nested deeper than {MAX_DETAIL_DEPTH}")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str) or not key or len(key) > MAX_DETAIL_KEY:
                    raise InvalidInput(f"{path} has a key that is not a short string")
                _check_text(key, path)
                _check_details(item, depth + 1, f"{path}.{key}")
        else:
            for index, item in enumerate(value):
                _check_details(item, depth + 1, f"{path}[{index}]")
        return
    raise InvalidInput(f"{path} has a value of type {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def format_at(at: datetime) -> str:
    """ISO-8601 UTC with microseconds: the form both backends round-trip."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_entry(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    reason: str,
    details: Mapping[str, Any],
    prev_mac: str,
) -> bytes:
    """The exact bytes an entry's MAC covers: sorted, compact JSON in UTF-8.

    The "kind" tag separates entry MACs from head MACs under the same key.
    """
    return _dumps(
        {
            "kind": "audit-entry/1",
            "seq": seq,
            "at": format_at(at),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "outcome": outcome,
            "reason": reason,
            "details": details,
            "prev_mac": prev_mac,
        }
    ).encode("utf-8")


def mac_hex(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 as 64 hex digits: the one MAC function of the chain."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def compute_entry_mac(
    key: bytes, seq: int, event: AuditEvent, at: datetime, prev_mac: str
) -> str:
    """HMAC-SHA256 (hex) of entry `seq` chained to `prev_mac`."""
    return mac_hex(
        key,
        canonical_entry(
            seq,
            at,
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.reason,
            event.details,
            prev_mac,
        ),
    )


def compute_head_mac(key: bytes, seq: int, mac: str) -> str:
    """MAC of the head row, so it cannot be rebuilt from entries alone."""
    return mac_hex(
        key, _dumps({"kind": "audit-head/1", "seq": seq, "mac": mac}).encode()
    )


@dataclass(frozen=True)
class ChainHead:
    """The newest (seq, mac) of the chain and the head row's own MAC."""

    seq: int
    mac: str
    head_mac: str

    def is_signed_by(self, key: bytes) -> bool:
        expected = compute_head_mac(key, self.seq, self.mac)
        return hmac.compare_digest(expected, self.head_mac)


def _check_at(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidInput("audit time must be a timezone-aware datetime")
    return at.astimezone(UTC)


def build_entry_row(
    key: bytes, seq: int, event: AuditEvent, at: datetime, prev_mac: str
) -> dict[str, Any]:
    """Column values of one chained entry (also used for bulk loads in bench)."""
    at = _check_at(at)
    return {
        "seq": seq,
        "at": at,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "reason": event.reason,
        "details": dict(event.details),
        "prev_mac": prev_mac,
        "mac": compute_entry_mac(key, seq, event, at, prev_mac),
    }


_ENTRIES: Final = cast(Table, AuditEntry.__table__)
_HEAD: Final = cast(Table, AuditHead.__table__)
_SELECT_HEAD: Final = select(_HEAD.c.seq, _HEAD.c.mac, _HEAD.c.head_mac).where(
    _HEAD.c.id == HEAD_ROW_ID
)
_LOCK_HEAD: Final = _SELECT_HEAD.with_for_update()
_INSERT_ENTRY: Final = insert(_ENTRIES)
_MOVE_HEAD: Final = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ROW_ID)
    .values(
        seq=bindparam("new_seq"),
        mac=bindparam("new_mac"),
        head_mac=bindparam("new_head_mac"),
    )
)
_ANY_ENTRY: Final = select(_ENTRIES.c.seq).limit(1)


def read_head(session: Session, *, for_update: bool = False) -> ChainHead | None:
    """The head row, or None for a database that never had an entry."""
    row = session.execute(_LOCK_HEAD if for_update else _SELECT_HEAD).one_or_none()
    return None if row is None else ChainHead(row.seq, row.mac, row.head_mac)


def _create_empty_head(session: Session, key: bytes) -> None:
    """Insert the seq-0 head unless a concurrent first append already did."""
    values = {
        "id": HEAD_ROW_ID,
        "seq": 0,
        "mac": GENESIS_MAC,
        "head_mac": compute_head_mac(key, 0, GENESIS_MAC),
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(AuditHead).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(
            sqlite_insert(AuditHead).values(values).on_conflict_do_nothing()
        )
    else:  # pragma: no cover - make_engine only builds the two above
        session.execute(insert(AuditHead).values(values))


def append(session: Session, key: bytes, event: AuditEvent, at: datetime) -> int:
    """Add `event` to the chain inside the caller's transaction; return its seq.

    O(1): locks and reads only the head row, inserts one entry, updates the
    head. The lock serialises appenders, so seqs are gap-free; the entry is
    only durable if the caller's transaction commits.
    """
    return append_many(session, key, [(event, at)])[-1]


def append_many(
    session: Session, key: bytes, events: Sequence[tuple[AuditEvent, datetime]]
) -> list[int]:
    """Append `events` in order under one lock of the head; return their seqs.

    The entries are exactly those that one `append` per event would write
    (each chained to the one before); only the round trips are fewer.
    """
    if not events:
        return []
    stamped = [(event, _check_at(at)) for event, at in events]  # before the DB
    head = read_head(session, for_update=True)
    if head is None:
        # First append, or the head row was deleted. Create the seq-0 head
        # (a concurrent first append may be creating it too: the insert then
        # waits for it and does nothing) and lock whatever head now exists.
        # Only then look for entries: checking before the lock raced with a
        # first append committing in between on PostgreSQL.
        _create_empty_head(session, key)
        head = read_head(session, for_update=True)
        if head is None:  # pragma: no cover - inserted above or by a racer
            raise IntegrityError("audit head row could not be created")
        if head.seq == 0 and session.execute(_ANY_ENTRY).first() is not None:
            # Fail closed: restarting at seq 1 would fork the chain.
            raise IntegrityError(
                "audit head row is missing while entries exist; run `audit verify`"
            )
    rows = []
    seq, mac = head.seq, head.mac
    for event, at in stamped:
        seq += 1
        row = build_entry_row(key, seq, event, at, mac)
        rows.append(row)
        mac = row["mac"]
    try:
        session.execute(_INSERT_ENTRY, rows)
    except sa_exc.IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        # Someone wrote past the head (tampering or a restore gone wrong):
        # refuse with a clear reason instead of a raw primary-key error.
        raise IntegrityError(
            f"audit entry {head.seq + 1} or a later one already exists past the "
            "head; run `audit verify`"
        ) from None
    session.execute(
        _MOVE_HEAD,
        {
            "new_seq": seq,
            "new_mac": mac,
            "new_head_mac": compute_head_mac(key, seq, mac),
        },
    )
    return [row["seq"] for row in rows]


def _is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    """A duplicate seq: SQLSTATE 23505 on PostgreSQL, UNIQUE/PRIMARY KEY on SQLite."""
    if getattr(exc.orig, "sqlstate", None) == "23505":
        return True
    text = str(exc.orig).upper()
    return "UNIQUE" in text or "PRIMARY KEY" in text


_BATCH_KEY: Final = "complydesk.audit.batch"


@dataclass
class _Batch:
    log: AuditLog
    events: list[tuple[AuditEvent, datetime]]


class AuditLog:
    """A key and a clock bundled, so callers only say what happened."""

    def __init__(self, key: bytes, clock: Clock = utcnow) -> None:
        self._key = key
        self._clock = clock

    @property
    def key(self) -> bytes:
        """The HMAC key, for verify_chain and current_anchor."""
        return self._key

    @property
    def clock(self) -> Clock:
        """The clock entries are stamped with; callers share it for `now`."""
        return self._clock

    def record(self, session: Session, event: AuditEvent) -> int:
        """Append `event` stamped with the clock's time; return its seq.

        Inside `batch(session)` the entry is held and appended when the block
        ends; its seq is not known yet, so 0 is returned.
        """
        at = _check_at(self._clock())
        pending = session.info.get(_BATCH_KEY)
        if isinstance(pending, _Batch) and pending.log is self:
            pending.events.append((event, at))
            return 0
        return append(session, self._key, event, at)

    @contextmanager
    def batch(self, session: Session) -> Iterator[None]:
        """Append the block's entries together, in order, when it ends without error.

        They stay in the caller's transaction (committed with the change or
        not at all) and keep their own times; the head row is locked only at
        the end, so on PostgreSQL concurrent requests wait for each other just
        for the append and the commit, not for the whole request. A nested
        block joins the outer one; an error drops the held entries with the
        transaction they belonged to.
        """
        if _BATCH_KEY in session.info:
            yield
            return
        pending = _Batch(self, [])
        session.info[_BATCH_KEY] = pending
        try:
            yield
        finally:
            del session.info[_BATCH_KEY]
        append_many(session, self._key, pending.events)


def recent_entries(session: Session, limit: int = 20) -> list[AuditEntry]:
    """The newest `limit` entries, oldest first (for `complydesk audit tail`)."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    return list(reversed(session.scalars(stmt).all()))
