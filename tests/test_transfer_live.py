"""Live flows add their individuals to the year's counters, once per person.

Real webhook deliveries to a real HTTP receiver and a real assistant turn
against a real OpenAI-compatible server; the counters, digests and audit
chain are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.chat_server import ChatServer, chat_server, url_of
from tests.helpers import add_user_with_token
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.test_transfer_gate import _settings
from tests.transfer_helpers import NOW, add_contract, fixed, register, write_csv

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.audit import AuditLog, load_audit_key
from complydesk.identity import Role
from complydesk.notify import Outbox
from complydesk.notify.deliver import deliver_round
from complydesk.settings import Settings, load_settings
from complydesk.store.db import transaction
from complydesk.store.models import TransferAssessment, TransferCounter
from complydesk.transfer.assessment import assess_file
from complydesk.transfer.live import count_live

PHONE = "13812345678"


def _model_app(settings: Settings, tmp_path: Path, server: ChatServer) -> FastAPI:
    """The real app whose assistant calls a model endpoint in Singapore."""
    config = tmp_path / "ai.yaml"
    config.write_text(
        "backend: openai_compat\nendpoint:\n"
        f"  url: {url_of(server)}\n  model: qwen2.5-7b-instruct\n"
        "  country: sg\n  transfer_recipient: acme-sg\n",
        "utf-8",
    )
    custom = load_settings(
        database_url=settings.sqlalchemy_url,
        data_dir=settings.data_dir,
        ai_config_file=config,
        country="CN",
    )
    return create_app(custom)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    server = Receiver(now=lambda: clock().timestamp()).start()
    yield server
    server.stop()


def _counter(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        row = session.scalars(
            select(TransferCounter).where(TransferCounter.jurisdiction == "cn")
        ).one_or_none()
        return (0, 0) if row is None else (row.individuals, row.sensitive_individuals)


def test_delivered_webhooks_abroad_count_each_person_once(
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
    register(session_factory, audit)
    outbox = Outbox.from_settings(settings, clock)
    with transaction(session_factory) as session:
        # Personal fields must be declared (personal=); they still count.
        for event, field in (("ticket.created", "phone"), ("ticket.updated", "tel")):
            payload = {"ticket": "T-1", field: PHONE}
            outbox.enqueue(session, event, payload, personal=[field])
        outbox.enqueue(session, "ticket.closed", {"ticket": "T-1", "state": "closed"})
    report = deliver_round(settings, session_factory, clock, audit=audit)
    assert report.delivered == 6  # three events, two endpoints each
    # One person abroad (the same phone twice); the domestic copies and the
    # payload without personal data count no one.
    assert _counter(session_factory) == (1, 0)
    with session_factory() as session:
        live = session.scalars(
            select(TransferAssessment).where(TransferAssessment.kind == "live")
        ).one()
    assert live.counts["individuals"] == 1 and live.counts["records"] == 2
    # A later export of a file with that phone adds no one new.
    cn = settings.model_copy(update={"default_pack": "cn"})
    outcome = assess_file(
        session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
        path=write_csv(tmp_path / "f.csv", [[PHONE]], header=["phone"]),
        actor="test", workers=1,
    )  # fmt: skip
    assert (outcome.counts.new_individuals, outcome.counts.prior_individuals) == (0, 1)


def test_uncounted_flows_add_no_one(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    cn = settings.model_copy(update={"default_pack": "cn", "country": "CN"})
    audit = AuditLog(load_audit_key(cn))
    register(session_factory, audit, exemption="contract_with_individual")
    with transaction(session_factory) as session:
        args = {"recipient": "acme-sg", "digests": [1], "sensitive": False, "now": NOW}
        # A purpose-exempt flow is not counted (CAC Order 16 Art. 5) ...
        assert not count_live(session, cn, country="SG", **args)  # type: ignore[arg-type]
        # ... and a receiver at home is not a transfer at all.
        assert not count_live(session, cn, country="CN", **args)  # type: ignore[arg-type]
    assert _counter(session_factory) == (0, 0)


def test_a_model_call_abroad_counts_its_customer_once(
    settings: Settings, tmp_path: Path
) -> None:
    with chat_server() as server:
        app = _model_app(settings, tmp_path, server)
        ctx: AppContext = app.state.ctx
        register(ctx.sessions, ctx.audit)
        add_contract(ctx.sessions, ctx.audit)
        with TestClient(app) as client:
            token = add_user_with_token(ctx.sessions, "web-widget", Role.SERVICE)
            channel = {"Authorization": f"Bearer {token}"}
            customer = client.post(
                "/v1/customers",
                json={"name": "林晓雨", "phone": PHONE, "jurisdiction": "cn"},
                headers=channel,
            ).json()["id"]
            cid = client.post(
                "/v1/ai/conversations", json={"customer_id": customer},
                headers=channel,
            ).json()["conversation_id"]  # fmt: skip
            for text in ("订单怎么还没到", "还有一个问题"):
                turn = client.post(
                    f"/v1/ai/conversations/{cid}/messages",
                    json={"text": text},
                    headers=channel,
                ).json()
                assert turn["handoff"] is None, turn
            assert len(server.received) == 2
            assert _counter(ctx.sessions) == (1, 0)  # one customer, two messages
            # The customer's phone, sent later in a file, is the same person:
            # counted by blind index, nothing decrypted.
            cn = ctx.settings.model_copy(update={"default_pack": "cn"})
            outcome = assess_file(
                ctx.sessions, cn, ctx.audit, ctx.clock, recipient="acme-sg",
                path=write_csv(tmp_path / "f.csv", [[PHONE]], header=["phone"]),
                actor="test", workers=1,
            )  # fmt: skip
            assert outcome.counts.new_individuals == 0
