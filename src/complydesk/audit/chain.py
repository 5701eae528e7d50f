"""The hash chain: event type, canonical encoding, MACs, O(1) append, head.

Each entry's MAC is HMAC-SHA256 (key from the data dir) over a canonical JSON
encoding of the entry *including the previous entry's MAC*, so changing,
removing or reordering any entry breaks every link after it. The single
`audit_head` row records the newest (seq, mac) and carries its own MAC, so a
tail cut off the chain cannot be hidden by rewriting the head without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import insert, select, update
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


def read_head(session: Session, *, for_update: bool = False) -> ChainHead | None:
    """The head row, or None for a database that never had an entry."""
    stmt = select(AuditHead.seq, AuditHead.mac, AuditHead.head_mac).where(
        AuditHead.id == HEAD_ROW_ID
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).one_or_none()
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
    at = _check_at(at)  # before touching the database
    head = read_head(session, for_update=True)
    if head is None:
        if session.execute(select(AuditEntry.seq).limit(1)).first() is not None:
            # Fail closed: restarting at seq 1 would fork the chain.
            raise IntegrityError(
                "audit head row is missing while entries exist; run `audit verify`"
            )
        _create_empty_head(session, key)
        head = read_head(session, for_update=True)
        if head is None:  # pragma: no cover - inserted above or by a racer
            raise IntegrityError("audit head row could not be created")
    seq = head.seq + 1
    if session.get(AuditEntry, seq) is not None:
        # Someone wrote past the head (tampering or a restore gone wrong):
        # refuse with a clear reason instead of a raw primary-key error.
        raise IntegrityError(
            f"audit entry {seq} already exists past the head; run `audit verify`"
        )
    row = build_entry_row(key, seq, event, at, head.mac)
    session.execute(insert(AuditEntry).values(row))
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ROW_ID)
        .values(
            seq=seq, mac=row["mac"], head_mac=compute_head_mac(key, seq, row["mac"])
        )
    )
    return seq


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
        """Append `event` stamped with the clock's time; return its seq."""
        return append(session, self._key, event, self._clock())


def recent_entries(session: Session, limit: int = 20) -> list[AuditEntry]:
    """The newest `limit` entries, oldest first (for `complydesk audit tail`)."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    return list(reversed(session.scalars(stmt).all()))
