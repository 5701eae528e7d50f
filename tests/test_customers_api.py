"""Customers over HTTP: masked by default, unmask audited, erase final."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.identity import Role

ALICE = {
    "name": "王小明",
    "phone": "+86 139 1234 5678",
    "email": "xiaoming@example.com",
    "id_number": "11010519491231002X",
    "address": "北京市朝阳区建国路88号",
    "jurisdiction": "cn",
}


def _auth(app: FastAPI, role: Role) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {
        "Authorization": f"Bearer {add_user_with_token(ctx.sessions, role.value, role)}"
    }


def test_create_returns_masked_fields_only(client: TestClient, app: FastAPI) -> None:
    agent = _auth(app, Role.AGENT)
    response = client.post("/v1/customers", json=ALICE, headers=agent)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["masked"]["phone"].endswith("5678") and "*" in body["masked"]["phone"]
    for field in ("name", "phone", "email", "id_number", "address"):
        assert ALICE[field] not in response.text
    again = client.get(f"/v1/customers/{body['id']}", headers=agent).json()
    assert again["masked"] == body["masked"]


def test_search_by_identifier_uses_blind_indexes(
    client: TestClient, app: FastAPI
) -> None:
    agent = _auth(app, Role.AGENT)
    created = client.post("/v1/customers", json=ALICE, headers=agent).json()
    found = client.post(
        "/v1/customers/search", json={"phone": "13912345678"}, headers=agent
    )
    assert [c["id"] for c in found.json()] == [created["id"]]
    none = client.post(
        "/v1/customers/search", json={"email": "x@example.org"}, headers=agent
    )
    assert none.json() == []
    both = client.post(
        "/v1/customers/search",
        json={"phone": "13912345678", "email": "xiaoming@example.com"},
        headers=agent,
    )
    assert both.status_code == 422
    assert "13912345678" not in both.text


def test_bad_input_is_refused_with_a_reason_and_no_echo(
    client: TestClient, app: FastAPI
) -> None:
    agent = _auth(app, Role.AGENT)
    cases = [
        ({"phone": "call me 555-abc"}, "phone"),
        ({"email": "no-at-sign"}, "email"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"name": "x" * 201}, "name"),
        ({"jurisdiction": "mars"}, "jurisdiction"),
    ]
    for payload, field in cases:
        response = client.post("/v1/customers", json=payload, headers=agent)
        assert response.status_code == 422, payload
        assert field in response.text
        for value in payload.values():
            assert value not in response.json()["detail"]


def test_unmask_needs_permission_and_reason(client: TestClient, app: FastAPI) -> None:
    agent, officer = _auth(app, Role.AGENT), _auth(app, Role.COMPLIANCE_OFFICER)
    channel = _auth(app, Role.SERVICE)  # the chat channel's token never unmasks
    cid = client.post("/v1/customers", json=ALICE, headers=agent).json()["id"]
    request = {"fields": ["phone", "id_number"], "reason": "verify identity for DSR 12"}
    assert (
        client.post(
            f"/v1/customers/{cid}/unmask", json=request, headers=channel
        ).status_code
        == 403
    )
    short = client.post(
        f"/v1/customers/{cid}/unmask",
        json={"fields": ["phone"], "reason": "x"},
        headers=officer,
    )
    assert short.status_code == 422
    shown = client.post(f"/v1/customers/{cid}/unmask", json=request, headers=officer)
    assert shown.status_code == 200
    assert shown.json()["fields"] == {
        "id_number": ALICE["id_number"],
        "phone": "+86 139 1234 5678",
    }
    audit = client.get(
        "/v1/audit/entries", params={"action": "pii.unmask"}, headers=officer
    ).json()
    assert any(e["reason"] == "verify identity for DSR 12" for e in audit)


def test_rectify_and_erase(client: TestClient, app: FastAPI) -> None:
    agent, officer = _auth(app, Role.AGENT), _auth(app, Role.COMPLIANCE_OFFICER)
    cid = client.post("/v1/customers", json=ALICE, headers=agent).json()["id"]
    patched = client.patch(
        f"/v1/customers/{cid}",
        json={"email": None, "phone": "13700001111"},
        headers=agent,
    )
    assert patched.status_code == 200
    assert patched.json()["masked"]["email"] is None
    assert (
        client.post(
            f"/v1/customers/{cid}/erase", json={"reason": "erase"}, headers=officer
        ).status_code
        == 422
    )
    receipt = client.post(
        f"/v1/customers/{cid}/erase",
        json={"reason": "data subject request 31"},
        headers=officer,
    )
    assert receipt.status_code == 200 and receipt.json()["key_destroyed"] is True
    after = client.get(f"/v1/customers/{cid}", headers=agent).json()
    assert after["erased"] is True and set(after["masked"].values()) == {None}
    unmasked = client.post(
        f"/v1/customers/{cid}/unmask",
        json={"fields": ["phone"], "reason": "check erasure worked"},
        headers=officer,
    )
    assert unmasked.json()["fields"] == {"phone": None}
    conflict = client.patch(
        f"/v1/customers/{cid}", json={"name": "新名字"}, headers=agent
    )
    assert conflict.status_code == 409
    assert (
        client.post(
            "/v1/customers/search", json={"phone": "13700001111"}, headers=agent
        ).json()
        == []
    )
