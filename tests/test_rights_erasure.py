"""Erasure that reaches every system, survives a crash and a failing connector.

The subject lives in complydesk's tables, an external SQL database (a CRM,
through a mapping file) and an HTTP system (a loyalty programme), both
started by the test. A real `complydesk rights erase` process is killed in
the middle of an erasure; a rerun completes it with nothing left readable.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.privacy_helpers import (
    MESSAGE_TEXT,
    TICKET_TEXT,
    JsonService,
    add_customer,
    add_decision,
    add_desk_records,
    auth,
    deliver,
    get,
    make_crm,
    payloads,
    write_connectors,
    write_webhooks,
)

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.identity import Role
from complydesk.notify import Outbox
from complydesk.rights import has_flag
from complydesk.rights import requests as rq
from complydesk.rights.connectors import load_connectors
from complydesk.rights.erasure import run_erasure
from complydesk.rights.erasure_retry import finish_held, retry_due
from complydesk.rights.restrictions import PROCESSING_RESTRICTED
from complydesk.settings import Settings
from complydesk.store.db import make_engine, read_transaction, transaction
from complydesk.store.models import (
    AuditEntry,
    Customer,
    Erasure,
    ErasureStep,
    Message,
    Ticket,
)
from complydesk.store.personal import personal_fields
from complydesk.vault import BlindKind, Vault, open_vault
from complydesk.vault.erase import personal_models

SUBJECT = {
    "name": "王小明",
    "phone": "139 1234 5678",
    "email": "xiaoming@example.com",
    "address": "北京市朝阳区建国路88号",
}
BIN = Path(sys.executable).parent / "complydesk"


class Loyalty(JsonService):
    """The loyalty system: answers `script` statuses to erase calls, then 200."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.hold: threading.Event | None = None
        self.called = threading.Event()
        super().__init__(SECRET, self._answer)

    def _answer(self, action: str, request: dict[str, Any]) -> tuple[int, Any]:
        if action == "export":
            return 200, {"records": {}}
        self.called.set()
        if self.hold is not None:
            self.hold.wait(30)
        if self.script:
            return self.script.pop(0), {"error": "busy"}
        return 200, {"erased": True, "confirmation": "L-77"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def loyalty() -> Iterator[Loyalty]:
    service = Loyalty()
    yield service
    if service.hold is not None:
        service.hold.set()
    service.stop()


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    started = Receiver(now=lambda: clock().timestamp()).start()
    yield started
    started.stop()


@pytest.fixture
def setup(
    settings: Settings,
    empty_db_url: str,
    loyalty: Loyalty,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv("TEST_CRM_URL", empty_db_url)
    settings.connectors_file = write_connectors(tmp_path, empty_db_url, loyalty.url)
    settings.webhooks_file = write_webhooks(tmp_path / "hooks.yaml", receiver.url)
    return settings


def _subject(sessions: sessionmaker[Session], vault: Vault, audit: AuditLog) -> int:
    customer_id = add_customer(sessions, vault, audit, SUBJECT, "cn")
    add_customer(sessions, vault, audit, {"name": "李四", "phone": "13800000000"}, "cn")
    with transaction(sessions) as session:
        add_desk_records(session, vault, get(session, customer_id))
        add_decision(session, vault, get(session, customer_id))
    return customer_id


def _crm(url: str, vault: Vault) -> None:
    make_crm(
        url, "+8613912345678", vault.lookup_index(BlindKind.EMAIL, SUBJECT["email"])
    )


def _crm_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: [
                    tuple(r)
                    for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))
                ]
                for t in ("crm_contacts", "crm_orders")
            }
    finally:
        engine.dispose()


def _verified_erasure(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    customer_id: int,
) -> tuple[int, str]:
    with transaction(sessions) as session:
        request = rq.create_request(
            session,
            vault,
            audit,
            settings,
            "test",
            get(session, customer_id),
            "erasure",
        )
        rq.mark_verified(session, audit, "test", request, "manual", "in person")
        return request.id, request.ref


def _nothing_readable(
    sessions: sessionmaker[Session], vault: Vault, customer_id: int, audit_key: bytes
) -> None:
    """Every personal field of the subject, in every table, is gone for good."""
    with read_transaction(sessions) as session:
        customer = get(session, customer_id)
        assert customer.erased_at is not None
        key_ref = customer.key_ref
        assert key_ref and vault.keystore.is_shredded(key_ref)
        rows = 0
        for model in personal_models():
            for row in session.scalars(select(model).where(model.key_ref == key_ref)):
                rows += 1
                for spec in personal_fields(model).values():
                    assert getattr(row, spec.sealed) is None, (model, spec.name)
                    assert getattr(row, spec.masked) is None, (model, spec.name)
                assert set(vault.reveal(row).values()) <= {None}
        assert rows >= 7  # customer, ticket, attachment, 2 messages, decision, request
        erasure = session.scalars(select(Erasure)).one()
        assert erasure.lookup_sealed is None and erasure.lookup_masked is None
        assert erasure.key_ref and vault.keystore.is_shredded(erasure.key_ref)
        # The audit trail still verifies: it never held the erased values.
        assert verify_chain(session, audit_key).ok


def test_a_failing_connector_is_retried_and_the_receipt_lists_every_system(
    setup: Settings,
    clock: FakeClock,
    loyalty: Loyalty,
    receiver: Receiver,
    empty_db_url: str,
) -> None:
    app = create_app(setup, clock=clock)
    ctx: AppContext = app.state.ctx
    customer_id = _subject(ctx.sessions, ctx.vault, ctx.audit)
    _crm(empty_db_url, ctx.vault)
    rid, ref = _verified_erasure(ctx.sessions, ctx.vault, ctx.audit, setup, customer_id)
    loyalty.script = [503]
    with TestClient(app) as client:
        officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
        first = client.post(f"/v1/rights/requests/{rid}/erase", headers=officer)
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["complete"] is False and body["receipt"] is None
        steps = {s["system"]: s for s in body["steps"]}
        assert steps["complydesk"]["status"] == "done"
        assert steps["connector:crm"]["status"] == "done"
        assert steps["connector:loyalty"]["status"] == "failed"
        assert steps["connector:loyalty"]["last_error"] == "loyalty: http_503"
        # The others' progress is kept: complydesk and the CRM are already erased.
        with read_transaction(ctx.sessions) as session:
            customer = get(session, customer_id)
            assert ctx.vault.reveal(customer, ["name"]) == {"name": None}
        crm = _crm_rows(empty_db_url)
        assert [r[0] for r in crm["crm_contacts"]] == [2]  # someone else's row stays
        assert len(crm["crm_orders"]) == 2  # kept: invoices (tax law)
        assert (
            client.get(
                f"/v1/rights/requests/{rid}/receipt", headers=officer
            ).status_code
            == 409
        )
        reader = auth(app, Role.AUDITOR, clock)
        status = client.get(f"/v1/rights/requests/{rid}/erasure", headers=reader)
        assert status.json()["steps"][2]["attempts"] == 1
        # The worker retries after the backoff, not before.
        connectors = load_connectors(setup.connectors_file)
        outbox = Outbox.from_settings(setup, clock)
        assert retry_due(
            ctx.sessions, ctx.vault, ctx.audit, setup, outbox, connectors
        ) == (0, 0)
        clock.advance(120)
        assert retry_due(
            ctx.sessions, ctx.vault, ctx.audit, setup, outbox, connectors
        ) == (1, 1)
        receipt = client.get(
            f"/v1/rights/requests/{rid}/receipt", headers=reader
        ).json()
        systems = {s["system"]: s for s in receipt["systems"]}
        assert systems["complydesk"]["outcome"] == "erased"
        assert (
            systems["crm"]["confirmation"]
            == "crm_contacts: 1 deleted; crm_orders: kept"
        )
        assert systems["loyalty"]["confirmation"] == "L-77"
        assert systems["backups"]["outcome"] == "unreadable"
        assert receipt["retained"] == [
            {
                "system": "crm",
                "what": "crm_orders",
                "reason": "invoices are kept for tax law",
            }
        ]
        assert receipt["notice"] == "queued"
        html = client.get(
            f"/v1/rights/requests/{rid}/receipt?format=html&lang=zh", headers=reader
        )
        assert html.headers["content-type"].startswith("text/html")
        assert "个人信息删除回执" in html.text and "已不可读" in html.text
        english = client.get(
            f"/v1/rights/requests/{rid}/receipt?format=html&lang=en", headers=reader
        )
        assert "Erasure receipt" in english.text and "invoices are kept" in english.text
        # The subject gets the receipt at the phone that was on file.
        deliver(setup, ctx.sessions, clock)
        (notice,) = payloads(receiver, "dsr.erasure_receipt")
        assert notice["to"] == "+8613912345678" and notice["request"] == ref
        assert {s["system"]: s["outcome"] for s in notice["systems"]} == {
            "complydesk": "erased",
            "crm": "erased",
            "loyalty": "erased",
            "backups": "unreadable",
        }
        # Idempotent: asking again changes nothing and calls nobody.
        calls = len(loyalty.calls)
        again = client.post(f"/v1/rights/requests/{rid}/erase", headers=officer)
        assert again.json()["complete"] is True and len(loyalty.calls) == calls
        shown = client.get(f"/v1/rights/requests/{rid}", headers=reader).json()
        assert shown["status"] == "completed" and shown["outcome"] == "fulfilled"
        _nothing_readable(ctx.sessions, ctx.vault, customer_id, ctx.audit.key)
        with read_transaction(ctx.sessions) as session:
            details = json.dumps(
                [e.details for e in session.scalars(select(AuditEntry))],
                ensure_ascii=False,
            )
        for value in ("王小明", "13912345678", "xiaoming", "建国路"):
            assert value not in details


def test_a_killed_erasure_is_completed_by_a_rerun(
    setup: Settings,
    loyalty: Loyalty,
    empty_db_url: str,
    db_url: str,
) -> None:
    """SIGKILL a real `complydesk rights erase` while it waits on a connector."""
    from complydesk.clock import utcnow

    vault = open_vault(setup, utcnow)
    audit = AuditLog(load_audit_key(setup), utcnow)
    engine = make_engine(db_url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        customer_id = _subject(sessions, vault, audit)
        _crm(empty_db_url, vault)
        rid, ref = _verified_erasure(sessions, vault, audit, setup, customer_id)
        loyalty.hold = threading.Event()
        env = {
            **os.environ,
            "COMPLYDESK_DATABASE_URL": db_url,
            "COMPLYDESK_DATA_DIR": str(setup.data_dir),
            "COMPLYDESK_CONNECTORS_FILE": str(setup.connectors_file),
            "COMPLYDESK_WEBHOOKS_FILE": str(setup.webhooks_file),
        }
        env.pop("COMPLYDESK_CONFIG", None)
        proc = subprocess.Popen(
            [str(BIN), "rights", "erase", ref, "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            called = loyalty.called.wait(60)
        finally:
            proc.kill()
            _, stderr = proc.communicate(timeout=10)
        assert called, stderr.decode()
        assert proc.returncode < 0  # killed, not finished
        with read_transaction(sessions) as session:
            erasure = session.scalars(select(Erasure)).one()
            steps = {s.system: s.status for s in session.scalars(select(ErasureStep))}
            assert erasure.completed_at is None
        assert steps == {
            "complydesk": "done",
            "connector:crm": "done",
            "connector:loyalty": "pending",
        }
        loyalty.hold.set()
        loyalty.hold = None
        rerun = subprocess.run(
            [str(BIN), "rights", "erase", ref, "--json"],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        assert json.loads(rerun.stdout)["complete"] is True
        _nothing_readable(sessions, vault, customer_id, audit.key)
        assert [r[0] for r in _crm_rows(empty_db_url)["crm_contacts"]] == [2]
        with read_transaction(sessions) as session:
            assert rq.get_request(session, rid).status == "completed"
    finally:
        engine.dispose()


def test_a_legal_hold_keeps_only_what_the_exception_retains(
    setup: Settings,
    clock: FakeClock,
    empty_db_url: str,
) -> None:
    app = create_app(setup, clock=clock)
    ctx: AppContext = app.state.ctx
    customer_id = _subject(ctx.sessions, ctx.vault, ctx.audit)
    _crm(empty_db_url, ctx.vault)
    with TestClient(app) as client:
        officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
        bad = client.post(
            "/v1/rights/holds",
            json={"customer_id": customer_id, "exception": "because_we_want"},
            headers=officer,
        )
        assert bad.status_code == 422
        assert "open_dispute, transaction_records" in bad.json()["detail"]
        hold = client.post(
            "/v1/rights/holds",
            json={"customer_id": customer_id, "exception": "transaction_records"},
            headers=officer,
        )
        assert hold.status_code == 201, hold.text
        # cn: E-Commerce Law Art. 31, 36 months from now (Shanghai calendar).
        assert hold.json()["expires_at"].startswith("2029-03-02T09:00")
        assert "电子商务法" in hold.json()["citation"]
        rid, _ = _verified_erasure(
            ctx.sessions, ctx.vault, ctx.audit, setup, customer_id
        )
        body = client.post(f"/v1/rights/requests/{rid}/erase", headers=officer).json()
        assert body["complete"] is True
        local = body["steps"][0]
        assert local["status"] == "retained"
        receipt = body["receipt"]
        (kept,) = [r for r in receipt["retained"] if r["system"] == "complydesk"]
        assert kept["exception"] == "transaction_records"
        assert kept["what"] == "customer_profile, support_tickets"
        assert "三年" in kept["explanation"]["zh"]
        assert kept["until"].startswith("2029-03-02")
        assert {s["system"]: s["outcome"] for s in receipt["systems"]}[
            "complydesk"
        ] == ("partly_retained")
        shown = client.get(f"/v1/rights/requests/{rid}", headers=officer).json()
        assert shown["outcome"] == "partially_fulfilled"
        with read_transaction(ctx.sessions) as session:
            customer = get(session, customer_id)
            assert customer.erased_at is None
            assert not ctx.vault.keystore.is_shredded(str(customer.key_ref))
            assert has_flag(session, customer_id, PROCESSING_RESTRICTED)
            ticket = session.scalars(select(Ticket)).one()
            assert ctx.vault.reveal(ticket, ["description"]) == {
                "description": TICKET_TEXT
            }
            bodies = [
                ctx.vault.reveal(m)["body"] for m in session.scalars(select(Message))
            ]
            assert bodies == [None, None]  # conversations are not retained
            assert MESSAGE_TEXT not in json.dumps(receipt, ensure_ascii=False)
        # The hold ends: the worker shreds what it kept and amends the receipt.
        assert finish_held(ctx.sessions, ctx.vault, ctx.audit, setup) == 0
        released = client.post(
            f"/v1/rights/holds/{hold.json()['id']}/release", headers=officer
        )
        assert released.status_code == 200
        assert finish_held(ctx.sessions, ctx.vault, ctx.audit, setup) == 1
        amended = client.get(
            f"/v1/rights/requests/{rid}/receipt", headers=officer
        ).json()
        assert {s["system"]: s["outcome"] for s in amended["systems"]}[
            "complydesk"
        ] == "erased"
        assert [
            r["ended_at"] for r in amended["retained"] if r["system"] == "complydesk"
        ]
        with read_transaction(ctx.sessions) as session:
            customer = get(session, customer_id)
            assert customer.erased_at is not None
            assert ctx.vault.keystore.is_shredded(str(customer.key_ref))
            assert verify_chain(session, ctx.audit.key).ok


def test_erasure_needs_a_verified_erasure_request(
    setup: Settings, clock: FakeClock
) -> None:
    app = create_app(setup, clock=clock)
    ctx: AppContext = app.state.ctx
    customer_id = _subject(ctx.sessions, ctx.vault, ctx.audit)
    with TestClient(app) as client:
        officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
        access = client.post(
            "/v1/rights/requests",
            json={"customer_id": customer_id, "type": "access"},
            headers=officer,
        ).json()["id"]
        pending = client.post(
            "/v1/rights/requests",
            json={"customer_id": customer_id, "type": "erasure"},
            headers=officer,
        ).json()["id"]
        assert (
            client.post(
                f"/v1/rights/requests/{access}/erase", headers=officer
            ).status_code
            == 409
        )
        refused = client.post(f"/v1/rights/requests/{pending}/erase", headers=officer)
        assert refused.status_code == 409 and "verification" in refused.json()["detail"]
        assert (
            client.post("/v1/rights/requests/999/erase", headers=officer).status_code
            == 404
        )
        with read_transaction(ctx.sessions) as session:
            assert get(session, customer_id).erased_at is None
            assert session.scalars(select(Erasure)).all() == []
            assert session.get(Customer, customer_id) is not None


def test_a_subject_without_identifiers_completes_with_systems_marked_unsearchable(
    setup: Settings, clock: FakeClock, empty_db_url: str
) -> None:
    app = create_app(setup, clock=clock)
    ctx: AppContext = app.state.ctx
    with TestClient(app):
        _crm(empty_db_url, ctx.vault)
        customer_id = add_customer(
            ctx.sessions, ctx.vault, ctx.audit, {"name": "无名氏"}, "cn"
        )
        rid, _ = _verified_erasure(
            ctx.sessions, ctx.vault, ctx.audit, setup, customer_id
        )
        result = run_erasure(
            ctx.sessions,
            ctx.vault,
            ctx.audit,
            setup,
            Outbox.from_settings(setup, clock),
            load_connectors(setup.connectors_file),
            rid,
            "test",
        )
        assert result.complete is True
        assert [s.status for s in result.steps] == ["done", "skipped", "skipped"]
        assert result.receipt is not None
        outcomes = {s["system"]: s["outcome"] for s in result.receipt["systems"]}
        assert outcomes["crm"] == outcomes["loyalty"] == "not_searchable"
        assert result.receipt["notice"] == "no_contact"
        assert len(_crm_rows(empty_db_url)["crm_contacts"]) == 2  # nothing matched
