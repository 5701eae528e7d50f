"""A keystore restored from before an erasure: the ledger destroys the key again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.clock import utcnow
from complydesk.desk.customers import create_customer, erase_customer
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models import AuditEntry, Customer
from complydesk.vault import ERASED, open_vault
from complydesk.vault.replay import replay_and_audit
from complydesk.worker import Worker, default_jobs

PERSON = {"name": "陈思远", "phone": "13511112222"}


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _erased_after_keystore_restore(
    settings: Settings, sessions: sessionmaker[Session], tmp: Path
) -> Customer:
    """Create and erase a customer, then put back the keystore from before.

    Returns the customer row as a backup of the main database taken before
    the erasure still holds it (the live row was cleared by the erasure).
    """
    vault = open_vault(settings, utcnow)
    audit = AuditLog(load_audit_key(settings), utcnow)
    with transaction(sessions) as session:
        created = create_customer(session, vault, audit, "t", PERSON)
        old_row = Customer(
            id=created.id, key_ref=created.key_ref, name_sealed=created.name_sealed
        )
        customer_id = created.id
    keystore_file = settings.data_dir / "keystore.db"
    _copy_sqlite(keystore_file, tmp / "keystore-backup.db")
    with transaction(sessions) as session:
        customer = session.get_one(Customer, customer_id)
        erase_customer(session, vault, audit, "officer", customer, "erasure request 9")
    vault.keystore.engine.dispose()
    _copy_sqlite(tmp / "keystore-backup.db", keystore_file)
    return old_row


def _reveal(settings: Settings, old_row: Customer) -> dict[str, object]:
    vault = open_vault(settings, utcnow)
    try:
        return dict(vault.reveal(old_row, ["name"]))
    finally:
        vault.keystore.engine.dispose()


def test_replay_destroys_a_revived_key_once_and_audits_it(
    settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    old_row = _erased_after_keystore_restore(settings, session_factory, tmp_path)
    # The danger is real: the old keystore opens the erased customer again.
    assert _reveal(settings, old_row) == {"name": PERSON["name"]}

    vault = open_vault(settings, utcnow)
    audit = AuditLog(load_audit_key(settings), utcnow)
    sessions = session_factory
    try:
        assert replay_and_audit(sessions, vault.keystore, audit, "cli") == 1
        assert replay_and_audit(sessions, vault.keystore, audit, "cli") == 0
    finally:
        vault.keystore.engine.dispose()
    assert _reveal(settings, old_row) == {"name": ERASED}
    with transaction(sessions) as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("vault.erasure.replay") == 1
        assert verify_chain(session, audit.key).ok


def test_the_worker_scrub_job_replays_the_ledger(
    settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    old_row = _erased_after_keystore_restore(settings, session_factory, tmp_path)
    audit = AuditLog(load_audit_key(settings), utcnow)
    jobs = [job for job in default_jobs() if job.name == "vault.scrub"]
    outcome = Worker(jobs, settings, session_factory, audit, utcnow).run_due()
    assert "1 keys re-shredded" in outcome["vault.scrub"]
    assert _reveal(settings, old_row) == {"name": ERASED}
