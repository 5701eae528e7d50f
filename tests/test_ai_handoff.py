"""Hand-off detection: every trigger, negations, history, and the JSONL contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complydesk.assistant.handoff import HandoffDetector, Turn
from complydesk.cli import app as cli
from complydesk.policy import load_pack

FALLBACK = "抱歉，我没有理解您的问题，能换个说法吗？"


@pytest.fixture(scope="module")
def detector() -> HandoffDetector:
    return HandoffDetector(load_pack("baseline").human_handoff)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("转人工", "explicit_request"),
        ("轉人工！！", "explicit_request"),
        ("I want to talk to a human", "explicit_request"),
        ("我不想跟机器人聊", "user_refuses_ai"),
        ("热水器漏电，我被电了一下", "safety_emergency"),
        ("我已经找了律师，准备起诉你们", "legal_threat"),
        ("我要投诉你们的快递员", "complaint_intent"),
        ("垃圾公司，骗子！", "negative_sentiment"),
        ("银行卡号6222020200112233445被扣了两次", "sensitive_pii"),
    ],
)
def test_each_trigger_fires_with_its_reason(
    detector: HandoffDetector, text: str, reason: str
) -> None:
    decision = detector.detect(text)
    assert decision.handoff and decision.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        "不用转人工了，问题解决了",
        "人工智能音箱怎么连WiFi",
        "安装需要另外付人工费吗",
        "Does the travel agent package include insurance?",
        "这个取暖器会不会起火？安全吗",
        "订单号2024031512345678，帮我查一下物流",
        "我的手机号是13800138000，收不到验证码",
    ],
)
def test_look_alikes_do_not_hand_off(detector: HandoffDetector, text: str) -> None:
    assert detector.detect(text).handoff is False


def test_history_decides_confirmation_failures_and_timeout(
    detector: HandoffDetector,
) -> None:
    offer = [Turn("bot", "需要为您转接人工客服吗？")]
    assert detector.detect("好的", offer).reason == "explicit_request"
    assert detector.detect("不用了", offer).handoff is False
    failures = [Turn("customer", "券"), Turn("bot", FALLBACK)] * 3
    assert detector.detect("满减券", failures).reason == "nlu_failures"
    assert detector.detect("满减券", failures[:4]).handoff is False
    assert detector.detect("然后呢", elapsed_seconds=181).reason == "ai_timeout"
    assert detector.detect("然后呢", elapsed_seconds=100).handoff is False
    assert detector.detect("好的", elapsed_seconds=900).handoff is False


def test_reasons_never_quote_the_customer(detector: HandoffDetector) -> None:
    text = "我的身份证号是110101199003071234，我要投诉"
    decision = detector.detect(text)
    assert [r.trigger for r in decision.reasons] == [
        "sensitive_pii",
        "complaint_intent",
    ]
    assert all("110101" not in str(r) for r in decision.reasons)


def test_pack_controls_which_triggers_apply(tmp_path: Path) -> None:
    from complydesk.policy import load_pack_file

    pack_file = tmp_path / "quiet.yaml"
    pack_file.write_text(
        "pack: quiet\nversion: '1.0.0'\ntitle: t\njurisdiction: quiet\n"
        "extends: baseline\nhuman_handoff:\n  triggers:\n"
        "    value: [explicit_request]\n"
        "    citation: test\n    confidence: unconfirmed\n    note: only requests\n",
        "utf-8",
    )
    quiet = HandoffDetector(load_pack_file(pack_file).human_handoff)
    assert quiet.detect("我要投诉").handoff is False
    assert quiet.detect("转人工").reason == "explicit_request"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_contract_one_object_per_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"text": "怎么退货"},
        {
            "text": "需要",
            "history": [{"role": "bot", "text": "需要为您转接人工客服吗？"}],
        },
        {"text": "还是没解决", "elapsed_seconds": 600},
        {"text": "agent"},
    ]
    source = tmp_path / "in.jsonl"
    body = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    source.write_text(body + "\n\n", "utf-8")
    code, out, err = run("ai", "handoff", "--jsonl", str(source))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == [
        {"handoff": False, "reason": None},
        {"handoff": True, "reason": "explicit_request"},
        {"handoff": True, "reason": "ai_timeout"},
        {"handoff": True, "reason": "explicit_request"},
        {"handoff": False, "reason": None},
    ]
    code, out, _ = run("ai", "handoff", "--jsonl", "-", input=body + "\n")
    assert code == 0 and len(out.splitlines()) == 4


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("not json 13800138000", "not valid JSON"),
        ('{"text": "hi", "history": [{"role": "boss", "text": "x"}]}', "history[0]"),
        ('{"text": "hi", "elapsed_seconds": -1}', "elapsed_seconds"),
        ('{"history": []}', "'text'"),
    ],
)
def test_bad_line_is_one_line_error_without_its_content(
    tmp_path: Path, line: str, needle: str
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "转人工"}\n' + line + "\n", "utf-8")
    code, out, err = run("ai", "handoff", "--jsonl", str(source))
    assert code == 2
    assert out.splitlines() == ['{"handoff": true, "reason": "explicit_request"}']
    assert len(err.strip().splitlines()) == 1
    assert "line 2" in err and needle in err and "13800138000" not in err
