"""Enqueue notifications in the caller's transaction; list and re-queue them.

`enqueue` adds one row per endpoint subscribed to the event, inside the
session the caller is already using for the state change: both commit or
neither does (the transactional outbox). Payloads are validated, sealed and
never logged; only the event name and endpoint stay readable.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.clock import Clock, utcnow
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.notify.sealed import load_outbox_key, seal
from complydesk.notify.webhooks import WebhookConfig, check_event_name, load_webhooks
from complydesk.settings import Settings
from complydesk.store.models.outbox import OUTBOX_STATUSES, OutboxMessage

PENDING: Final = "pending"
SENDING: Final = "sending"
DELIVERED: Final = "delivered"
DEAD: Final = "dead"
STATUSES: Final = OUTBOX_STATUSES

MAX_PAYLOAD_BYTES: Final = 8192
MAX_PAYLOAD_DEPTH: Final = 4
MAX_KEY_CHARS: Final = 64

# Whole values shaped like an e-mail, a phone number or an ID number. Ids with
# letters (T-5F3A2B) pass; so do ISO dates (checked separately).
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_NUMBERISH = re.compile(r"^\+?[\d\s().-]+[Xx]?$")
_MIN_NUMBER_DIGITS: Final = 7


def _dumps(value: Any) -> str:
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def _looks_personal(value: str) -> bool:
    text = value.strip()
    if _EMAIL.match(text):
        return True
    if (
        not _NUMBERISH.match(text)
        or sum(c.isdigit() for c in text) < _MIN_NUMBER_DIGITS
    ):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return True
    return False  # an ISO date or time


def _check_value(value: Any, path: str, depth: int, personal: bool) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"payload field {path} must be a finite number")
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"payload field {path} contains a NUL character")
        if not personal and _looks_personal(value):
            raise InvalidInput(
                f"payload field {path} looks like personal data (e-mail, phone or "
                "ID number); send ids, or list the field in personal= if the "
                "template really needs it"
            )
        return
    if isinstance(value, Mapping | list | tuple):
        if depth >= MAX_PAYLOAD_DEPTH:
            raise InvalidInput(f"payload field {path} is nested too deeply")
        if isinstance(value, Mapping):
            for key, item in value.items():
                _check_key(key, path)
                _check_value(item, f"{path}.{key}", depth + 1, personal)
        else:
            for index, item in enumerate(value):
                _check_value(item, f"{path}[{index}]", depth + 1, personal)
        return
    raise InvalidInput(
        f"payload field {path} has a value of type {type(value).__name__}"
    )


def _check_key(key: Any, where: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS or "\x00" in key:
        raise InvalidInput(f"payload {where} has a key that is not a short string")


def encode_payload(payload: Mapping[str, Any], personal: Collection[str] = ()) -> bytes:
    """Validate a payload and return its canonical JSON (UTF-8).

    Only top-level keys named in `personal` may carry values shaped like
    contact data; the check catches accidents, it cannot spot a name.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload must be a JSON object (a dict)")
    for key in personal:
        if key not in payload:
            raise InvalidInput(f"personal names field {key}, which the payload lacks")
    for key, value in payload.items():
        _check_key(key, "")
        _check_value(value, key, 1, key in personal)
    body = _dumps(dict(payload)).encode("utf-8")
    if len(body) > MAX_PAYLOAD_BYTES:
        raise InvalidInput(f"payload exceeds {MAX_PAYLOAD_BYTES} bytes as JSON")
    return body


def enqueue(
    session: Session,
    event: str,
    payload: Mapping[str, Any],
    *,
    endpoints: WebhookConfig,
    key: bytes,
    now: datetime,
    personal: Collection[str] = (),
) -> list[OutboxMessage]:
    """Add a sealed row per subscribed endpoint to the caller's transaction.

    Returns the rows (flushed, so ids are set); none when nothing subscribes.
    """
    check_event_name(event)
    if now.tzinfo is None:
        raise InvalidInput("enqueue needs a timezone-aware time")
    body = encode_payload(payload, personal)
    rows = []
    for endpoint in endpoints.for_event(event):
        delivery_id = str(uuid.uuid4())
        rows.append(
            OutboxMessage(
                delivery_id=delivery_id,
                event=event,
                endpoint=endpoint.name,
                status=PENDING,
                attempts=0,
                carries_personal=bool(personal),
                created_at=now,
                next_attempt_at=now,
                payload=seal(key, body, delivery_id, event, endpoint.name),
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


class Outbox:
    """Endpoints, key and clock bundled, so callers only say what happened."""

    def __init__(
        self, endpoints: WebhookConfig, key: bytes, clock: Clock = utcnow
    ) -> None:
        self.endpoints = endpoints
        self._key = key
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = utcnow) -> Outbox:
        return cls(
            load_webhooks(settings.webhooks_file), load_outbox_key(settings), clock
        )

    def enqueue(
        self,
        session: Session,
        event: str,
        payload: Mapping[str, Any],
        *,
        personal: Collection[str] = (),
    ) -> list[OutboxMessage]:
        return enqueue(
            session,
            event,
            payload,
            endpoints=self.endpoints,
            key=self._key,
            now=self._clock(),
            personal=personal,
        )


def list_messages(
    session: Session, status: str | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """Newest first; metadata only is meant to be shown (payloads stay sealed)."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return list(session.scalars(stmt))


def retry_dead(session: Session, message_id: int, now: datetime) -> OutboxMessage:
    """Move a dead message back to pending with a fresh attempt budget."""
    stmt = select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"notification {message_id} does not exist")
    if row.status != DEAD:
        raise Conflict(f"notification {message_id} is {row.status}, not dead")
    if row.payload is None:
        raise Conflict(f"notification {message_id} has no payload left to send")
    row.status = PENDING
    row.attempts = 0
    row.next_attempt_at = now
    session.flush()
    return row
