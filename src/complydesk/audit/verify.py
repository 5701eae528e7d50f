"""Verify the whole chain in seq order, in constant memory; anchors.

An anchor is a copy of the signed head kept outside the database (ideally off
the host). The head row alone cannot reveal a *replayed* older head with the
tail deleted after it; a later anchor can, because the chain must still
contain the anchored (seq, mac).
"""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complydesk.audit.chain import (
    GENESIS_MAC,
    ChainHead,
    canonical_entry,
    mac_hex,
    read_head,
)
from complydesk.errors import IntegrityError, InvalidInput
from complydesk.store.models.audit import AuditEntry

ANCHOR_FORMAT: Final = "complydesk-audit-anchor/1"
DEFAULT_BATCH: Final = 5000
_MAC_RE: Final = re.compile(r"^[0-9a-f]{64}$")


class BreakKind(StrEnum):
    """What is wrong at the first broken place; the value is shown to users."""

    MAC_MISMATCH = "mac mismatch"
    BROKEN_LINK = "broken link"
    SEQ_GAP = "gap in seq"
    HEAD_MISMATCH = "head mismatch"
    TRUNCATED_TAIL = "truncated tail"
    ANCHOR_MISMATCH = "anchor mismatch"


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of `verify_chain`: either ok, or the first broken seq and why.

    `first_broken_seq` is the first seq that can no longer be vouched for: the
    modified or missing entry, or last verified seq + 1 when the tail or the
    head row is what is wrong.
    """

    ok: bool
    entries_checked: int
    head_seq: int
    first_broken_seq: int | None = None
    kind: BreakKind | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries_checked": self.entries_checked,
            "head_seq": self.head_seq,
            "first_broken_seq": self.first_broken_seq,
            "kind": None if self.kind is None else self.kind.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class Anchor:
    """A signed head saved outside the database, for off-database comparison."""

    seq: int
    mac: str
    head_mac: str
    created_at: datetime

    def is_signed_by(self, key: bytes) -> bool:
        return ChainHead(self.seq, self.mac, self.head_mac).is_signed_by(key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": ANCHOR_FORMAT,
                "seq": self.seq,
                "mac": self.mac,
                "head_mac": self.head_mac,
                "created_at": self.created_at.isoformat(),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Anchor:
        """Parse an anchor file; InvalidInput names what is malformed."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise InvalidInput("anchor file is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            raise InvalidInput(f"anchor file is not in format {ANCHOR_FORMAT}")
        seq, mac, head_mac = data.get("seq"), data.get("mac"), data.get("head_mac")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise InvalidInput("anchor seq must be a positive integer")
        if not _is_mac(mac) or not _is_mac(head_mac):
            raise InvalidInput(
                "anchor mac and head_mac must be 64 lowercase hex digits"
            )
        try:
            created_at = datetime.fromisoformat(str(data.get("created_at")))
        except ValueError:
            raise InvalidInput("anchor created_at is not an ISO-8601 time") from None
        return cls(seq, str(mac), str(head_mac), created_at)


def _is_mac(value: object) -> bool:
    return isinstance(value, str) and _MAC_RE.match(value) is not None


def current_anchor(session: Session, key: bytes, at: datetime) -> Anchor:
    """An anchor for the current head; refuses an empty log or a forged head."""
    head = read_head(session)
    if head is None or head.seq == 0:
        raise InvalidInput("audit log is empty; nothing to anchor")
    if not head.is_signed_by(key):
        raise IntegrityError("audit head row fails its MAC; run `audit verify`")
    return Anchor(head.seq, head.mac, head.head_mac, at)


def write_anchor(path: Path, anchor: Anchor) -> None:
    """Write atomically, so a crash never leaves half an anchor behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(anchor.to_json() + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_anchor(path: Path) -> Anchor:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"anchor file {path} does not exist") from None
    return Anchor.from_json(text)


_ENTRY_COLUMNS: Final = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.outcome,
    AuditEntry.reason,
    AuditEntry.details,
    AuditEntry.prev_mac,
    AuditEntry.mac,
)


def _batches(
    session: Session, upper: int | None, batch_size: int
) -> Iterator[Sequence[Sequence[Any]]]:
    """Entries in seq order by keyset pagination: constant memory on both DBs.

    Core rows on the session's connection: the ORM's row handling would add
    about a third to a million-entry verify.
    """
    conn = session.connection()
    after: int | None = None
    while True:
        stmt = select(*_ENTRY_COLUMNS).order_by(AuditEntry.seq).limit(batch_size)
        if after is not None:
            stmt = stmt.where(AuditEntry.seq > after)
        if upper is not None:
            stmt = stmt.where(AuditEntry.seq <= upper)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield rows
        if len(rows) < batch_size:
            return
        after = rows[-1][0]


class _Broken(Exception):
    def __init__(self, seq: int, kind: BreakKind, message: str) -> None:
        super().__init__(message)
        self.seq, self.kind, self.message = seq, kind, message


def verify_chain(
    session: Session,
    key: bytes,
    anchor: Anchor | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
) -> VerifyReport:
    """Recompute every MAC and link, then check the head row and the anchor.

    Reads the head first and verifies entries up to it, so appends that commit
    while we run are not mistaken for tampering.
    """
    checked = 0
    last_seq, last_mac = 0, GENESIS_MAC
    try:
        if anchor is not None and not anchor.is_signed_by(key):
            raise _Broken(
                anchor.seq,
                BreakKind.ANCHOR_MISMATCH,
                "anchor is not signed with this audit key",
            )
        head = read_head(session)
        head_ok = head is not None and head.is_signed_by(key)
        # A forged head's seq means nothing: then walk every entry there is.
        upper = head.seq if head is not None and head_ok else None
        for rows in _batches(session, upper, batch_size):
            for row in rows:
                _check_entry(key, row, last_seq, last_mac, anchor)
                last_seq, last_mac = row[0], row[10]
                checked += 1
        _check_head(session, head, head_ok, last_seq, last_mac)
        if anchor is not None and anchor.seq > last_seq:
            raise _Broken(
                last_seq + 1,
                BreakKind.ANCHOR_MISMATCH,
                f"anchor records seq {anchor.seq} but the chain ends at {last_seq}",
            )
    except _Broken as broken:
        return VerifyReport(
            ok=False,
            entries_checked=checked,
            head_seq=last_seq,
            first_broken_seq=broken.seq,
            kind=broken.kind,
            message=broken.message,
        )
    return VerifyReport(ok=True, entries_checked=checked, head_seq=last_seq)


def _check_entry(
    key: bytes, row: Sequence[Any], last_seq: int, last_mac: str, anchor: Anchor | None
) -> None:
    seq, at, actor, action, otype, oid, outcome, reason, details, prev, mac = row
    expected = last_seq + 1
    if seq != expected:
        raise _Broken(
            expected,
            BreakKind.SEQ_GAP,
            f"expected entry {expected} but found {seq} (entries deleted?)",
        )
    message = canonical_entry(
        seq, at, actor, action, otype, oid, outcome, reason, details, prev
    )
    if not hmac.compare_digest(mac_hex(key, message), mac):
        raise _Broken(
            seq, BreakKind.MAC_MISMATCH, f"entry {seq} does not match its MAC"
        )
    if prev != last_mac:
        raise _Broken(
            seq,
            BreakKind.BROKEN_LINK,
            f"entry {seq} does not link to entry {last_seq}",
        )
    if anchor is not None and seq == anchor.seq and mac != anchor.mac:
        raise _Broken(
            seq,
            BreakKind.ANCHOR_MISMATCH,
            f"entry {seq} differs from the anchored entry (chain rebuilt?)",
        )


def _check_head(
    session: Session,
    head: ChainHead | None,
    head_ok: bool,
    last_seq: int,
    last_mac: str,
) -> None:
    if head is None:
        if last_seq:
            raise _Broken(
                last_seq + 1,
                BreakKind.HEAD_MISMATCH,
                "head row is missing while entries exist (tail may be cut)",
            )
        return
    if not head_ok:
        raise _Broken(
            last_seq + 1,
            BreakKind.HEAD_MISMATCH,
            f"head row (seq {head.seq}) fails its MAC: forged or rewritten",
        )
    if last_seq < head.seq:
        raise _Broken(
            last_seq + 1,
            BreakKind.TRUNCATED_TAIL,
            f"head records seq {head.seq} but the chain ends at {last_seq}",
        )
    if head.mac != last_mac:
        raise _Broken(
            last_seq,
            BreakKind.HEAD_MISMATCH,
            f"head row does not match entry {last_seq}",
        )
    # Entries past the head cannot come from append (it moves the head in the
    # same transaction). Read max(seq) before re-reading the head, so a
    # concurrent append is always covered by the head we compare against.
    max_seq = session.execute(select(func.max(AuditEntry.seq))).scalar_one()
    now = read_head(session)
    now_seq = 0 if now is None else now.seq
    if max_seq is not None and max_seq > now_seq:
        raise _Broken(
            head.seq + 1,
            BreakKind.HEAD_MISMATCH,
            f"entries exist past the head (up to seq {max_seq}): head rolled back?",
        )
