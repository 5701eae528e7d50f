"""Rule families added for fresh wording (dev batches 15-20) and the promise
parser's calendar dates, clock times and event anchors.

Everything runs through the public entry points (`check_reply`,
`check_promises`, the JSONL CLI) with a fixed `now`, so the date arithmetic
is deterministic: NOW is Wednesday 2025-03-12 10:00 in Shanghai.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from complydesk.cli import app as cli
from complydesk.speech.capabilities import load_capabilities
from complydesk.speech.promises import CaseFacts, check_promises, parse_commitments
from complydesk.speech.reply import check_reply

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=SH)
CAPS = load_capabilities()


def rules(text: str, role: str = "agent", facts: CaseFacts | None = None) -> set[str]:
    v = check_reply(text, role=role, now=NOW, facts=facts)
    return {f.rule for f in v.findings}


def categories(text: str, role: str = "agent") -> set[str]:
    return {f.category for f in check_reply(text, role=role, now=NOW).findings}


# --- dates, clock times and event anchors in promises -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "下午3点前给您回电",  # callback 24 h: 15:00 today is stricter
        "今晚8点前给您送到",
        "我们明天上午10点前给您发货",
        "退款今晚8点前会退回到您的支付宝。",
        "您下单的商品今天下午五点前就能出库。",  # 您下单的: this order, no policy
        "我们下午给您回个电话，两点之前。",
        "师傅两点半准时到您家门口。",
        "我们中午之前给您把钱退回去。",
        "Your refund will be back in your account by 5 pm today.",
        "We'll get the engineer to you by 11 am.",
    ],
)
def test_clock_times_are_parsed_and_judged(text: str) -> None:
    assert "promise.beyond_capability" in rules(text)


def test_calendar_dates_within_capability_pass_unless_said_for_certain() -> None:
    assert rules("3月20日前为您发货") == set()
    assert rules("3月13日前为您发货") == {"promise.beyond_capability"}
    assert rules("20号之前一定给您补发。") == {"promise.certain"}
    # a year already past is no promise at all
    assert parse_commitments("需新建基站于2013年10月30号之前解决", now=NOW) == []


def test_dispatch_anchored_delivery_is_counted_from_dispatch() -> None:
    [c] = parse_commitments("发货后24小时内送达", now=NOW)
    assert c.after is not None and c.after.value == "ship"
    assert c.time_text == "24小时内"
    found = check_promises("发货后24小时内送达", capabilities=CAPS, now=NOW)
    assert [f.rule for f in found] == ["promise.beyond_capability"]
    assert "发货后24小时内送达" in found[0].reason
    assert rules("发货后3天内送达") == set()
    assert rules("发货后次日送达") == {"promise.beyond_capability"}
    assert rules("It will be delivered within 1 day of dispatch.") == {
        "promise.beyond_capability"
    }


def test_anchored_delivery_against_the_case_ship_date() -> None:
    facts = CaseFacts(
        promised_ship_at=NOW + timedelta(days=2), delivery_eta=NOW + timedelta(days=6)
    )
    # dispatch + 3 days is before the carrier's estimate: contradicted
    found = check_promises("发货后3天内送达", capabilities=CAPS, facts=facts, now=NOW)
    assert [f.rule for f in found] == ["promise.contradicts_case"]
    assert "物流预计送达时间" in found[0].reason
    # dispatch + 5 days is after it: fine, although now + 5 days would not be
    assert rules("发货后5天内送达", facts=facts) == set()
    assert "promise.contradicts_case" in rules("5天内送达", facts=facts)


@pytest.mark.parametrize(
    "text",
    [
        "预计明天下午3点前送到",
        "仓库每天下午3点截单，3点前付款的订单当天发出。",
        "请您在今晚8点前完成付款，以免订单自动取消。",
        "您的包裹已于今天上午10点发出，请留意物流。",
        "您是说希望周五之前收到吗？",
        "麻烦您15号之前把发票信息发给我们。",
        "3号楼的快递柜已经满了，快递员会放到驿站。",
        "You said the last agent promised delivery by Friday; let me check.",
        "The courier aims to deliver before noon, but times can vary.",
        "Please send the documents by 6 pm so we can review them today.",
    ],
)
def test_dates_and_clocks_that_promise_nothing(text: str) -> None:
    assert categories(text) == set()


def test_a_class_policy_does_not_excuse_this_orders_promise() -> None:
    assert categories("16点前付款的订单当天发货。") == set()
    text = "亲，今天17点前下单的我们都是当天给您发走的，您这单今天肯定发。"
    assert "time_commitment" in categories(text)


# --- request for secrets through a link or form ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "您点开链接输入银行卡号和密码就可以退款了",
        "麻烦您扫一下这个二维码，在里面输入支付密码就能领取理赔款。",
        "您在这个页面上把身份证号和取款密码填好，我们帮您解冻账户。",
        "点击链接进入退款页面，输入您的卡号、有效期以及背面三位数。",
        "您打开这个网址，登录网银后把收到的动态码填进去，退款就原路返回了。",
        "Click the link I sent and enter your card number and PIN to get the refund.",
        "Please fill out this form with your full card number and the code we texted.",
        "Open the link and enter the 6-digit code from your bank to claim the refund.",
    ],
)
def test_secrets_through_a_link_or_form_block(text: str) -> None:
    v = check_reply(text, now=NOW)
    assert v.verdict == "block"
    assert "unnecessary_personal_data" in {f.category for f in v.findings}


@pytest.mark.parametrize(
    "text",
    [
        "请勿点击陌生链接输入银行卡号和密码，谨防诈骗",
        "请您在收到短信的页面自行输入验证码完成验证。",
        "点开链接填写收货地址就可以了",
        "您可以点击链接查看退款进度，无需填写任何密码。",
        "扫码关注公众号后输入验证码完成绑定。",
        "请在官方App内输入支付密码完成付款",
        "电脑访问网址O网页链接,在页面右上角点击“登陆”,输入手机号码、密码、验证码即可",
        "Never enter your PIN on a link someone sends you.",
        "Click the link to log in with your email and password, then check your order.",
        "Enter your password on this page to reset it.",
    ],
)
def test_links_and_forms_without_a_secret_handed_over_pass(text: str) -> None:
    assert "unnecessary_personal_data" not in categories(text)


# --- wording families -------------------------------------------------------------

FLAGGED = [
    ("放心，这个产品就算行情不好也不会让您亏本。", "financial_guarantee"),
    ("您这个贷款我帮您走内部通道，下款是板上钉钉的事。", "financial_guarantee"),
    ("这个项目收益是保底的，最差也有8%。", "financial_guarantee"),
    ("这款基金今年至少能给您赚个15%。", "financial_guarantee"),
    ("这款产品今年肯定跑赢大盘，您就放心买吧。", "financial_guarantee"),
    (
        "Our fund will beat the market this year, you can count on it.",
        "financial_guarantee",
    ),
    ("老客户专享价，只要您不退订就一直是这个价。", "permanent_price"),
    ("这个套餐的月租从今往后都不会涨。", "permanent_price"),
    ("一次买断，后面不会再收您任何费用。", "permanent_price"),
    ("We'll keep you on the old price permanently as a thank you.", "permanent_price"),
    ("You'll get 20% off every order for the rest of your life.", "permanent_price"),
    ("你是不是没长脑子，说明书写得清清楚楚。", "threat_insult"),
    ("有本事你去消协告我们啊。", "threat_insult"),
    ("闹大了对你也没什么好处，你想清楚。", "threat_insult"),
    ("You clearly have no idea what you're talking about.", "threat_insult"),
    ("换了这个配件，以后就再也不会漏水了。", "absolute_promise"),
    ("这双鞋穿一年都不会开胶，质量杠杠的。", "absolute_promise"),
    ("这个问题在我们这儿就没有解决不了的。", "absolute_promise"),
    ("Trust me, it'll work perfectly this time.", "absolute_promise"),
    ("Please be assured that this issue will not reoccur.", "absolute_promise"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_new_families_are_flagged(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "哈哈我也刚吃完午饭，咱们接着说您的问题。",
        "我这会儿在公司加班呢，马上帮您查。",
        "我家孩子也在喝这款奶粉，挺好的。",
        "稍等，我去仓库帮您看一眼实物。",
        "I'm sitting at my desk in our Dublin office right now.",
        "Oh I totally get it, I have two kids myself and mornings are chaos.",
    ],
)
def test_a_bot_claiming_a_human_life_is_flagged_only_for_bots(text: str) -> None:
    assert categories(text, role="bot") == {"bot_claims_human"}
    assert "bot_claims_human" not in categories(text, role="agent")


@pytest.mark.parametrize(
    "text",
    [
        "我们一定会把您的意见反馈给相关部门。",
        "亲，我们一定会将您的建议转达给相关部门，感谢您的反馈~",
        "系统太笨了，老是卡，我帮您重新提交一下。",
        "退订成功后您就不会再收到营销短信了。",
        "二手机成色九新，外观跟新的一样，但电池有损耗。",
        "这款产品符合国家标准能效一级。",
        "怪不得您着急，这个确实是我们的问题。",
        "为了不浪费大家的时间，我直接说结论。",
        "您还要投诉吗？我帮您登记。",
        "余额低于一定值时均会提前通知您。",
        "请您放心，您不会有任何损失，退款会原路退回。",
        "This price is guaranteed until the end of your 24-month contract.",
        "We can't promise future prices, but we'll always give you notice.",
    ],
)
def test_near_misses_of_the_new_families_pass(text: str) -> None:
    assert categories(text) == set()


def test_a_distant_warning_does_not_hide_a_block() -> None:
    v = check_reply(
        "I can assure you this will be resolved today, no matter what.", now=NOW
    )
    assert v.verdict == "block"
    assert {"absolute_promise", "time_commitment"} <= {f.category for f in v.findings}
    # one phrase stays one finding: the specific time commitment stands for 保证
    v = check_reply("我们保证24小时内发货", now=NOW)
    assert [f.category for f in v.findings] == ["time_commitment"]


def test_jsonl_contract_carries_the_new_findings(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"text": "您点开链接输入银行卡号和密码就可以退款了"},
        {"text": "发货后24小时内送达"},
        {"text": "我家孩子也在喝这款奶粉，挺好的。", "role": "bot"},
        {"text": "预计明天下午3点前送到"},
    ]
    source.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8"
    )
    result = CliRunner().invoke(cli, ["speech", "check", "--jsonl", str(source)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["verdict"] for r in rows] == ["block", "block", "block", "pass"]
    assert rows[0]["findings"][0]["rule"] == "zh.pii.link_form_secret"
    assert rows[1]["findings"][0]["text"] == "24小时内送达"
