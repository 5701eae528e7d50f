"""Replaying the erasure ledger against the keystore.

Crypto-shredding reaches the main database's backups because the keys live
elsewhere. The keystore itself must be backed up too (losing it loses every
subject), and a keystore backup taken before an erasure still holds the
erased subject's key. The main database remembers every erasure (customers
with `erased_at` and their `key_ref`), so after any keystore restore this
replay destroys those keys again; the worker runs it with every scrub.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditEvent, AuditLog
from complydesk.store.db import transaction
from complydesk.store.models import Customer
from complydesk.vault.keystore import KeyStore

log = logging.getLogger("complydesk.vault")


def erased_key_refs(session: Session) -> set[str]:
    """Key refs of every erased customer in the main database's ledger."""
    rows = session.scalars(
        select(Customer.key_ref).where(
            Customer.erased_at.is_not(None), Customer.key_ref.is_not(None)
        )
    )
    return {ref for ref in rows if ref}


def replay_erasures(session: Session, keystore: KeyStore, at: datetime) -> int:
    """Shred keys that the ledger says are erased but the keystore still has.

    Returns how many keys were destroyed again; anything above 0 means a
    keystore older than the ledger was restored (the caller audits it).
    """
    revived = keystore.live_refs(erased_key_refs(session))
    for key_ref in sorted(revived):
        keystore.shred(key_ref, at)
    return len(revived)


def replay_and_audit(
    sessions: sessionmaker[Session], keystore: KeyStore, audit: AuditLog, actor: str
) -> int:
    """Replay the ledger; when keys came back, warn and audit how many."""
    with transaction(sessions) as session:
        revived = replay_erasures(session, keystore, audit.clock())
        if revived:
            log.warning("erased keys found in the keystore and destroyed again")
            audit.record(
                session,
                AuditEvent(
                    actor=actor,
                    action="vault.erasure.replay",
                    object_type="keystore",
                    object_id="subject_keys",
                    outcome="ok",
                    reason="keystore older than the erasure ledger",
                    details={"keys_destroyed": revived},
                ),
            )
    return revived
