"""Generalisation round 9: batches written blind by other authors.

Round 9's batches were written by helper agents that saw only the labelling
guide, never the rules. Their misses generalised into: a certainty word with
给您 and no modal (肯定给您升级), a sure pass (稳过, 包过), nobody ever failed,
durability for life, long-term fixed prices, bots with a meal, a busy queue,
a desk colleague, a home or a trip of their own, ID and card numbers moved to
a private chat, a code "typed in" to the agent, blame as a rhetorical question
(怪谁呢); and precision: a third party's words reported to the customer
(营业厅的人跟您讲…), 您说得对 is agreement, a point in time followed by 之后
is no deadline, "that once" holds no "at once", 100% merino wool is a
material. Sentences are variants written for the tests, not rows of the set.
"""

from __future__ import annotations

import pytest
from tests.test_speech_round4 import categories

PERSONAL_DATA = "unnecessary_personal_data"
FLAGGED = [
    ("放心，到了酒店肯定给您换成江景房", "absolute_promise"),
    ("这个问题一定帮您解决掉", "absolute_promise"),
    ("报我们的班，驾照科目一稳过", "absolute_promise"),
    ("这个课程包过，过不了全额退", "absolute_promise"),
    ("跟着我们练的学员，从来没见过考不过的", "absolute_promise"),
    ("这把菜刀用一辈子都不会卷刃", "absolute_promise"),
    ("这套家具传给孩子都没问题", "absolute_promise"),
    ("会员年费是长期固定的，放心续", "permanent_price"),
    ("以后续费都不用担心涨价", "permanent_price"),
    ("加我个人微信，把身份证和银行卡号拍给我", PERSONAL_DATA),
    ("Can you key in the six-digit code we just sent you?", PERSONAL_DATA),
    ("你是不是看不懂字啊", "threat_insult"),
    ("都说了五遍了还问", "threat_insult"),
    ("是你自己填错地址，怪得了谁", "blame_customer"),
    # the second wave (implicit wording, call-centre speech, en + zh sectors)
    ("我们卖了十年了，就没有一台出过问题的", "absolute_promise"),
    ("这个考试通过率那是板上钉钉的", "absolute_promise"),
    ("这双鞋下雨天穿妥妥的，开胶了算我的", "absolute_promise"),
    ("账号申诉交给我们，包您解封", "absolute_promise"),
    ("款项后天您一起床就能在卡里看到", "time_commitment"),
    ("师傅出发了，一袋烟的工夫就到您家", "time_commitment"),
    ("明儿上午您直接来取车", "time_commitment"),
    ("一小时内经理给您打过去", "time_commitment"),
    ("The plumber will be at yours tomorrow by 8am.", "time_commitment"),
    ("这个套餐的月租之后哪有可能再调", "permanent_price"),
    ("这份物业合同，您住到搬走都是这个价", "permanent_price"),
    ("这个8折会一直跟着您的会员卡", "permanent_price"),
    ("这铺子现在买，五年后怎么也得涨三成", "financial_guarantee"),
    ("呢隻基金本金跑唔甩", "financial_guarantee"),
    ("Fixed 12% annual returns, no chance of loss.", "financial_guarantee"),
    ("您把平时登录用的那串字母数字发我一下", PERSONAL_DATA),
    ("把卡背面那三位小数字也告诉我", PERSONAL_DATA),
    ("改密码要您把原密码和验证码一起发我", PERSONAL_DATA),
    ("Reply here with the code from your authenticator app.", PERSONAL_DATA),
    ("DM us the card no. + expiry + CVV please", PERSONAL_DATA),
    ("To update your email we need your account password.", PERSONAL_DATA),
    ("识字的都能看懂这个说明吧", "threat_insult"),
    ("你这种客人我们不想做，去别家吧", "threat_insult"),
    ("再这样下去，您的售后可就不好说了", "threat_insult"),
    ("我们知道您家住哪，好自为之", "threat_insult"),
    ("u got refunded already, cry about it", "threat_insult"),
    ("Email us again and we'll close your account.", "threat_insult"),
    ("That one won't break down on you, promise.", "absolute_promise"),
    # the third wave (short direct style, Weibo helpdesk, live chat and livestreams)
    ("喝了这款茶，包您睡眠没问题", "absolute_promise"),
    ("报这个班，数学一定能提三十分", "absolute_promise"),
    ("这个炒锅怎么刷都不会掉漆", "absolute_promise"),
    ("这个漆面五年都不会掉，掉了算我的", "absolute_promise"),
    ("光猫我重启了，十分钟后就通", "time_commitment"),
    ("结果5分钟内短信通知您", "time_commitment"),
    ("You'll recieve the refund by tomorow.", "time_commitment"),
    ("年卡以后每年都按首年的价格收", "permanent_price"),
    ("这款年金险每年返5%，一分都不会少", "financial_guarantee"),
    ("麻烦在评论区留一下您的身份证号", PERSONAL_DATA),
    ("把您信用卡的完整卡号发我，帮您查积分", PERSONAL_DATA),
    ("请把收到的短信码发给我们", PERSONAL_DATA),
    ("Could you type out your full online banking password?", PERSONAL_DATA),
    ("Paste the one-time passcode from your texts here.", PERSONAL_DATA),
    ("您是不认字吗？", "threat_insult"),
    ("再在网上乱发，我们就告你", "threat_insult"),
    ("这点小事也值得投诉三次？", "threat_insult"),
    ("实在不行您就别用了呗", "threat_insult"),
    ("您天天打电话，差不多得了", "threat_insult"),
    ("Reading the email must be really hard for you.", "threat_insult"),
    ("Keep calling and we'll gladly close your account.", "threat_insult"),
    ("If you'd bothered to read the manual we wouldn't be here.", "blame_customer"),
    ("Once the engineer fits it you won't see one error again.", "absolute_promise"),
    # the fourth wave (short direct zh, realistic mixed sectors, English registers)
    ("报这个班，包您家孩子期末提十五分", "absolute_promise"),
    ("换了主板，死机肯定没了", "absolute_promise"),
    ("这次的车损肯定全赔", "absolute_promise"),
    ("会员九折没有期限，以后每次都打", "permanent_price"),
    ("这个产品跌不下去，少说多赚八千", "financial_guarantee"),
    ("查积分需要您完整的身份证号码", PERSONAL_DATA),
    ("请把支付密码写在表格背面", PERSONAL_DATA),
    ("自己的订单号都记不住？", "threat_insult"),
    ("您还讲不讲理啊", "threat_insult"),
    ("冇錢就唔好買咁貴嘅嘢", "threat_insult"),
    ("师傅下午三点到，家里留人", "time_commitment"),
    ("No way it happens again, swear on it.", "absolute_promise"),
    ("Your plan stays 9.99 forever.", "permanent_price"),
    ("The premium's frozen, it won't go up year after year.", "permanent_price"),
    ("Your money's totally safe in there.", "financial_guarantee"),
    ("Your broadband will be back within 20 minutes, promise.", "time_commitment"),
    ("Maybe set an alarm next time?", "threat_insult"),
    # the fifth wave (precision-heavy zh, keyword-dodging zh + en, hotline and bank)
    ("交给我们办，肯定一次就迁移成功", "absolute_promise"),
    ("升级以后这个问题就彻底拜拜了", "absolute_promise"),
    ("我们说到做到，明天给您答复", "absolute_promise"),
    ("这张卡月租一直是39，以后也不会涨", "permanent_price"),
    ("分期费率后续都一直按这个来", "permanent_price"),
    ("这个plan的price是lifetime不动的", "permanent_price"),
    ("买这款分红险跟捡钱似的", "financial_guarantee"),
    ("亏？不存在的，放心买", "financial_guarantee"),
    ("把取钱时输的那6位数字发我一下", PERSONAL_DATA),
    ("您把网上营业厅的登录密码回复给我，我帮您登进去", PERSONAL_DATA),
    ("这么简单都不会用，别再打来烦我们了", "threat_insult"),
    ("转走了以后别回来求我们", "threat_insult"),
    ("再投诉就把您的号码列入黑名单", "threat_insult"),
    ("明早一开门快递小哥就在您家门口", "time_commitment"),
    ("Not gonna die on you. Like ever.", "absolute_promise"),
    ("That $29 is yours to keep. Not next year, not ever.", "permanent_price"),
    ("Your rate's baked in.", "permanent_price"),
    ("7% is the floor not the ceiling. Downside? None.", "financial_guarantee"),
    ("Can u paste the digits from the text we just sent?", PERSONAL_DATA),
    ("Keep emailing us and watch your claim sink.", "threat_insult"),
    # the sixth wave (time, money and price heavy; absolute and data heavy; everyday)
    ("两个钟头之内经理肯定回您电话", "time_commitment"),
    ("您的车票礼拜三之前肯定出票", "time_commitment"),
    ("退票款明天就能到您银行卡上", "time_commitment"),
    ("这批黄金到明年只涨不跌", "financial_guarantee"),
    ("年金险结算利率年年5%，跑不掉的", "financial_guarantee"),
    ("这只票下周翻倍，稳得很", "financial_guarantee"),
    ("今天续费，往后二十年都按今天的价格来", "permanent_price"),
    ("报这个班，以后学费都不涨", "permanent_price"),
    ("利率给您定好了，以后不会再动", "permanent_price"),
    ("这款面霜用了准见效", "absolute_promise"),
    ("解冻了，以后不会再被风控冻住", "absolute_promise"),
    ("手机刚收到一个六位数，您发我一下", PERSONAL_DATA),
    ("请在对话框输入卡背面的安全码", PERSONAL_DATA),
    ("办会员卡前说一下您每个月税后收入", PERSONAL_DATA),
    ("报名要写上家里几口人、各自姓名电话", PERSONAL_DATA),
    ("下单前把您的病史发给我们", PERSONAL_DATA),
    ("开电子发票的话先留一下您家详细住址", PERSONAL_DATA),
    ("就您这征信还想贷款？", "threat_insult"),
    ("This cable absolutely cannot overheat.", "absolute_promise"),
    ("Your claim is 100% getting approved.", "absolute_promise"),
    ("Forward me that one-time passcode from the bank.", PERSONAL_DATA),
    ("Send over your Facebook login and password.", PERSONAL_DATA),
    ("For the quote we need your annual household income.", PERSONAL_DATA),
    ("Maybe read the terms before you book next time.", "threat_insult"),
    # the seventh wave (short direct: time and money; absolute, price and data; English)
    ("付完款秒出票", "time_commitment"),
    ("退款俩钟头内原路退回", "time_commitment"),
    ("我们从来不拒赔，出险了全额赔", "financial_guarantee"),
    ("每月返利2%，雷打不动", "financial_guarantee"),
    ("这款年金险每年分红不低于三千", "financial_guarantee"),
    ("跟着操作，月收益20%起步", "financial_guarantee"),
    ("放心买，跌了我们全额补差价", "financial_guarantee"),
    ("最差也就是本金加3%", "financial_guarantee"),
    ("这根数据线所有手机都能用", "absolute_promise"),
    ("我们卖出去的冰箱从来没出过一次质量问题", "absolute_promise"),
    ("装上以后每个房间都是满格", "absolute_promise"),
    ("包了两层泡沫，路上不可能碎", "absolute_promise"),
    ("跟团去云南，包您看到雪山", "absolute_promise"),
    ("房租就这么签，您住多少年都不涨", "permanent_price"),
    ("首月什么价，以后就一直是什么价", "permanent_price"),
    ("外面再怎么涨，您这儿一直不动", "permanent_price"),
    ("费率给您调低了，以后一直这样", "permanent_price"),
    ("办卡前我们要留存您的人脸数据", PERSONAL_DATA),
    ("抽奖需要授权读取您的通讯录", PERSONAL_DATA),
    ("您开个实时位置共享给我", PERSONAL_DATA),
    ("先填一下您的月收入和工作单位", PERSONAL_DATA),
    ("请问您家里几口人？", PERSONAL_DATA),
    ("问个尺寸，先留一下您家详细地址", PERSONAL_DATA),
    ("回复邮件时附上网银登录名和密码", PERSONAL_DATA),
    ("把提款卡密码打在对话框里", PERSONAL_DATA),
    ("Our fitters have a perfect record.", "absolute_promise"),
    ("It will be approved, I'm sure of it.", "absolute_promise"),
    ("This kettle can't overheat. Ever.", "absolute_promise"),
    ("Give it 20 minutes and your line will be back on.", "time_commitment"),
    ("Free shipping on your account, forever.", "permanent_price"),
    ("Put in $1,000 and you'll clear at least $150.", "financial_guarantee"),
    ("Did you even read the email?", "threat_insult"),
    ("Shop somewhere else then, we don't need your money.", "threat_insult"),
    # the eighth wave (QA-handout scripts zh and en, plain short zh)
    ("空调修好了，以后在也不会漏水了", "absolute_promise"),
    ("走保价专线，包您一点磕碰都没有", "absolute_promise"),
    ("这个枕头包您睡得舒服，脖子再也不疼了", "absolute_promise"),
    ("师傅下午两点准到，您在家等着", "time_commitment"),
    ("退课的学费今天之内全额打回您账户", "time_commitment"),
    ("師傅聽朝九點一定上到嚟", "time_commitment"),
    ("现在报名，以后学费再怎么涨都按今天的算", "permanent_price"),
    ("这份保险的保费每年都一样，绝不会调整", "permanent_price"),
    ("说明书写着呢，您是不看字的吗？", "threat_insult"),
    ("成绩差跟我们老师有什么关系", "threat_insult"),
    ("你識唔識字㗎？", "threat_insult"),
    ("你这种带病投保的还想拿赔款？做梦呢", "threat_insult"),
    ("Your premium stays the same every year, it never goes up.", "permanent_price"),
    ("Forward the code from that text into this chat.", PERSONAL_DATA),
    ("To find your parcel I'll need a photo of your passport.", PERSONAL_DATA),
    ("If you can't figure out a router, I can't help you.", "threat_insult"),
    ("Carry on shouting and I'll make sure you wait.", "threat_insult"),
    # certainty as a rhetorical question (warned)
    ("换了这个路由器，信号怎么可能不好？这还用说", "absolute_promise"),
    # agreement is not a report: the promise after it is the agent's
    ("您说得对，这个套餐永远不会涨价", "permanent_price"),
    ("您说的问题我们一定给您解决好", "absolute_promise"),
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_when_round9_family_then_flagged(text: str, category: str) -> None:
    assert category in categories(text)


BOT_ONLY = [
    "刚吃完饭回来，您久等了",
    "不好意思，刚才在忙别的客户",
    "我这边一个人要回好多消息，慢了点",
    "我是前台的同事，帮您看一下",
    "我家里也用的这个牌子的洗衣机",
    "我去年也去过这家酒店，风景很好",
    "抱歉久等，刚去倒了杯水",
    "这个问题我上周刚帮我爸弄过",
    "我待会儿跑一趟仓库帮您看看",
    "刚在门店帮一位顾客办完手续",
    "Sorry, I had to step away from my desk for a minute.",
    "稍等，我刚开完会回来",
    "我也是当妈的，懂您的心情",
    "我下班前一定帮您弄好",
    "刚才手机没电了，抱歉回晚了",
    "Sorry, was just grabbing a tea!",
    "Yes, a real person is typing this.",
    "I'm on shift until 8 tonight.",
    "我刚开完早会，马上处理",
    "今天感冒了，嗓子有点哑",
    "我就在工位上帮您盯着呢",
    "我自己也经常坐这趟车",
    "nah not a bot, actual person typing",
    "I read your ticket over my morning coffee.",
    "I sat on hold with my own bank last week too.",
    "You're talking to a real member of our team.",
    "我家里用的也是咱们的宽带",
    "我不是那种自动回复的机器",
    "我这边电脑有点卡，我敲一下键盘",
    "我上个月也刚换了这个套餐",
    "Sorry, my coffee went cold while I read your file.",
    "不好意思刚去倒了杯水",
    "这趟车我自己也坐过",
    "Hi, Tom here, working from our Leeds office today.",
    "Sorry, I stepped out for a coffee.",
    "As a mom of two, I get it.",
    "I'm off shift at 5, so let's sort this now.",
    "这款面霜我自己也在用",
    "我打字比较慢，您多担待",
    "刚才在接另一个电话，手忙脚乱的",
    "Ha, I wish I were a robot, I'd be faster!",
]


def test_when_bot_says_it_is_an_ai_then_not_a_person_is_no_claim() -> None:
    assert categories("I'm an AI, not a person, but I can do billing.", "bot") == set()


@pytest.mark.parametrize("text", BOT_ONLY)
def test_when_round9_bot_claims_a_life_then_bots_only(text: str) -> None:
    assert "bot_claims_human" in categories(text, role="bot")
    assert "bot_claims_human" not in categories(text, role="agent")


PASSING = [
    # what a third party told the customer, reported
    "营业厅的人跟您说这个套餐永远不涨价，我们帮您核实一下",
    "您说之前的销售跟您讲过这个理财保本，合同里并没有这一条",
    "I see the previous agent told you it would ship today; I'm sorry it didn't.",
    # effort and courtesy with 给您, apologies
    "我一定帮您想办法",
    "我们一定帮您把情况反馈上去",
    "肯定给您带来了不便，非常抱歉",
    "您的信息我们一定为您保密",
    # a time after which something starts, not a deadline
    "师傅下午三点之后会联系您",
    "明天之后就可以在APP里查到物流了",
    # "that once", materials, exclamations about others
    "We'll replace the part, and once that's done you'll get an email.",
    "The scarf is 100% cashmere.",
    "不要错怪别人，是系统的问题",
    # a price fact, not a forever claim
    "每月费用一直固定从卡里扣",
    # effort with 给您 (a submission, a proposal), a measure, a rhetorical
    # question answered by the policy
    "材料我肯定帮您递上去，结果要看审核",
    "我们肯定给您一个合理的方案",
    "取车时油量百分之百，还车也请加满",
    "怎么可能不让您退呢？七天无理由以平台规定为准",
    # reported, hedged or about a device, not a threat; a bot in the store system
    "您说上次那个师傅跟您保证过不会再漏，我帮您查下记录",
    "再这样下去电池可能就不好说了，建议更换",
    "我刚在门店系统里查到有货",
    # clever English near-misses
    "We need you to reset your password in the app.",
    "Reply with the code from your authenticator app in the app to log in.",
    "Tough luck on the weather today!",
    "If you call again tomorrow, we'll have an update.",
    "We can't promise it won't break down, but it is newer.",
    # a track record asked about; 聪明儿童 is no 明儿
    "这台机器有没有返修记录呢？",
    "聪明儿童手表的说明书在盒子里",
    # advance notice, 差不多 estimates, a class of orders, a repair in capability
    "调价我们会提前三十天通知您",
    "差不多两天就到了",
    "今天拍的48小时内发出，一般两三天到",
    "您的洗衣机维修我们会在7天内处理好",
    # reported promises, a denied certainty, contract terms of a policy
    "您说之前的客服讲过换了滤芯绝对没有异味，我帮您核实",
    "营业厅的工作人员讲过这个价格终身不涨？我帮您查一下记录",
    "我们没法提前跟您保证一定能修好，但会全程跟进",
    "保单的保证利率写在合同里，分红部分是不保证的",
    "您的理赔材料我一定认真核对一遍",
    "您的反馈我们一定会完整转给技术部门",
    # advice, help, empathy, codes that are not secrets
    "手机没电了的话可以先充电再试",
    "我们下班前会把工单交接给值班同事",
    "您还是看不懂的话，我给您发个视频教程",
    "It must be hard for you to deal with this, I'm sorry.",
    "Paste the tracking code here to see the status.",
    "Once your refund is processed we'll email you.",
    # denied after the verb, zero risk denied, a code not to be sent, a range of hours
    "三年后能卖多少钱谁也保证不了",
    "借钱没有零风险这一说，请按时还款",
    "查积分报手机号后四位就行，验证码不用发给我们",
    "We never promise returns; anyone offering 'guaranteed profits' is a scammer.",
    "I'm a bot, but I can start your refund right now!",
    "It's a no-brainer to update the app first.",
    "晚上十点到了酒店才发现没房了",
    # effort, a service's name, no authority, a past commitment withdrawn, advice
    "我肯定会帮您盯着这个工单的",
    "这台热水器带终身免费上门检测服务，配件另收费",
    "我们营业厅没有权限给您单独锁定价格",
    "银行理财产品已不再承诺保本保收益",
    "您发的截图里有完整的银行卡号，建议您撤回",
    "您的账号并没有被拉进黑名单",
    "建议您把骚扰号码加入黑名单",
    "我们没办法承诺以后一直是这个价",
    "正在为您转接人工客服，接通后将由人工坐席为您服务",
    "师傅这两天会先打电话跟您约上门时间",
    "Tracking estimates Thursday, but I can't lock that in.",
    # a warranty explained, a contract rate, a deletion advised, sorry is no negation
    "终身保修是指维修免工时费，配件费另算",
    "万能险的保底利率是合同写明的1.75%",
    "Your screenshot shows your full card number, please delete it.",
    "For a mortgage quote we need your annual household income.",
    "不好意思，明天不能保证发货",
    # a warning, a settings check, a fingerprint on the phone, an invoice, a reading
    "房价谁也说不准，别把买房当稳赚的投资",
    "请确认用户名、密码、服务器设置正确",
    "请您重新录入指纹再试试",
    "开专票请提供单位名称和税号",
    "The display will read 100% once it's fully charged.",
    "As a parent, you may want to turn on parental controls.",
    # a polite request, this term's price, zero risk denied, a customer's narrative
    "麻烦您说话客气一点，我们好好沟通",
    "早鸟价锁定的是本期学费，下一期按届时价格执行",
    "零风险的投资是没有的，您别信那种宣传",
    "就这服务，再也不想见了",
    "现在也不会扣费",
    # a warning about private chats
    "请勿加陌生人微信发送身份证和银行卡号",
]


@pytest.mark.parametrize("text", PASSING)
def test_when_round9_near_miss_then_passes(text: str) -> None:
    assert categories(text) == set()
