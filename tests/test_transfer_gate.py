"""The live-flow gate: webhooks to receivers abroad pass the transfer check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.transfer_helpers import NOW, register

from complydesk.audit import AuditLog, load_audit_key
from complydesk.notify import Outbox
from complydesk.notify.deliver import deliver_round
from complydesk.settings import Settings, load_settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import AuditEntry, OutboxMessage
from complydesk.transfer import registry
from complydesk.transfer.gate import check_flow


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    server = Receiver(now=lambda: clock().timestamp()).start()
    yield server
    server.stop()


def _settings(
    db_url: str, tmp_path: Path, receiver: Receiver, **extra: object
) -> Settings:
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text(
        "endpoints:\n"
        f"  - {{name: sg-crm, url: '{receiver.url}', events: ['ticket.*'],"
        f" secret_env: {SECRET_ENV}, country: SG, transfer_recipient: acme-sg}}\n"
        f"  - {{name: local, url: '{receiver.url}', events: ['ticket.*'],"
        f" secret_env: {SECRET_ENV}, country: CN}}\n",
        encoding="utf-8",
    )
    values: dict[str, object] = {
        "database_url": db_url,
        "data_dir": tmp_path / "data",
        "webhooks_file": hooks,
        "default_pack": "cn",
        "country": "CN",
    }
    values.update(extra)
    return load_settings(**values)


def _statuses(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str | None]]:
    with read_transaction(sessions) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        return {r.endpoint: (r.status, r.last_error) for r in rows}


def test_a_receiver_abroad_waits_until_its_recipient_passes(
    db_url: str,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings = _settings(db_url, tmp_path, receiver)
    audit = AuditLog(load_audit_key(settings))
    with transaction(session_factory) as session:
        Outbox.from_settings(settings, clock).enqueue(
            session, "ticket.created", {"ticket": "T-1"}
        )

    report = deliver_round(settings, session_factory, clock, audit=audit)
    assert (report.delivered, report.retrying) == (1, 1)
    assert _statuses(session_factory) == {
        "local": ("delivered", None),
        "sg-crm": ("pending", "transfer_recipient_unknown"),
    }
    assert len(receiver.received) == 1  # only the domestic receiver
    with read_transaction(session_factory) as session:
        refused = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "transfer.live.refused")
        ).one()
    assert refused.object_id == "sg-crm"
    assert refused.details["country"] == "SG"

    register(session_factory, audit)
    with transaction(session_factory) as session:
        registry.update_recipient(
            session,
            audit,
            "test",
            registry.get_recipient(session, "acme-sg"),
            {"status": "suspended"},
            NOW,
        )
    clock.advance(timedelta(hours=2).total_seconds())
    deliver_round(settings, session_factory, clock, audit=audit)
    assert _statuses(session_factory)["sg-crm"] == ("pending", "transfer_blocked")

    with transaction(session_factory) as session:
        registry.update_recipient(
            session,
            audit,
            "test",
            registry.get_recipient(session, "acme-sg"),
            {"status": "active"},
            NOW,
        )
    clock.advance(timedelta(hours=2).total_seconds())
    report = deliver_round(settings, session_factory, clock, audit=audit)
    assert report.delivered == 1
    assert _statuses(session_factory)["sg-crm"] == ("delivered", None)
    assert len(receiver.received) == 2


def test_check_flow_answers(
    db_url: str,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    settings = _settings(db_url, tmp_path, receiver)
    audit = AuditLog(load_audit_key(settings))
    register(session_factory, audit)

    def answer(s: Settings, country: str | None, recipient: str | None) -> str | None:
        with read_transaction(session_factory) as session:
            result = check_flow(
                session, s, country=country, recipient=recipient, now=NOW
            )
        return None if result.allowed else result.reason

    assert answer(settings, None, None) is None
    assert answer(settings, "CN", None) is None
    assert answer(settings, "SG", "acme-sg") is None
    assert answer(settings, "US", "acme-sg") == "transfer_country_mismatch"
    assert answer(settings, "SG", None) == "transfer_recipient_missing"
    assert answer(settings, "SG", "nobody-here") == "transfer_recipient_unknown"
    homeless = settings.model_copy(update={"country": None})
    assert answer(homeless, "SG", "acme-sg") == "transfer_country_not_set"
    ciio = settings.model_copy(update={"transfer_ciio": True})
    assert answer(ciio, "SG", "acme-sg") == "transfer_blocked"


def test_endpoint_country_and_recipient_are_validated(tmp_path: Path) -> None:
    from complydesk.errors import ConfigError
    from complydesk.notify.webhooks import load_webhooks

    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text(
        "endpoints:\n  - {name: x, url: 'https://h.example', events: ['a.b'],"
        " secret_env: X, country: Singapore}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"endpoints\[0\]\.country"):
        load_webhooks(hooks)
