"""The reply-path hook: the speech check stops a blocking reply unless a
supervisor overrides it with a reason; every warn, block and override is
audited with rule ids only (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.desk_helpers import FakeClock, desk_settings, intake, staff

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.store.models import AuditEntry, TicketMessage

BLOCKED = "我们保证24小时内给您退款"  # refunds take 7 days: a promise we cannot keep
WARNED = "这是你自己的问题，跟我们没关系"


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path, fixed_now: Any) -> FastAPI:
    return create_app(desk_settings(db_url, tmp_path), clock=FakeClock(fixed_now))


@pytest.fixture
def api(desk_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(desk_app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def heads(desk_app: FastAPI) -> dict[str, dict[str, str]]:
    return staff(desk_app)


@pytest.fixture
def ticket(api: TestClient, heads: dict[str, dict[str, str]]) -> int:
    response = api.post("/v1/desk/tickets", headers=heads["agent-li"], json=intake())
    assert response.status_code == 201
    return int(response.json()["id"])


def audit(app: FastAPI, action: str) -> list[AuditEntry]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(session.scalars(query))


def messages(app: FastAPI) -> list[TicketMessage]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        return list(session.scalars(select(TicketMessage)))


def reply(
    api: TestClient, head: dict[str, str], ticket: int, text: str, **extra: Any
) -> Any:
    return api.post(
        f"/v1/desk/tickets/{ticket}/replies", headers=head, json={"text": text, **extra}
    )


def test_a_blocking_finding_stops_the_reply(
    api: TestClient, heads: dict[str, dict[str, str]], ticket: int, desk_app: FastAPI
) -> None:
    response = reply(api, heads["agent-li"], ticket, BLOCKED)
    assert response.status_code == 422
    body = response.json()
    assert body["verdict"] == "block"
    finding = body["findings"][0]
    assert finding["rule"] == "promise.beyond_capability"
    assert finding["reason"] and finding["suggestion"]
    assert "text" not in finding and BLOCKED not in response.text
    assert messages(desk_app) == []
    entries = audit(desk_app, "reply.check")
    assert [(e.outcome, e.details) for e in entries] == [
        ("block", {"rules": "promise.beyond_capability"})
    ]
    detail = api.get(f"/v1/desk/tickets/{ticket}", headers=heads["agent-li"]).json()
    assert detail["first_responded_at"] is None


def test_only_a_supervisor_may_override_and_it_is_audited(
    api: TestClient, heads: dict[str, dict[str, str]], ticket: int, desk_app: FastAPI
) -> None:
    reason = "customer already got this promise in writing"
    denied = reply(api, heads["agent-li"], ticket, BLOCKED, override_reason=reason)
    assert denied.status_code == 403
    assert [e.reason for e in audit(desk_app, "access.denied")] == [
        "role agent lacks replies.override"
    ]
    short = reply(api, heads["sup-wang"], ticket, BLOCKED, override_reason="ok")
    assert short.status_code == 422 and messages(desk_app) == []

    sent = reply(api, heads["sup-wang"], ticket, BLOCKED, override_reason=reason)
    assert sent.status_code == 201
    assert sent.json()["overridden"] is True and sent.json()["verdict"] == "block"
    [message] = messages(desk_app)
    assert (message.overridden_by, message.verdict) == ("sup-wang", "block")
    [entry] = audit(desk_app, "reply.override")
    assert (entry.actor, entry.reason) == ("sup-wang", reason)
    assert entry.details == {"rules": "promise.beyond_capability"}


def test_a_warning_is_stored_and_returned(
    api: TestClient, heads: dict[str, dict[str, str]], ticket: int, desk_app: FastAPI
) -> None:
    response = reply(api, heads["agent-li"], ticket, WARNED)
    assert response.status_code == 201
    body = response.json()
    assert body["verdict"] == "warn" and body["findings"]
    [message] = messages(desk_app)
    assert message.verdict == "warn" and message.rules == "zh.blame.customer"
    assert (
        message.body_sealed is not None and WARNED.encode() not in message.body_sealed
    )
    detail = api.get(f"/v1/desk/tickets/{ticket}", headers=heads["agent-li"]).json()
    assert detail["first_responded_at"] is not None
    first = {c["name"]: c for c in detail["clocks"]}["first_response"]
    assert first["state"] == "met" and first["met_on_time"] is True


def test_no_reply_on_a_closed_ticket(
    api: TestClient, heads: dict[str, dict[str, str]], ticket: int
) -> None:
    agent = heads["agent-li"]
    for to in ("accepted", "resolved", "closed"):
        moved = api.post(
            f"/v1/desk/tickets/{ticket}/transitions", headers=agent, json={"to": to}
        )
        assert moved.status_code == 200
    response = reply(api, agent, ticket, "您好")
    assert response.status_code == 409 and "reopen" in response.json()["detail"]
