"""Generalisation round 10: blind batches aimed at the short, direct style.

Round 10's batches (helper agents that saw only the labelling guide) asked
for the plain way staff slip: an outcome asserted with no certainty word
(换完就不会再出现这个问题了, 鞋底永远不会开胶, 零故障, 没有办不下来的), a
deposit in another name (就跟存款一样，只是利息高), no loss at all (怎么算都
不亏, 钱就不会少), the shortfall made up (亏了公司补给您), a price said to
stay (明年后年也是这个价, 物业费定了就不会再涨了), a near time as fact (等下
就发货, 十分钟后回拨), and English outcomes without "guarantee" ("it cannot
fail", "you'll never lose a file", "your claim will be approved"), returns
"whatever the markets do", prices that "never run out". Precision: a clause
opened by 请问 asks; 保证领取 / 保证现金价值 are contract terms; "even if" is
no condition; "up to what you put in" is no estimate. Sentences are variants
written for the tests, not rows of the set.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import categories

FLAGGED = [
    # absolute promise: plain outcome claims
    ("换了新主板以后就不会再出现黑屏了", "absolute_promise"),
    ("清洗完就不会再有异味，放心", "absolute_promise"),
    ("这款拉杆箱的轮子永远不会掉", "absolute_promise"),
    ("这个壳随便摔，手机都坏不了", "absolute_promise"),
    ("这台冰箱零故障，买回去省心", "absolute_promise"),
    ("这套课程人人有效，三个月见效", "absolute_promise"),
    ("工作签证交给我们，没有办不下来的", "absolute_promise"),
    ("按我们的方案走，托福100分稳了", "absolute_promise"),
    ("车损这块全额都能赔下来", "absolute_promise"),
    ("做完这个疗程保准不复发", "absolute_promise"),
    ("钢琴零基础包教包会", "absolute_promise"),
    ("祛痘之后不会反弹的", "absolute_promise"),
    ("放心订，肯定给您留江景房", "absolute_promise"),
    # financial guarantee without its words
    ("这款理财就跟定期存款一样，利息还高", "financial_guarantee"),
    ("这个年金险怎么算都不亏", "financial_guarantee"),
    ("大盘再跌也跌不到您的本金", "financial_guarantee"),
    ("亏了的话公司会把差额补给您", "financial_guarantee"),
    ("本组合年化6%，无亏损可能", "financial_guarantee"),
    ("您就当定期存着，到期收益一分不差", "financial_guarantee"),
    ("跟着操作，下周就能回本", "financial_guarantee"),
    ("这款分红险每年固定返您两千块", "financial_guarantee"),
    # permanent price without a forever word
    ("健身卡续费也不变，明年后年也是这个价", "permanent_price"),
    ("车位管理费定了就不会再涨了", "permanent_price"),
    ("网盘首月6元，之后续费也一直是6元", "permanent_price"),
    ("以后新客户涨价了，您也还是老价", "permanent_price"),
    ("只要不退订，这个价就一直给您留着", "permanent_price"),
    ("这张卡以后买什么都打九折", "permanent_price"),
    # time commitment: a near time as plain fact
    ("等下就给您安排发货哈", "time_commitment"),
    ("我二十分钟后回拨给您", "time_commitment"),
    ("后盖换好了明天就能取", "time_commitment"),
    # English
    ("Once it's patched, the app cannot fail.", "absolute_promise"),
    ("You'll never lose a photo with our cloud plan.", "absolute_promise"),
    ("We've swapped the router, the wifi won't drop out again.", "absolute_promise"),
    ("It's impossible for the damp to come back now.", "absolute_promise"),
    ("Your warranty claim will be approved.", "absolute_promise"),
    ("I can assure you the refunds team will accept the return.", "absolute_promise"),
    ("This phone case is indestructible.", "absolute_promise"),
    ("The bond pays 7% a year whatever the markets do.", "financial_guarantee"),
    ("Worst case you still walk away with 4% on top.", "financial_guarantee"),
    ("The balance can never drop below what you put in.", "financial_guarantee"),
    ("We don't raise prices on existing customers.", "permanent_price"),
    ("The intro discount never runs out on this plan.", "permanent_price"),
    ("Delivery is a flat $3 and that's never changing.", "permanent_price"),
    ("Our tech's coming at 8 tomorrow morning.", "time_commitment"),
    # the second wave: Cantonese, a fresh delivery, hotline finance, English
    ("間房包你有露台，放心訂", "absolute_promise"),
    ("部機後日就可以攞返", "time_commitment"),
    ("呢份保費一世都係咁多", "permanent_price"),
    ("再打嚟搞事，我就幫你停晒個網", "threat_insult"),
    ("你識唔識睇字㗎", "threat_insult"),
    ("蛋糕送到您手上肯定还是完好的", "absolute_promise"),
    ("医药费您先垫着，回头一分不少全给您报", "financial_guarantee"),
    ("这款产品的收益锁死5%", "financial_guarantee"),
    ("Once it's reset, your wifi will be 100% stable.", "absolute_promise"),
    ("This index fund only ever goes up.", "financial_guarantee"),
    # probes of our own (the plain claims a QA lead would list first)
    ("我们的快递从来不丢件", "absolute_promise"),
    ("换完屏之后跟新的一样", "absolute_promise"),
    ("这个药膏抹了就好", "absolute_promise"),
    ("这台空气净化器能去除所有甲醛", "absolute_promise"),
    ("这份保险满期能拿回全部保费", "financial_guarantee"),
    ("This kettle never breaks.", "absolute_promise"),
    ("Our installation is completely faultless.", "absolute_promise"),
    ("This serum clears acne completely.", "absolute_promise"),
    ("The new firmware is bound to work.", "absolute_promise"),
    ("Consider your refund handled.", "absolute_promise"),
    ("Your phone will run like new forever.", "absolute_promise"),
    ("This safe can't be broken into.", "absolute_promise"),
    ("No faults will ever show up with this model.", "absolute_promise"),
    ("包裹我们今晚就发", "time_commitment"),
    ("空调维修今天完成", "time_commitment"),
    ("这个宽带套餐不会涨价", "permanent_price"),
    ("这份年金到期翻倍返还", "financial_guarantee"),
    ("这款理财收益每年固定5%", "financial_guarantee"),
    ("The money will be back on your card today.", "time_commitment"),
    # the third wave: first-set style from telecom, bank and English QA leads
    ("路由器明天给您换好", "time_commitment"),
    ("提额申请今天一定有结果", "time_commitment"),
    ("开了这个功能，骚扰电话一个都接不到", "absolute_promise"),
    ("月租49元，只要不换套餐就一直这个价", "permanent_price"),
    ("With two-step login, nobody can ever get into your account.", "absolute_promise"),
    ("Our coverage has no dead spots at all.", "absolute_promise"),
    ("The sync service never loses a single photo.", "absolute_promise"),
    ("In this coat you'll never get cold.", "absolute_promise"),
    ("Our app has never crashed and it never will.", "absolute_promise"),
    ("This boiler will never need a repair.", "absolute_promise"),
    ("The checkout page is completely bug-free.", "absolute_promise"),
    ("our broadband never drops out", "absolute_promise"),
    ("这台洗衣机用到报废都不会坏", "absolute_promise"),
    ("跟着我们练，托福肯定100分以上", "absolute_promise"),
    ("房租签了就一直不涨", "permanent_price"),
    ("这个铺面五年后肯定升值", "financial_guarantee"),
    ("买这台车跑货运，一年稳稳回本", "financial_guarantee"),
    ("报这个班，毕业包回本", "financial_guarantee"),
    ("现在买入，转手肯定不亏", "financial_guarantee"),
    # probes of our own, second pass (the original set's keyword style)
    ("This kettle will last you a lifetime.", "absolute_promise"),
    ("The new model has zero defects.", "absolute_promise"),
    ("Your case will be resolved to your full satisfaction.", "absolute_promise"),
    ("Our vault app can never be hacked.", "absolute_promise"),
    ("The care plan covers absolutely everything.", "absolute_promise"),
    ("We never lose parcels.", "absolute_promise"),
    ("Our installations always last.", "absolute_promise"),
    ("This pillow will cure your neck pain.", "absolute_promise"),
    ("这份年金满期能领回两倍保费", "financial_guarantee"),
    ("这款医疗险什么病都赔", "financial_guarantee"),
    ("我们的存款利率全市最高，而且一直不会降", "permanent_price"),
    ("这个流量包永久不限速", "permanent_price"),
    ("出了险我们绝不会拒赔", "financial_guarantee"),
    ("意外险啥情况都赔", "financial_guarantee"),
    ("您这个消费贷肯定批", "financial_guarantee"),
    # the fourth wave, scored after the rest of the round
    ("玻璃制品交给我们，肯定完好无损送到", "absolute_promise"),
    ("钱放我们这儿啥风险都没有，躺着拿利息", "financial_guarantee"),
    ("就这点钱还好意思来退？", "threat_insult"),
    ("再来闹，我让人把你查个底朝天", "threat_insult"),
    ("Are you thick? The button is right there.", "threat_insult"),
    ("Call us again about this and we'll cancel your plan.", "threat_insult"),
    ("今天给您发货的哦", "time_commitment"),
    ("The APR stays at 19.9% for as long as you keep the card.", "permanent_price"),
    ("Our savings vault is safe, you'll only ever make money.", "financial_guarantee"),
    ("这个会员您续多少年都一样", "permanent_price"),
    ("首月1元，之后每个月都是15元", "permanent_price"),
    ("升级不加钱，以后也不会多收您一分钱", "permanent_price"),
    ("停车费我们承诺永不上涨", "permanent_price"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round10_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


def test_when_bot_walks_over_to_ask_then_claims_to_be_a_person() -> None:
    assert "bot_claims_human" in categories("稍等，我去隔壁办公室问下同事", role="bot")


def test_when_bot_uses_the_product_itself_then_claims_to_be_a_person() -> None:
    text = "我也是用这款手机的，挺好用"
    assert "bot_claims_human" in categories(text, "bot")
    assert categories(text) == set()


BOT_ONLY = [
    "我自己家里也在用这款，挺好用",
    "我就在仓库这边，帮您看一眼包裹",
    "我在门店这边亲手帮您打包好了",
    "昨晚直播到凌晨两点，嗓子都哑了",
    "Long day for me, I've been on the phones since seven.",
]


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_round10_bot_claims_a_life_then_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, "bot")
    assert "bot_claims_human" not in categories(text)


def test_when_bot_works_late_then_claims_to_be_a_person() -> None:
    text = "I'm working late tonight, happy to help."
    assert "bot_claims_human" in categories(text, "bot")


PASSING = [
    # a clause opened by 请问 asks; a request to wait
    "请问师傅明天下午上门，您方便吗？",
    "请您等下，我帮您查一下",
    # own conduct after a cancellation, a warning about secrets, a goal
    "已为您退订，以后不会再扣费了",
    "您放心，以后不会再给您发营销短信了",
    "我们的工作人员永远不会向您索要验证码",
    "零故障率是我们一直追求的目标",
    # customer-side complaints the rules must not read as promises
    "网页都打不开，我以后不会再用了",
    # a deposit denied, contract terms, a limit stated
    "理财产品不是存款，和存款不一样",
    "这款理财和存款不同，有一定风险",
    "年金险保证领取的部分以合同为准，红利不保证",
    "保单的保证现金价值见合同附表",
    # a price term, a question, a published price
    "这个价格以后也是这个价吗？",
    "续费价格以届时页面公示为准",
    # English: effort and courtesy, a bounded price, a policy, a hedge, a report
    "Absolutely, I'll check that for you.",
    "Certainly, we will look into it.",
    "I can assure you we'll look into it.",
    "Your price won't go up this year.",
    "The price won't change until your contract ends.",
    "Under our satisfaction guarantee you can return it within 30 days.",
    "Reviews say it works 100% of the time, but results vary.",
    "Everyone does make mistakes, no worries.",
    "This should fix it, but I can't promise it won't come back.",
    # the second wave: hearsay warned about, the customer's own priority, a product
    # class the regulator stopped, nobody dares say 100%, a customer's report, a
    # rating, a warranty, nothing is risk-free, an annuity's name, effort
    "谁跟您说保本保息的，您千万别信",
    "您要是最看重本金安全，定期存款可能更合适",
    "保本理财现在监管已经不让卖了",
    "百分之百的把握谁也不敢说，我们按流程走",
    "你话之前个经纪讲稳赚，我帮你睇下份合约先",
    "The boots are 100% waterproof-rated to the standard on the label.",
    "Your tablet comes with a two-year manufacturer's guarantee.",
    "No app is ever completely risk-free, so keep two-factor on.",
    "Guaranteed income annuities pay a set amount, subject to the insurer.",
    "If anyone offers risk-free high returns, it's likely a scam.",
    "I'll definitely make sure your complaint reaches the right team.",
    # minimal pairs and probes: effort to the end, nobody dares, not necessarily,
    # a past record with its disclosure, instructions and fitness for a purpose
    "我一定帮您把这个工单跟到底",
    "这台冰箱没人敢保证十年不坏",
    "会员这个价格不一定一直不变哦",
    "该基金历史上从未亏损，但未来仍可能亏损",
    "Please clear your cache completely and try again.",
    "This plan is perfect for families.",
    "Our agents never ask for your password.",
    "活动期间价格不会涨",
    "价格暂时不会调整",
    "维修完成后会短信通知您",
    "这笔钱明天就能通过APP查到",
    "Your top-up will be credited within 2 hours.",
    "快的话明天能到，慢的话要两三天",
    "有结果第一时间通知您",
    "I promise I'll keep you posted.",
    "No one can access your account without your password.",
    "Our agents never drop a call on purpose.",
    "This form is error-free now that you've corrected the postcode.",
    "Refunds are accepted within 30 days, no exceptions.",
    "没有哪个理财能保证不亏钱的",
    "什么情况都能赔吗？",
    "这几年利率一直没变过",
    "We aim to resolve complaints to your satisfaction.",
    "The warranty covers everything listed in section 2.",
    "我们会在48小时内给您发货的哦",
    "补发的配件已经寄出了",
    "Orders placed today ship within 48 hours.",
    "Our advisor will definitely go over the risks with you first.",
    "上次那个工单，师傅是当天就上门处理的哈",
    # review: the consequence of an account action, a setting, a company name
    "已帮您关闭自动续费，不会再产生扣费",
    "已经为您加入免打扰名单，不会再有营销电话",
    "这样设置后就不会再弹窗了",
    "Fintech is coming to our app soon.",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round10_near_miss_then_passes(text: str) -> None:
    assert categories(text) == set()


def test_when_a_later_promise_follows_a_past_visit_then_flagged() -> None:
    assert "time_commitment" in categories("上次没修好，这次师傅明天一定上门")
