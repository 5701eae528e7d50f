"""Promises against facts: commitments parsed from replies, checked against the
company's declared capabilities and the case's facts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complydesk.errors import ConfigError, InvalidInput
from complydesk.speech.capabilities import Action, load_capabilities
from complydesk.speech.promises import CaseFacts, check_promises, parse_commitments

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=SH)  # a Wednesday
CAPS = load_capabilities()


def rules(text: str, facts: CaseFacts | None = None) -> list[tuple[str, str]]:
    found = check_promises(text, capabilities=CAPS, facts=facts, now=NOW)
    return [(f.rule, f.severity) for f in found]


BLOCK_CAP = [("promise.beyond_capability", "block")]
UNSUPPORTED = [("promise.unsupported", "warn")]


@pytest.mark.parametrize(
    ("text", "action", "hedged"),
    [
        ("24小时内发货", Action.SHIP, False),
        ("发货会在24小时内", Action.SHIP, False),
        ("我们今天给您发货", Action.SHIP, False),
        ("今天之内一定给您退款", Action.REFUND, False),
        ("今天之内，一定给您退款", Action.REFUND, False),
        ("退款会在２４小时内到账", Action.REFUND, False),
        ("充值两小时内到账", Action.ACTIVATE, False),
        ("师傅明天上门", Action.VISIT, False),
        ("明天给您回电", Action.CALLBACK, False),
        ("马上为您开通", Action.ACTIVATE, False),
        ("三天内维修好", Action.REPAIR, False),
        ("24小时内为您处理退款", Action.REFUND, False),
        ("预计24小时内发货", Action.SHIP, True),
        ("一般情况下，我们24小时内发货", Action.SHIP, True),
        ("我们尽量今天发货", Action.SHIP, True),
        ("无法承诺今天发货", Action.SHIP, True),
        ("We will ship your order within 24 hours.", Action.SHIP, False),
        ("We'll refund you today.", Action.REFUND, False),
        ("Your refund should arrive in 2 days.", Action.REFUND, True),
        ("Our technician will visit tomorrow.", Action.VISIT, False),
        ("We'll call you back within 2 hours.", Action.CALLBACK, False),
        ("It usually ships in 2 days.", Action.SHIP, True),
        ("We'll try to deliver by Friday.", Action.DELIVER, True),
    ],
)
def test_parses_commitment(text: str, action: Action, hedged: bool) -> None:
    [c] = parse_commitments(text, now=NOW)
    assert (c.action, c.hedged) == (action, hedged)
    assert c.text == text[c.start : c.end]
    assert c.latest > NOW


@pytest.mark.parametrize(
    "text",
    [
        "能今天发货吗？",
        "明天给您回电可以吗",
        "Can you ship it today?",
        "如果您今天下单，我们明天发货",
        "若今天付款则明天发货",
        "If you order now, we ship today.",
        "今天已经发货了",
        "It already shipped today.",
        "您好，请问有什么可以帮您？",
        "我们会尽快为您处理",
        "今天天气很好",
    ],
)
def test_not_commitments(text: str) -> None:
    assert parse_commitments(text, now=NOW) == []


def test_commitment_latest_and_duration() -> None:
    [c] = parse_commitments("三个工作日内退款", now=NOW)
    assert c.duration is not None and str(c.duration) == "3 working_days"
    assert c.latest.astimezone(SH) == datetime(2025, 3, 17, 10, 0, tzinfo=SH)
    [c] = parse_commitments("我们今天给您发货", now=NOW)
    assert c.duration is None
    assert c.latest.astimezone(SH) == datetime(2025, 3, 13, 0, 0, tzinfo=SH)


def test_two_commitments_in_one_sentence_keep_their_own_hedges() -> None:
    found = parse_commitments("我们今天发货，预计明天送达", now=NOW)
    assert [(c.action, c.hedged) for c in found] == [
        (Action.SHIP, False),
        (Action.DELIVER, True),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24小时内发货", BLOCK_CAP),
        ("发货会在24小时内", BLOCK_CAP),
        ("我们今天给您发货", BLOCK_CAP),
        ("今天之内一定给您退款", BLOCK_CAP),
        ("三个工作日内退款", BLOCK_CAP),
        ("师傅明天上门", BLOCK_CAP),
        # 马上/立即 + a callback or generic handling is a courtesy, not a deadline
        ("马上给您回电", []),
        ("我们会立即与您联系", []),
        ("两小时内给您回电", BLOCK_CAP),
        ("马上到账", [("promise.beyond_capability", "warn")]),
        ("We will ship your order within 24 hours.", BLOCK_CAP),
        ("We'll call you back right away.", []),
        ("两天内发货", []),
        ("三天内发货", []),
        ("发货时间不会超过两天", []),
        ("七天内退款", []),
        ("一周内退款到账", []),
        ("三天内送达", []),
        ("24小时内给您回电", []),
        ("两小时内为您开通", []),
        ("We'll ship within 3 days.", []),
        ("We'll refund you within 7 days.", []),
        ("预计24小时内发货", []),
        ("It usually ships within 24 hours.", []),
        ("1~3个工作日内退款", []),
        ("一般6-24个小时到账", []),
        ("24小时内发货", [("promise.beyond_capability", "block")]),
        ("预计48小时内发货", []),
        ("无法保证24小时内发货", []),
        ("We can't guarantee shipping by tomorrow.", []),
        ("马上为您处理", []),
        ("今天为您处理好", UNSUPPORTED),
        ("今天由我来为您处理", []),
        ("We'll resolve this today.", UNSUPPORTED),
        ("预计今天为您处理", []),
        ("能今天发货吗？", []),
    ],
)
def test_checks_against_capabilities(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert rules(text) == expected


def test_reason_and_suggestion_name_the_real_figure() -> None:
    [f] = check_promises("24小时内发货", capabilities=CAPS, now=NOW)
    assert f.reason == "承诺24小时内发货，但公司的发货能力是48小时内"
    assert f.suggestion == "我们会尽快为您安排发货，预计48小时内发出"
    assert (f.category, f.start, f.end, f.text) == (
        "time_commitment",
        0,
        7,
        "24小时内发货",
    )
    [f] = check_promises("We will ship within 24 hours.", capabilities=CAPS, now=NOW)
    assert "capability is within 48 hours" in f.reason
    assert "within 48 hours" in f.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "24小时内发货",
        "今天之内一定给您退款",
        "师傅明天上门",
        "马上给您回电",
        "马上为您开通",
        "明天维修好",
        "We will ship within 24 hours.",
        "We'll refund you today.",
        "We'll call you back right away.",
    ],
)
def test_suggestions_pass_the_checker(text: str) -> None:
    for finding in check_promises(text, capabilities=CAPS, now=NOW):
        assert rules(finding.suggestion) == []


FACT_CASES = [
    (
        "三天内发货",
        CaseFacts(promised_ship_at=datetime(2025, 3, 16, 18, 0, tzinfo=SH)),
        "订单的预计发货时间是2025-03-16 18:00",
    ),
    ("三天内发货", CaseFacts(in_stock=False), "商品当前缺货"),
    ("三天内送达", CaseFacts(order_status="cancelled"), "订单状态是已取消"),
    (
        "三天内送达",
        CaseFacts(delivery_eta=datetime(2025, 3, 20, 12, 0, tzinfo=SH)),
        "物流预计送达时间是2025-03-20 12:00",
    ),
    (
        "七天内退款",
        CaseFacts(refund_due_at=datetime(2025, 3, 25, 0, 0, tzinfo=SH)),
        "退款预计到账时间是2025-03-25 00:00",
    ),
    (
        "三天内上门",
        CaseFacts(visit_slot_at=datetime(2025, 3, 18, 9, 0, tzinfo=SH)),
        "已预约的上门时间是2025-03-18 09:00",
    ),
    (
        "今天为您处理完",
        CaseFacts(sla_due_at=datetime(2025, 3, 14, 9, 0, tzinfo=SH)),
        "工单的处理时限是2025-03-14 09:00",
    ),
]


@pytest.mark.parametrize(("text", "facts", "cited"), FACT_CASES)
def test_fact_contradicts_promise(text: str, facts: CaseFacts, cited: str) -> None:
    found = check_promises(text, capabilities=CAPS, facts=facts, now=NOW)
    assert [(f.rule, f.severity) for f in found] == [
        ("promise.contradicts_case", "block")
    ]
    assert cited in found[0].reason


def test_facts_within_promise_pass() -> None:
    facts = CaseFacts(
        promised_ship_at=datetime(2025, 3, 13, 9, 0, tzinfo=SH),
        in_stock=True,
        order_status="paid",
        delivery_eta=datetime(2025, 3, 14, 9, 0, tzinfo=SH),
        sla_due_at=datetime(2025, 3, 12, 20, 0, tzinfo=SH),
    )
    assert rules("两天内发货，三天内送达", facts) == []
    # A fact covers an action the company declares nothing for: not unsupported.
    assert rules("今天为您处理完", facts) == []


def test_hedged_promise_against_fact_is_an_estimate_not_a_promise() -> None:
    facts = CaseFacts(delivery_eta=datetime(2025, 3, 20, 12, 0, tzinfo=SH))
    assert rules("预计三天内送达", facts) == []
    assert rules("三天内送达", facts) == [("promise.contradicts_case", "block")]


def test_english_fact_reason() -> None:
    facts = CaseFacts(in_stock=False)
    [f] = check_promises(
        "We'll ship within 3 days.", capabilities=CAPS, facts=facts, now=NOW
    )
    assert f.reason == "promises to ship within 3 days, but the item is out of stock"


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        check_promises("今天发货", capabilities=CAPS, now=datetime(2025, 3, 12, 10, 0))
    with pytest.raises(InvalidInput, match="'sla_due_at'"):
        CaseFacts.from_dict({"sla_due_at": "2025-03-12T10:00:00"})
    with pytest.raises(InvalidInput, match="'order_status'"):
        CaseFacts.from_dict({"order_status": "13800138000 张三"})
    with pytest.raises(InvalidInput, match="tz"):
        check_promises("今天发货", capabilities=CAPS, now=NOW, tz="Mars/Base")


def test_error_messages_carry_no_input_values() -> None:
    with pytest.raises(InvalidInput) as info:
        CaseFacts.from_dict({"order_status": "张三 13800138000"})
    assert "13800138000" not in str(info.value)


# ---- capabilities ---------------------------------------------------------


def test_shipped_capabilities() -> None:
    assert str(CAPS.capabilities[Action.SHIP].within) == "48 hours"
    assert str(CAPS.capabilities[Action.REFUND].within) == "7 calendar_days"
    assert CAPS.get(Action.RESOLVE) is None
    assert CAPS.calendar_for("zh") == "cn" and CAPS.calendar_for("en") == "weekends"
    assert all(c.note for c in CAPS.capabilities.values())
    assert load_capabilities() is CAPS  # cached


def test_deployment_file_overrides_per_action(tmp_path: Path) -> None:
    path = tmp_path / "caps.yaml"
    path.write_text(
        "capabilities:\n"
        "  ship: {within: 24 hours, note: 当日仓}\n"
        "  visit: null\n"
        "  resolve: {within: 1 working_days, note: 工单一个工作日内解决}\n",
        encoding="utf-8",
    )
    caps = load_capabilities(path)
    assert str(caps.capabilities[Action.SHIP].within) == "24 hours"
    assert caps.get(Action.VISIT) is None
    assert caps.get(Action.REFUND) is not None
    found = check_promises("24小时内发货", capabilities=caps, now=NOW)
    assert found == []
    found = check_promises("师傅明天上门", capabilities=caps, now=NOW)
    assert [f.rule for f in found] == ["promise.unsupported"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "capabilities:\n  teleport: {within: 1 hours, note: x}\n",
            "capabilities.teleport",
        ),
        (
            "capabilities:\n  ship: {within: soon, note: x}\n",
            "capabilities.ship.within",
        ),
        ("capabilities:\n  ship: {within: 2 hours}\n", "capabilities.ship.note"),
        ("capabilities:\n  ship: {within: 2 hours, note: x, owner: y}\n", "ship.owner"),
        ("calendars: {zh: mars}\n", "calendars.zh"),
        ("version: 2\n", "version"),
        ("capabilities: [ship]\n", "capabilities"),
        ("- a\n- b\n", "(top level)"),
        ("capabilities: {ship: [\n", "invalid YAML"),
    ],
)
def test_bad_capability_files_name_file_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_capabilities(path)
    assert "bad.yaml" in str(info.value)
    assert message in str(info.value)


def test_missing_capabilities_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_capabilities(tmp_path / "nope.yaml")


@given(
    st.text(
        alphabet="今天明24小时内发货退款到账预计无法保证如果吗？，。 shiptodayrefund?",
        max_size=60,
    )
)
def test_any_text_checks_without_error(text: str) -> None:
    for f in check_promises(text, capabilities=CAPS, now=NOW):
        assert f.text == text[f.start : f.end]
        assert f.severity in ("block", "warn")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("团长明天上班后为您转工程师上门鉴定", []),
        ("周一啦，由于没有收到您的回复", []),
        ("48小时内将有专人与您联系处理", []),
        ("申请5元流量包，立即生效", []),
        ("一般6-24个小时返还", []),
        ("师傅明天上门", [("promise.beyond_capability", "block")]),
    ],
)
def test_real_helpdesk_phrasings(text: str, expected: list[tuple[str, str]]) -> None:
    assert rules(text) == expected
