"""`complydesk notify`: inspect the outbox, deliver now, re-queue, test endpoints.

Everything shown is metadata (ids, event names, endpoints, states, error
classes); payloads stay sealed and secrets are only reported as set or not.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
    session_scope,
)
from complydesk.clock import utcnow
from complydesk.store.models.outbox import OutboxMessage

app = typer.Typer(
    help="Notifications: the webhook outbox, delivery, dead letters, endpoints.",
    no_args_is_help=True,
)

TEST_EVENT = "notify.test"


class StatusChoice(StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    dead = "dead"


def _row(message: OutboxMessage) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": message.id,
        "delivery_id": message.delivery_id,
        "event": message.event,
        "endpoint": message.endpoint,
        "status": message.status,
        "attempts": message.attempts,
        "carries_personal": message.carries_personal,
        "created_at": when(message.created_at),
        "next_attempt_at": when(message.next_attempt_at),
        "last_attempt_at": when(message.last_attempt_at),
        "delivered_at": when(message.delivered_at),
        "last_error": message.last_error,
        "last_http_status": message.last_http_status,
    }


@app.command("list")
@handle_errors
def list_cmd(
    status: Annotated[
        StatusChoice | None, typer.Option("--status", help="Only this state.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N.")] = 50,
    json_output: bool = JsonOption,
) -> None:
    """Outbox rows, newest first: metadata only, never payloads."""
    from complydesk.notify import list_messages

    with session_scope(read_only=True) as session:
        messages = list_messages(session, status.value if status else None, limit)
    if json_output:
        print_json([_row(m) for m in messages])
        return
    table = Table(
        "id", "event", "endpoint", "status", "tries", "next (UTC)", "last error"
    )
    for m in messages:
        waiting = m.status in ("pending", "sending")
        table.add_row(
            str(m.id),
            m.event,
            m.endpoint,
            m.status,
            str(m.attempts),
            m.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if waiting else "",
            m.last_error or "",
        )
    console.print(table)


@app.command("deliver")
@handle_errors
def deliver_cmd() -> None:
    """Run one delivery round now (what the worker does every few seconds)."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.notify import deliver_round
    from complydesk.store.db import make_engine, make_sessionmaker

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        audit = AuditLog(load_audit_key(settings))
        report = deliver_round(
            settings, make_sessionmaker(engine), audit.clock, audit=audit
        )
    finally:
        engine.dispose()
    typer.echo(report.summary())


@app.command("retry")
@handle_errors
def retry_cmd(
    message_id: Annotated[int, typer.Argument(min=1, help="Outbox row id.")],
) -> None:
    """Move a dead notification back to pending, with a fresh attempt budget."""
    from complydesk.audit import OUTCOME_OK, AuditEvent, AuditLog, load_audit_key
    from complydesk.notify import retry_dead

    settings = get_settings()
    audit = AuditLog(load_audit_key(settings))
    with session_scope() as session:
        row = retry_dead(session, message_id, audit.clock())
        audit.record(
            session,
            AuditEvent(
                actor="cli",
                action="notify.retry",
                object_type="notification",
                object_id=str(row.id),
                outcome=OUTCOME_OK,
                details={"event": row.event, "endpoint": row.endpoint},
            ),
        )
    typer.echo(f"notification {message_id} is pending again")


@app.command("endpoints")
@handle_errors
def endpoints_cmd(json_output: bool = JsonOption) -> None:
    """Configured webhook endpoints; secrets are only reported as set or not."""
    from complydesk.notify import load_webhooks

    settings = get_settings()
    config = load_webhooks(settings.webhooks_file)
    rows = [
        {
            "name": e.name,
            "url": e.url,
            "events": list(e.events),
            "secret_env": e.secret_env,
            "secret_set": e.has_secret(),
            "timeout_seconds": e.timeout_seconds,
        }
        for e in config.endpoints
    ]
    if json_output:
        print_json(rows)
        return
    if not rows:
        typer.echo("no webhook endpoints configured (set COMPLYDESK_WEBHOOKS_FILE)")
        return
    table = Table("name", "url", "events", "secret")
    for e in config.endpoints:
        secret = f"{e.secret_env} ({'set' if e.has_secret() else 'NOT SET'})"
        table.add_row(e.name, e.url, ", ".join(e.events), secret)
    console.print(table)


@app.command("test")
@handle_errors
def test_cmd(
    endpoint: Annotated[str, typer.Argument(help="Endpoint name.")],
) -> None:
    """POST a signed `notify.test` event now (not through the outbox)."""
    from complydesk.notify import load_webhooks
    from complydesk.notify.deliver import envelope, send

    settings = get_settings()
    target = load_webhooks(settings.webhooks_file).require(endpoint)
    now = utcnow()
    delivery_id = str(uuid.uuid4())
    body = envelope(delivery_id, TEST_EVENT, now, b'{"test":true}')
    outcome = send(
        target,
        body,
        secret=target.secret(),
        event=TEST_EVENT,
        delivery_id=delivery_id,
        attempt=1,
        timestamp=int(now.timestamp()),
    )
    if outcome.kind != "delivered":
        raise fail(f"endpoint {endpoint} did not accept the test: {outcome.reason}", 1)
    typer.echo(f"endpoint {endpoint} answered HTTP {outcome.http_status}")
