"""Bad input to every AI route and command: a 4xx or exit 2 with a reason.

Both databases for the API (a real app and database); the CLI runs its real
commands. Each answer names the problem and never echoes the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.helpers import add_user_with_token
from typer.testing import CliRunner

from complydesk.api.deps import AppContext
from complydesk.cli import app as cli
from complydesk.cli.common import state
from complydesk.identity import Role
from complydesk.store.db import transaction
from complydesk.store.models import Customer

LATE = {
    "delivered_on": "2024-03-01",
    "category": "electronics",
    "condition": "unopened",
    "amount_cny": 299,
}


def _headers(app: FastAPI, role: Role, name: str) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"}


def _detail(response: Any) -> str:
    body = response.json()
    return str(body.get("detail", body))


@pytest.fixture
def ai(app: FastAPI, client: TestClient) -> dict[str, Any]:
    channel = _headers(app, Role.SERVICE, "widget")
    officer = _headers(app, Role.COMPLIANCE_OFFICER, "officer")
    made = client.post(
        "/v1/customers", json={"name": "韩雪梅", "jurisdiction": "cn"}, headers=channel
    )
    assert made.status_code == 201, made.text
    return {"channel": channel, "officer": officer, "customer": made.json()["id"]}


def test_an_unknown_pack_or_jurisdiction_is_a_4xx_with_a_reason(
    app: FastAPI, client: TestClient, ai: dict[str, Any]
) -> None:
    channel, customer = ai["channel"], ai["customer"]
    named = client.post(
        "/v1/ai/conversations",
        json={"customer_id": customer, "pack": "zz"},
        headers=channel,
    )
    assert named.status_code == 422 and "zz" in _detail(named)
    # The customer's stored jurisdiction has no pack (removed, or set by an import).
    ctx: AppContext = app.state.ctx
    with transaction(ctx.sessions) as session:
        session.execute(
            update(Customer).where(Customer.id == customer).values(jurisdiction="zz")
        )
    started = client.post(
        "/v1/ai/conversations", json={"customer_id": customer}, headers=channel
    )
    assert started.status_code == 422, started.text
    assert "jurisdiction" in _detail(started) and "pack" in _detail(started)
    decided = client.post(
        "/v1/ai/decisions",
        json={"policy": "refund_eligibility", "customer_id": customer, "inputs": LATE},
        headers=channel,
    )
    assert decided.status_code == 422, decided.text
    # Naming a pack explicitly still works for that customer.
    ok = client.post(
        "/v1/ai/conversations",
        json={"customer_id": customer, "pack": "cn"},
        headers=channel,
    )
    assert ok.status_code == 201, ok.text
    fairness = client.get("/v1/ai/fairness?by=region&pack=zz", headers=ai["officer"])
    assert fairness.status_code == 422 and "zz" in _detail(fairness)


def test_conversation_routes_refuse_bad_text_and_unknown_ids(
    app: FastAPI, client: TestClient, ai: dict[str, Any]
) -> None:
    channel, customer = ai["channel"], ai["customer"]
    agent = _headers(app, Role.AGENT, "agent")
    chat = client.post(
        "/v1/ai/conversations", json={"customer_id": customer}, headers=channel
    ).json()
    cid = chat["conversation_id"]
    url = f"/v1/ai/conversations/{cid}/messages"
    for text in ("", "   \n\t ", "x" * 4001):
        response = client.post(url, json={"text": text}, headers=channel)
        assert response.status_code == 422, (len(text), response.text)
        assert "xxxx" not in response.text
    assert client.post(url, json={}, headers=channel).status_code == 422
    assert client.post(url, json={"text": 5}, headers=channel).status_code == 422
    for path, headers in (
        ("/v1/ai/conversations/999999/messages", channel),
        ("/v1/ai/conversations/999999/human-replies", agent),
    ):
        response = client.post(path, json={"text": "你好"}, headers=headers)
        assert response.status_code == 404 and "999999" in _detail(response)
    for path in ("/v1/ai/conversations/999999/handoff",):
        assert client.post(path, headers=channel).status_code == 404
    assert client.get("/v1/ai/conversations/999999", headers=channel).status_code == 404
    assert client.get("/v1/ai/conversations/abc", headers=channel).status_code == 422
    bad_start = client.post(
        "/v1/ai/conversations",
        json={"customer_id": customer, "channel": "fax"},
        headers=channel,
    )
    assert bad_start.status_code == 422
    missing = client.post(
        "/v1/ai/conversations", json={"customer_id": 999999}, headers=channel
    )
    assert missing.status_code == 404
    blank_reply = client.post(
        f"/v1/ai/conversations/{cid}/human-replies",
        json={"text": "  "},
        headers=agent,
    )
    assert blank_reply.status_code == 422
    bad_queue = client.get("/v1/ai/handoffs?queue=Bad;Queue", headers=agent)
    assert bad_queue.status_code == 422


def test_decision_routes_refuse_bad_input(
    app: FastAPI, client: TestClient, ai: dict[str, Any]
) -> None:
    channel, customer = ai["channel"], ai["customer"]
    supervisor = _headers(app, Role.SUPERVISOR, "sup")

    def decide(**body: Any) -> Any:
        payload = {
            "policy": "refund_eligibility",
            "customer_id": customer,
            "inputs": LATE,
            **body,
        }
        return client.post("/v1/ai/decisions", json=payload, headers=channel)

    assert decide(policy="no_such_policy").status_code == 404
    assert decide(policy="Bad Policy").status_code == 422
    assert decide(customer_id=999999).status_code == 404
    assert decide(inputs={"gender": "f"}).status_code == 422
    assert decide(inputs=[1, 2]).status_code == 422
    assert decide(inputs={**LATE, "delivered_on": "2099-01-01"}).status_code == 422
    assert decide(pack="zz").status_code == 422
    unknown_chat = decide(conversation_id=999999)
    assert unknown_chat.status_code == 404, unknown_chat.text
    # Another customer's conversation cannot carry this customer's decision.
    other = client.post(
        "/v1/customers", json={"name": "秦朗", "jurisdiction": "cn"}, headers=channel
    ).json()["id"]
    theirs = client.post(
        "/v1/ai/conversations", json={"customer_id": other}, headers=channel
    ).json()["conversation_id"]
    crossed = decide(conversation_id=theirs)
    assert crossed.status_code == 422 and "conversation" in _detail(crossed)
    assert client.get("/v1/ai/decisions/999999", headers=channel).status_code == 404
    review = client.post("/v1/ai/decisions/999999/reviews", json={}, headers=channel)
    assert review.status_code == 404
    made = decide().json()
    long_statement = client.post(
        f"/v1/ai/decisions/{made['id']}/reviews",
        json={"statement": "长" * 2001},
        headers=channel,
    )
    assert long_statement.status_code == 422
    outcome = client.post(
        "/v1/ai/reviews/999999/outcome",
        json={"result": "upheld", "note": "checked the courier log"},
        headers=supervisor,
    )
    assert outcome.status_code == 404
    bad_result = client.post(
        "/v1/ai/reviews/1/outcome",
        json={"result": "maybe", "note": "checked the courier log"},
        headers=supervisor,
    )
    assert bad_result.status_code == 422
    short = client.post(
        "/v1/ai/reviews/1/outcome",
        json={"result": "upheld", "note": "ok"},
        headers=supervisor,
    )
    assert short.status_code == 422
    for query in ("by=", "by=a,b,c,d,e", "by=Region;drop", "by=region&policy=X y"):
        response = client.get(f"/v1/ai/fairness?{query}", headers=ai["officer"])
        assert response.status_code == 422, query


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(state, "settings", None)
    yield tmp_path


def _fails(args: list[str], *, expect: str | None = None, stdin: str = "") -> str:
    result = CliRunner().invoke(cli, args, input=stdin)
    assert result.exit_code == 2, (args, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    if expect is not None:
        assert expect in message, message
    return message


def test_cli_commands_fail_with_one_line_on_bad_input(cli_env: Path) -> None:
    tmp = cli_env
    _fails(["ai", "handoff", "转人工", "--pack", "zz"], expect="zz")
    _fails(["ai", "handoff", ""], expect="TEXT")
    _fails(["ai", "handoff", "x" * 4001], expect="4000")
    _fails(["ai", "ask", "   "], expect="TEXT")
    _fails(["ai", "ask", "y" * 4001], expect="4000")
    _fails(["ai", "handoff", "--jsonl", str(tmp / "missing.jsonl")])
    latin = tmp / "latin1.jsonl"
    latin.write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))
    _fails(["ai", "handoff", "--jsonl", str(latin)], expect="UTF-8")
    bad_line = tmp / "bad.jsonl"
    bad_line.write_text('{"text": "转人工"}\n{"text": 13912345678}\n', "utf-8")
    message = _fails(["ai", "handoff", "--jsonl", str(bad_line)], expect="line 2")
    assert "1391" not in message
    _fails(["ai", "decide", "refund_eligibility", "--inputs", "{bad"])
    _fails(["ai", "decide", "refund_eligibility", "--inputs", "{}", "--pack", "zz"])
    _fails(
        ["ai", "decide", "refund_eligibility", "--inputs", "{}", "--today", "soon"],
        expect="--today",
    )
    _fails(["ai", "decide", "no_such_policy", "--inputs", "{}"])
    policies = {
        "not_yaml.yaml": "policy: [unclosed",
        "a_list.yaml": "- 1\n- 2\n",
        "protected.yaml": (
            "policy: p\nversion: '1.0.0'\ntitle: t\n"
            "inputs: {gender: {type: text}}\n"
            "rules: [{id: r, check: in, field: gender, values: [f], on_fail: no,"
            " explain_fail: {zh: 不, en: no}}]\n"
            "pass_outcome: yes\noutcomes: {yes: {favourable: true},"
            " no: {favourable: false}}\n"
        ),
    }
    for name, content in policies.items():
        path = tmp / name
        path.write_text(content, "utf-8")
        _fails(["ai", "policy-check", str(path)], expect=name)
        _fails(["ai", "decide", str(path), "--inputs", "{}"], expect=name)
    binary = tmp / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00policy")
    _fails(["ai", "policy-check", str(binary)], expect="binary.yaml")
    _fails(["ai", "policy-check", str(tmp / "missing.yaml")])
    _fails(["ai", "fairness", "--by", "region", "--pack", "zz"], expect="zz")
    _fails(
        ["ai", "fairness", "--by", "region", "--html", str(tmp / "no" / "r.html")],
        expect="--html",
    )
