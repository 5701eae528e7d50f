"""The keystore: per-subject data keys, wrapped by a KEK, kept apart from the data.

It lives in its own database (by default `<data_dir>/keystore.db`), never in
the one that `complydesk backup create` copies. That separation is what makes
erasure reach backups: a restored backup still holds the erased subject's
ciphertext, but the only copy of its data key was destroyed here.

A subject has one or more key versions; the highest is current. Per-subject
rotation adds a version, re-encrypts the subject's fields and drops the old
version. Erasure deletes every version and leaves a tombstone (the key ref and
a time, nothing personal) so a failed decrypt can say "erased".
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    CursorResult,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from complydesk.clock import Clock
from complydesk.errors import IntegrityError, NotFound
from complydesk.store.db import make_sessionmaker, read_transaction, transaction
from complydesk.store.models.base import UTCDateTime
from complydesk.vault.kek import KekProvider

DATA_KEY_BYTES = 32
KEY_REF_BYTES = 16

metadata = MetaData()

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("key_ref", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kek_id", String(200), nullable=False, index=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

shredded_keys = Table(
    "shredded_keys",
    metadata,
    Column("key_ref", String(32), primary_key=True),
    Column("shredded_at", UTCDateTime, nullable=False),
)


class KeyErased(IntegrityError):
    """The subject was erased: its data key no longer exists anywhere."""

    status = 410
    title = "Personal data erased"


@dataclass(frozen=True)
class DataKey:
    key_ref: str
    version: int
    key: bytes


def _context(key_ref: str, version: int) -> bytes:
    return f"complydesk-vault-dek-v1\0{key_ref}\0{version}".encode("ascii")


class KeyStore:
    """Creates, opens, rotates and destroys subject data keys."""

    def __init__(self, engine: Engine, kek: KekProvider, clock: Clock) -> None:
        self.engine = engine
        self.kek = kek
        self.clock = clock
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def new_subject(self) -> DataKey:
        """A fresh random data key under a new key ref, committed at once."""
        key_ref = secrets.token_hex(KEY_REF_BYTES)
        key = os.urandom(DATA_KEY_BYTES)
        kek_id, wrapped = self.kek.wrap(key, _context(key_ref, 1))
        with self.engine.begin() as conn:  # a random new ref: nothing to check
            conn.execute(
                insert(subject_keys).values(
                    key_ref=key_ref,
                    version=1,
                    kek_id=kek_id,
                    wrapped=wrapped,
                    created_at=self.clock(),
                )
            )
        return DataKey(key_ref, 1, key)

    def _add_version(self, key_ref: str, version: int) -> DataKey:
        key = os.urandom(DATA_KEY_BYTES)
        kek_id, wrapped = self.kek.wrap(key, _context(key_ref, version))
        with transaction(self.sessions) as session:
            if self._is_shredded(session, key_ref):
                raise KeyErased("this subject was erased; its keys cannot be renewed")
            session.execute(
                insert(subject_keys).values(
                    key_ref=key_ref,
                    version=version,
                    kek_id=kek_id,
                    wrapped=wrapped,
                    created_at=self.clock(),
                )
            )
        return DataKey(key_ref, version, key)

    @staticmethod
    def _is_shredded(session: Session, key_ref: str) -> bool:
        found = session.execute(
            select(shredded_keys.c.key_ref).where(shredded_keys.c.key_ref == key_ref)
        ).first()
        return found is not None

    def get(self, key_ref: str, version: int | None = None) -> DataKey:
        """The data key (current version unless one is named)."""
        with read_transaction(self.sessions) as session:
            query = select(subject_keys).where(subject_keys.c.key_ref == key_ref)
            if version is None:
                query = query.order_by(subject_keys.c.version.desc()).limit(1)
            else:
                query = query.where(subject_keys.c.version == version)
            row = session.execute(query).first()
            if row is None:
                if self._is_shredded(session, key_ref):
                    raise KeyErased("the data subject was erased; the data is gone")
                raise NotFound("no data key for this record (erased or never made)")
        return DataKey(
            key_ref,
            row.version,
            self.kek.unwrap(row.kek_id, row.wrapped, _context(key_ref, row.version)),
        )

    def rotate_subject(self, key_ref: str) -> DataKey:
        """Add a new current version; callers re-encrypt, then drop_old()."""
        current = self.get(key_ref)
        return self._add_version(key_ref, current.version + 1)

    def drop_versions_below(self, key_ref: str, version: int) -> int:
        with transaction(self.sessions) as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                delete(subject_keys).where(
                    subject_keys.c.key_ref == key_ref,
                    subject_keys.c.version < version,
                )
            )
            return int(result.rowcount or 0)

    def shred(self, key_ref: str, at: datetime | None = None) -> bool:
        """Destroy every version of the subject's key; True if any existed."""
        with transaction(self.sessions) as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                delete(subject_keys).where(subject_keys.c.key_ref == key_ref)
            )
            if not self._is_shredded(session, key_ref):
                session.execute(
                    insert(shredded_keys).values(
                        key_ref=key_ref, shredded_at=at or self.clock()
                    )
                )
            return bool(result.rowcount)

    def live_refs(self, key_refs: set[str]) -> set[str]:
        """Those of `key_refs` that still have key material here."""
        live: set[str] = set()
        refs = sorted(key_refs)
        with read_transaction(self.sessions) as session:
            for start in range(0, len(refs), 500):
                chunk = refs[start : start + 500]
                live.update(
                    session.scalars(
                        select(subject_keys.c.key_ref)
                        .where(subject_keys.c.key_ref.in_(chunk))
                        .distinct()
                    )
                )
        return live

    def is_shredded(self, key_ref: str) -> bool:
        with read_transaction(self.sessions) as session:
            return self._is_shredded(session, key_ref)

    def count_by_kek(self) -> dict[str, int]:
        with read_transaction(self.sessions) as session:
            rows = session.execute(
                select(subject_keys.c.kek_id, func.count()).group_by(
                    subject_keys.c.kek_id
                )
            )
            return {kek_id: int(n) for kek_id, n in rows}

    def rewrap(self, batch: int = 500) -> Iterator[int]:
        """Re-wrap every key not under the current KEK, one batch per commit.

        Each row is updated only if it still has the KEK it was read with, so
        a concurrent shred or rotation is never undone. Yields rows done so far.
        """
        done = 0
        while True:
            target = self.kek.current_id()  # re-read: a rotation may race us
            with read_transaction(self.sessions) as session:
                rows = session.execute(
                    select(subject_keys)
                    .where(subject_keys.c.kek_id != target)
                    .limit(batch)
                ).all()
            if not rows:
                return
            with transaction(self.sessions) as session:
                for row in rows:
                    context = _context(row.key_ref, row.version)
                    key = self.kek.unwrap(row.kek_id, row.wrapped, context)
                    kek_id, wrapped = self.kek.wrap(key, context)
                    session.execute(
                        update(subject_keys)
                        .where(
                            subject_keys.c.key_ref == row.key_ref,
                            subject_keys.c.version == row.version,
                            subject_keys.c.kek_id == row.kek_id,
                        )
                        .values(kek_id=kek_id, wrapped=wrapped)
                    )
            done += len(rows)
            yield done
