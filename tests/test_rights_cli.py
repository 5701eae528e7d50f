"""`complydesk rights` covers the whole request: intake, code, verify, extend, act.

Runs the real command line (typer's CliRunner) against SQLite and PostgreSQL;
codes and notices travel through the real outbox to a real HTTP receiver
started here. The commands call the same domain functions as the API
(complydesk.rights.fulfil), so the checks are the API's checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, Receiver
from tests.privacy_helpers import add_customer, deliver, get, payloads, write_webhooks
from typer.testing import CliRunner, Result

from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.cli import app as cli
from complydesk.clock import utcnow
from complydesk.rights import has_flag
from complydesk.rights.restrictions import NO_AUTOMATED_DECISIONS
from complydesk.settings import Settings
from complydesk.store.db import make_engine, make_sessionmaker, read_transaction
from complydesk.store.models import AuditEntry, Customer, Verification
from complydesk.vault import Vault, open_vault

PHONE = "+86 139 1234 5678"
EMAIL = "marie.curie@example.com"
ADDRESS = "北京市朝阳区建国路88号"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def env(
    settings: Settings,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[sessionmaker[Session], Vault, AuditLog]]:
    hooks = write_webhooks(tmp_path / "hooks.yaml", receiver.url)
    settings.webhooks_file = hooks
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COMPLYDESK_WEBHOOKS_FILE", str(hooks))
    engine = make_engine(settings.sqlalchemy_url)
    vault = open_vault(settings, utcnow)
    yield make_sessionmaker(engine), vault, AuditLog(load_audit_key(settings), utcnow)
    engine.dispose()


def _customer(
    env: tuple[sessionmaker[Session], Vault, AuditLog],
    values: dict[str, str],
    jurisdiction: str,
) -> tuple[int, str]:
    sessions, vault, audit = env
    customer_id = add_customer(sessions, vault, audit, values, jurisdiction)
    with read_transaction(sessions) as session:
        return customer_id, get(session, customer_id).ref


def _run(args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["rights", *args], input=stdin)


def _ok(args: list[str], stdin: str | None = None) -> dict[str, Any]:
    result = _run([*args, "--json"], stdin)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _refused(args: list[str], stdin: str | None = None) -> str:
    """The command fails with exit 2 and one line on stderr."""
    result = _run(args, stdin)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_intake_code_verify_and_rectify_from_the_command_line(
    env: tuple[sessionmaker[Session], Vault, AuditLog],
    settings: Settings,
    receiver: Receiver,
) -> None:
    sessions, vault, _ = env
    customer_id, customer_ref = _customer(env, {"phone": PHONE, "name": "王小明"}, "cn")
    created = _ok(
        ["intake", customer_ref, "--type", "rectification", "--details-stdin"],
        stdin=f"请把我的地址改为{ADDRESS}\n",
    )
    assert created["status"] == "pending_verification"
    assert created["pack"] == "cn" and created["due_at"]
    assert ADDRESS not in json.dumps(created, ensure_ascii=False)
    ref = created["ref"]
    early = _refused(["rectify", ref], stdin=json.dumps({"address": ADDRESS}))
    assert "waiting for identity verification" in early
    sent = _run(["send-code", ref, "--lang", "en"])
    assert sent.exit_code == 0, sent.output
    assert deliver(settings, sessions, utcnow) == 1
    (message,) = payloads(receiver, "dsr.verification_code")
    assert message["to"] == "+8613912345678" and message["request"] == ref
    code = message["code"]
    wrong = "000000" if code != "000000" else "111111"
    assert "wrong" in _refused(["verify", ref, "--code", wrong])
    with read_transaction(sessions) as session:  # the failed attempt was kept
        assert session.scalars(select(Verification)).one().attempts == 1
    verified = _ok(["verify", ref, "--code", code])
    assert verified["status"] == "in_progress"
    fixed = _run(["rectify", ref], stdin=json.dumps({"address": ADDRESS}))
    assert fixed.exit_code == 0, fixed.output
    assert ADDRESS not in fixed.output
    with read_transaction(sessions) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        assert vault.reveal(customer, ["address"]) == {"address": ADDRESS}
    assert _ok(["show", ref])["status"] == "completed"


def test_extend_verify_manually_close_and_restrict(
    env: tuple[sessionmaker[Session], Vault, AuditLog],
    settings: Settings,
    receiver: Receiver,
) -> None:
    sessions, _, audit = env
    _, eu_ref = _customer(env, {"email": EMAIL}, "eu")
    access = _ok(["intake", eu_ref, "--type", "access", "--channel", "mail"])
    ref = access["ref"]
    first_due = access["due_at"]
    extended = _ok(["extend", ref, "--reason", "records are spread over three systems"])
    assert extended["extended"] is True and extended["due_at"] > first_due
    deliver(settings, sessions, utcnow)
    (notice,) = payloads(receiver, "dsr.extension_notice")
    assert notice["to"] == EMAIL
    assert notice["reason"] == "records are spread over three systems"
    again = _refused(["extend", ref, "--reason", "still more systems to search"])
    assert "extend" in again or "extension" in again
    leaky = _refused(["verify", ref, "--manual-reason", f"called back on {PHONE}"])
    assert "personal data" in leaky and PHONE not in leaky
    verified = _ok(["verify", ref, "--manual-reason", "ID card checked at the counter"])
    assert verified["status"] == "in_progress"
    assert "reasons" in _refused(["close", ref, "--outcome", "refused"])
    closed = _ok(["close", ref, "--outcome", "fulfilled"])
    assert closed["status"] == "completed"

    cid, cn_ref = _customer(env, {"phone": "+86 138 0000 0000"}, "cn")
    objection = _ok(
        ["intake", cn_ref, "--type", "objection", "--scope", "automated_decisions"]
    )
    _ok(["verify", objection["ref"], "--manual-reason", "known caller, PIN matched"])
    restricted = _run(["restrict", objection["ref"]])
    assert restricted.exit_code == 0, restricted.output
    assert NO_AUTOMATED_DECISIONS in restricted.output
    with read_transaction(sessions) as session:
        assert has_flag(session, cid, NO_AUTOMATED_DECISIONS)
        actions = set(session.scalars(select(AuditEntry.action)))
        assert verify_chain(session, audit.key).ok
    assert {
        "rights.request.create",
        "rights.request.extend",
        "rights.request.verified",
        "rights.request.close",
        "rights.restriction.set",
    } <= actions


def test_bad_input_fails_with_one_line_and_stores_nothing(
    env: tuple[sessionmaker[Session], Vault, AuditLog],
) -> None:
    sessions, _, _ = env
    _, ref = _customer(env, {"phone": PHONE}, "cn")
    assert "no customer" in _refused(["intake", "C-NOPE", "--type", "access"])
    assert "type must be one of" in _refused(["intake", ref, "--type", "copy"])
    assert "scope is required" in _refused(["intake", ref, "--type", "objection"])
    assert "channel must be" in _refused(
        ["intake", ref, "--type", "access", "--channel", "web"]
    )
    assert "UTC offset" in _refused(
        ["intake", ref, "--type", "access", "--received", "2026-01-01T09:00"]
    )
    assert "no request" in _refused(["verify", "R-0000000000", "--code", "123456"])
    request = _ok(["intake", ref, "--type", "rectification"])["ref"]
    assert "exactly one" in _refused(["verify", request])
    _ok(["verify", request, "--manual-reason", "ID card checked at the counter"])
    assert "JSON object" in _refused(["rectify", request], stdin="address=x")
    assert "fields must be some of" in _refused(
        ["rectify", request], stdin=json.dumps({"salary": "1"})
    )
    assert "only restriction and objection" in _refused(["restrict", request])
    with read_transaction(sessions) as session:
        assert _ok(["show", request])["status"] == "in_progress"
        assert session.scalars(select(Verification)).all() == []
