"""The speech checker through its interfaces: CLI JSONL contract, QA, REST API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.helpers import add_user_with_token
from typer.testing import CliRunner

from complydesk.api.deps import AppContext
from complydesk.audit import recent_entries
from complydesk.cli import app as cli
from complydesk.identity import Role

PROMISE = "我们保证24小时内发货"
FINE = "我们会尽力为您处理，预计48小时内发出"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_contract_one_verdict_per_line_in_order(tmp_path: Path) -> None:
    source = tmp_path / "replies.jsonl"
    lines = [
        {"text": PROMISE},
        {"text": "我是真人客服，不是机器人", "role": "bot"},
        {"text": "我是真人客服，不是机器人", "role": "agent"},
        {"text": FINE},
    ]
    source.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", "utf-8"
    )
    code, out, err = run("speech", "check", "--jsonl", str(source))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in rows] == ["block", "block", "pass", "pass", "pass"]
    finding = rows[0]["findings"][0]
    assert set(finding) == {
        "rule",
        "category",
        "severity",
        "start",
        "end",
        "text",
        "reason",
        "suggestion",
    }
    assert PROMISE[finding["start"] : finding["end"]] == finding["text"]


@pytest.mark.parametrize(
    ("line", "needle"),
    [("nope", "not valid JSON"), ('{"text": "x", "role": "customer"}', "role")],
)
def test_jsonl_bad_line_is_a_one_line_error(
    tmp_path: Path, line: str, needle: str
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"text": FINE}) + "\n" + line + "\n", "utf-8")
    code, _, err = run("speech", "check", "--jsonl", str(source))
    assert code == 2 and "line 2" in err and needle in err


def test_check_text_json() -> None:
    code, out, _ = run("speech", "check", PROMISE, "--json")
    assert code == 0 and json.loads(out)["verdict"] == "block"


def test_qa_reports_rates_and_writes_html(tmp_path: Path) -> None:
    transcript = tmp_path / "t.csv"
    transcript.write_text(
        "text,role,agent_id\n"
        f"{PROMISE},agent,a1\n{FINE},agent,a2\n{FINE},agent,a1\n您好,customer,\n",
        encoding="utf-8",
    )
    html = tmp_path / "qa.html"
    code, out, err = run("speech", "qa", str(transcript), "--json", "--html", str(html))
    assert code == 0, err
    report = json.loads(out)
    assert report["total"]["checked"] == 3 and report["total"]["flagged"] == 1
    by_agent = {a["agent_id"]: a for a in report["agents"]}
    assert by_agent["a1"]["rate"] == 0.5 and by_agent["a2"]["flagged"] == 0
    assert "flags" not in report  # utterance texts only with --flags
    page = html.read_text("utf-8")
    assert "<svg" in page and "<script" not in page


def _token(app: FastAPI, role: Role) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, 'ann', role)}"}


def test_api_blocks_a_promise_against_case_facts_and_audits_rule_ids(
    client: TestClient, app: FastAPI
) -> None:
    body = {
        "text": "您的订单明天就给您发货",
        "facts": {"promised_ship_at": "2099-01-10T10:00:00+08:00", "in_stock": False},
    }
    response = client.post(
        "/v1/speech/check", json=body, headers=_token(app, Role.AGENT)
    )
    assert response.status_code == 200
    result = response.json()
    assert result["verdict"] == "block"
    assert any(f["rule"] == "promise.contradicts_case" for f in result["findings"])
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        [entry] = [e for e in recent_entries(session, 10) if e.action == "speech.check"]
    assert (
        entry.outcome == "block"
        and "promise.contradicts_case" in entry.details["rules"]
    )
    assert "发货" not in json.dumps(entry.details, ensure_ascii=False)


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "好的", "role": "customer"},
        {"text": "好的", "facts": {"promised_ship_at": "2026-01-10T10:00:00"}},
        {"text": "好的", "facts": {"surprise": 1}},
    ],
)
def test_api_rejects_bad_input_with_422(
    client: TestClient, app: FastAPI, body: dict[str, object]
) -> None:
    response = client.post(
        "/v1/speech/check", json=body, headers=_token(app, Role.SERVICE)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
