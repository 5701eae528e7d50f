"""The reply checker on phrasings the first rule packs missed, and their near-misses.

Everything goes through the public entry points (`check_reply`, `check`, the
JSONL CLI): variants of each category (synonyms, traditional characters,
full-width and letter-spaced text, English variants), the compliant wording
next to them (hedges, negations, questions, quotes, true policies), and the
real-helpdesk false positives that were fixed (courtesy callbacks, dispatch
policies, promotion terms).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from complydesk.cli import app as cli
from complydesk.speech.check import check
from complydesk.speech.reply import check_reply

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # Wednesday


def categories(text: str, role: str = "agent") -> set[str]:
    return {f.category for f in check_reply(text, role=role, now=NOW).findings}


FLAGGED = [
    # absolute_promise: synonyms and structures
    ("这个问题您交给我，我肯定给您搞定。", "absolute_promise"),
    ("换了新主板以后铁定不会再死机了。", "absolute_promise"),
    ("放心吧亲，一定给您办妥。", "absolute_promise"),
    ("您放心，这个问题我们担保给您解决。", "absolute_promise"),
    ("这款净水器的滤芯我给您打包票，用一年没问题。", "absolute_promise"),
    ("亲，这个尺码您穿肯定合适，包您满意！", "absolute_promise"),
    ("肯定是正品，我们家从来不卖假货。", "absolute_promise"),
    ("这个路由器保证信号满格。", "absolute_promise"),
    ("我们一定会处理好您的问题。", "absolute_promise"),
    ("这台冰箱用十年都不会出毛病。", "absolute_promise"),
    ("一次修好没问题，这个可以跟您保证。", "absolute_promise"),
    ("This will 100% fix the issue, trust me.", "absolute_promise"),
    ("I give you my word that this will be taken care of.", "absolute_promise"),
    (
        "No doubt about it, this update solves the problem completely.",
        "absolute_promise",
    ),
    ("Rest assured, it definitely won't happen again.", "absolute_promise"),
    ("Our installers never make mistakes.", "absolute_promise"),
    # time_commitment
    ("师傅一小时内肯定到您家。", "time_commitment"),
    ("明早九点前一定给您送到。", "time_commitment"),
    ("亲 今天下单今天发 明天肯定到哈", "time_commitment"),
    ("下午三点之前一定给您回复结果。", "time_commitment"),
    ("房东明天一定把押金退给您。", "time_commitment"),
    ("Your internet will be back on in 30 minutes, no question.", "time_commitment"),
    ("A technician will be at your door within two hours.", "time_commitment"),
    ("I'll have the refund back on your card today, no later.", "time_commitment"),
    # permanent_price
    ("这个会员一辈子都是这个价格。", "permanent_price"),
    ("现在这个价就是最终价格，以后只降不涨。", "permanent_price"),
    ("这个价格给您保持一辈子，不会变的。", "permanent_price"),
    ("这个年费以后都免了。", "permanent_price"),
    ("会员费一次性交完就再也不用交了。", "permanent_price"),
    ("You'll pay $19.99 a month for life.", "permanent_price"),
    ("You'll keep this discount indefinitely.", "permanent_price"),
    ("Your plan will always cost $25 a month.", "permanent_price"),
    # financial_guarantee
    ("理赔这块您放心，出险后保证全额赔付。", "financial_guarantee"),
    ("本金百分百能拿回来。", "financial_guarantee"),
    ("分红每年都会有的，不会少。", "financial_guarantee"),
    ("您放心买，这个基金跌不了。", "financial_guarantee"),
    ("我们的P2P平台很安全，不会跑路的。", "financial_guarantee"),
    ("We guarantee a 9% annual return on this plan.", "financial_guarantee"),
    (
        "You're sure to make money on this, it's a no-lose investment.",
        "financial_guarantee",
    ),
    # unnecessary_personal_data
    ("您把网银的U盾口令告诉我一下。", "unnecessary_personal_data"),
    (
        "请提供您的身份证号码和手机收到的验证码，我帮您解冻账户。",
        "unnecessary_personal_data",
    ),
    (
        "For verification, type your online banking password here.",
        "unnecessary_personal_data",
    ),
    ("Please send the code we just texted you.", "unnecessary_personal_data"),
    (
        "Read me the numbers on the back of your card, please.",
        "unnecessary_personal_data",
    ),
    # threat_insult
    ("投诉去吧，投诉了也没用。", "threat_insult"),
    ("不还钱的话我们就把你的事告诉你家里人和同事。", "threat_insult"),
    ("你眼睛是摆设吗？页面上写得清清楚楚。", "threat_insult"),
    ("你这智商也是没谁了。", "threat_insult"),
    ("你再啰嗦我就挂了。", "threat_insult"),
    ("That's a stupid question.", "threat_insult"),
    ("If you keep calling, we'll blacklist your number.", "threat_insult"),
    ("Keep it up and I'll cancel your account.", "threat_insult"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_variant_phrasing_then_flagged(text: str, category: str) -> None:
    assert category in categories(text), check_reply(text, now=NOW).to_dict()


BOT_CLAIMS = [
    "我刚吃完午饭回来，现在帮您看订单。",
    "放心吧，屏幕这边坐着的是活人。",
    "我是真实存在的客服人员。",
    "Nope, not a bot! Just a regular person working the help desk.",
    "I'm a real customer service rep, not an AI.",
    "You're speaking with Jake, a human member of our team.",
]


@pytest.mark.parametrize("text", BOT_CLAIMS)
def test_when_bot_claims_human_then_flagged_for_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # hedges, negations, questions, quotes
    "我们会尽力为您处理，有结果第一时间通知您。",
    "这个结果我们确实保证不了，还请您理解。",
    "我们不能承诺升级后信号一定变好，这跟周边基站也有关系。",
    "维修能不能一次修好，我这边不敢保证，需要师傅看了才知道。",
    "您刚才说之前的客服“保证三天内解决”，我先帮您查一下当时的记录。",
    "这款货币基金历史波动较小，但不代表不会亏损。",
    "基金收益肯定是有波动的。",
    "投资肯定有风险，请您谨慎。",
    "快递员说今天能送到，具体以实际为准。",
    "快递显示明天派送，不过具体时间要看快递员的安排。",
    "I can't say for certain it will work, but it's worth a try.",
    "I don't know for sure, let me check.",
    "There's no such thing as a stupid question, happy to help.",
    "Stupid question maybe, but did the package arrive?",
    # effort and courtesy, not outcomes
    "我们一定会认真核实您反映的情况，并尽快给您答复。",
    "我们一定会在收到您的信息后尽快与您联系。",
    "您的心情我一定理解，我们马上帮您核实。",
    "肯定是我们这边的问题，给您添麻烦了，非常抱歉。",
    "I'll definitely pass your feedback on to the team.",
    "I'm sure this has been frustrating, and I'm sorry for the trouble.",
    # instructions and nouns around 保证 / 担保 / 终身
    "建议您今晚试下，休息之前，保证手机有一定电量。",
    "保证贷款需要有担保人签字。",
    "这个价格是永久会员的价格，普通会员不享受。",
    "这个套餐在合约期内价格永远不变。",
    "永久免费的只有基础版，高级功能需要另外订阅。",
    "The free tier is free forever, but it only includes basic features.",
    "Your rate is guaranteed for the first 12 months of your contract.",
    "It's guaranteed delivery, so someone will need to sign for it.",
    # true facts, policies, secrets warnings
    "升级需要手机电量百分之百，请您先充满电再操作。",
    "请勿向任何人透露验证码，包括自称客服的人员。",
    "您刚才把密码发到聊天里了，为了安全请尽快修改。",
    "I know this is a stupid situation to be in, let me help fix it.",
    "Your order was delivered today at 10:42 am and signed for by J. Smith.",
    "We can deliver tomorrow if you place the order in the next hour.",
    "Tracking shows it's out for delivery today.",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_compliant_near_miss_then_pass(text: str) -> None:
    assert check_reply(text, now=NOW).findings == (), check_reply(
        text, now=NOW
    ).to_dict()


# Real helpdesk replies that used to be flagged wrongly.
REAL_FALSE_POSITIVES = [
    "您好！我们会立即对您反馈的问题进行核查,核实好之后会立即与您联系,给您带来不便敬请谅解.",
    "恩恩 抱歉亲 将您的QQ号码告诉我吧 马上联系您",
    "亲,订单生成后会在当天或次日发出,普通快递发货后一般地区3-5天左右可以收到.",
    "首次充值会百分百送餐1-1000元不等的微信红包,请悉知,谢谢！",
    "工作日16点前付款的订单当天发货，16点后付款的次日发货。",
    "非常抱歉给您带来不好的体验，我这边马上帮您处理。",
    "您好,您的问题已反馈,稍后48小时内将有专人与您联系处理,谢谢.",
]


@pytest.mark.parametrize("text", REAL_FALSE_POSITIVES)
def test_when_courtesy_policy_or_promotion_then_pass(text: str) -> None:
    assert check_reply(text, now=NOW).findings == ()


def test_when_time_alternatives_then_judged_as_an_estimate() -> None:
    # "today or tomorrow" is a range: no firm deadline, nothing stricter than 48 h
    assert categories("我们当天或次日给您发货。") == set()
    assert categories("我们次日给您发货。") == {"time_commitment"}


def test_when_firm_wording_on_a_keepable_time_then_time_warning() -> None:
    # 48 h is the declared shipping capability: the time is keepable, but
    # "保证" makes it a guarantee, reported once as a time commitment
    verdict = check_reply("我保证48小时以内发货。", now=NOW)
    assert [(f.category, f.severity) for f in verdict.findings] == [
        ("time_commitment", "warn")
    ]
    assert check_reply("预计48小时内发货。", now=NOW).findings == ()


def test_when_traditional_or_variant_characters_then_same_findings() -> None:
    for simplified, variant in [
        ("我们保证一定帮您处理好。", "我們保證一定幫您處理好。"),
        ("这个理财产品从来没亏过，稳赚。", "這個理財產品從來沒虧過，穩賺。"),
        ("发票明天一定寄出。", "發票明天一定寄出。"),
        ("亲，我们家衣服保证不起球不掉色哦", "亲，我们家衣服保証不起球不掉色哦"),
    ]:
        assert categories(simplified) == categories(variant) != set()


def test_when_letter_spaced_or_zero_width_then_flagged_with_original_offsets() -> None:
    for text in ["保 证 没问题", "验 证 码发我一下就可以了。", "保\u200b证没问题"]:
        verdict = check_reply(text, now=NOW)
        assert verdict.findings, text
        for f in verdict.findings:
            assert text[f.start : f.end] == f.text


def test_when_full_width_then_flagged() -> None:
    assert "absolute_promise" in categories("您按这个步骤操作，１００％能恢复正常。")
    assert "time_commitment" in categories("退款２４小时内原路退回，请放心。")
    assert "absolute_promise" in categories("Ｉ ｇｕａｒａｎｔｅｅ it will work.")


@given(st.text(alphabet="保证一定 \u200b验证码发我肯定没问题，。！绝對", max_size=40))
def test_any_text_offsets_point_into_the_original(text: str) -> None:
    for f in check(text).findings:
        assert text[f.start : f.end] == f.text
        assert 0 <= f.start < f.end <= len(text)


def test_jsonl_cli_flags_the_new_phrasings(tmp_path: Path) -> None:
    lines = [
        {"text": "这个问题您交给我，我肯定给您搞定。"},
        {"text": "我们会立即与您联系"},
        {"text": "放心吧，屏幕这边坐着的是活人。", "role": "bot"},
        {"text": "请勿向任何人透露验证码"},
    ]
    source = tmp_path / "replies.jsonl"
    source.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8"
    )
    result = CliRunner().invoke(cli, ["speech", "check", "--jsonl", str(source)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["verdict"] for r in rows] == ["block", "pass", "block", "pass"]
    assert rows[2]["findings"][0]["category"] == "bot_claims_human"
