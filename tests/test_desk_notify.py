"""Desk notifications end to end (SQLite and PostgreSQL).

A ticket created and resolved through the API reaches a real HTTP receiver
started here, signed, without personal data, once the receiver recovers from
failing; a change refused with 409 leaves no notification and no timeline
entry behind (the outbox row is written in the state change's transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.desk_helpers import FakeClock, intake, staff
from tests.notify_helpers import SECRET, SECRET_ENV, Receiver

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.desk.context import DeskContext
from complydesk.desk.lifecycle import transition
from complydesk.errors import Conflict
from complydesk.notify import DELIVERED, deliver_round
from complydesk.settings import load_settings
from complydesk.store.db import transaction
from complydesk.store.models import OutboxMessage, Ticket, TicketEvent


@pytest.fixture
def clock(fixed_now: datetime) -> FakeClock:
    return FakeClock(fixed_now)


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    # Down twice (503, then 500), then up: the customer's receiver recovers.
    started = Receiver(script=[503, 500], now=lambda: clock().timestamp()).start()
    yield started
    started.stop()


@pytest.fixture
def desk_app(
    db_url: str,
    tmp_path: Path,
    clock: FakeClock,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> FastAPI:
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text(
        "endpoints:\n"
        f"  - {{name: ops, url: '{receiver.url}', events: ['ticket.*'],"
        f" secret_env: {SECRET_ENV}}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings = load_settings(
        database_url=db_url, data_dir=tmp_path / "data", webhooks_file=hooks
    )
    return create_app(settings, clock=clock)


@pytest.fixture
def api(desk_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(desk_app, follow_redirects=False) as client:
        yield client


def _outbox(app: FastAPI) -> list[OutboxMessage]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_ticket_events_reach_the_receiver_after_it_recovers(
    api: TestClient, desk_app: FastAPI, clock: FakeClock, receiver: Receiver
) -> None:
    heads = staff(desk_app)["agent-li"]
    created = api.post("/v1/desk/tickets", headers=heads, json=intake())
    assert created.status_code == 201, created.text
    tid = created.json()["id"]
    for to in ("accepted", "resolved"):
        moved = api.post(
            f"/v1/desk/tickets/{tid}/transitions", headers=heads, json={"to": to}
        )
        assert moved.status_code == 200, moved.text
    events = [m.event for m in _outbox(desk_app)]
    assert "ticket.created" in events and len(events) >= 2

    ctx: AppContext = desk_app.state.ctx
    rounds = []
    for _ in range(12):  # retries with backoff until every row is delivered
        rounds.append(deliver_round(ctx.settings, ctx.sessions, clock))
        if all(m.status == DELIVERED for m in _outbox(desk_app)):
            break
        clock.advance(minutes=10)
    assert all(m.status == DELIVERED for m in _outbox(desk_app))
    assert rounds[0].retrying >= 1  # the receiver was down at first

    assert all(r.signature_error is None for r in receiver.received)  # all signed
    bodies = [json.loads(r.body) for r in receiver.received]
    delivered = {r.headers["X-Complydesk-Event"] for r in receiver.received}
    assert set(events) <= delivered
    text = json.dumps(bodies, ensure_ascii=False)
    for personal in ("13812345678", "林晓雨", "耳机左边没有声音"):
        assert personal not in text
    assert all(m.payload is None for m in _outbox(desk_app))  # erased once sent


def test_a_refused_change_leaves_no_notification_behind(
    api: TestClient, desk_app: FastAPI, clock: FakeClock
) -> None:
    heads = staff(desk_app)["agent-li"]
    tid = api.post("/v1/desk/tickets", headers=heads, json=intake()).json()["id"]
    ctx: AppContext = desk_app.state.ctx
    desk = DeskContext(ctx.settings, ctx.vault, ctx.audit, ctx.clock)
    before = len(_outbox(desk_app))
    with ctx.sessions() as session:
        stale = session.get_one(Ticket, tid)
    with transaction(ctx.sessions) as session:
        transition(session, desk, "agent-a", session.get_one(Ticket, tid), "accepted")
    after_first = len(_outbox(desk_app))
    assert after_first > before  # a status change notifies
    clock.advance(seconds=1)
    with pytest.raises(Conflict):
        with transaction(ctx.sessions) as session:
            session.add(stale)  # still at version 1
            transition(session, desk, "agent-b", stale, "accepted")
    # The 409 rolled back the outbox row and the timeline entry with it.
    assert len(_outbox(desk_app)) == after_first
    with ctx.sessions() as session:
        statuses = session.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .where(TicketEvent.ticket_id == tid, TicketEvent.kind == "status")
        )
    assert statuses == 1
    refused = api.post(
        f"/v1/desk/tickets/{tid}/transitions",
        headers=heads,
        json={"to": "closed"},
    )
    assert refused.status_code == 409
    assert len(_outbox(desk_app)) == after_first
