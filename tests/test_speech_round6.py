"""Generalisation round 6: the families a fresh batch of scripts exposed.

Sentences here are variants written for the tests, not rows of the labelled
set: appliance and car after-sales, food delivery, airline and hotel desks,
training sales, utilities and livestream hosts. Sarcasm about asking again,
"if you know so much, why ask", "nobody is stopping you"; training that passes
you for sure (包过) or puts the failure on the agent (算我的); a bot whose body
is somewhere (人就在前台) or that drives there; a host's vocative (下单的宝宝们)
that is no policy for a class of orders; and the near-misses that share words.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import NOW, categories

from complydesk.speech.reply import check_reply

FLAGGED = [
    # sarcasm: mock praise after a repeated question, "so simple and you call",
    # "if you're such an expert why ask", a customer type never seen before
    ("您都第三回问这个了，记性可真好", "threat_insult"),
    ("这么基础的功能还要打电话来问", "threat_insult"),
    ("我也是服了，说几遍了", "threat_insult"),
    ("您既然这么专业，为什么还要来问我们", "threat_insult"),
    ("像你这种家长我们机构头一回见", "threat_insult"),
    # dismissal: nobody is stopping you, too slow? then don't order
    ("嫌慢就别订，没人逼着您", "threat_insult"),
    ("没有人拦着你去别家", "threat_insult"),
    ("Lovely, fourth time today, what an impressive memory.", "threat_insult"),
    ("Right, because logging in is brain surgery.", "threat_insult"),
    ("Have your kids who understand apps call us back.", "threat_insult"),
    ("No one is making you stay at this hotel.", "threat_insult"),
    ("Oh, bless your little heart.", "threat_insult"),
    # absolute: training sold as a sure pass, a failure the agent takes on,
    # nothing we cannot solve
    ("这个培训班包拿证", "absolute_promise"),
    ("车修不好算我们的", "absolute_promise"),
    ("没有我们处理不了的售后问题", "absolute_promise"),
    ("您这个问题今天交给我，就没有解决不了的", "absolute_promise"),
    # price: not a cent more without 都/也; a rate that "is yours" for good,
    # introductory or not
    ("以后每年续费一分钱不涨", "permanent_price"),
    ("The promotional price stays yours forever.", "permanent_price"),
    ("This introductory discount is yours for life.", "permanent_price"),
    # time: a livestream host's vocative does not make a policy statement
    ("家人们，下单的宝宝们明天必到家", "time_commitment"),
    # round 6b (a second fresh batch after the tuning): the agent's own word to
    # the courier is no third party's estimate, a steady gain, mock wonder,
    # "we don't teach you to read", "still no X, brilliant", spare time,
    # pointless to repeat, a thing that will never fail again
    ("我已经跟快递说好了，明天上午准时送到您家", "time_commitment"),
    ("报我们的冲刺班，数学稳稳提三十分", "absolute_promise"),
    ("您这操作真是让我们大开眼界", "threat_insult"),
    ("我们是修空调的，又不是教你用手机的", "threat_insult"),
    ("Still no order number after ten messages, brilliant.", "threat_insult"),
    ("Nice to have all that spare time to ring us daily.", "threat_insult"),
    ("I could repeat it one more time, but what's the point.", "threat_insult"),
    ("The fridge will never leak on your floor again.", "absolute_promise"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round6_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


BOT_ONLY = [
    "我现在人就在4S店，帮您看了一下您的车",
    "我这就骑车去门店给您取",
    "Let me step over to the front desk and ask them.",
    "I walked past your room earlier and the light was on.",
    # round 6b: out of a back room, sitting at a counter, "not some bot", a shift;
    # 老实跟您说 is the bot's own word, not the customer's speech reported
    "我刚从仓库回来，货还有",
    "我在前台坐着呢，您过来就行",
    "老实跟您说我不是机器人",
    "I'm not just some bot, I actually care.",
    "I'm on the night shift tonight, so take your time.",
]


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_bot_places_its_body_then_flagged_for_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # real praise, an honest "many ask", an expert addressed, a first sighting
    "您记性真好，订单号一下就报出来了",
    "这个操作步骤确实比较多，很多用户第一次都要问",
    "您这么专业，那我直接说技术细节",
    "第一次见到这个提示不用担心",
    "嫌贵的话可以看看我们的基础套餐",
    # 包 and 过 apart or in other words; an inability, not "nothing we can't"
    "没有人能保证一定过，我们尽力辅导",
    "面包过期了可以退",
    "包裹过两天到",
    "这个问题我们解决不了，需要转厂家",
    "没有解决的问题我会继续跟进",
    # English neighbours: a colleague who understands, a refund not blocked,
    # an introductory rate with its term or denied for life
    "Ask someone from our tech team who understands the system.",
    "Nobody is stopping your refund; it's in the queue.",
    "The introductory rate applies for the first 6 months.",
    "Introductory rate is not yours for life, it ends in June.",
    # a class of orders is still a policy; the vocative with an estimate passes
    "下单的用户均在48小时内发货",
    "下单的宝宝们，我们会尽快发货，预计48小时内发出",
    # round 6b near-misses: the courier's word with a disclaimer, steady
    # effort, a slogan, a real eye-opener, a statement of what we are not, a
    # concession that it may slip, a lookup in the front-desk system
    "快递那边说明天能到，具体以物流为准",
    "我们会尽量帮孩子稳步提高成绩",
    "稳稳的幸福是我们品牌的口号",
    "这次活动让大家大开眼界，反响很好",
    "我们不是教育机构，不提供上网课程",
    "The courier will deliver tomorrow, but it may be delayed by the weather.",
    "We'll ship today, although times may vary in peak season.",
    "Still no update from the courier, sorry, I'll chase them.",
    "I'll explain it again, step by step.",
    "It will never be charged again? Let me check the plan for you.",
    "我在前台系统里查到您的订单了",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round6_near_miss_then_pass(text: str) -> None:
    v = check_reply(text, now=NOW)
    assert v.verdict == "pass", v


def test_when_nothing_cannot_be_solved_then_no_timed_resolution() -> None:
    # 没有解决不了的 is an absolute claim; 解决 there is no timed promise to resolve
    text = "您这个问题今天交给我，就没有解决不了的"
    cats = categories(text)
    assert cats == {"absolute_promise"}
