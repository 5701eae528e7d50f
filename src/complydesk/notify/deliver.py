"""Deliver due outbox rows: claim, POST signed JSON, record the outcome.

A round has three steps, each short, so no database lock is held over HTTP:

1. claim (one transaction): pick due rows (`pending`, or `sending` whose lease
   ran out because a worker died) with `FOR UPDATE SKIP LOCKED` on PostgreSQL
   (SQLite's `BEGIN IMMEDIATE` write lock serialises claimers instead), count
   the attempt, mark them `sending` and lease them;
2. send each row over HTTP with a timeout (no redirects followed);
3. record each outcome (one transaction per row) only if the row is still
   ours (same status and attempt number), so a late worker cannot overwrite
   a newer claim.

Delivery is at-least-once: a crash between 2 and 3 re-sends after the lease,
with the same delivery id header for receivers to de-duplicate.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk import __version__
from complydesk.audit import OUTCOME_ERROR, AuditEvent, AuditLog
from complydesk.clock import Clock
from complydesk.errors import ConfigError, InvalidInput
from complydesk.notify.outbox import DEAD, DELIVERED, PENDING, SENDING
from complydesk.notify.sealed import SealError, load_outbox_key, open_sealed
from complydesk.notify.webhooks import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    Endpoint,
    WebhookConfig,
    load_webhooks,
    signature_header,
)
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models.outbox import OutboxMessage

log = logging.getLogger("complydesk.notify")

RETRYABLE_STATUS: Final = frozenset({408, 425, 429})
LEASE_MARGIN_SECONDS: Final = 60


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with "equal jitter": wait in [d/2, d], d doubling.

    Defaults: 30 s, 1 min, 2 min ... capped at 1 h; the 10th failed attempt
    (about 3 hours after the first) moves the row to `dead`.
    """

    max_attempts: int = 10
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    batch_size: int = 20

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.batch_size < 1:
            raise InvalidInput("max_attempts and batch_size must be at least 1")
        if not 0 < self.base_seconds <= self.cap_seconds:
            raise InvalidInput("backoff needs 0 < base_seconds <= cap_seconds")

    def ceiling(self, attempts: int) -> float:
        """The undithered delay after the `attempts`-th failure, in seconds."""
        return min(self.cap_seconds, self.base_seconds * 2.0 ** max(0, attempts - 1))

    def backoff(self, attempts: int, jitter: float) -> timedelta:
        """Delay after the `attempts`-th failure; `jitter` is uniform in [0, 1)."""
        ceiling = self.ceiling(attempts)
        return timedelta(seconds=ceiling / 2 + ceiling / 2 * jitter)


DEFAULT_POLICY: Final = RetryPolicy()


@dataclass
class DeliveryReport:
    """What one round did, in counts (the worker's one-line outcome)."""

    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    lost: int = 0  # claimed, but another worker re-claimed before we recorded
    note: str = ""

    def summary(self) -> str:
        if self.note:
            return self.note
        text = f"{self.delivered} delivered, {self.retrying} retrying, {self.dead} dead"
        return text + (f", {self.lost} superseded" if self.lost else "")


@dataclass(frozen=True)
class _Claim:
    id: int
    delivery_id: str
    event: str
    endpoint: str
    attempts: int
    created_at: datetime
    payload: bytes | None


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt: delivered, retry (later) or dead (now)."""

    kind: Literal["delivered", "retry", "dead"]
    reason: str | None = None
    http_status: int | None = None
    retry_after: float | None = None


def deliver_due(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    endpoints: WebhookConfig,
    key: bytes,
    policy: RetryPolicy = DEFAULT_POLICY,
    audit: AuditLog | None = None,
    jitter: Callable[[], float] = random.random,
    environ: Mapping[str, str] | None = None,
    transfer_gate: Callable[[Endpoint], str | None] | None = None,
) -> DeliveryReport:
    """Run one delivery round over up to `policy.batch_size` due rows.

    `transfer_gate(endpoint)` returns a reason to hold a delivery to a
    receiver abroad (complydesk.transfer.gate.webhook_gate), else None.
    """
    report = DeliveryReport()
    if not endpoints:
        report.note = "no webhook endpoints configured"
        return report
    lease = timedelta(
        seconds=policy.batch_size * max(e.timeout_seconds for e in endpoints.endpoints)
        + LEASE_MARGIN_SECONDS
    )
    claims = _claim(sessions, clock(), lease, policy, audit, report)
    for claim in claims:
        outcome = _attempt(claim, endpoints, key, clock, environ, transfer_gate)
        _record(sessions, claim, outcome, clock(), policy, audit, jitter, report)
    return report


def deliver_round(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    audit: AuditLog | None = None,
) -> DeliveryReport:
    """One round with endpoints and key from `settings` (worker and CLI)."""
    endpoints = load_webhooks(settings.webhooks_file)
    if not endpoints:
        return DeliveryReport(note="no webhook endpoints configured")
    gate = None
    if any(e.country for e in endpoints.endpoints):
        from complydesk.transfer.live import WebhookGate

        gate = WebhookGate(settings, sessions, clock, audit)
    return deliver_due(
        sessions,
        clock,
        endpoints=endpoints,
        key=load_outbox_key(settings),
        audit=audit,
        transfer_gate=gate,
    )


def _claim(
    sessions: sessionmaker[Session],
    now: datetime,
    lease: timedelta,
    policy: RetryPolicy,
    audit: AuditLog | None,
    report: DeliveryReport,
) -> list[_Claim]:
    claims: list[_Claim] = []
    with transaction(sessions) as session:
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status.in_((PENDING, SENDING)),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(policy.batch_size)
            .with_for_update(skip_locked=True)
        )
        for row in list(session.scalars(stmt)):
            if row.status == SENDING and row.attempts >= policy.max_attempts:
                # The last attempt's worker vanished; its outcome is unknown.
                _mark_dead(session, row, Outcome("dead", "lease_expired"), now, audit)
                report.dead += 1
                continue
            row.attempts += 1
            row.status = SENDING
            row.last_attempt_at = now
            row.next_attempt_at = now + lease
            claims.append(
                _Claim(
                    row.id,
                    row.delivery_id,
                    row.event,
                    row.endpoint,
                    row.attempts,
                    row.created_at,
                    row.payload,
                )
            )
    return claims


def _attempt(
    claim: _Claim,
    endpoints: WebhookConfig,
    key: bytes,
    clock: Clock,
    environ: Mapping[str, str] | None,
    transfer_gate: Callable[[Endpoint], str | None] | None = None,
) -> Outcome:
    endpoint = endpoints.get(claim.endpoint)
    if endpoint is None:
        return Outcome("retry", "endpoint_not_configured")
    if transfer_gate is not None and (held := transfer_gate(endpoint)) is not None:
        return Outcome("retry", held)  # may pass once the register is fixed
    try:
        secret = endpoint.secret(environ)
    except ConfigError:
        return Outcome("retry", "secret_not_set")
    if claim.payload is None:
        return Outcome("dead", "payload_missing")
    try:
        data = open_sealed(
            key, claim.payload, claim.delivery_id, claim.event, claim.endpoint
        )
    except SealError as exc:
        return Outcome("dead", exc.reason)
    body = envelope(claim.delivery_id, claim.event, claim.created_at, data)
    result = send(
        endpoint,
        body,
        secret=secret,
        event=claim.event,
        delivery_id=claim.delivery_id,
        attempt=claim.attempts,
        timestamp=int(clock().timestamp()),
    )
    delivered = getattr(transfer_gate, "delivered", None)
    if delivered is not None and result.kind == "delivered":
        delivered(endpoint, data)  # complydesk.transfer.live counts who left
    return result


def envelope(delivery_id: str, event: str, created_at: datetime, data: bytes) -> bytes:
    """The JSON body: the same bytes on every retry of one delivery."""
    document = {
        "id": delivery_id,
        "event": event,
        "created_at": created_at.isoformat(timespec="seconds"),
        "data": json.loads(data),
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as an error: signed bodies go only where configured."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def send(
    endpoint: Endpoint,
    body: bytes,
    *,
    secret: bytes,
    event: str,
    delivery_id: str,
    attempt: int,
    timestamp: int,
) -> Outcome:
    """POST one signed body; classify the answer. Response bodies are never read."""
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"complydesk/{__version__}",
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
            ATTEMPT_HEADER: str(attempt),
            SIGNATURE_HEADER: signature_header(secret, body, timestamp),
        },
    )
    try:
        with _OPENER.open(request, timeout=endpoint.timeout_seconds) as response:
            return classify(response.status, response.headers.get("Retry-After"))
    except urllib.error.HTTPError as exc:
        try:
            return classify(exc.code, exc.headers.get("Retry-After"))
        finally:
            exc.close()
    except urllib.error.URLError as exc:
        cause = exc.reason
        name = type(cause).__name__ if isinstance(cause, BaseException) else "URLError"
        return Outcome("retry", name[:80])
    except (OSError, http.client.HTTPException) as exc:
        return Outcome("retry", type(exc).__name__[:80])


def classify(status: int, retry_after: str | None = None) -> Outcome:
    """2xx delivered; 408/425/429/5xx retry; anything else is dead at once.

    Other 4xx (bad signature, unknown route, payload refused) and 3xx (we do
    not follow redirects) will not heal by waiting: they need an operator,
    who fixes the endpoint and runs `complydesk notify retry`.
    """
    if 200 <= status < 300:
        return Outcome("delivered", None, status)
    if status in RETRYABLE_STATUS or 500 <= status < 600:
        return Outcome("retry", f"http_{status}", status, _retry_after(retry_after))
    return Outcome("dead", f"http_{status}_rejected", status)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def _record(
    sessions: sessionmaker[Session],
    claim: _Claim,
    outcome: Outcome,
    now: datetime,
    policy: RetryPolicy,
    audit: AuditLog | None,
    jitter: Callable[[], float],
    report: DeliveryReport,
) -> None:
    kind: str = outcome.kind
    if kind == "retry" and claim.attempts >= policy.max_attempts:
        kind = "dead"
    with transaction(sessions) as session:
        still_ours = (
            OutboxMessage.id == claim.id,
            OutboxMessage.status == SENDING,
            OutboxMessage.attempts == claim.attempts,
        )
        row = session.scalars(
            select(OutboxMessage).where(*still_ours).with_for_update()
        ).one_or_none()
        if row is None:
            report.lost += 1
            log.warning("notification outcome superseded", extra=_ids(claim))
            return
        row.last_error = outcome.reason
        row.last_http_status = outcome.http_status
        if kind == "delivered":
            row.status = DELIVERED
            row.delivered_at = now
            row.payload = None  # delivered: the sealed copy has no further use
            report.delivered += 1
            log.info("notification delivered", extra=_ids(claim))
        elif kind == "retry":
            delay = policy.backoff(claim.attempts, jitter())
            if outcome.retry_after is not None:
                wanted = timedelta(seconds=min(outcome.retry_after, policy.cap_seconds))
                delay = max(delay, wanted)
            row.status = PENDING
            row.next_attempt_at = now + delay
            report.retrying += 1
            log.warning(
                "notification attempt failed",
                extra={**_ids(claim), "reason": outcome.reason},
            )
        else:
            _mark_dead(session, row, outcome, now, audit)
            report.dead += 1


def _mark_dead(
    session: Session,
    row: OutboxMessage,
    outcome: Outcome,
    now: datetime,
    audit: AuditLog | None,
) -> None:
    """Dead-letter a row; the sealed payload stays so `notify retry` can resend."""
    row.status = DEAD
    row.last_error = outcome.reason
    row.last_http_status = outcome.http_status
    row.next_attempt_at = now
    session.flush()
    log.error(
        "notification dead-lettered",
        extra={
            "notification": row.id,
            "endpoint": row.endpoint,
            "attempt": row.attempts,
            "reason": outcome.reason,
        },
    )
    if audit is not None:
        audit.record(
            session,
            AuditEvent(
                actor="system",
                action="notify.dead",
                object_type="notification",
                object_id=str(row.id),
                outcome=OUTCOME_ERROR,
                reason=outcome.reason or "",
                details={
                    "event": row.event,
                    "endpoint": row.endpoint,
                    "attempts": row.attempts,
                    "http_status": outcome.http_status,
                },
            ),
        )


def _ids(claim: _Claim) -> dict[str, Any]:
    return {
        "notification": claim.id,
        "endpoint": claim.endpoint,
        "attempt": claim.attempts,
    }


__all__ = [
    "DEFAULT_POLICY",
    "DeliveryReport",
    "Outcome",
    "RetryPolicy",
    "classify",
    "deliver_due",
    "deliver_round",
    "envelope",
    "send",
]
