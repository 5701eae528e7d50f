"""The API shell: health, OpenAPI, problem+json errors without personal data."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.identity import Role


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
