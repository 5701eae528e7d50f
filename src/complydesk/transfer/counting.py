"""Counting distinct individuals per calendar year without keeping who they are.

The CAC thresholds count *people*, not rows, cumulatively from 1 January: the
same customer in three exports is one person. Each identifier a record holds
becomes a keyed 64-bit digest (digests.py: through the vault's blind index,
so files and database queries give the same digest, then a key of its own so
the digests cannot be joined with the customers' blind indexes). Only
digests are stored (`transfer_subject_digests`).

Linking: the identifiers of one record belong to one individual; a record
sharing any digest with an earlier one (in this file or this year's register)
is that individual again. Two individuals are never merged after the fact, so
the count can only err upwards (the stricter route). A record with personal
data but no identifier counts as one more individual each time.

The map from digests to individuals of the file being read lives in a
temporary SQLite file (`SubjectIndex`), so memory stays flat however many
people a file holds.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from complydesk.store.models.base import Base
from complydesk.store.models.transfer import (
    TransferCounter,
    TransferSubject,
    TransferSubjectDigest,
)
from complydesk.transfer.digests import IDENTIFIER_KINDS, SubjectHasher, hex_digest
from complydesk.transfer.rules import Counts

LOOKUP_CHUNK = 500
SQLITE_CHUNK = 900  # bound parameters per statement, under SQLite's old limit
INSERT_CHUNK = 5000
T = TypeVar("T")


@dataclass
class YearRegister:
    """The jurisdiction's counter row for one year (read, or locked to update)."""

    jurisdiction: str
    year: int
    individuals: int = 0
    sensitive: int = 0
    updated_at: datetime | None = None

    @classmethod
    def read(
        cls, session: Session, jurisdiction: str, year: int, *, lock: bool = False
    ) -> YearRegister:
        stmt = select(TransferCounter).where(
            TransferCounter.jurisdiction == jurisdiction, TransferCounter.year == year
        )
        if lock:
            stmt = stmt.with_for_update()
        row = session.scalars(stmt).one_or_none()
        if row is None:
            return cls(jurisdiction, year)
        return cls(
            jurisdiction,
            year,
            row.individuals,
            row.sensitive_individuals,
            row.updated_at,
        )

    def unchanged_since(self, earlier: YearRegister) -> bool:
        """True when no counted export was stored between the two reads.

        Every store moves `updated_at` forward (see `bump`), so equal rows
        mean the register holds no digest the earlier look-ups missed.
        """
        if earlier.updated_at is None:  # no row before: still no one counted?
            return self.individuals == 0
        now = (self.individuals, self.sensitive, self.updated_at)
        return now == (earlier.individuals, earlier.sensitive, earlier.updated_at)

    @staticmethod
    def ensure(session: Session, jurisdiction: str, year: int, now: datetime) -> None:
        """Create the year's row if missing, so there is always a row to lock."""
        values = {
            "jurisdiction": jurisdiction,
            "year": year,
            "individuals": 0,
            "sensitive_individuals": 0,
            "updated_at": now,
        }
        dialect = session.get_bind().dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(make(TransferCounter).values(**values).on_conflict_do_nothing())


_TWO_64 = 1 << 64
_TWO_63 = 1 << 63


def _signed(digest: int) -> int:
    """SQLite integers are signed 64-bit; digests are unsigned."""
    return digest - _TWO_64 if digest >= _TWO_63 else digest


def _unsigned(value: int) -> int:
    return value + _TWO_64 if value < 0 else value


def _discard(db: sqlite3.Connection, path: Path) -> None:
    db.close()
    path.unlink(missing_ok=True)


_SCHEMA = """
CREATE TABLE subject (
    id INTEGER PRIMARY KEY,
    first INTEGER NOT NULL,
    sensitive INTEGER NOT NULL,
    known_key TEXT,
    known_sensitive INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE digest (
    seq INTEGER PRIMARY KEY,
    d INTEGER NOT NULL UNIQUE,
    subject INTEGER NOT NULL,
    in_register INTEGER NOT NULL DEFAULT 0
);
"""


class SubjectIndex:
    """The distinct individuals of one dataset, matched against a year's register.

    The digest -> individual map lives in a private temporary SQLite file
    (mode 0600, deleted on `close`), filled in batches of FLUSH records, so
    memory stays flat however many people a multi-GB file holds. It holds
    keyed digests only, like the register itself.
    """

    FLUSH = 5000

    def __init__(
        self, jurisdiction: str, year: int, directory: Path | None = None
    ) -> None:
        self.jurisdiction = jurisdiction
        self.year = year
        handle, name = tempfile.mkstemp(
            prefix="complydesk-subjects-", suffix=".db", dir=directory
        )
        os.close(handle)
        self._path = Path(name)
        self._db = sqlite3.connect(name, isolation_level=None)
        self._close = weakref.finalize(self, _discard, self._db, self._path)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16384"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)
        self._buffer: list[tuple[list[int], bool]] = []
        self._subjects = 0
        self._pending = 0
        self._checked_seq = 0
        self.unlinked = 0
        self.unlinked_sensitive = 0
        self.records = 0

    def close(self) -> None:
        self._close()

    def __enter__(self) -> SubjectIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def subjects(self) -> int:
        self._flush()
        return self._subjects

    def add(self, digests: Iterable[int], sensitive: bool) -> None:
        """One record whose personal data leaves; `digests` of its identifiers."""
        self.records += 1
        unique = list(dict.fromkeys(digests))
        if not unique:
            self.unlinked += 1
            self.unlinked_sensitive += int(sensitive)
            return
        self._buffer.append((unique, sensitive))
        if len(self._buffer) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        """Link the buffered records to known or new individuals, in order."""
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        owner_of: dict[int, int] = {}
        wanted = list({d for digests, _ in batch for d in digests})
        for chunk in _chunks(wanted, SQLITE_CHUNK):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT d, subject FROM digest WHERE d IN ({marks})"
            for value, subject in self._db.execute(query, [_signed(d) for d in chunk]):
                owner_of[_unsigned(value)] = subject
        new_subjects: dict[int, list[int]] = {}
        new_digests: list[tuple[int, int]] = []
        flagged: set[int] = set()
        for digests, sensitive in batch:
            owner = next((owner_of[d] for d in digests if d in owner_of), None)
            if owner is None:
                owner = self._subjects
                self._subjects += 1
                new_subjects[owner] = [owner, _signed(digests[0]), 0]
            if sensitive:
                if owner in new_subjects:
                    new_subjects[owner][2] = 1
                else:
                    flagged.add(owner)
            for d in digests:
                if d not in owner_of:
                    owner_of[d] = owner
                    new_digests.append((_signed(d), owner))
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT INTO subject (id, first, sensitive) VALUES (?, ?, ?)",
            new_subjects.values(),
        )
        self._db.executemany(
            "INSERT INTO digest (d, subject) VALUES (?, ?)", new_digests
        )
        self._db.executemany(
            "UPDATE subject SET sensitive = 1 WHERE id = ?", [(s,) for s in flagged]
        )
        self._db.execute("COMMIT")
        self._pending += len(new_digests)

    @property
    def pending_lookups(self) -> int:
        self._flush()
        return self._pending

    def check(self, session: Session) -> None:
        """Match digests added since the last check against the register."""
        self._flush()
        self._scan(session, "seq > ?", self._checked_seq, advance=True)
        self._pending = 0

    def recheck(self, session: Session) -> None:
        """Match again every digest not yet in the register (under the lock),
        in case a concurrent export stored some of them meanwhile."""
        self._flush()
        self._scan(session, "in_register = 0 AND seq > ?", 0, advance=False)
        self._pending = 0

    def _scan(self, session: Session, where: str, after: int, *, advance: bool) -> None:
        while True:
            rows = self._db.execute(
                f"SELECT seq, d FROM digest WHERE {where} ORDER BY seq LIMIT ?",
                (after, LOOKUP_CHUNK),
            ).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            if advance:
                self._checked_seq = after
            self._match(session, [_unsigned(d) for _, d in rows])

    def _match(self, session: Session, digests: list[int]) -> None:
        by_hex = {hex_digest(d): d for d in digests}
        stmt = (
            select(
                TransferSubjectDigest.digest,
                TransferSubjectDigest.subject_key,
                TransferSubject.sensitive,
            )
            .join(
                TransferSubject,
                and_(
                    TransferSubject.jurisdiction == TransferSubjectDigest.jurisdiction,
                    TransferSubject.year == TransferSubjectDigest.year,
                    TransferSubject.key == TransferSubjectDigest.subject_key,
                ),
            )
            .where(
                TransferSubjectDigest.jurisdiction == self.jurisdiction,
                TransferSubjectDigest.year == self.year,
                TransferSubjectDigest.digest.in_(list(by_hex)),
            )
        )
        found = [
            (_signed(by_hex[hex_value]), key, bool(sensitive))
            for hex_value, key, sensitive in session.execute(stmt)
        ]
        if not found:
            return
        owner = "(SELECT subject FROM digest WHERE d = ?)"
        self._db.execute("BEGIN")
        self._db.executemany(
            "UPDATE digest SET in_register = 1 WHERE d = ?", [(d,) for d, _, _ in found]
        )
        # The first register key seen for an individual is theirs.
        self._db.executemany(
            f"UPDATE subject SET known_key = COALESCE(known_key, ?) WHERE id = {owner}",
            [(key, d) for d, key, _ in found],
        )
        self._db.executemany(
            "UPDATE subject SET known_sensitive = 1 "
            f"WHERE id = {owner} AND known_key = ?",
            [(d, key) for d, key, sensitive in found if sensitive],
        )
        self._db.execute("COMMIT")

    def counts(self, register: YearRegister) -> Counts:
        """Counts for the rules: this dataset, what is new, what came before."""
        self._flush()
        subjects, sensitive, new, new_sensitive = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(sensitive), 0), "
            "COALESCE(SUM(known_key IS NULL), 0), "
            "COALESCE(SUM(sensitive = 1 AND known_sensitive = 0), 0) FROM subject"
        ).fetchone()
        return Counts(
            prior_individuals=register.individuals,
            prior_sensitive=register.sensitive,
            new_individuals=new + self.unlinked,
            new_sensitive=new_sensitive + self.unlinked_sensitive,
            individuals=subjects + self.unlinked,
            sensitive=sensitive + self.unlinked_sensitive,
            records=self.records,
        )

    def _subject_rows(
        self, assessment_id: int, ref: str
    ) -> Iterator[dict[str, object]]:
        scope = {"jurisdiction": self.jurisdiction, "year": self.year}
        rows = self._db.execute(
            "SELECT first, sensitive FROM subject WHERE known_key IS NULL ORDER BY id"
        )
        for first, sensitive in rows:
            yield {
                **scope,
                "key": "d" + hex_digest(_unsigned(first)),
                "sensitive": bool(sensitive),
                "assessment_id": assessment_id,
            }
        tag = secrets.token_hex(4)
        for i in range(self.unlinked):
            yield {
                **scope,
                "key": f"u-{ref}-{tag}-{i}",
                "sensitive": i < self.unlinked_sensitive,
                "assessment_id": assessment_id,
            }

    def _digest_rows(self) -> Iterator[dict[str, object]]:
        scope = {"jurisdiction": self.jurisdiction, "year": self.year}
        rows = self._db.execute(
            "SELECT g.d, s.known_key, s.first FROM digest g "
            "JOIN subject s ON s.id = g.subject WHERE g.in_register = 0 ORDER BY g.seq"
        )
        for digest, known, first in rows:
            yield {
                **scope,
                "digest": hex_digest(_unsigned(digest)),
                "subject_key": known or "d" + hex_digest(_unsigned(first)),
            }

    def store(
        self,
        session: Session,
        register: YearRegister,
        assessment_id: int,
        ref: str,
        now: datetime,
    ) -> Counts:
        """Write new individuals, new digests and sensitivity to the register.

        Call with the register read under its lock, after `recheck` if it
        changed since the scan began; rows are generated and inserted in
        chunks, never built all at once. Returns the counts as stored.
        """
        counts = self.counts(register)
        # Core executemany on the session's connection: no ORM bookkeeping
        # for rows nobody loads again in this transaction.
        connection = session.connection()
        add_subjects = insert(table_of(TransferSubject))
        add_digests = insert(table_of(TransferSubjectDigest))
        for rows in _chunks(self._subject_rows(assessment_id, ref), INSERT_CHUNK):
            connection.execute(add_subjects, rows)
        for rows in _chunks(self._digest_rows(), INSERT_CHUNK):
            connection.execute(add_digests, rows)
        upgrades = (
            key
            for (key,) in self._db.execute(
                "SELECT known_key FROM subject WHERE known_key IS NOT NULL "
                "AND sensitive = 1 AND known_sensitive = 0"
            )
        )
        for keys in _chunks(upgrades, LOOKUP_CHUNK):
            session.execute(
                update(TransferSubject)
                .where(
                    TransferSubject.jurisdiction == self.jurisdiction,
                    TransferSubject.year == self.year,
                    TransferSubject.key.in_(keys),
                )
                .values(sensitive=True)
            )
        bump(session, register, counts, now)
        return counts


def bump(
    session: Session, register: YearRegister, counts: Counts, now: datetime
) -> None:
    """Set the year's counter to the counts' projection (under its lock)."""
    row = session.scalars(
        select(TransferCounter).where(
            TransferCounter.jurisdiction == register.jurisdiction,
            TransferCounter.year == register.year,
        )
    ).one_or_none()
    if row is None:
        row = TransferCounter(
            jurisdiction=register.jurisdiction,
            year=register.year,
            individuals=0,
            sensitive_individuals=0,
            updated_at=now,
        )
        session.add(row)
    row.individuals = counts.projected_individuals
    row.sensitive_individuals = counts.projected_sensitive
    # Strictly forward, even with a coarse or fixed clock: `unchanged_since`
    # relies on every store changing this value.
    floor = row.updated_at + timedelta(microseconds=1) if row.updated_at else now
    row.updated_at = max(now, floor)
    session.flush()


def table_of(model: type[Base]) -> Table:
    """A model's table, typed for Core statements."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def year_counters(session: Session) -> list[TransferCounter]:
    """Every counter row, newest year first (for the API and CLI)."""
    stmt = select(TransferCounter).order_by(
        TransferCounter.year.desc(), TransferCounter.jurisdiction
    )
    return list(session.scalars(stmt))


__all__ = [
    "IDENTIFIER_KINDS",
    "SubjectHasher",
    "SubjectIndex",
    "YearRegister",
    "bump",
    "hex_digest",
    "year_counters",
]
