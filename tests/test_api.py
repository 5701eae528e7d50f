"""The API shell: health, OpenAPI, problem+json errors without personal data."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.event import listen
from starlette.types import Message, Receive, Scope, Send
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.audit import verify_chain
from complydesk.identity import Role
from complydesk.store.db import read_transaction
from complydesk.store.models.audit import AuditEntry


def _token(app: FastAPI, role: Role, name: str = "someone") -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"}


def test_healthz_answers_with_version(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_lists_versioned_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/desk/tickets" in paths and "/v1/audit/verify" in paths
    assert "/console/tickets" not in paths


def test_without_credentials_answer_is_401_problem(client: TestClient) -> None:
    response = client.get("/v1/desk/tickets")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Not authenticated"


def test_bad_token_is_401(client: TestClient) -> None:
    response = client.get("/v1/me", headers={"Authorization": "Bearer cdk_nope"})
    assert response.status_code == 401


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_validation_error_names_field_but_never_echoes_input(
    client: TestClient, app: FastAPI
) -> None:
    headers = _token(app, Role.ADMIN, "boss")
    secret_like = "13812345678@example.com"
    response = client.post(
        "/v1/users",
        headers=headers,
        json={"username": "x", "role": "emperor", "password": secret_like},
    )
    assert response.status_code == 422
    assert secret_like not in response.text
    assert "emperor" not in response.text
    assert "role" in response.json()["detail"]


def test_domain_error_is_problem_with_reason(client: TestClient, app: FastAPI) -> None:
    headers = _token(app, Role.ADMIN, "boss")
    body = {"username": "dup", "role": "agent", "password": "long enough pw"}
    assert client.post("/v1/users", headers=headers, json=body).status_code == 201
    again = client.post("/v1/users", headers=headers, json=body)
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


def test_issued_token_works_once_created(client: TestClient, app: FastAPI) -> None:
    headers = _token(app, Role.ADMIN, "boss")
    client.post(
        "/v1/users", headers=headers, json={"username": "bot", "role": "service"}
    )
    issued = client.post("/v1/users/bot/tokens", headers=headers, json={"name": "chat"})
    assert issued.status_code == 201
    me = client.get(
        "/v1/me", headers={"Authorization": f"Bearer {issued.json()['token']}"}
    )
    assert me.json()["role"] == "service" and me.json()["is_service"] is True


def test_unknown_policy_pack_is_a_clear_error(client: TestClient, app: FastAPI) -> None:
    response = client.get("/v1/policy/packs/atlantis", headers=_token(app, Role.AGENT))
    assert response.status_code == 404
    assert "baseline" in response.json()["detail"]


INTAKE = {
    "customer": {"name": "测试客户", "phone": "13912345678"},
    "jurisdiction": "cn",
    "purpose": "return_refund",
    "category": "electronics",
    "fields": {
        "order_number": "SO-2026-0042",
        "reason": "耳机左边没有声音，想退货",
        "contact_phone": "13912345678",
    },
}


def test_a_write_commits_before_its_response_is_sent(app: FastAPI) -> None:
    """The client never sees a 201 for a change whose commit could still fail."""
    ctx: AppContext = app.state.ctx
    headers = _token(app, Role.SERVICE, "intake")
    happened: list[str] = []
    listen(ctx.sessions, "after_commit", lambda _session: happened.append("commit"))

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                happened.append(f"response {message['status']}")
            await send(message)

        await app(scope, receive, watch)

    with TestClient(recording) as client:
        response = client.post("/v1/desk/tickets", headers=headers, json=INTAKE)
        assert response.status_code == 201, response.text
        assert happened == ["commit", "response 201"]  # auth reads, never commits
        with read_transaction(ctx.sessions) as session:  # before the pool closes
            assert verify_chain(session, ctx.audit.key).ok
            actions = list(
                session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq))
            )
    # One entry per event (the new customer, the ticket), in that order.
    assert actions[-2:] == ["customer.create", "ticket.create"]


def test_access_log_has_route_template_and_status_not_the_path(
    client: TestClient, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    headers = _token(app, Role.AGENT, "li")
    with caplog.at_level(logging.INFO, logger="complydesk.api"):
        assert client.get("/v1/desk/tickets/987654", headers=headers).status_code == 404
        assert client.get("/v1/nothing-here/13812345678").status_code == 404
    records = [r for r in caplog.records if r.getMessage() == "request"]
    seen = [(r.method, r.route, r.status) for r in records]  # type: ignore[attr-defined]
    assert ("GET", "/v1/desk/tickets/{ticket_id}", 404) in seen
    assert ("GET", "<unmatched>", 404) in seen
    # Our records only: the test client's own httpx logger prints raw URLs
    # when an earlier CLI test left the root logger at INFO.
    ours = "\n".join(
        f"{r.getMessage()} {vars(r)}"
        for r in caplog.records
        if r.name.startswith("complydesk")
    )
    assert "987654" not in ours and "13812345678" not in ours
