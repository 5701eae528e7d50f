"""De-identified exports: consistent fakes, intact references, nothing real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import utcnow
from complydesk.desk.customers import create_customer, erase_customer, find_customers
from complydesk.errors import Conflict
from complydesk.settings import Settings, load_settings
from complydesk.store.db import (
    make_engine,
    make_sessionmaker,
    read_transaction,
    transaction,
)
from complydesk.store.models import Base, Conversation, Customer, Message, Ticket
from complydesk.vault import BlindKind, Vault, open_vault
from complydesk.vault.export import EXPORTED, NEVER_EXPORTED, export_deidentified

KEY = bytes(range(32))
ALICE = {"name": "林美华", "phone": "13812340000", "email": "meihua@example.com"}
BOB = {"name": "郑国强", "phone": "13698760000"}


@pytest.fixture
def seeded(session_factory: sessionmaker[Session], settings: Settings) -> Vault:
    vault = open_vault(settings, utcnow)
    audit = AuditLog(load_audit_key(settings), utcnow)
    with transaction(session_factory) as session:
        alice = create_customer(session, vault, audit, "t", ALICE)
        bob = create_customer(session, vault, audit, "t", BOB)
        for who in (alice, bob):
            ticket = Ticket(
                customer_id=who.id,
                tracking_code=f"T-{who.id:05d}",
                purpose="complaint",
                category="electronics",
                status="submitted",
                subject="屏幕闪烁",
                created_at=utcnow(),
                updated_at=utcnow(),
                key_ref=who.key_ref,
            )
            vault.put(session, ticket, {"contact_phone": ALICE["phone"]})
            session.add(ticket)
        conversation = Conversation(
            customer_id=alice.id, channel="chat", started_at=utcnow()
        )
        session.add(conversation)
        session.flush()
        message = Message(
            conversation_id=conversation.id,
            sender="customer",
            created_at=utcnow(),
            key_ref=alice.key_ref,
        )
        vault.put(
            session, message, {"body": f"我是{ALICE['name']}，手机{ALICE['phone']}"}
        )
        session.add(message)
    with transaction(session_factory) as session:
        erase_customer(
            session,
            vault,
            audit,
            "t",
            session.get_one(Customer, bob.id),
            "asked to be erased",
        )
    return vault


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_export_is_consistent_and_keeps_references(
    session_factory: sessionmaker[Session], seeded: Vault, tmp_path: Path
) -> None:
    report = export_deidentified(
        session_factory, seeded, tmp_path / "out", "jsonl", utcnow, KEY
    )
    seeded = {"customers": 2, "conversations": 1, "tickets": 2, "messages": 1}
    assert {t: report.rows[t] for t in seeded} == seeded
    customers = {c["id"]: c for c in _jsonl(tmp_path / "out" / "customers.jsonl")}
    alice = next(c for c in customers.values() if c["erased_at"] is None)
    bob = next(c for c in customers.values() if c["erased_at"] is not None)
    fake_phone, fake_name = str(alice["phone"]), str(alice["name"])
    assert (
        fake_phone != ALICE["phone"] and len(fake_phone) == 11 and fake_phone[0] == "1"
    )
    assert fake_name != ALICE["name"]
    assert (bob["name"], bob["phone"]) == (None, None)
    # The same person gets the same fake everywhere, free text included.
    body = str(_jsonl(tmp_path / "out" / "messages.jsonl")[0]["body"])
    assert fake_phone in body and fake_name in body
    tickets = _jsonl(tmp_path / "out" / "tickets.jsonl")
    assert {t["customer_id"] for t in tickets} <= set(customers)
    assert {t["contact_phone"] for t in tickets if t["customer_id"] == alice["id"]} == {
        fake_phone
    }
    assert "key_ref" not in alice and "phone_sealed" not in alice


def test_sqlite_export_is_a_runnable_copy_under_new_keys(
    session_factory: sessionmaker[Session],
    seeded: Vault,
    tmp_path: Path,
    settings: Settings,
) -> None:
    production = settings
    export_deidentified(session_factory, seeded, tmp_path / "j", "jsonl", utcnow, KEY)
    export_deidentified(session_factory, seeded, tmp_path / "s", "sqlite", utcnow, KEY)
    fake = next(c for c in _jsonl(tmp_path / "j" / "customers.jsonl") if c["phone"])
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 's' / 'complydesk.db'}",
        data_dir=tmp_path / "s" / "data",
    )
    copy_vault = open_vault(settings, utcnow)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with read_transaction(make_sessionmaker(engine)) as session:
            found = find_customers(
                session, copy_vault, BlindKind.PHONE, str(fake["phone"])
            )
            assert [c.id for c in found] == [fake["id"]]
            assert copy_vault.reveal(found[0], ["name", "phone"]) == {
                "name": fake["name"],
                "phone": fake["phone"],
            }
            assert found[0].key_ref != fake.get("key_ref")
        assert "users" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    # The copy's keys are its own: production keys are not copied over.
    for name in ("kek/kek-1.key", "blind-index.key"):
        copied = (tmp_path / "s" / "data" / name).read_bytes()
        assert copied != (production.data_dir / name).read_bytes()


def test_export_refuses_a_non_empty_directory(
    session_factory: sessionmaker[Session], seeded: Vault, tmp_path: Path
) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(Conflict):
        export_deidentified(session_factory, seeded, out, "csv", utcnow)
    assert (out / "keep.txt").read_text() == "mine"


def test_every_table_is_classified_for_export() -> None:
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert tables == set(EXPORTED) | set(NEVER_EXPORTED)
