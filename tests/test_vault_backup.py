"""Crypto-shredding reaches backups: restore an old backup, the erased stay erased."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import utcnow
from complydesk.desk.customers import create_customer, erase_customer
from complydesk.errors import Conflict, InvalidInput
from complydesk.settings import Settings
from complydesk.store.backup import create_backup, restore_backup
from complydesk.store.db import (
    make_engine,
    make_sessionmaker,
    read_transaction,
    transaction,
)
from complydesk.store.models import Customer
from complydesk.vault import ERASED, open_vault

PEOPLE = {
    "erased": {"name": "陈思远", "phone": "13511112222", "email": "siyuan@example.com"},
    "kept": {"name": "周雨桐", "phone": "13633334444", "email": "yutong@example.com"},
}


def test_erasure_after_backup_leaves_the_restored_copy_unreadable(
    settings: Settings, db_url: str, empty_db_url: str, tmp_path: Path
) -> None:
    vault = open_vault(settings, utcnow)
    audit = AuditLog(load_audit_key(settings), utcnow)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    ids = {}
    with transaction(sessions) as session:
        for who, values in PEOPLE.items():
            ids[who] = create_customer(session, vault, audit, "t", values).id
    backup = tmp_path / "before-erasure.backup"
    result = create_backup(db_url, backup)
    assert result.size_bytes > 0 and backup.stat().st_mode & 0o777 == 0o600
    for values in PEOPLE.values():
        for value in values.values():
            assert value.encode() not in backup.read_bytes()

    with transaction(sessions) as session:
        customer = session.get_one(Customer, ids["erased"])
        erase_customer(session, vault, audit, "officer", customer, "erasure request 7")
    engine.dispose()

    restore_backup(backup, empty_db_url)
    restored = make_engine(empty_db_url)
    try:
        with read_transaction(make_sessionmaker(restored)) as session:
            rows = {c.id: c for c in session.scalars(select(Customer))}
            # The backup predates the erasure: the ciphertext is all there...
            assert rows[ids["erased"]].phone_sealed is not None
            # ...but its key is gone, so it is noise; everyone else is intact.
            assert set(vault.reveal(rows[ids["erased"]]).values()) <= {ERASED, None}
            assert (
                vault.reveal(rows[ids["kept"]], ["name", "phone", "email"])
                == (PEOPLE["kept"])
            )
    finally:
        restored.dispose()


def test_backup_refuses_to_overwrite_and_restore_refuses_a_full_database(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    backup = tmp_path / "b.backup"
    create_backup(db_url, backup)
    with pytest.raises(Conflict):
        create_backup(db_url, backup)
    with pytest.raises(Conflict):
        restore_backup(backup, db_url)  # has tables: nothing is overwritten
    with pytest.raises(InvalidInput):
        restore_backup(tmp_path / "missing.backup", db_url)
