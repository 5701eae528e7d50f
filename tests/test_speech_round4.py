"""Generalisation round 4: the families a fresh real-chat batch exposed.

Sentences here are variants written for the tests, not rows of the labelled
set: chat shorthand (必发), code-mixed actions (ship出去, OTP), IME typos
(验正码, "definately"), state words ("be active"), warnings and own-process
promises next to certainty words, and the clause rule for a generic absolute
finding beside a more specific one (`prefer_specific`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complydesk.deadlines import load_calendar
from complydesk.speech.check import check, normalize
from complydesk.speech.durations import parse_time_expressions, resolve
from complydesk.speech.reply import check_reply

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=SH)  # a Wednesday


def categories(text: str, role: str = "agent") -> set[str]:
    return {f.category for f in check_reply(text, role=role, now=NOW).findings}


FLAGGED = [
    # time: chat shorthand, code-mixed action words, a state reached
    ("这单今晚十点前必发，您放心", "time_commitment"),
    ("你的parcel明天一定ship出去", "time_commitment"),
    ("Your line will be active again in 10 minutes.", "time_commitment"),
    # personal data: code-mixed OTP, IME typo, full ID with 需要, unrelated profile
    ("pls把OTP报给我一下", "unnecessary_personal_data"),
    ("麻烦把验正码发我一下", "unnecessary_personal_data"),
    ("查个快递而已，需要您完整的身份证号码", "unnecessary_personal_data"),
    ("改个地址，麻烦说一下您的月收入", "unnecessary_personal_data"),
    ("whats ur card pin", "unnecessary_personal_data"),
    # absolute: typo, cannot go wrong, until satisfied, never disappointed
    ("it'll definately work this time", "absolute_promise"),
    ("快递是不可能丢件的，您放心", "absolute_promise"),
    ("我们会一直跟进到您满意为止", "absolute_promise"),
    ("绝不会让您吃亏的", "absolute_promise"),
    ("换了光猫肯定彻底解决，一劳永逸", "absolute_promise"),
    ("这件事包我这儿了", "absolute_promise"),
    ("我们绝不会让任何一位顾客吃亏", "absolute_promise"),
    ("It's impossible for the order to get lost.", "absolute_promise"),
    # phishing: log in through the link with bank credentials
    (
        "Use this link and sign in using your online banking password for the refund.",
        "unnecessary_personal_data",
    ),
    # a state reached: 能用, unblocked, 解冻; the customer's receipt
    ("号码恢复后马上就能用", "time_commitment"),
    ("Your card will be unblocked in 5 minutes.", "time_commitment"),
    ("账户半小时内一定给您解冻", "time_commitment"),
    ("You'll have the parcel by tomorrow morning, promise.", "time_commitment"),
    # reassurance is not a warning: the request next to it is still made
    ("您别着急，把短信里的验证码报给我就行", "unnecessary_personal_data"),
    ("不要担心哈，麻烦提供一下取款密码", "unnecessary_personal_data"),
    ("别担心，点开链接输入卡号和密码就能退款", "unnecessary_personal_data"),
    ("Don't worry, just send me the code we texted you.", "unnecessary_personal_data"),
    ("No problem at all, I guarantee it will work.", "absolute_promise"),
    ("Don't worry it'll definitely be fixed.", "absolute_promise"),
    # round 4d families: money to an account, auto-lifted suspension, personal
    # responsibility, never broke anything, never lost, no principal risk,
    # member price kept, full ID length said after, family security questions,
    # a bot's day, a punishment for complaining
    ("赔付款半小时内到您支付宝", "time_commitment"),
    ("号码十分钟内就能自动解除", "time_commitment"),
    ("包你彻底搞定", "absolute_promise"),
    ("有任何问题我这边负全责", "absolute_promise"),
    ("我们的师傅从来不会弄坏东西", "absolute_promise"),
    ("这只基金跟着买就没亏过", "financial_guarantee"),
    ("这个理财产品没有任何本金风险", "financial_guarantee"),
    ("办了以后月租一直按老用户价收", "permanent_price"),
    ("麻烦说一下您的身份证号码，要全部18位", "unnecessary_personal_data"),
    ("验证一下，请告诉我您父亲的名字", "unnecessary_personal_data"),
    ("你再这么胡搅蛮缠，我们就把你的号封了", "threat_insult"),
    # contempt for the customer's ability, phishing login with bank credentials
    (
        "If you can't even work out how to log in, there's no helping you.",
        "threat_insult",
    ),
    (
        "Open the link and enter your online banking login and password to release it.",
        "unnecessary_personal_data",
    ),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round4_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


def test_when_bot_says_it_just_ate_then_flagged_for_bots_only() -> None:
    text = "我也是刚吃完饭回来，咱们继续"
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # a warning, not a promise
    "绝对不要把密码告诉别人哦",
    # the agent's own step promised, not an outcome
    "我保证把您的意见如实反馈给主管",
    "I promise I'll pass this on to my supervisor.",
    # whether it happens is open
    "明天能否送到得看物流安排",
    # a time within the capability: the learned backstop does not overrule it
    "We'll call you back within 24 hours.",
    # someone else's claim warned about
    "网上那些号称保本的理财产品大家要警惕",
    # credit work needs the profile
    "办理分期需要您提供工作单位和收入证明",
    # 不可能 is not the hedge 可能 when it negates the promise verb
    "这个我们不可能保证明天送到",
    # the product class said to be gone
    "保本型的理财早就取消了，现在都是净值型",
    # a login to the customer's own account
    "Log in to the website with your password to see your orders.",
    # a later time than the capability keeps nothing stricter
    "号码明天就能正常使用了",
    "You should receive it by Friday.",
    "账户已经解冻了，您可以正常使用",
    # the agent's own attention, not an outcome
    "我一定会如实记录您的意见",
    "您别急，我们一定会帮您处理的",
    # a refund policy timed from the return
    "收到您寄回的商品后7天内退款到您的银行卡",
    # warnings stay warnings
    "验证码不要告诉别人，客服不会向您索要",
    "别把密码发给任何人",
    "Don't share the code with anyone, not even us.",
    "I can't guarantee it'll work.",
    "If you can't find the reset button, I can walk you through it.",
    "Click the link, log in and enter your new password to finish the reset.",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round4_near_miss_then_pass(text: str) -> None:
    assert check_reply(text, now=NOW).verdict == "pass", check_reply(text, now=NOW)


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("今晚12点前", datetime(2025, 3, 13, 0, 0)),
        ("明晚12点前", datetime(2025, 3, 14, 0, 0)),
        ("晚上12点半前", datetime(2025, 3, 13, 0, 30)),
        ("中午12点前", datetime(2025, 3, 12, 12, 0)),
    ],
)
def test_twelve_at_night_is_midnight_not_noon(text: str, local: datetime) -> None:
    [(_, _, expr)] = parse_time_expressions(text)
    latest = resolve(expr, NOW, load_calendar("cn"), SH)
    assert latest.astimezone(SH).replace(tzinfo=None) == local


def test_typo_folding_keeps_offsets() -> None:
    text = "It's DEFINATELY fixed, 验正码 too"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert "definitely" in norm.lower() and "验证码" in norm
    f = next(f for f in check_reply(text).findings if f.category == "absolute_promise")
    assert text[f.start : f.end] == f.text and "DEFINATELY" in f.text


# --- prefer_specific: one phrase merged, a separate phrase kept -----------------
def rules(text: str) -> list[tuple[str, str]]:
    return [(f.category, f.text) for f in check_reply(text, now=NOW).findings]


@pytest.mark.parametrize("fn", [check_reply, check])
def test_when_absolute_phrase_in_another_clause_then_both_reported(fn: object) -> None:
    text = "我们保证明天发货，绝对没问题"
    findings = fn(text).findings  # type: ignore[operator]
    cats = [f.category for f in findings]
    assert "time_commitment" in cats
    absolute = [f for f in findings if f.category == "absolute_promise"]
    # the 保证 of the time promise is merged into it; 绝对没问题 stands alone
    assert [f.text for f in absolute] == ["绝对"]
    assert absolute[0].start == text.index("绝对")


@pytest.mark.parametrize(
    "text",
    [
        "我们保证明天发货",  # one clause
        "我保证，明天一定给您发货",  # a bare 保证 leaning on the next clause
        "我这边给您保证，五分钟内回复您",
        "Your parcel will be delivered tomorrow, I promise.",  # a bare tag
        "Your order ships today, no question about it",
        "您的快递明天就能送到，保证不耽误您用",  # the time promise said again
    ],
)
def test_when_absolute_word_is_part_of_the_time_promise_then_merged(
    text: str,
) -> None:
    cats = [c for c, _ in rules(text)]
    assert "time_commitment" in cats
    assert "absolute_promise" not in cats, rules(text)


def test_when_separate_claims_in_two_clauses_then_both_categories() -> None:
    cats = {c for c, _ in rules("师傅上门肯定修好，您的月租以后也永远不涨")}
    assert cats >= {"absolute_promise", "permanent_price"}


# --- the learned backstop defers to the promise checker ------------------------
def _fake_time_hit(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    from complydesk.speech import reply
    from complydesk.speech.model import ModelHit

    class Fake:
        def flag(
            self, t: str, role: str = "agent", norm: str | None = None
        ) -> ModelHit | None:
            return ModelHit("time_commitment", 9.0, 0, len(text))

    monkeypatch.setattr(reply, "default_model", lambda: Fake())


@pytest.mark.parametrize(
    "text",
    [
        "We'll call you back within 24 hours.",  # parsed, within capability
        "好的，明天一早就为您转工程师，让工程师上门看看。",  # a hand-off
    ],
)
def test_when_promise_checker_judged_the_clause_then_no_model_time_warning(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    _fake_time_hit(monkeypatch, text)
    assert check_reply(text, now=NOW).verdict == "pass"


def test_when_promise_checker_saw_nothing_then_model_time_warning_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "放心，这个很快就好"
    _fake_time_hit(monkeypatch, text)
    [f] = check_reply(text, now=NOW).findings
    assert f.rule == "model.time_commitment" and f.severity == "warn"
