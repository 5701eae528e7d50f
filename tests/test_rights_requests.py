"""Data-subject requests: clocks per jurisdiction, verification, extension, lists.

Every test runs on SQLite and PostgreSQL. Codes travel through the real
outbox to a real HTTP receiver started here, which checks the signature the
way an SMS adapter would. Time is a FakeClock, so deadlines are exact.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.privacy_helpers import (
    add_customer,
    auth,
    deliver,
    get,
    payloads,
    write_webhooks,
)
from typer.testing import CliRunner

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.cli import app as cli
from complydesk.errors import Conflict, InvalidInput
from complydesk.identity import Role
from complydesk.rights import has_flag
from complydesk.rights import requests as rq
from complydesk.rights.jobs import remind
from complydesk.rights.restrictions import NO_AUTOMATED_DECISIONS, NO_MARKETING
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import OutboxMessage, SubjectRequest, Verification
from complydesk.vault import Vault, open_vault
from complydesk.worker import JobContext

PHONE = "+86 139 1234 5678"
EMAIL = "marie.curie@example.com"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 15, 17, 0, tzinfo=UTC))


@pytest.fixture
def vault(settings: Settings, clock: FakeClock) -> Vault:
    return open_vault(settings, clock)


@pytest.fixture
def audit(settings: Settings, clock: FakeClock) -> AuditLog:
    return AuditLog(load_audit_key(settings), clock)


def _request(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    jurisdiction: str | None,
    type_: str = "access",
    **kwargs: Any,
) -> int:
    values = {"phone": PHONE} if jurisdiction != "eu" else {"email": EMAIL}
    customer_id = add_customer(sessions, vault, audit, values, jurisdiction)
    with transaction(sessions) as session:
        request = rq.create_request(
            session,
            vault,
            audit,
            settings,
            "test",
            get(session, customer_id),
            type_,
            **kwargs,
        )
        return request.id


def _load(sessions: sessionmaker[Session], request_id: int) -> SubjectRequest:
    with read_transaction(sessions) as session:
        return rq.get_request(session, request_id)


# ---- clocks per jurisdiction -------------------------------------------------


def test_response_deadlines_follow_each_jurisdictions_pack(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    # GDPR: one calendar month in Brussels. 23:30 UTC on 31 Jan is 1 Feb there.
    clock.now = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    eu = _load(session_factory, _request(session_factory, vault, audit, settings, "eu"))
    assert eu.due_at == datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert eu.pack == "eu" and eu.status == rq.PENDING
    # CCPA: 45 calendar days in Los Angeles (09:00 PST), plus a 10-business-day ack.
    clock.now = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    ca = _load(
        session_factory, _request(session_factory, vault, audit, settings, "us-ca")
    )
    assert ca.due_at == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    ack = rq.clock_of(ca, rq.ACK)
    assert ack is not None
    # 10 business days after Thu 15 Jan, skipping MLK day (Mon 19 Jan).
    assert ack.due_at() == datetime(2026, 1, 30, 17, 0, tzinfo=UTC)
    # PIPL: no figure in the law; the pack's 15 working days across 春节 2026.
    clock.now = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
    cn = _load(session_factory, _request(session_factory, vault, audit, settings, "cn"))
    assert cn.due_at == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    views = {v.name: v for v in rq.views(cn, clock())}
    assert views["response"].confidence == "unconfirmed"
    assert "15个工作日" in views["response"].citation
    # No jurisdiction: the deployment default (baseline, 30 calendar days).
    base = _load(
        session_factory, _request(session_factory, vault, audit, settings, None)
    )
    assert base.pack == "baseline"
    assert base.due_at == clock() + timedelta(days=30)


def test_ccpa_clock_keeps_running_during_verification(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    request_id = _request(session_factory, vault, audit, settings, "us-ca")
    clock.advance(10 * 86400)
    with transaction(session_factory) as session:
        request = rq.get_request(session, request_id)
        rq.mark_verified(session, audit, "test", request, "manual", "called back")
    request = _load(session_factory, request_id)
    assert request.status == rq.IN_PROGRESS
    assert request.due_at == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert request.acknowledged_at == clock()


def test_a_pack_that_pauses_for_verification_moves_the_deadline(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    policy_dir = tmp_path / "packs"
    policy_dir.mkdir()
    (policy_dir / "pause-test.yaml").write_text(
        "pack: pause-test\nversion: '2026.1.0'\ntitle: t\njurisdiction: pause-test\n"
        "extends: baseline\ndata_subject_requests:\n"
        "  clock_pauses_for_identity_verification:\n"
        "    value: true\n    citation: test pack\n    confidence: unconfirmed\n"
        "    note: a deployment that stops the clock while identity is checked\n",
        encoding="utf-8",
    )
    settings.policy_dir = policy_dir
    customer_id = add_customer(session_factory, vault, audit, {"phone": PHONE}, None)
    with transaction(session_factory) as session:
        customer = get(session, customer_id)
        customer.jurisdiction = "pause-test"  # a deployment's own pack
        paused_id = rq.create_request(
            session, vault, audit, settings, "test", customer, "access"
        ).id
    start = clock()
    views = {v.name: v for v in rq.views(_load(session_factory, paused_id), start)}
    assert views["response"].paused is True
    clock.advance(5 * 86400)
    assert rq.response_status(_load(session_factory, paused_id), clock()) == "paused"
    with transaction(session_factory) as session:
        rq.mark_verified(
            session, audit, "test", rq.get_request(session, paused_id), "code"
        )
    verified = _load(session_factory, paused_id)
    assert verified.due_at == start + timedelta(days=35)


# ---- extension ---------------------------------------------------------------


def test_extension_rules_come_from_the_pack(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    cn_id = _request(session_factory, vault, audit, settings, "cn")
    eu_id = _request(session_factory, vault, audit, settings, "eu")
    late_id = _request(session_factory, vault, audit, settings, "eu")
    with transaction(session_factory) as session:
        with pytest.raises(Conflict, match="allow no extension"):
            rq.extend_request(
                session,
                audit,
                "t",
                rq.get_request(session, cn_id),
                "complex request",
                notice_sent_at=clock(),
            )
    clock.advance(20 * 86400)
    with transaction(session_factory) as session:
        request = rq.get_request(session, eu_id)
        with pytest.raises(InvalidInput, match="reason"):
            rq.extend_request(session, audit, "t", request, "x", notice_sent_at=clock())
        rq.extend_request(
            session,
            audit,
            "t",
            request,
            "many systems to search",
            notice_sent_at=clock(),
        )
    extended = _load(session_factory, eu_id)
    assert extended.extended is True
    # 15 Jan 18:00 Brussels + 1 month + 2 months = 15 Apr 18:00 CEST.
    assert extended.due_at == datetime(2026, 4, 15, 16, 0, tzinfo=UTC)
    with transaction(session_factory) as session:
        with pytest.raises(Conflict, match="already extended"):
            rq.extend_request(
                session,
                audit,
                "t",
                rq.get_request(session, eu_id),
                "once more please",
                notice_sent_at=clock(),
            )
    clock.advance(12 * 86400)  # past the first month: too late to extend
    with transaction(session_factory) as session:
        with pytest.raises(Conflict, match="too late"):
            rq.extend_request(
                session,
                audit,
                "t",
                rq.get_request(session, late_id),
                "many systems to search",
                notice_sent_at=clock(),
            )
    assert _load(session_factory, late_id).extended is False


# ---- lists, closing, restrictions --------------------------------------------


def test_due_and_overdue_lists_read_the_live_clocks(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    early = _request(session_factory, vault, audit, settings, None)  # 30 days
    clock.advance(10 * 86400)
    later = _request(session_factory, vault, audit, settings, "us-ca")  # 45 days
    clock.advance(15 * 86400)  # early: 5 days left of 30 -> due soon
    with read_transaction(session_factory) as session:
        soon = [r.id for r in rq.list_requests(session, clock(), "due_soon")]
        open_ = [r.id for r in rq.list_requests(session, clock(), "open")]
    assert soon == [early]
    assert open_ == [early, later]  # soonest deadline first
    clock.advance(6 * 86400)
    with read_transaction(session_factory) as session:
        overdue = [r.id for r in rq.list_requests(session, clock(), "overdue")]
    assert overdue == [early]
    with transaction(session_factory) as session:
        request = rq.get_request(session, early)
        with pytest.raises(InvalidInput, match="refusal needs"):
            rq.close_request(session, audit, "t", request, "refused")
        with pytest.raises(InvalidInput, match="personal data"):
            rq.close_request(
                session,
                audit,
                "t",
                request,
                "refused",
                "customer 13912345678 is not who he says",
                detector=vault.detector,
            )
        rq.close_request(
            session, audit, "t", request, "refused", "identity could not be verified"
        )
    closed = _load(session_factory, early)
    assert closed.status == rq.REFUSED and closed.closed_at == clock()
    assert rq.response_status(closed, clock()) == "met"
    with read_transaction(session_factory) as session:
        assert [r.id for r in rq.list_requests(session, clock(), "overdue")] == []
        assert [r.id for r in rq.list_requests(session, clock(), "closed")] == [early]


def test_bad_requests_are_refused_and_nothing_is_stored(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
) -> None:
    customer_id = add_customer(session_factory, vault, audit, {"phone": PHONE}, "cn")
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("deletion", {}, "type must be one of"),
        ("objection", {}, "scope is required"),
        ("access", {"scope": "marketing"}, "scope applies only"),
        ("access", {"channel": "pigeon"}, "channel must be"),
        ("access", {"received_at": datetime(2030, 1, 1, tzinfo=UTC)}, "future"),
        ("access", {"received_at": datetime(2026, 1, 1)}, "timezone-aware"),  # noqa: DTZ001
        ("access", {"details": "x" * 2001}, "longer than"),
    ]
    for type_, kwargs, message in cases:
        with (
            transaction(session_factory) as session,
            pytest.raises(InvalidInput, match=message),
        ):
            rq.create_request(
                session,
                vault,
                audit,
                settings,
                "t",
                get(session, customer_id),
                type_,
                **kwargs,
            )
    with read_transaction(session_factory) as session:
        assert session.scalars(select(SubjectRequest)).all() == []


# ---- over HTTP: intake, verification by code, restriction, rectification -----


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    started = Receiver(now=lambda: clock().timestamp()).start()
    yield started
    started.stop()


@pytest.fixture
def http(
    settings: Settings,
    clock: FakeClock,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FastAPI, TestClient]]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings.webhooks_file = write_webhooks(tmp_path / "hooks.yaml", receiver.url)
    application = create_app(settings, clock=clock)
    with TestClient(application) as client:
        yield application, client


def _customer(app: FastAPI, jurisdiction: str, values: dict[str, str]) -> int:
    ctx: AppContext = app.state.ctx
    return add_customer(ctx.sessions, ctx.vault, ctx.audit, values, jurisdiction)


def test_verification_code_reaches_the_contact_on_file_and_unlocks_the_request(
    http: tuple[FastAPI, TestClient],
    receiver: Receiver,
    settings: Settings,
    clock: FakeClock,
) -> None:
    app, client = http
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "cn", {"phone": PHONE, "name": "王小明"})
    created = client.post(
        "/v1/rights/requests",
        json={
            "customer_id": customer_id,
            "type": "rectification",
            "details": "请把我的地址改为北京市朝阳区建国路88号",
        },
        headers=officer,
    )
    assert created.status_code == 201, created.text
    request = created.json()
    assert "建国路" not in created.text  # details are masked
    assert request["status"] == "pending_verification"
    rid = request["id"]
    # Nothing is changed before identity is verified.
    early = client.post(
        f"/v1/rights/requests/{rid}/rectify",
        json={"fields": {"address": "北京市朝阳区建国路88号"}},
        headers=officer,
    )
    assert early.status_code == 409
    sent = client.post(f"/v1/rights/requests/{rid}/verification", headers=officer)
    assert sent.status_code == 200, sent.text
    assert sent.json()["channel"] == "sms"
    assert deliver(settings, ctx.sessions, clock) == 1
    (message,) = payloads(receiver, "dsr.verification_code")
    assert message["to"] == "+8613912345678"  # the number on file, in E.164
    assert message["request"] == request["ref"]
    code = message["code"]
    assert len(code) == 6 and code.isdigit()
    # Only a keyed hash is stored; the outbox payload is sealed and erased.
    with read_transaction(ctx.sessions) as session:
        stored = session.scalars(select(Verification)).one()
        assert code not in stored.code_hash
        assert stored.code_hash != hashlib.sha256(code.encode()).hexdigest()
        outbox = session.scalars(select(OutboxMessage)).one()
        assert outbox.carries_personal and outbox.payload is None
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post(
        f"/v1/rights/requests/{rid}/verify", json={"code": wrong}, headers=officer
    )
    assert bad.status_code == 422 and "wrong" in bad.json()["detail"]
    with read_transaction(ctx.sessions) as session:
        assert session.scalars(select(Verification)).one().attempts == 1
    good = client.post(
        f"/v1/rights/requests/{rid}/verify", json={"code": code}, headers=officer
    )
    assert good.status_code == 200, good.text
    assert good.json()["status"] == "in_progress"
    assert good.json()["verification_method"] == "code"
    fixed = client.post(
        f"/v1/rights/requests/{rid}/rectify",
        json={"fields": {"address": "北京市朝阳区建国路88号"}},
        headers=officer,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "completed"
    with read_transaction(ctx.sessions) as session:
        customer = get(session, customer_id)
        assert ctx.vault.reveal(customer, ["address"]) == {
            "address": "北京市朝阳区建国路88号"
        }
        assert verify_chain(session, ctx.audit.key).ok


def test_codes_expire_attempts_are_capped_and_resends_are_limited(
    http: tuple[FastAPI, TestClient],
    receiver: Receiver,
    settings: Settings,
    clock: FakeClock,
) -> None:
    app, client = http
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "eu", {"email": EMAIL})
    rid = client.post(
        "/v1/rights/requests",
        json={"customer_id": customer_id, "type": "access"},
        headers=officer,
    ).json()["id"]
    url = f"/v1/rights/requests/{rid}"
    assert (
        client.post(f"{url}/verify", json={"code": "123456"}, headers=officer)
        .json()["detail"]
        .startswith("no code was sent")
    )
    assert client.post(f"{url}/verification", headers=officer).status_code == 200
    again = client.post(f"{url}/verification", headers=officer)
    assert again.status_code == 409 and "less than a minute" in again.json()["detail"]
    deliver(settings, ctx.sessions, clock)
    first = payloads(receiver, "dsr.verification_code")[0]
    assert first["to"] == EMAIL and first["channel"] == "email"
    clock.advance(16 * 60)
    expired = client.post(
        f"{url}/verify", json={"code": first["code"]}, headers=officer
    )
    assert expired.status_code == 422 and "expired" in expired.json()["detail"]
    assert client.post(f"{url}/verification", headers=officer).status_code == 200
    deliver(settings, ctx.sessions, clock)
    second = payloads(receiver, "dsr.verification_code")[1]["code"]
    wrong = "000000" if second != "000000" else "111111"
    for _ in range(5):
        client.post(f"{url}/verify", json={"code": wrong}, headers=officer)
    locked = client.post(f"{url}/verify", json={"code": second}, headers=officer)
    assert locked.status_code == 422 and "too many" in locked.json()["detail"]
    assert client.get(url, headers=officer).json()["status"] == "pending_verification"
    malformed = client.post(f"{url}/verify", json={"code": "12a456"}, headers=officer)
    assert malformed.status_code == 422


def test_objection_sets_a_flag_other_modules_read(
    http: tuple[FastAPI, TestClient], clock: FakeClock
) -> None:
    app, client = http
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "eu", {"email": EMAIL})
    rid = client.post(
        "/v1/rights/requests",
        json={
            "customer_id": customer_id,
            "type": "objection",
            "scope": "automated_decisions",
        },
        headers=officer,
    ).json()["id"]
    client.post(
        f"/v1/rights/requests/{rid}/verify",
        json={"manual_reason": "verified in person at the shop"},
        headers=officer,
    )
    applied = client.post(f"/v1/rights/requests/{rid}/restrict", headers=officer)
    assert applied.status_code == 200, applied.text
    assert applied.json()["active"] == [NO_AUTOMATED_DECISIONS]
    with read_transaction(ctx.sessions) as session:
        assert has_flag(session, customer_id, NO_AUTOMATED_DECISIONS)
        assert not has_flag(session, customer_id, NO_MARKETING)


def test_ccpa_opt_out_of_sale_needs_no_verification_and_has_its_own_deadline(
    http: tuple[FastAPI, TestClient], clock: FakeClock
) -> None:
    app, client = http
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "us-ca", {"phone": "+1 415 555 0134"})
    body = client.post(
        "/v1/rights/requests",
        json={
            "customer_id": customer_id,
            "type": "objection",
            "scope": "sale_or_sharing",
        },
        headers=officer,
    ).json()
    assert body["status"] == "in_progress"
    assert body["verification_method"] == "not_required"
    # 15 business days from Thu 15 Jan 2026, skipping MLK day (19 Jan).
    assert body["due_at"].startswith("2026-02-06T17:00")
    assert "7026" in body["clocks"][0]["citation"]


def test_extension_over_http_notifies_the_subject(
    http: tuple[FastAPI, TestClient],
    receiver: Receiver,
    settings: Settings,
    clock: FakeClock,
) -> None:
    app, client = http
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "us-ca", {"phone": "+1 415 555 0134"})
    rid = client.post(
        "/v1/rights/requests",
        json={"customer_id": customer_id, "type": "access"},
        headers=officer,
    ).json()["id"]
    extended = client.post(
        f"/v1/rights/requests/{rid}/extend",
        json={"reason": "records are spread over three systems"},
        headers=officer,
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["due_at"].startswith("2026-04-15T16:00")  # 45 + 45 days
    deliver(settings, ctx.sessions, clock)
    (notice,) = payloads(receiver, "dsr.extension_notice")
    assert notice["to"] == "+14155550134"
    assert notice["reason"] == "records are spread over three systems"
    assert notice["due_at"].startswith("2026-04-15T16:00")


def test_inputs_are_validated_without_echoing_values(
    http: tuple[FastAPI, TestClient], clock: FakeClock
) -> None:
    app, client = http
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "cn", {"phone": PHONE})
    bad = [
        {"customer_id": customer_id, "type": "forget-me"},
        {
            "customer_id": customer_id,
            "type": "access",
            "received_at": "2026-01-01T10:00",
        },
        {"customer_id": customer_id, "type": "access", "details": "y" * 2001},
        {"customer_id": customer_id, "type": "access", "favourite": "13912345678"},
    ]
    for body in bad:
        response = client.post("/v1/rights/requests", json=body, headers=officer)
        assert response.status_code == 422, body
        assert "13912345678" not in response.text
    missing = client.post(
        "/v1/rights/requests",
        json={"customer_id": 999, "type": "access"},
        headers=officer,
    )
    assert missing.status_code == 404
    listing = client.get("/v1/rights/requests?state=late", headers=officer)
    assert listing.status_code == 422


def test_the_audit_trail_holds_ids_not_values(
    http: tuple[FastAPI, TestClient], clock: FakeClock
) -> None:
    app, client = http
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    customer_id = _customer(app, "cn", {"phone": PHONE, "name": "王小明"})
    client.post(
        "/v1/rights/requests",
        json={
            "customer_id": customer_id,
            "type": "erasure",
            "details": "王小明 asks to delete everything",
        },
        headers=officer,
    )
    with read_transaction(ctx.sessions) as session:
        dump = " ".join(
            str(row) for row in session.execute(text("SELECT * FROM audit_entries"))
        )
    assert "rights.request.create" in dump
    for value in ("王小明", "13912345678", "1234 5678"):
        assert value not in dump


# ---- the worker's reminders and the command line --------------------------------


def test_the_worker_reminds_before_the_deadline_and_alerts_once_overdue(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings.webhooks_file = write_webhooks(
        tmp_path / "hooks.yaml", receiver.url, events=("rights.*",)
    )
    request_id = _request(session_factory, vault, audit, settings, None)  # 30 days
    job = JobContext(settings, session_factory, audit, clock)
    assert remind(job) == "0 reminders, 0 overdue alerts"
    clock.advance(25 * 86400)
    assert remind(job) == "1 reminders, 0 overdue alerts"
    assert remind(job) == "0 reminders, 0 overdue alerts"
    clock.advance(6 * 86400)
    assert remind(job) == "0 reminders, 1 overdue alerts"
    assert remind(job) == "0 reminders, 0 overdue alerts"
    deliver(settings, session_factory, clock)
    ref = _load(session_factory, request_id).ref
    (soon,) = payloads(receiver, "rights.deadline_due_soon")
    (late,) = payloads(receiver, "rights.deadline_overdue")
    assert soon["request"] == late["request"] == ref
    assert set(soon) == {"request", "type", "pack", "status", "due_at"}  # no values


def test_the_command_line_lists_shows_and_exports(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(settings.data_dir))
    access_id = _request(session_factory, vault, audit, settings, "cn")
    with transaction(session_factory) as session:
        request = rq.get_request(session, access_id)
        rq.mark_verified(session, audit, "t", request, "manual", "in person")
        ref = request.ref
    runner = CliRunner()
    listed = runner.invoke(cli, ["rights", "list", "--state", "all", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert row["ref"] == ref and row["clock"] == "overdue"  # received in January
    shown = runner.invoke(cli, ["rights", "show", ref, "--json"])
    assert json.loads(shown.output)["clocks"][0]["name"] == "response"
    out = tmp_path / "subject.zip"
    exported = runner.invoke(cli, ["rights", "export", ref, str(out)])
    assert exported.exit_code == 0, exported.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["complydesk"]["customers"][0]["phone"] == PHONE
    again = runner.invoke(cli, ["rights", "export", ref, str(out)])
    assert again.exit_code == 2 and "exists" in again.output
    wrong = runner.invoke(cli, ["rights", "erase", ref])
    assert wrong.exit_code == 2
    assert wrong.output.strip() == f"error: request {ref} is of type access"
    missing = runner.invoke(cli, ["rights", "receipt", "R-0000000000"])
    assert missing.exit_code == 2 and "no request" in missing.output
    bad_state = runner.invoke(cli, ["rights", "list", "--state", "late"])
    assert bad_state.exit_code == 2 and "state must be one of" in bad_state.output
    dry = runner.invoke(cli, ["rights", "retention", "--json"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] is True
    assert {i["category"] for i in report["items"]} >= {"conversations"}
    held = runner.invoke(cli, ["rights", "hold", "C-NOPE", "--exception", "x"])
    assert held.exit_code == 2 and held.output.startswith("error: no customer")
