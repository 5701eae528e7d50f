"""Key rotation: KEK re-wrap (no data touched) and per-subject data-key renewal.

KEK rotation only re-wraps data keys in the keystore, batch by batch, while
the service keeps reading (every wrapped key names the KEK that opens it).
Subject rotation adds a data-key version, re-encrypts that subject's sealed
fields in one transaction and then drops the old version; readers in between
still open old ciphertexts because each names its key version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.store.db import transaction
from complydesk.vault.erase import personal_models
from complydesk.vault.records import Vault


@dataclass(frozen=True)
class KekRotation:
    old: str
    new: str
    rewrapped: int


def rotate_kek(vault: Vault) -> KekRotation:
    old = vault.keystore.kek.current_id()
    new = vault.keystore.kek.rotate()
    progress = list(vault.keystore.rewrap())  # cumulative counts per batch
    return KekRotation(old, new, progress[-1] if progress else 0)


def rotate_subject(sessions: sessionmaker[Session], vault: Vault, key_ref: str) -> int:
    """Re-encrypt one subject's fields under a fresh data key; return fields done."""
    old = vault.keystore.get(key_ref)
    new = vault.keystore.rotate_subject(key_ref)
    fields = 0
    with transaction(sessions) as session:
        for model in personal_models():
            rows = session.scalars(select(model).where(model.key_ref == key_ref))
            for row in rows:
                fields += vault.rekey(session, row, old, new)
    vault.keystore.drop_versions_below(key_ref, new.version)
    return fields
