"""`complydesk desk ...`: the ticket workflow from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from complydesk.cli import app


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str, input: str | None = None) -> Any:
    code, out, err = run(*args, "--json", input=input)
    assert code == 0, err
    return json.loads(out)


def create(*extra: str) -> Any:
    return run_json(
        "desk", "create", "--purpose", "return_refund", "--category", "electronics",
        "--customer", "name=林晓雨", "--customer", "phone=13812345678",
        "--jurisdiction", "cn", "--field", "order_number=SO-9",
        "--field", "contact_phone=13812345678", *extra,
    )  # fmt: skip


def test_the_workflow_from_the_command_line(cli_env: Path) -> None:
    ticket = create("--field", "reason=耳机没声音，卡号6222020200112233445")
    tid = str(ticket["id"])
    assert ticket["pii_flags"] == {"reason": ["BANK_CARD"]}
    assert run_json("desk", "show", tid)["masked"]["contact_phone"] == "138****5678"

    assert run_json("desk", "transition", tid, "accepted")["status"] == "accepted"
    code, _, err = run("desk", "transition", tid, "closed")
    assert code == 2 and err.count("\n") == 1 and "from accepted" in err

    code, out, _ = run("desk", "note", tid, "-", input="客户来电催促 13812345678")
    assert code == 0 and "note" in out
    code, out, err = run("desk", "reply", tid, "我们保证24小时内给您退款")
    assert code == 2 and "promise.beyond_capability" in out and "blocked" in err
    sent = run_json("desk", "reply", tid, "您好，请把耳机寄回，收到后为您退款。")
    assert sent["stored"] and sent["verdict"] == "pass"

    assert run("desk", "queue-add", "returns", "退货组")[0] == 0
    routed = run_json("desk", "assign", tid, "--queue", "returns", "--urgency", "high")
    assert (routed["queue"], routed["urgency"]) == ("returns", "high")
    assert run("desk", "escalate", tid, "--reason", "客户要求主管")[0] == 0

    public = run_json("desk", "track", ticket["tracking_code"], "--last4", "5678")
    assert [e["kind"] for e in public["events"]] == ["created", "status", "reply"]
    code, _, err = run("desk", "track", ticket["tracking_code"], "--last4", "0000")
    assert code == 2 and "no ticket matches" in err

    assert run_json("desk", "at-risk") == []
    stats = run_json("desk", "stats", "--pack", "cn")
    assert stats["process"]["complaint_handling_limit"]["value"] == "15 working_days"
    listed = run_json("desk", "list")
    assert [t["id"] for t in listed] == [ticket["id"]]


def test_bad_input_is_one_line_and_exit_2(cli_env: Path) -> None:
    secret = "110101199003074477"
    code, out, err = run(
        "desk", "create", "--purpose", "return_refund", "--category", "electronics",
        "--customer", "name=林晓雨", "--field", f"id_number={secret}",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert "id_number" in err and "return_refund" in err and secret not in err + out
    code, _, err = run("desk", "create", "--field", "novalue")
    assert code == 2 and "name=value" in err
    assert run("desk", "show", "999")[0] == 2


def test_intake_from_a_json_file(cli_env: Path) -> None:
    body = {
        "customer": {"phone": "13812345678"},
        "purpose": "inquiry",
        "category": "general",
        "fields": {"description": "请问保修期多久？"},
    }
    path = cli_env / "intake.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    ticket = run_json("desk", "create", "--input", str(path))
    assert ticket["purpose"] == "inquiry" and ticket["urgency"] == "low"
    (cli_env / "bad.json").write_text("[1, 2", encoding="utf-8")
    code, _, err = run("desk", "create", "--input", str(cli_env / "bad.json"))
    assert code == 2 and "not valid JSON" in err
