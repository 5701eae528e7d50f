"""The outbox end to end: enqueue in a transaction, deliver to a real receiver.

Every test here runs on SQLite and PostgreSQL (`db_url`), against an HTTP
server started by the test that checks signatures like a real receiver would.
Time is a FakeClock, so backoff is verified without sleeping.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver, free_port

from complydesk.audit import AuditEvent, AuditLog, recent_entries
from complydesk.clock import utcnow
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.notify import (
    DEAD,
    DELIVERED,
    PENDING,
    DeliveryReport,
    Endpoint,
    Outbox,
    RetryPolicy,
    WebhookConfig,
    deliver_due,
    enqueue,
    retry_dead,
)
from complydesk.settings import load_settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import Base, OutboxMessage
from complydesk.worker import Worker, default_jobs

KEY = bytes(range(32))
ENV = {SECRET_ENV: SECRET}
POLICY = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=100)
PAYLOAD = {"ticket": "T-5F3A2B9C1D", "status": "resolved"}

MakeReceiver = Callable[..., Receiver]


@pytest.fixture
def clock(fixed_now: datetime) -> FakeClock:
    return FakeClock(fixed_now)


@pytest.fixture
def receivers(clock: FakeClock) -> Iterator[MakeReceiver]:
    started: list[Receiver] = []

    def make(**kwargs: Any) -> Receiver:
        kwargs.setdefault("now", lambda: clock().timestamp())
        receiver = Receiver(**kwargs).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


def endpoint(url: str, name: str = "ops", events: list[str] | None = None) -> Endpoint:
    return Endpoint(
        name=name,
        url=url,
        events=events or ["ticket.*"],
        secret_env=SECRET_ENV,
        timeout_seconds=2,
    )


def add(
    factory: sessionmaker[Session],
    config: WebhookConfig,
    clock: FakeClock,
    event: str = "ticket.resolved",
    payload: dict[str, Any] | None = None,
    **kwargs: Any,
) -> list[int]:
    with transaction(factory) as session:
        rows = enqueue(
            session,
            event,
            PAYLOAD if payload is None else payload,
            endpoints=config,
            key=KEY,
            now=clock(),
            **kwargs,
        )
        return [row.id for row in rows]


def deliver(
    factory: sessionmaker[Session],
    config: WebhookConfig,
    clock: FakeClock,
    **kwargs: Any,
) -> DeliveryReport:
    kwargs.setdefault("policy", POLICY)
    kwargs.setdefault("key", KEY)
    return deliver_due(
        factory, clock, endpoints=config, environ=ENV, jitter=lambda: 0.5, **kwargs
    )


def row(factory: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with read_transaction(factory) as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


def test_enqueue_fans_out_and_delivers_signed_json(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    ops, push, other = receivers(), receivers(), receivers()
    config = WebhookConfig(
        [
            endpoint(ops.url, "ops", ["ticket.*"]),
            endpoint(push.url, "push", ["ticket.resolved", "dsr.*"]),
            endpoint(other.url, "other", ["dsr.*"]),
        ]
    )
    ids = add(session_factory, config, clock)
    assert len(ids) == 2
    report = deliver(session_factory, config, clock)
    assert (report.delivered, report.retrying, report.dead) == (2, 0, 0)
    assert other.received == []
    for receiver, message_id in ((ops, ids[0]), (push, ids[1])):
        [got] = receiver.received
        stored = row(session_factory, message_id)
        assert got.signature_error is None
        assert got.headers["X-Complydesk-Event"] == "ticket.resolved"
        assert got.headers["X-Complydesk-Delivery"] == stored.delivery_id
        assert got.headers["X-Complydesk-Attempt"] == "1"
        assert got.headers["Content-Type"] == "application/json"
        assert json.loads(got.body) == {
            "id": stored.delivery_id,
            "event": "ticket.resolved",
            "created_at": clock().isoformat(timespec="seconds"),
            "data": PAYLOAD,
        }
        assert stored.status == DELIVERED
        assert stored.attempts == 1
        assert stored.last_http_status == 200
        assert stored.delivered_at == clock()
        assert stored.payload is None  # erased once delivered
    assert deliver(session_factory, config, clock).delivered == 0


def test_outbox_rows_roll_back_with_the_enclosing_transaction(
    session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    config = WebhookConfig([endpoint("http://127.0.0.1:9/hook")])
    audit = AuditLog(KEY, clock)
    change = AuditEvent("user:1", "ticket.resolve", "ticket", "T-1", "ok")
    with pytest.raises(RuntimeError):
        with transaction(session_factory) as session:
            audit.record(session, change)
            enqueue(
                session,
                "ticket.resolved",
                PAYLOAD,
                endpoints=config,
                key=KEY,
                now=clock(),
            )
            raise RuntimeError("the state change failed")
    with read_transaction(session_factory) as session:
        assert session.scalars(select(OutboxMessage)).all() == []
        assert recent_entries(session) == []
    with transaction(session_factory) as session:
        audit.record(session, change)
        enqueue(
            session, "ticket.resolved", PAYLOAD, endpoints=config, key=KEY, now=clock()
        )
    with read_transaction(session_factory) as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1
        assert len(recent_entries(session)) == 1


def test_failing_receiver_recovers_after_backoff(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers(script=[500, 503])
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    start = clock()

    assert deliver(session_factory, config, clock).retrying == 1
    failed = row(session_factory, message_id)
    assert (failed.status, failed.attempts) == (PENDING, 1)
    assert (failed.last_error, failed.last_http_status) == ("http_500", 500)
    # Ceiling 10 s after the first failure, jitter 0.5: wait 7.5 s.
    assert failed.next_attempt_at == start + timedelta(seconds=7.5)

    clock.advance(7)
    assert deliver(session_factory, config, clock).summary() == (
        "0 delivered, 0 retrying, 0 dead"
    )
    assert len(receiver.received) == 1  # backoff respected

    clock.advance(0.5)
    assert deliver(session_factory, config, clock).retrying == 1
    assert row(session_factory, message_id).next_attempt_at == clock() + timedelta(
        seconds=15
    )  # ceiling doubled to 20 s

    clock.advance(14)
    assert deliver(session_factory, config, clock).delivered == 0
    clock.advance(1)
    assert deliver(session_factory, config, clock).delivered == 1

    done = row(session_factory, message_id)
    assert (done.status, done.attempts, done.last_error) == (DELIVERED, 3, None)
    assert [r.headers["X-Complydesk-Attempt"] for r in receiver.received] == [
        "1",
        "2",
        "3",
    ]
    assert len({r.body for r in receiver.received}) == 1  # same body every time
    assert len(set(receiver.delivery_ids())) == 1
    assert all(r.signature_error is None for r in receiver.received)


def test_refused_connection_is_retried_until_the_receiver_is_up(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    port = free_port()
    config = WebhookConfig([endpoint(f"http://127.0.0.1:{port}/hook")])
    [message_id] = add(session_factory, config, clock)
    assert deliver(session_factory, config, clock).retrying == 1
    assert row(session_factory, message_id).last_error == "ConnectionRefusedError"
    assert row(session_factory, message_id).last_http_status is None

    receiver = receivers(port=port)
    clock.advance(10)
    assert deliver(session_factory, config, clock).delivered == 1
    assert len(receiver.received) == 1
    assert row(session_factory, message_id).attempts == 2


def test_dead_after_max_attempts_then_retry_from_dead(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers(script=[500, 502, 504])
    config = WebhookConfig([endpoint(receiver.url)])
    audit = AuditLog(KEY, clock)
    [message_id] = add(session_factory, config, clock)
    for _ in range(POLICY.max_attempts):
        deliver(session_factory, config, clock, audit=audit)
        clock.advance(POLICY.cap_seconds)
    dead = row(session_factory, message_id)
    assert (dead.status, dead.attempts) == (DEAD, 3)
    assert (dead.last_error, dead.last_http_status) == ("http_504", 504)
    assert dead.payload is not None  # kept, so it can be retried
    assert deliver(session_factory, config, clock).summary().startswith("0 deliv")
    assert len(receiver.received) == 3

    with read_transaction(session_factory) as session:
        [entry] = recent_entries(session)
    assert (entry.action, entry.object_id, entry.outcome) == (
        "notify.dead",
        str(message_id),
        "error",
    )
    assert entry.details["endpoint"] == "ops"

    with transaction(session_factory) as session:
        retry_dead(session, message_id, clock())
    again = row(session_factory, message_id)
    assert (again.status, again.attempts) == (PENDING, 0)
    assert deliver(session_factory, config, clock).delivered == 1
    assert row(session_factory, message_id).status == DELIVERED

    with transaction(session_factory) as session:
        with pytest.raises(Conflict, match="delivered, not dead"):
            retry_dead(session, message_id, clock())
        with pytest.raises(NotFound):
            retry_dead(session, 999_999, clock())


@pytest.mark.parametrize(
    ("status", "reason"), [(400, "http_400_rejected"), (410, "http_410_rejected")]
)
def test_a_permanent_rejection_is_dead_at_once(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
    status: int,
    reason: str,
) -> None:
    receiver = receivers(script=[status])
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    assert deliver(session_factory, config, clock).dead == 1
    dead = row(session_factory, message_id)
    assert (dead.status, dead.attempts, dead.last_error) == (DEAD, 1, reason)


def test_a_wrong_secret_is_refused_by_the_receiver_and_dead_lettered(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers(secret="the-receiver-has-another-secret")
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    assert deliver(session_factory, config, clock).dead == 1
    assert receiver.received[0].signature_error == "signature does not match the body"
    assert row(session_factory, message_id).last_error == "http_401_rejected"


def test_retry_after_is_honoured_on_429(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers(script=[429], extra_headers={"Retry-After": "42"})
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    assert deliver(session_factory, config, clock).retrying == 1
    assert row(session_factory, message_id).next_attempt_at == clock() + timedelta(
        seconds=42
    )


def test_timeout_is_a_retry(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    # A listener that accepts and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        slow = Endpoint(
            name="slow",
            url=url,
            events=["ticket.*"],
            secret_env=SECRET_ENV,
            timeout_seconds=0.3,
        )
        config = WebhookConfig([slow])
        [message_id] = add(session_factory, config, clock)
        assert deliver(session_factory, config, clock).retrying == 1
    assert row(session_factory, message_id).last_error == "TimeoutError"


def test_missing_secret_or_endpoint_is_retried_not_sent(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    report = deliver_due(
        session_factory, clock, endpoints=config, key=KEY, policy=POLICY, environ={}
    )
    assert report.retrying == 1
    assert row(session_factory, message_id).last_error == "secret_not_set"

    clock.advance(POLICY.cap_seconds)
    renamed = WebhookConfig([endpoint(receiver.url, name="renamed")])
    assert deliver(session_factory, renamed, clock).retrying == 1
    assert row(session_factory, message_id).last_error == "endpoint_not_configured"
    assert receiver.received == []


def test_no_endpoints_means_rows_stay_pending(
    session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    config = WebhookConfig([endpoint("http://127.0.0.1:9/hook")])
    [message_id] = add(session_factory, config, clock)
    report = deliver(session_factory, WebhookConfig([]), clock)
    assert report.summary() == "no webhook endpoints configured"
    assert row(session_factory, message_id).status == PENDING


def test_concurrent_workers_send_each_row_once(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url)])
    for i in range(12):
        add(session_factory, config, clock, payload={"ticket": f"T-{i}"})
    policy = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=100, batch_size=3)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            while deliver(session_factory, config, clock, policy=policy).delivered:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported by the assert
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = receiver.delivery_ids()
    assert len(ids) == 12 and len(set(ids)) == 12
    with read_transaction(session_factory) as session:
        statuses = session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [DELIVERED] * 12


def test_an_abandoned_claim_is_resent_after_its_lease(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
    engine: Engine,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url)])
    first, last = (
        add(session_factory, config, clock),
        add(session_factory, config, clock),
    )
    # As a worker that died mid-send leaves them: claimed, lease run out.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE notification_outbox SET status = 'sending', attempts = :n, "
                "next_attempt_at = :at WHERE id = :id"
            ),
            [
                {"n": 1, "at": clock() - timedelta(seconds=1), "id": first[0]},
                {"n": 3, "at": clock() - timedelta(seconds=1), "id": last[0]},
            ],
        )
    report = deliver(session_factory, config, clock)
    assert (report.delivered, report.dead) == (1, 1)
    assert row(session_factory, first[0]).attempts == 2
    assert row(session_factory, last[0]).last_error == "lease_expired"


def test_a_claimed_row_is_not_sent_again_before_its_lease_ends(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
    engine: Engine,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url)])
    [message_id] = add(session_factory, config, clock)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE notification_outbox SET status = 'sending', attempts = 1, "
                "next_attempt_at = :at WHERE id = :id"
            ),
            {"at": clock() + timedelta(seconds=60), "id": message_id},
        )
    assert deliver(session_factory, config, clock).delivered == 0
    assert receiver.received == []


def test_payload_is_not_stored_in_plaintext(
    db_url: str,
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
    engine: Engine,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url, "sms", ["dsr.*"])])
    secret = {"to": "+86 138 0013 8000", "code": "QX7-PLM-93K"}
    [message_id] = add(
        session_factory,
        config,
        clock,
        "dsr.verification_code",
        secret,
        personal=("to", "code"),
    )
    stored = row(session_factory, message_id)
    assert stored.carries_personal is True
    assert stored.payload is not None
    assert b"QX7-PLM-93K" not in stored.payload
    with engine.connect() as conn:
        dump = " ".join(
            str(value)
            for record in conn.execute(text("SELECT * FROM notification_outbox"))
            for value in record
        )
    assert "0013" not in dump and "QX7" not in dump
    if db_url.startswith("sqlite:///"):
        engine.dispose()
        path = Path(db_url.removeprefix("sqlite:///"))
        raw = b"".join(
            p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()
        )
        assert b"dsr.verification_code" in raw  # the search does find clear text
        for needle in ("138 0013 8000", "QX7-PLM-93K"):
            assert needle.encode() not in raw
            assert needle.encode("utf-16-le") not in raw

    assert deliver(session_factory, config, clock).delivered == 1
    assert json.loads(receiver.received[0].body)["data"] == secret
    assert row(session_factory, message_id).payload is None


def test_a_payload_moved_to_another_row_or_key_does_not_open(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    receivers: MakeReceiver,
    engine: Engine,
) -> None:
    receiver = receivers()
    config = WebhookConfig([endpoint(receiver.url)])
    [a] = add(session_factory, config, clock)
    [b] = add(session_factory, config, clock)
    [c] = add(session_factory, config, clock)
    with engine.begin() as conn:
        blob = conn.execute(
            text("SELECT payload FROM notification_outbox WHERE id = :id"), {"id": a}
        ).scalar_one()
        conn.execute(
            text("UPDATE notification_outbox SET payload = :p WHERE id = :id"),
            {"p": blob, "id": b},
        )
        conn.execute(
            text("UPDATE notification_outbox SET payload = :p WHERE id = :id"),
            {"p": bytes(blob[:1]) + bytes(4) + bytes(blob[5:]), "id": c},
        )
    report = deliver(session_factory, config, clock)
    assert (report.delivered, report.dead) == (1, 2)
    assert row(session_factory, b).last_error == "payload_tampered"
    assert row(session_factory, c).last_error == "payload_key_mismatch"
    assert len(receiver.received) == 1


def test_enqueue_validates_event_and_payload(
    session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    config = WebhookConfig([endpoint("http://127.0.0.1:9/hook")])
    with transaction(session_factory) as session:
        with pytest.raises(InvalidInput, match="event name"):
            enqueue(
                session, "Ticket Created", {}, endpoints=config, key=KEY, now=clock()
            )
        with pytest.raises(InvalidInput, match="payload field email") as info:
            enqueue(
                session,
                "ticket.created",
                {"email": "li.wei@example.com"},
                endpoints=config,
                key=KEY,
                now=clock(),
            )
        assert "li.wei" not in info.value.detail
        with pytest.raises(InvalidInput, match="timezone-aware"):
            enqueue(
                session,
                "ticket.created",
                {},
                endpoints=config,
                key=KEY,
                now=clock().replace(tzinfo=None),
            )
        assert (
            enqueue(
                session, "audit.anchored", {}, endpoints=config, key=KEY, now=clock()
            )
            == []
        )  # nobody subscribes: nothing stored


def test_outbox_model_matches_its_migration(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)

    def mentions_outbox(diff: Any) -> bool:
        return "notification_outbox" in repr(diff)

    assert [d for d in diffs if mentions_outbox(d)] == []


def test_worker_runs_notify_deliver_from_settings(
    db_url: str,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    receivers: MakeReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = receivers(now=lambda: utcnow().timestamp())
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text(
        "endpoints:\n"
        f"  - {{name: ops, url: '{receiver.url}', events: ['ticket.*'],"
        f" secret_env: {SECRET_ENV}}}\n"
    )
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings = load_settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        webhooks_file=hooks,
        notify_interval_seconds=2,
    )
    with transaction(session_factory) as session:
        Outbox.from_settings(settings).enqueue(session, "ticket.created", PAYLOAD)
    assert oct((settings.data_dir / "outbox.key").stat().st_mode & 0o777) == "0o600"
    audit = AuditLog(KEY)
    jobs = default_jobs()
    [job] = [j for j in jobs if j.name == "notify.deliver"]
    assert job.interval(settings) == 2
    outcomes = Worker(jobs, settings, session_factory, audit, utcnow).run_due()
    assert outcomes["notify.deliver"] == "1 delivered, 0 retrying, 0 dead"
    assert receiver.received[0].signature_error is None
    assert os.environ[SECRET_ENV] not in receiver.received[0].body.decode()
