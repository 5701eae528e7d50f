"""Builders shared by the desk tests and the access matrix (no fixtures here)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.identity import Role
from complydesk.notify import load_outbox_key
from complydesk.notify.sealed import open_sealed
from complydesk.settings import Settings, load_settings
from complydesk.store.models import OutboxMessage, Ticket

# Demo ticket 3 belongs to DEMO-C002 (phone ending 9002), whom no other matrix
# request erases or restricts; it is `accepted`, so every write below succeeds
# again and again (a transition to the current status is a no-op).
MATRIX_TICKET = 3
MATRIX_LAST4 = "9002"

REPLY_OK = "您好，我们已收到您的反馈，会尽快为您处理。"


def matrix_tracking_code(client: TestClient) -> str:
    ctx: AppContext = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        return str(
            session.scalar(
                select(Ticket.tracking_code).where(Ticket.id == MATRIX_TICKET)
            )
        )


def desk_request(
    client: TestClient, method: str, path: str, n: int
) -> tuple[str, dict[str, Any] | None, dict[str, str] | None] | None:
    """(concrete path, JSON body, form data) for a desk route, else None."""
    concrete = path.replace("{ticket_id}", str(MATRIX_TICKET))
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/v1/desk/tickets"): {
            "customer_id": 2,
            "purpose": "inquiry",
            "category": "general",
            "fields": {"description": "请问保修期多久？"},
        },
        ("POST", "/v1/desk/tickets/{ticket_id}/transitions"): {"to": "accepted"},
        ("POST", "/v1/desk/tickets/{ticket_id}/assign"): {"urgency": "high"},
        ("POST", "/v1/desk/tickets/{ticket_id}/escalate"): {},
        ("POST", "/v1/desk/tickets/{ticket_id}/notes"): {"text": "matrix check"},
        ("POST", "/v1/desk/tickets/{ticket_id}/replies"): {"text": REPLY_OK},
        ("POST", "/v1/desk/queues"): {"name": f"queue-{n}", "title": "Matrix"},
    }
    if (method, path) == ("GET", "/v1/track/{code}"):
        code = matrix_tracking_code(client)
        return f"/v1/track/{code}?last4={MATRIX_LAST4}", None, None
    if (method, path) == ("POST", "/track"):
        code = matrix_tracking_code(client)
        return concrete, None, {"code": code, "last4": MATRIX_LAST4}
    if (method, path) in bodies:
        return concrete, bodies[(method, path)], None
    if (method, path) in PLAIN_GETS:
        return concrete, None, None
    return None


PLAIN_GETS = {
    ("GET", "/v1/desk/tickets/{ticket_id}/timeline"),
    ("GET", "/v1/desk/queues"),
    ("GET", "/v1/sla/at-risk"),
    ("GET", "/v1/public/complaint-handling"),
    ("GET", "/track"),
    ("GET", "/complaint-handling"),
}


class FakeClock:
    """A clock the test moves by hand (every desk function takes the app's clock)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def webhooks_file(directory: Path) -> Path:
    """Every ticket.* event goes to one endpoint (never delivered in these tests)."""
    path = directory / "webhooks.yaml"
    path.write_text(
        "endpoints:\n"
        "  - name: ops\n"
        "    url: http://127.0.0.1:9/hook\n"
        "    events: ['ticket.*']\n"
        "    secret_env: DESK_TEST_WEBHOOK_SECRET\n",
        encoding="utf-8",
    )
    return path


def desk_settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        webhooks_file=webhooks_file(tmp_path),
    )


def staff(app: FastAPI) -> dict[str, dict[str, str]]:
    """Authorization headers for an agent, a supervisor and an auditor."""
    ctx: AppContext = app.state.ctx
    return {
        name: {
            "Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"
        }
        for name, role in (
            ("agent-li", Role.AGENT),
            ("sup-wang", Role.SUPERVISOR),
            ("auditor-zhao", Role.AUDITOR),
        )
    }


def payloads(app: FastAPI, event: str | None = None) -> list[dict[str, Any]]:
    """Decrypted outbox payloads (tests only: the product never prints them)."""
    ctx: AppContext = app.state.ctx
    key = load_outbox_key(ctx.settings)
    with ctx.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [
            {
                "event": row.event,
                **json.loads(
                    open_sealed(
                        key, row.payload, row.delivery_id, row.event, row.endpoint
                    )
                ),
            }
            for row in rows
            if row.payload is not None and (event is None or row.event == event)
        ]


def intake(**overrides: Any) -> dict[str, Any]:
    """A valid return request of a new customer in China (electronics)."""
    body: dict[str, Any] = {
        "customer": {"name": "林晓雨", "phone": "13812345678"},
        "jurisdiction": "cn",
        "purpose": "return_refund",
        "category": "electronics",
        "subject": "耳机退货",
        "fields": {
            "order_number": "SO-2026-0001",
            "reason": "耳机左边没有声音",
            "contact_phone": "13812345678",
        },
    }
    body.update(overrides)
    return body
