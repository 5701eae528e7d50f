"""The vault on real databases: sealing, binding, blind indexes, unmask, erasure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import utcnow
from complydesk.desk.customers import (
    create_customer,
    erase_customer,
    find_customers,
    update_customer,
)
from complydesk.errors import IntegrityError, InvalidInput
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import AuditEntry, Conversation, Customer, Message
from complydesk.vault import ERASED, BlindKind, Vault, open_vault
from complydesk.vault.erase import scrub_erased

ALICE = {
    "name": "王小明",
    "phone": "13912345678",
    "email": "Xiaoming.Wang@Example.com",
    "id_number": "11010519491231002X",
    "address": "北京市朝阳区建国路88号3单元501",
}


@pytest.fixture
def vault(settings: Settings) -> Vault:
    return open_vault(settings, utcnow)


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(load_audit_key(settings), utcnow)


def _create(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    values: dict[str, str],
) -> int:
    with transaction(sessions) as session:
        return create_customer(session, vault, audit, "tester", values).id


def test_fields_are_sealed_masked_and_revealed(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    cid = _create(session_factory, vault, audit, ALICE)
    with read_transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        assert customer.phone_sealed is not None
        assert b"13912345678" not in customer.phone_sealed
        assert customer.phone_masked == "139****5678"
        assert customer.name_masked != ALICE["name"]
        assert vault.reveal(customer) == ALICE


def test_ciphertext_moved_to_another_row_fails(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    a = _create(session_factory, vault, audit, ALICE)
    b = _create(session_factory, vault, audit, {"phone": "13700001111"})
    with transaction(session_factory) as session:
        stolen = session.get_one(Customer, a).phone_sealed
        session.execute(
            update(Customer).where(Customer.id == b).values(phone_sealed=stolen)
        )
    with read_transaction(session_factory) as session:
        with pytest.raises(IntegrityError) as caught:
            vault.reveal(session.get_one(Customer, b), ["phone"])
        assert "13912345678" not in str(caught.value)


def test_ciphertext_moved_to_another_column_fails(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    a = _create(session_factory, vault, audit, ALICE)
    with transaction(session_factory) as session:
        customer = session.get_one(Customer, a)
        customer.email_sealed = customer.phone_sealed
    with read_transaction(session_factory) as session:
        with pytest.raises(IntegrityError):
            vault.reveal(session.get_one(Customer, a), ["email"])


def test_blind_indexes_find_normalised_values(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    cid = _create(session_factory, vault, audit, ALICE)
    _create(session_factory, vault, audit, {"phone": "13700001111"})
    with read_transaction(session_factory) as session:
        for kind, value in [
            (BlindKind.PHONE, "+86 139-1234-5678"),
            (BlindKind.PHONE, "１３９１２３４５６７８"),
            (BlindKind.EMAIL, " xiaoming.wang@EXAMPLE.com"),
            (BlindKind.ID_NUMBER, "110105 19491231 002x"),
        ]:
            assert [c.id for c in find_customers(session, vault, kind, value)] == [cid]
        assert find_customers(session, vault, BlindKind.PHONE, "13800000000") == []
        raw = session.get_one(Customer, cid)
        assert raw.phone_bidx is not None and len(raw.phone_bidx) == 16


def test_invalid_values_are_refused_before_anything_is_stored(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    for bad in [{"phone": "call 555-xyz"}, {"email": "nobody"}, {"favourite": "x"}]:
        with pytest.raises(InvalidInput) as caught:
            _create(session_factory, vault, audit, bad)
        assert "555-xyz" not in str(caught.value)
    with read_transaction(session_factory) as session:
        assert session.scalars(select(Customer)).all() == []
    assert vault.keystore.count_by_kek() == {}


def test_unmask_needs_a_reason_and_is_audited(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    cid = _create(session_factory, vault, audit, ALICE)
    with transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        with pytest.raises(InvalidInput):
            vault.unmask(session, audit, "officer", customer, ["phone"], "why")
        shown = vault.unmask(
            session, audit, "officer", customer, ["phone"], "callback for ticket 42"
        )
    assert shown == {"phone": ALICE["phone"]}
    with read_transaction(session_factory) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "pii.unmask")
        ).one()
    assert (entry.actor, entry.object_id, entry.reason) == (
        "officer",
        str(cid),
        "callback for ticket 42",
    )
    assert ALICE["phone"] not in str(entry.details)


def test_rectify_replaces_value_and_index(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    cid = _create(session_factory, vault, audit, ALICE)
    with transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        update_customer(
            session,
            vault,
            audit,
            "agent",
            customer,
            {"phone": "13600002222", "email": None},
        )
    with read_transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        assert vault.reveal(customer, ["phone", "email"]) == {
            "phone": "13600002222",
            "email": None,
        }
        assert customer.email_bidx is None
        assert find_customers(session, vault, BlindKind.PHONE, ALICE["phone"]) == []


def test_erasure_shreds_the_key_and_the_worker_scrubs_copies(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    cid = _create(session_factory, vault, audit, ALICE)
    other = _create(session_factory, vault, audit, {"phone": "13700001111"})
    with transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        conversation = Conversation(
            customer_id=cid, channel="web_chat", started_at=utcnow()
        )
        session.add(conversation)
        session.flush()
        message = Message(
            conversation_id=conversation.id,
            sender="customer",
            created_at=utcnow(),
            key_ref=customer.key_ref,
        )
        written = vault.put(
            session,
            message,
            {"body": "我叫王小明，电话13912345678，地址北京市朝阳区建国路88号"},
        )
        session.add(message)
        assert {e.label for e in written.findings["body"]} >= {"PHONE"}
        assert "13912345678" not in (message.body_masked or "")
        key_ref = customer.key_ref
    with transaction(session_factory) as session:
        customer = session.get_one(Customer, cid)
        erase_customer(session, vault, audit, "officer", customer, "data subject asked")
    assert key_ref is not None and vault.keystore.is_shredded(key_ref)
    with transaction(session_factory) as session:
        message = session.scalars(select(Message)).one()
        assert vault.reveal(message) == {"body": ERASED}
        assert scrub_erased(session) == 1
        assert scrub_erased(session) == 0
    with read_transaction(session_factory) as session:
        message = session.scalars(select(Message)).one()
        assert (message.body_sealed, message.body_masked) == (None, None)
        erased = session.get_one(Customer, cid)
        assert erased.erased_at is not None and erased.phone_bidx is None
        assert vault.reveal(session.get_one(Customer, other), ["phone"]) == {
            "phone": "13700001111"
        }


def test_kek_rotation_rewraps_without_touching_data(
    session_factory: sessionmaker[Session], vault: Vault, audit: AuditLog
) -> None:
    ids = [
        _create(session_factory, vault, audit, {"phone": f"1390000{n:04d}"})
        for n in range(5)
    ]
    with read_transaction(session_factory) as session:
        before = [session.get_one(Customer, i).phone_sealed for i in ids]
    old = vault.keystore.kek.current_id()
    new = vault.keystore.kek.rotate()
    assert list(vault.keystore.rewrap(batch=2))[-1] == 5
    assert vault.keystore.count_by_kek() == {new: 5}
    assert new != old
    with read_transaction(session_factory) as session:
        rows = [session.get_one(Customer, i) for i in ids]
        assert [r.phone_sealed for r in rows] == before
        assert [vault.reveal(r, ["phone"])["phone"] for r in rows] == [
            f"1390000{n:04d}" for n in range(5)
        ]


def test_kek_files_are_owner_only(vault: Vault, settings: Settings) -> None:
    vault.new_subject()
    for path in Path(settings.data_dir, "kek").glob("*.key"):
        assert path.stat().st_mode & 0o777 == 0o600
