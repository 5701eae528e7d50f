"""Generalisation round 8: lexicon gaps a combinatorial probe exposed.

Instead of one more hand-written batch, round 8 crossed subjects, certainty
words, times, actions and outcomes (and price, product and request frames)
and read what passed: 确保 and 包 + a modal as promises, an exchange or an
installation as a timed action, 一会儿 as "right away", a certainty word before
a failure denied (一定不掉色), "is sure to", a third party that "promises to",
long-term prices, "nobody ever lost", an ID number asked for to chase a parcel
(a real agent turn of that shape), a code typed into the chat (打一下密码), and
retaliation for complaining; the same probe for English and for bots that
claim a tired body, a shift, a visit to the store. Sentences are variants
written for the tests, not rows of the labelled set.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import categories

PERSONAL_DATA = "unnecessary_personal_data"
FLAGGED = [
    ("换了新机之后我们确保不会再卡顿", "absolute_promise"),
    ("这个问题我们确保给您彻底解决", "absolute_promise"),
    ("放心，这次包不会再漏水了", "absolute_promise"),
    ("我包能给您把钱要回来", "absolute_promise"),
    ("这条裤子洗了也一定不褪色", "absolute_promise"),
    ("按这个方案调理，肯定治好", "absolute_promise"),
    ("This patch is sure to fix the crash.", "absolute_promise"),
    ("Our engineers promise to have it running by tonight.", "absolute_promise"),
    ("师傅今天晚上就能给您安装好", "time_commitment"),
    ("明天一早就给您换一台新的", "time_commitment"),
    ("退款一会儿就到账了", "time_commitment"),
    ("这个宽带套餐的价格是长期不变的", "permanent_price"),
    ("会员价以后每年都一样，放心续", "permanent_price"),
    ("这款基金买过的客户没有一个亏过钱", "financial_guarantee"),
    ("就算跌了也能全额赎回", "financial_guarantee"),
    ("定投的回报比存款高还没风险", "financial_guarantee"),
    ("您在对话框里打一下支付密码，我帮您查", "unnecessary_personal_data"),
    ("麻烦把收到的那串6位数字提供一下", "unnecessary_personal_data"),
    ("请私信您的身份证号码，我们帮您催一下快递", "unnecessary_personal_data"),
    ("方便把您的存款金额发给我吗，帮您看看退货", "unnecessary_personal_data"),
    ("您再这样恶意投诉，我们只能停止为您服务", "threat_insult"),
    ("年费这次交齐，以后每年都不用再交了", "permanent_price"),
    ("光纤故障我们已经派单，今晚之前网络就能恢复", "time_commitment"),
    ("检测报告明天一定给您出来", "time_commitment"),
    ("多扣的差额今天一定给您补上", "time_commitment"),
    ("这个异响我们当场就能给您彻底解决", "absolute_promise"),
    ("这批灯泡一个都不会坏，放心用", "absolute_promise"),
    ("这款婴儿湿巾铁定安全，放心给宝宝用", "absolute_promise"),
    ("这款精华用一个月必定祛斑", "absolute_promise"),
    ("您这笔贷款铁定批，放心", "financial_guarantee"),
    ("信用卡额度我帮您申请了，保证能提到五万", "financial_guarantee"),
    ("这款年金险，每年保证领到三万", "financial_guarantee"),
    ("这套房子的房租我们保证一直不涨", "permanent_price"),
    ("退费已经加急了，今晚十点前到账", "time_commitment"),
    ("查快递需要您的证件号码，麻烦私信发一下", PERSONAL_DATA),
    ("这台冰箱我们敢说五年内不会出任何故障", "absolute_promise"),
    ("我们一定会给您一个满意的答复", "absolute_promise"),
    ("这个问题我们绝对会给您修好", "absolute_promise"),
    ("退款款项半小时内必到您的账户", "time_commitment"),
    ("给您锁定现在的价格，以后续多少年都不涨", "permanent_price"),
    ("办理退货需要您提供手持身份证的照片", PERSONAL_DATA),
    ("This boiler will run trouble-free for ten years.", "absolute_promise"),
    ("你再举报一次，以后你的订单我们都不发了", "threat_insult"),
    ("咱们这个分红险，每年都有分红，而且只会越来越多", "financial_guarantee"),
    ("That's the silliest complaint we've had this week.", "threat_insult"),
    ("问那么多干嘛，不买就别问", "threat_insult"),
    ("你能不能长点脑子，说了三遍了", "threat_insult"),
    ("Honestly, you obviously don't know what you're doing.", "threat_insult"),
    ("Don't make me ban you from the page.", "threat_insult"),
    ("This fix works every single time.", "absolute_promise"),
    ("With us, your approval is assured.", "absolute_promise"),
    ("Once the patch is in, the glitch will be gone for good.", "absolute_promise"),
    ("There's no way your parcel will go missing.", "absolute_promise"),
    ("We're positive your claim will come through.", "absolute_promise"),
    ("Your replacement will go out this afternoon.", "time_commitment"),
    ("The new SIM will be live in a few minutes.", "time_commitment"),
    ("Your plan price won't ever change.", "permanent_price"),
    ("This bond beats the bank every single year, guaranteed.", "financial_guarantee"),
    ("Reply with the code in that text so I can verify you.", PERSONAL_DATA),
    ("DM us your online banking password and we'll check.", PERSONAL_DATA),
]


# Polite wrapping must not hide a promise: a hedge or a closed condition in a
# clause of its own, or a disclaimer after a firm promise.
WRAPPED = [
    ("亲，让您久等了，我们尽量帮您协调，师傅明天上午一定上门", "time_commitment"),
    (
        "感谢您的耐心等待，一般情况下我们都会优先处理，发票三天内一定开好寄给您",
        "time_commitment",
    ),
    (
        "您好，如有疑问可以随时联系我们，投诉的事我明天之前一定给您一个结果",
        "time_commitment",
    ),
    ("您好，今天一定给您发出，具体以实际情况为准，谢谢", "time_commitment"),
    (
        "Sorry for the wait, a technician will be there within 2 hours "
        "Let me know if there's anything else I can do!",
        "time_commitment",
    ),
]


@pytest.mark.parametrize(("text", "category"), WRAPPED)
def test_when_promise_wrapped_in_courtesy_then_still_flagged(
    text: str, category: str
) -> None:
    assert category in categories(text)


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round8_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


BOT_ONLY = [
    "我打了一上午字，手都打酸了",
    "我这边马上下班了，明天再帮您看",
    "我昨天刚去门店试过这款，手感不错",
    "我现在就在仓库帮您找这件货",
    "My eyes are so tired from the screen today.",
    "I tried it myself at the store last week.",
    "I'll grab a coffee and look into it.",
    "抱歉久等，我刚刚去吃晚饭了",
    "我也是刚收工，顺手给您回一下",
    "No no I'm a human, not a bot lol",
]


def test_when_parcel_cannot_get_lost_then_promise_not_insult() -> None:
    found = categories("Your parcel can't get lost with us.")
    assert found == {"absolute_promise"}


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_bot_claims_a_body_or_a_place_then_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # 确保 as a purpose, a request or care for the customer's data
    "为确保您的账户安全，请不要把验证码告诉任何人",
    "请确保路由器已经通电再试一次",
    "我们会确保您的个人信息安全",
    # 包 as a noun
    "流量包会在下个月自动续订",
    "这款包能装下十四寸的电脑",
    # a failure denied as advice or asked about
    "洗的时候一定不要用热水",
    "这个颜色会不会掉色呢？",
    # "make sure", a question, weather
    "Please make sure to restart the router first.",
    "Are you sure you want to cancel the order?",
    # waiting is not a promise; installing an app is not a visit
    "您稍等一会儿，我帮您查一下",
    "过一会儿再试试看",
    "下载安装好后即可正常使用",
    "宽带到今天还没装好，我们帮您催一下",
    # an instruction or a plain fact with a day and a firm word
    "明天一定要带好身份证原件",
    "我们客服明天肯定上班的",
    "今天肯定来不及了，抱歉",
    # "can't get lost" is a promise, not an insult
    "We'll check whether the parcel can be traced.",
    # the promise itself denied, wished for or heard from someone else
    "不敢说今天一定能给您办好，我先帮您催一下",
    "我们没有承诺过明天上门安装",
    "很抱歉，没办法做到今天一定给您补上",
    "如果宽带今天就能恢复就好了，目前还在排查",
    "有人说这款理财跌了也能全额赎回，这是不实的",
    "We never promised that this fund always makes money.",
    "I wish I could say the fix works every time.",
    "Some ads claim your order will ship today; that's false.",
    # safety as an instruction or a topic, not a promise
    "出门一定注意安全",
    "这个问题一定是安全模块导致的吗？",
    # the agent's own step, a contract term, a delivery service
    "I'll 100% pass your feedback on to the team.",
    "I assure you I'll share it with our product team.",
    "Your rate is assured for the first 12 months of your contract.",
    # asking whether one dares say it; 必 inside 务必 / 想必
    "我敢说吗？这个我也不确定",
    "请您务必到店办理",
    "想必到时候会有短信通知",
    # attention promised, not an outcome, whatever the certainty word
    "我们一定会全力跟进您的问题",
    "我们肯定会帮您反映给相关部门",
    "我们一定会给您一个答复",
    "我们绝对会认真核实这件事",
    "小编绝对会帮您催促物流",
    # a question about the customer; no dumb questions
    "您是一个都不会用吗？我来一步步教您",
    "There are no dumb questions, ask away!",
    # a condition at the start of a sentence still opens the next clause
    "申请提交后会在7个工作日内审核。如果您符合要求，业务员会在7个工作日内与您联系",
    "No, we can't guarantee that it will arrive tomorrow.",
    "We have no way to guarantee delivery today.",
    # a frame, an open condition or a disclaimer still hedge a plain time
    "一般情况下，今天就能发货",
    "如果您今天下单，明天发货",
    "预计今天发出，具体以物流信息为准",
    # a booking on record, with its window
    "Your installation is scheduled for Friday between 1 and 5 pm.",
    # a forever claim denied; a service back after paying the bill
    "这个优惠是限时的，不是永久有效",
    "终身免费的说法是不准确的，第三年起收年费",
    "缴费成功后网络两小时内恢复",
    # a price with a term; a loss denied as impossible
    "优惠价活动期内有效，续费以当时价格为准",
    "说没有人亏过是不可能的，理财都有风险",
    # an ID number for real-name work, the last four digits, or customs
    "办理补卡需要提供机主身份证号码",
    "请提供身份证后四位，我帮您查物流",
    "跨境包裹清关需要提供收件人身份证号",
    # typing a code into the app, not to the agent
    "在APP里输入一下验证码就可以登录了",
    "Enter the code from the text on the login page.",
    "We will never DM you asking for your PIN.",
    # a warning, not a threat; a term, not a promise; a power cut, not a parcel
    "请小心您的账户被盗用，及时修改密码",
    "Your rate will stay the same until your contract ends.",
    "The power will go out tonight for maintenance.",
    "Past returns don't mean a fund always makes money.",
    # work handed to colleagues in the warehouse
    "仓库的同事正在帮您找这件货",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round8_near_miss_then_passes(text: str) -> None:
    assert categories(text) == set()
