"""`complydesk notify list | deliver | retry | endpoints | test` via CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, Receiver
from typer.testing import CliRunner

from complydesk.audit import load_audit_key, recent_entries
from complydesk.cli import app
from complydesk.cli.common import state
from complydesk.notify import Outbox
from complydesk.settings import Settings, load_settings
from complydesk.store.db import read_transaction, transaction

PAYLOAD = {"ticket": "T-5F3A2B9C1D"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def cli_env(
    db_url: str,
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text(
        "endpoints:\n"
        f"  - name: ops\n    url: '{receiver.url}'\n    events: ['ticket.*']\n"
        f"    secret_env: {SECRET_ENV}\n"
        "  - name: sms\n    url: 'https://sms.example.invalid/send'\n"
        "    events: ['dsr.*']\n    secret_env: COMPLYDESK_TEST_UNSET_SECRET\n"
    )
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPLYDESK_WEBHOOKS_FILE", str(hooks))
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.delenv("COMPLYDESK_TEST_UNSET_SECRET", raising=False)
    monkeypatch.delenv("COMPLYDESK_CONFIG", raising=False)
    state.settings = None
    yield load_settings()
    state.settings = None


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["notify", *args])
    return result.exit_code, result.stdout, result.stderr


def enqueue(settings: Settings, factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        [row] = Outbox.from_settings(settings).enqueue(
            session, "ticket.created", PAYLOAD
        )
        return row.id


def test_endpoints_are_shown_without_secrets(cli_env: Settings) -> None:
    code, out, _ = run("endpoints", "--json")
    assert code == 0
    shown = json.loads(out)
    assert [(e["name"], e["secret_set"]) for e in shown] == [
        ("ops", True),
        ("sms", False),
    ]
    assert shown[0]["events"] == ["ticket.*"]
    code, out, _ = run("endpoints")
    assert code == 0 and "NOT SET" in out
    assert SECRET not in out


def test_list_and_deliver(
    cli_env: Settings,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    message_id = enqueue(cli_env, session_factory)
    code, out, _ = run("list", "--json")
    assert code == 0
    [listed] = json.loads(out)
    assert (listed["id"], listed["status"], listed["endpoint"]) == (
        message_id,
        "pending",
        "ops",
    )
    assert "payload" not in listed and "T-5F3A2B9C1D" not in out

    code, out, _ = run("deliver")
    assert code == 0, out
    assert out.strip() == "1 delivered, 0 retrying, 0 dead"
    assert receiver.received[0].signature_error is None
    assert json.loads(receiver.received[0].body)["data"] == PAYLOAD

    code, out, _ = run("list", "--status", "delivered", "--json")
    assert [r["id"] for r in json.loads(out)] == [message_id]
    code, out, _ = run("list", "--status", "pending", "--json")
    assert json.loads(out) == []
    code, out, _ = run("list")
    assert code == 0 and "delivered" in out and "ops" in out


def test_retry_moves_a_dead_message_back_and_is_audited(
    cli_env: Settings,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    receiver.script = [410]
    message_id = enqueue(cli_env, session_factory)
    assert run("deliver")[1].strip() == "0 delivered, 0 retrying, 1 dead"
    code, out, _ = run("list", "--status", "dead", "--json")
    [dead] = json.loads(out)
    assert (dead["last_error"], dead["last_http_status"]) == ("http_410_rejected", 410)

    code, out, _ = run("retry", str(message_id))
    assert code == 0 and "pending again" in out
    with read_transaction(session_factory) as session:
        actions = [e.action for e in recent_entries(session)]
    assert actions == ["notify.dead", "notify.retry"]
    assert load_audit_key(cli_env, create=False)

    assert run("deliver")[1].strip() == "1 delivered, 0 retrying, 0 dead"
    code, _, err = run("retry", str(message_id))
    assert code == 2 and "is delivered, not dead" in err
    code, _, err = run("retry", "424242")
    assert code == 2 and "does not exist" in err


def test_test_command_sends_a_signed_event(
    cli_env: Settings, receiver: Receiver
) -> None:
    code, out, err = run("test", "ops")
    assert code == 0, err
    assert "answered HTTP 200" in out
    [got] = receiver.received
    assert got.signature_error is None
    assert got.headers["X-Complydesk-Event"] == "notify.test"

    receiver.script = [503]
    code, _, err = run("test", "ops")
    assert code == 1 and "http_503" in err
    code, _, err = run("test", "nope")
    assert code == 2 and "no webhook endpoint named nope" in err
    code, _, err = run("test", "sms")
    assert code == 2 and "COMPLYDESK_TEST_UNSET_SECRET is not set" in err


def test_bad_input_is_refused(cli_env: Settings) -> None:
    assert run("list", "--status", "lost")[0] == 2
    assert run("retry", "0")[0] == 2


def test_without_a_webhooks_file_deliver_says_so(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COMPLYDESK_WEBHOOKS_FILE", raising=False)
    monkeypatch.delenv("COMPLYDESK_CONFIG", raising=False)
    code, out, _ = run("deliver")
    assert code == 0 and out.strip() == "no webhook endpoints configured"
    code, out, _ = run("endpoints")
    assert code == 0 and "no webhook endpoints configured" in out


def test_a_broken_webhooks_file_is_a_one_line_error(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("endpoints:\n  - {name: ops}\n")
    monkeypatch.setenv("COMPLYDESK_WEBHOOKS_FILE", str(bad))
    code, _, err = run("endpoints")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "endpoints[0].url" in err and str(bad) in err
