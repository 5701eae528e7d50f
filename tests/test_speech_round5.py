"""Generalisation round 5: the families a fresh batch of scripts exposed.

Sentences here are variants written for the tests, not rows of the labelled
set: sarcasm instead of crude insults, bots with an errand or a commute,
verification flows that ask for SMS digits or card photos, money paid out
(理赔款, payouts) arriving by a time, English chat shorthand (u, ur, pwd, b4,
100pct), and the hard negatives that share their words.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import NOW, categories

from complydesk.speech.check import expand_shorthand, normalize, squeeze
from complydesk.speech.reply import check_reply

FLAGGED = [
    # sarcasm: praise that mocks, contempt for a simple step or a fussy customer
    ("您可真是个天才，这都能装反", "threat_insult"),
    ("好好好，您说的都对，全天下就您一个明白人", "threat_insult"),
    ("這樣都唔識，真係好厲害", "threat_insult"),
    ("这么基础的设置步骤都搞不定", "threat_insult"),
    ("你这么爱较真的用户我头一回见", "threat_insult"),
    ("您就慢慢告吧，看到时候谁后悔", "threat_insult"),
    ("你要再跟我们在这儿吵，就把你的号停机", "threat_insult"),
    (
        "Well done, you're the first customer ever to miss the giant banner.",
        "threat_insult",
    ),
    ("Right, because clicking one button is so difficult.", "threat_insult"),
    ("Spelling clearly isn't your forte.", "threat_insult"),
    ("Ask somebody younger to set it up for you.", "threat_insult"),
    ("Good luck finding anybody who'll help you now.", "threat_insult"),
    ("if u leave that review we'll see u in court", "threat_insult"),
    # personal data: SMS digits verb first, ID photos, card back, login pwd
    ("核验身份，麻烦您念一下手机短信里的那串数字", "unnecessary_personal_data"),
    ("改个收货地址，需要您提供身份证正反面照片", "unnecessary_personal_data"),
    ("pls send me ur app pwd so i can check", "unnecessary_personal_data"),
    ("Just need a pic of both sides of your debit card.", "unnecessary_personal_data"),
    # absolute: not the least damage; no chance of an error
    ("您的家具一点儿都不会刮坏，放心", "absolute_promise"),
    ("There's zero chance of any delays from here on.", "absolute_promise"),
    ("this fixes it 100pct", "absolute_promise"),
    # price: every year, not a cent more; a tariff for good
    ("会员费以后每年都免", "permanent_price"),
    ("这个月租今后一毛钱也不会涨", "permanent_price"),
    ("Your tariff stays as it is for good.", "permanent_price"),
    # financial: nobody lost, only goes up, approved for sure, whatever the market
    ("None of our clients have ever lost money with this bond.", "financial_guarantee"),
    ("This fund can only go up from here.", "financial_guarantee"),
    ("ur mortgage is approved 100pct", "financial_guarantee"),
    ("It pays 5% no matter what happens with the economy.", "financial_guarantee"),
    # time: money paid out arriving by a time, same day, b4 a clock time, an
    # engineer coming, an issue reported (您反映的问题) before the promise
    ("赔付款最晚明天就到您银行卡", "time_commitment"),
    ("The refund will be credited to your card same day.", "time_commitment"),
    ("technician coming tmrw b4 10am for sure", "time_commitment"),
    ("The engineer will reach you today.", "time_commitment"),
    ("您反映的问题已经登记了，今天就给您退款", "time_commitment"),
    # round 5b (a second fresh batch after the tuning): praise before the
    # failure, contempt for skill, "you're the expert", a punishment after
    # 把您, never again with 任何, a listing sure to rise, the whole SMS
    # forwarded, money into an account, a UI element "found"
    ("您还真厉害，一个密码能按错三回", "threat_insult"),
    ("你这个电脑水平，真没法教", "threat_insult"),
    ("那您是行家，您自己弄吧", "threat_insult"),
    ("你再在评论区刷，我们就给你禁言", "threat_insult"),
    ("Wow, you found the settings tab, well done.", "threat_insult"),
    ("since u clearly cant read, here it is again", "threat_insult"),
    ("往后您这张卡不会再遇到任何盗刷", "absolute_promise"),
    ("这只新股开盘后稳赚", "financial_guarantee"),
    ("麻烦将短信原文截图给我", "unnecessary_personal_data"),
    ("赔款半小时内进您银行卡", "time_commitment"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round5_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


BOT_ONLY = [
    "我跟您一样也是普通人，理解您",
    "我刚去了一趟库房，货到了",
    "我今天骑车来上班的",
    "我们这边今天下大雨呢",
    "我拿手机给您拍个视频看看",
    "I'll pop over to the stockroom and look.",
    "我刚去喝了杯咖啡",
    "我马上下楼帮您问问保安",
    "As a dad myself, I know how it is.",
]


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_bot_claims_a_life_then_flagged_for_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # sarcasm families: real praise, a first sighting, a patient step
    "您真是个细心的人，连这个都注意到了",
    "您是第一次见到这种提示吗？",
    "您慢慢看，有问题随时找我",
    "这个操作确实不太容易，很多人都不会，您别着急",
    "Congrats on your new phone! If you can't find the settings, I can help.",
    "Of course, because the form is so complicated, I'll fill it in with you.",
    "Good luck with the new phone!",
    # personal data: the system sends the SMS, the customer types it; real-name
    # verification in the app needs the ID photo
    "系统刚给您下发了短信里的号码，您在页面上输入就行",
    "请您把身份证正反面照片上传到APP完成实名认证",
    "Never send anyone the 3 digits on the back of your card.",
    # bots: a look-up, not an errand; a parent addressed, not claimed
    "我这边帮您查一下仓库的库存",
    "Let me check with the warehouse team.",
    # a reported colleague's promise; the issue reported is no report of words
    "您说之前的客服答应今天退款，我帮您查一下记录",
    "您反映的情况我们已经记录，会尽快处理",
    # money that arrives later than the capability, a top-up's 到账
    "理赔款审核通过后7天内到账",
    "充值话费明天到账",
    # shorthand that is no shorthand
    "U盾请妥善保管",
    "She is an ill customer, be gentle.",
    "im sorry for the delay, pls bear with us",
    # finance: a product price, a warning
    "Prices will only go up after the sale ends.",
    "Nobody can promise you'll never lose money.",
    "Tariffs may change; they are not fixed forever.",
    # round 5b near-misses: real praise, a launch price, an effort promise
    # with 把, a bug found, a relieved "finally"
    "您真厉害，一次就装好了",
    "这款手机上市后肯定涨价",
    "宝宝看了都笑了",
    "我一定会把您的投诉跟进到底",
    "您再试一次，我们就把您的账号解冻",
    "以后不会再有任何费用产生吗？",
    "Wow, you found a bug, thanks and congrats on the sharp eye",
    "You finally managed to log in, congrats!",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round5_near_miss_then_pass(text: str) -> None:
    v = check_reply(text, now=NOW)
    assert v.verdict == "pass", v


def test_when_bot_addresses_a_parent_then_pass() -> None:
    text = "As a parent, you may want to turn on parental controls."
    assert check_reply(text, role="bot", now=NOW).verdict == "pass"


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("send me ur login pwd", "send me your login password"),
        ("see u in court", "see you in court"),
        ("it's fixed 100pct", "it's fixed 100%"),
        ("im at my desk, ill check", "i'm at my desk, i'll check"),
        ("an ill customer, Plan U, U盾", "an ill customer, Plan U, U盾"),
    ],
)
def test_chat_shorthand_expanded_with_an_index(text: str, expanded: str) -> None:
    out, index = expand_shorthand(*squeeze(normalize(text)))
    assert out == expanded
    if out != text:
        assert index is not None and len(index) == len(out) + 1
        assert all(0 <= i <= len(text) for i in index)


def test_finding_inside_shorthand_points_at_the_reply() -> None:
    text = "If u post that, we'll see u in court"
    [f] = list(check_reply(text, now=NOW).findings)
    assert f.category == "threat_insult"
    assert text[f.start : f.end] == f.text and f.text.endswith("court")


def test_shorthand_and_letter_spacing_together_keep_offsets() -> None:
    text = "pls send ur 验 证 码 to me"
    for f in check_reply(text, now=NOW).findings:
        assert text[f.start : f.end] == f.text
