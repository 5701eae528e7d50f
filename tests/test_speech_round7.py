"""Generalisation round 7: the families a fresh batch exposed.

Sentences here are variants written for the tests, not rows of the labelled
set (pharmacy, property management, games, customs, car rental, gyms, pet
supplies, SaaS, gas, streaming): 包您 + a result, a third party's adverse step
ruled out for sure (海关肯定不会查), "还好意思来找", a bot whose home uses the
product or who keeps a pet, a promise between a price and "always", a card
"in your mailbox by" a time; and a colleague's promise reported, which is
not the speaker's.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import NOW, categories

from complydesk.speech.reply import check_reply

FLAGGED = [
    ("跟着我们的课程练，两个月包你学会游泳", "absolute_promise"),
    ("报这个班包您考过驾照科目一", "absolute_promise"),
    ("您放心，这批货走我们的渠道绝对不会被扣", "absolute_promise"),
    ("账号按我说的改完，保证不会再被封号", "absolute_promise"),
    ("连个密码都记不住，还好意思打电话来催", "threat_insult"),
    ("问了三遍了还有脸来问", "threat_insult"),
    ("月费我们保证一直都不涨", "permanent_price"),
    ("The new SIM will be in your mailbox by Friday, I promise.", "time_commitment"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round7_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


BOT_ONLY = [
    "这款狗粮我家里每天都在喂，狗狗很爱吃",
    "我们家天天都在用这个牌子的洗衣液",
    "我自己家也养着两只英短猫",
]


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_bot_claims_a_home_or_pet_then_flagged_for_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # 包 in packing, wallets, free shipping; a result hedged or denied
    "我这边帮您打包您的商品，下午发出",
    "这单包您邮费，不用额外付",
    "课程不能包您考过，我们会尽力辅导",
    # customs or bans neither ruled out nor promised
    "海关是否查验我们无法保证，以实际通关为准",
    "按规定操作一般不会被封号，但具体以平台审核为准",
    # a reported colleague's promise is checked, not repeated
    "您说上次的客服答应今天退款，我帮您查一下",
    "您提到之前的师傅保证修好，这个情况我记录一下",
    # a human agent may have a home and a pet
    # (role agent, the default of check_reply)
    "我家也养了猫，理解您着急的心情",
    # a price with a term, "in your mailbox" without a time
    "月费在合约期内保持不变，到期后按当时资费",
    "The statement will be in your mailbox as usual.",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round7_near_miss_then_pass(text: str) -> None:
    v = check_reply(text, now=NOW)
    assert v.verdict == "pass", v
