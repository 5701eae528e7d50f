"""Speech checker: what is flagged, what is not (negation, hedge, question, quote)."""

from __future__ import annotations

import pytest

from complydesk.speech import check as check_mod
from complydesk.speech.check import SpeechChecker, check, normalize

# (text, role, category that must be found)
FLAGGED = [
    # absolute_promise
    # 保证 + a deadline is the more specific time commitment (see NEW_FLAGGED)
    ("我们保证三天内解决", "agent", "time_commitment"),
    ("我向您保证，这个问题不会再出现", "agent", "absolute_promise"),
    ("这款手机保证都是全新的", "agent", "absolute_promise"),
    ("保证无问题，您放心用", "agent", "absolute_promise"),
    ("质量保证没问题", "agent", "absolute_promise"),
    ("这个绝对能解决", "agent", "absolute_promise"),
    ("百分之百没问题", "agent", "absolute_promise"),
    ("100%正品，假一赔十", "agent", "absolute_promise"),
    ("一定能帮您解决", "agent", "absolute_promise"),
    ("肯定没问题的，您放心", "agent", "absolute_promise"),
    ("包您满意", "agent", "absolute_promise"),
    ("我们一定会处理好您的问题", "agent", "absolute_promise"),
    ("我们保證無問題", "agent", "absolute_promise"),
    ("我们绝对能解决", "agent", "absolute_promise"),
    ("我跟您打包票，明天就好", "agent", "absolute_promise"),
    ("I guarantee it will work", "agent", "absolute_promise"),
    ("Your satisfaction is guaranteed.", "agent", "absolute_promise"),
    ("It will definitely be fixed by our team.", "agent", "absolute_promise"),
    # time_commitment
    ("24小时内发货", "agent", "time_commitment"),
    ("退款马上到账", "agent", "time_commitment"),
    ("今天一定送到", "agent", "time_commitment"),
    ("明天肯定到", "agent", "time_commitment"),
    ("已经为您做退款了,24小时之内到账", "agent", "time_commitment"),
    ("我们会在48小时后上门", "agent", "time_commitment"),
    ("Your order will arrive tomorrow.", "agent", "time_commitment"),
    ("The refund will be credited within 24 hours.", "agent", "time_commitment"),
    # permanent_price
    ("套餐费用永久不变", "agent", "permanent_price"),
    ("这个业务终身免费", "agent", "permanent_price"),
    ("我们永远不涨价", "agent", "permanent_price"),
    ("价格永远不会变", "agent", "permanent_price"),
    ("This plan is free for life.", "agent", "permanent_price"),
    ("Your price will never go up.", "agent", "permanent_price"),
    # financial_guarantee
    ("这款理财保本保息", "agent", "financial_guarantee"),
    ("稳赚不赔，零风险", "agent", "financial_guarantee"),
    ("保证收益8%", "agent", "financial_guarantee"),
    ("无风险高收益", "agent", "financial_guarantee"),
    ("These are guaranteed returns.", "agent", "financial_guarantee"),
    ("It is a risk-free investment.", "agent", "financial_guarantee"),
    # bot_claims_human
    ("我是真人，不是机器人", "bot", "bot_claims_human"),
    ("我不是机器人哦", "bot", "bot_claims_human"),
    ("您好，我是人工客服小李", "bot", "bot_claims_human"),
    ("I am a real person.", "bot", "bot_claims_human"),
    ("I'm not a bot, promise.", "bot", "bot_claims_human"),
    # unnecessary_personal_data
    ("请提供您的银行卡密码", "agent", "unnecessary_personal_data"),
    ("把验证码发给我", "agent", "unnecessary_personal_data"),
    ("告诉我您的支付密码", "agent", "unnecessary_personal_data"),
    ("您收到的短信验证码是多少？", "agent", "unnecessary_personal_data"),
    ("麻烦说一下卡背面的三位数", "agent", "unnecessary_personal_data"),
    ("请提供您的完整身份证号码", "agent", "unnecessary_personal_data"),
    ("烦请私信提供手机号码和服务密码,以便核实", "agent", "unnecessary_personal_data"),
    ("What is your PIN?", "agent", "unnecessary_personal_data"),
    ("Please read me the code we just sent you.", "agent", "unnecessary_personal_data"),
    ("Can you give me your CVV", "agent", "unnecessary_personal_data"),
    # threat_insult
    ("滚", "agent", "threat_insult"),
    ("你给我滚", "agent", "threat_insult"),
    ("你是不是傻", "agent", "threat_insult"),
    ("爱买不买", "agent", "threat_insult"),
    ("你投诉也没用", "agent", "threat_insult"),
    ("再闹就报警了", "agent", "threat_insult"),
    ("Shut up and listen.", "agent", "threat_insult"),
    # extra QA categories
    ("这是你自己的问题", "agent", "blame_customer"),
    ("别家都是骗人的", "agent", "disparage_competitor"),
    ("全网最低价", "agent", "superlative_claim"),
]

# (text, role): nothing may be flagged.
PASSING = [
    # negations and hedges
    ("我们不能保证明天到货", "agent"),
    ("无法保证一定能修好", "agent"),
    ("不敢保证百分之百成功", "agent"),
    ("这个没法承诺", "agent"),
    ("不一定能解决", "agent"),
    ("不是百分之百能成功", "agent"),
    ("我们会尽量保证明天发货", "agent"),
    ("争取明天送到", "agent"),
    ("我们会尽力为您处理", "agent"),
    ("一般情况下24小时内到账", "agent"),
    ("预计明天到", "agent"),
    ("大约3天内发货", "agent"),
    ("很抱歉当前没能立刻帮您解决问题", "agent"),
    ("We can't guarantee delivery tomorrow.", "agent"),
    ("We'll try to get it to you tomorrow.", "agent"),
    ("It usually arrives within 2 days.", "agent"),
    ("Estimated delivery: it should arrive tomorrow.", "agent"),
    # questions
    ("您能保证明天到吗？", "agent"),
    ("请问是否保证正品？", "agent"),
    ("Can you guarantee it arrives tomorrow?", "agent"),
    # quoted customer speech
    ("您说‘保证三天到’，我们核实一下", "agent"),
    ("您说的“保证”是指哪一条呢", "agent"),
    ("You said it was guaranteed, let me check.", "agent"),
    ("活动名称：“100%中奖”", "agent"),
    # conditional policy statements
    ("符合七天无理由退货条件的商品可以退货", "agent"),
    ("如果您今天下单，明天就能送到", "agent"),
    ("If you order today, it will arrive tomorrow.", "agent"),
    # 保证 as a noun, purpose, or asking the customer
    ("保证金会在退租后退还", "agent"),
    ("本商品享受三包保证", "agent"),
    ("请保证您的手机畅通", "agent"),
    ("为了保证您的信息安全,请私信联系", "agent"),
    ("为保证出帐数据的准确性,请3日起查询", "agent"),
    ("需保证帐户中有余额才能正常使用", "agent"),
    ("在保证产品质量的情况下尽快发货", "agent"),
    ("It comes with a money-back guarantee.", "agent"),
    # warnings ABOUT secrets are good practice
    ("请勿向任何人透露验证码", "agent"),
    ("客服不会索要您的密码", "agent"),
    ("不要把验证码告诉他人", "agent"),
    ("可使用服务密码登录网上营业厅查询", "agent"),
    ("请带上身份证和服务密码到营业厅办理", "agent"),
    ("对方发送验证码的时间是几点", "agent"),
    ("Never share your PIN with anyone.", "agent"),
    ("We will never ask for your password.", "agent"),
    # human claim by a human agent is fine
    ("我是人工客服，请问有什么可以帮您", "agent"),
    ("您好，我是AI助手，不是真人", "bot"),
    ("I am not a real person; I'm an AI assistant.", "bot"),
    # real helpdesk phrasing that looks like a trigger
    ("感谢您对我们工作的肯定", "agent"),
    ("需要一定的时间,请您耐心等待", "agent"),
    ("请您在多屏页面滚动截屏查看", "agent"),
    ("让您等着急了,实在不好意思", "agent"),
    ("我们会马上处理并尽快回复您", "agent"),
    ("一定努力给您一个满意的答复", "agent"),
    ("系统会于6-24个小时返还", "agent"),
    ("超过三天未发货,建议您先退款", "agent"),
    ("28日工作人员下午有联系过您", "agent"),
    ("明天就到下个月了哦", "agent"),
    ("请清理一下手机的垃圾文件", "agent"),
]


@pytest.mark.parametrize(("text", "role", "category"), FLAGGED)
def test_when_risky_phrase_then_flagged(text: str, role: str, category: str) -> None:
    verdict = check(text, role=role)
    assert category in {f.category for f in verdict.findings}, verdict.to_dict()
    assert verdict.verdict in ("warn", "block")


@pytest.mark.parametrize(("text", "role"), PASSING)
def test_when_negated_hedged_quoted_or_benign_then_pass(text: str, role: str) -> None:
    verdict = check(text, role=role)
    assert verdict.verdict == "pass", verdict.to_dict()


def test_when_agent_says_bot_phrase_then_pass() -> None:
    assert check("我是真人", role="agent").verdict == "pass"
    assert check("我是真人", role="bot").verdict == "block"


def test_when_time_commitment_without_facts_then_warn() -> None:
    v = check("24小时内发货")
    assert v.verdict == "warn"
    assert [f.severity for f in v.findings] == ["warn"]


def test_when_finding_then_offsets_and_text_from_original() -> None:
    text = "您好！我們保證２４小時內發貨。"
    v = check(text)
    assert v.findings
    for f in v.findings:
        assert text[f.start : f.end] == f.text
    assert [f.start for f in v.findings] == sorted(f.start for f in v.findings)
    # 保證 is part of the time commitment: the specific category wins
    assert {f.category for f in v.findings} == {"time_commitment"}


def test_when_zh_finding_then_reason_and_suggestion_in_chinese() -> None:
    f = check("绝对能解决").findings[0]
    assert "绝对" in f.reason and f.suggestion
    g = check("I guarantee it").findings[0]
    assert g.reason.isascii() and g.suggestion.isascii()


def test_when_same_rule_repeats_then_findings_do_not_overlap() -> None:
    v = check("保证保证保证，绝对绝对")
    by_rule: dict[str, list[tuple[int, int]]] = {}
    for f in v.findings:
        by_rule.setdefault(f.rule, []).append((f.start, f.end))
    for spans in by_rule.values():
        for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            assert e1 <= s2


def test_when_mixed_text_then_both_languages_checked() -> None:
    v = check("我们保证明天到 and I guarantee it arrives tomorrow")
    rules = {f.rule.split(".")[0] for f in v.findings}
    assert rules == {"zh", "en"}


def test_when_language_forced_then_only_that_pack() -> None:
    assert check("我们保证明天到", lang="en").verdict == "pass"
    assert check("I guarantee it", lang="zh").verdict == "pass"
    assert check("I guarantee it", lang="auto").verdict == "block"


def test_when_unknown_role_or_language_then_value_error() -> None:
    with pytest.raises(ValueError, match="role"):
        check("你好", role="customer")
    with pytest.raises(ValueError, match="language"):
        check("你好", lang="fr")


def test_when_verdict_serialized_then_contract_shape() -> None:
    d = check("请提供您的银行卡密码").to_dict()
    assert d["verdict"] == "block"
    assert set(d["findings"][0]) == {
        "rule", "category", "severity", "start", "end", "text", "reason", "suggestion"
    }  # fmt: skip


def test_when_normalized_then_same_length_and_simplified() -> None:
    text = "我們保證２４小時內發貨"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm == "我们保证24小时内发货"


def test_when_module_check_called_twice_then_checker_cached() -> None:
    assert check_mod.default_checker() is check_mod.default_checker()
    assert isinstance(check_mod.default_checker(), SpeechChecker)


def test_when_empty_text_then_pass() -> None:
    assert check("").verdict == "pass"


# New rules: wording real agents, sales scripts and bots use without the old
# trigger words. (text, role, category that must be found)
NEW_FLAGGED = [
    # permanent_price
    ("您办了这个套餐，终身都是每月39元。", "agent", "permanent_price"),
    ("老用户专享价，给您锁定一辈子。", "agent", "permanent_price"),
    ("您的信用卡年费永久免除。", "agent", "permanent_price"),
    ("价格就一直锁定，以后都按这个收。", "agent", "permanent_price"),
    ("放心，以后都不会涨价的。", "agent", "permanent_price"),
    ("这个优惠没有截止日期，什么时候来都是这个价。", "agent", "permanent_price"),
    ("Your annual fee is permanently waived.", "agent", "permanent_price"),
    # financial_guarantee
    ("本金一分都不会少，您放心。", "agent", "financial_guarantee"),
    ("这个产品不可能亏损。", "agent", "financial_guarantee"),
    ("这款理财收益稳定，包赚。", "agent", "financial_guarantee"),
    ("您的贷款申请我保证能批下来。", "agent", "financial_guarantee"),
    ("亏了我们全额兜底。", "agent", "financial_guarantee"),
    ("This fund is guaranteed to return 8% a year.", "agent", "financial_guarantee"),
    ("Your principal is 100% protected.", "agent", "financial_guarantee"),
    ("We guarantee your claim will be paid in full.", "agent", "financial_guarantee"),
    # bot_claims_human
    ("我是真实的工作人员，请放心。", "bot", "bot_claims_human"),
    ("我是你们的客服小王本人。", "bot", "bot_claims_human"),
    ("我不是AI，有什么问题尽管问。", "bot", "bot_claims_human"),
    ("跟您聊天的是真人，不是自动回复。", "bot", "bot_claims_human"),
    ("There's a real person reading your messages.", "bot", "bot_claims_human"),
    # unnecessary_personal_data
    ("把短信里的六位数字念给我。", "agent", "unnecessary_personal_data"),
    ("发一下身份证正反面照片给我。", "agent", "unnecessary_personal_data"),
    ("把卡背面的三位数告诉我。", "agent", "unnecessary_personal_data"),
    ("您的网银登录密码是多少？", "agent", "unnecessary_personal_data"),
    ("请问您的信用卡查询密码是多少？", "agent", "unnecessary_personal_data"),
    ("请提供您的家庭住址和配偶姓名。", "agent", "unnecessary_personal_data"),
    (
        "Send me a photo of both sides of your card.",
        "agent",
        "unnecessary_personal_data",
    ),
    # threat_insult
    ("你有病吧", "agent", "threat_insult"),
    ("别来烦我", "agent", "threat_insult"),
    ("你自己看不懂吗？", "agent", "threat_insult"),
    ("再闹就拉黑你", "agent", "threat_insult"),
    ("你要是再不配合，后果自负。", "agent", "threat_insult"),
    ("滚，别浪费我时间。", "agent", "threat_insult"),
    ("不还钱我们就去你单位找你领导。", "agent", "threat_insult"),
    ("We'll tell your employer and your family.", "agent", "threat_insult"),
    # absolute_promise
    ("百分百给您解决", "agent", "absolute_promise"),
    ("包您满意", "agent", "absolute_promise"),
    ("肯定给您解决", "agent", "absolute_promise"),
    ("这个一定能退", "agent", "absolute_promise"),
    ("绝对不会再出现", "agent", "absolute_promise"),
    ("换新之后肯定不会再有任何问题。", "agent", "absolute_promise"),
    ("只要您升级套餐，网速肯定会翻倍。", "agent", "absolute_promise"),
    ("我拿人格担保。", "agent", "absolute_promise"),
    ("This will definitely never happen again.", "agent", "absolute_promise"),
    # time_commitment
    ("我保证周五之前把发票寄到您手上。", "agent", "time_commitment"),
    ("积分今晚十二点前肯定到账。", "agent", "time_commitment"),
    ("Your internet will be back up within an hour.", "agent", "time_commitment"),
]

# Vocabulary families written from domain knowledge (not from eval sentences):
# price locks and no-increase wording, insult/threat lexicon, no-risk wording,
# "you are talking to a human", secret/code requests in other shapes.
FAMILY_FLAGGED = [
    ("这个价格给您锁定了，以后都不会变", "agent", "permanent_price"),
    ("您办了之后价格就终身锁定", "agent", "permanent_price"),
    ("这个优惠不限期的，一直可以用", "agent", "permanent_price"),
    ("保价终身，放心买", "agent", "permanent_price"),
    ("以后也是这个价，不会涨", "agent", "permanent_price"),
    ("以后都按这个价格收", "agent", "permanent_price"),
    ("续费也是同价，不会涨价", "agent", "permanent_price"),
    ("我们保证价格不变", "agent", "permanent_price"),
    ("这个价是永久的", "agent", "permanent_price"),
    ("您会一直享受这个优惠", "agent", "permanent_price"),
    ("月租永远39元", "agent", "permanent_price"),
    ("老客户终身享有8折", "agent", "permanent_price"),
    ("以后不会再涨了", "agent", "permanent_price"),
    ("无限期享受会员价", "agent", "permanent_price"),
    ("This plan is locked in at this price for life.", "agent", "permanent_price"),
    ("Your rate will never increase.", "agent", "permanent_price"),
    ("You'll pay this price forever.", "agent", "permanent_price"),
    ("It's a lifetime deal, the price never changes.", "agent", "permanent_price"),
    ("Your price is locked in permanently.", "agent", "permanent_price"),
    ("The discount never expires.", "agent", "permanent_price"),
    (
        "You'll keep this rate for as long as you stay with us.",
        "agent",
        "permanent_price",
    ),
    ("We'll never raise your price.", "agent", "permanent_price"),
    ("你是不是傻子，说了多少遍了", "agent", "threat_insult"),
    ("买不起就别看", "agent", "threat_insult"),
    ("嫌贵就别买", "agent", "threat_insult"),
    ("爱咋咋地，我不管", "agent", "threat_insult"),
    ("随你便，爱找谁找谁", "agent", "threat_insult"),
    ("有完没完啊", "agent", "threat_insult"),
    ("别来烦我了", "agent", "threat_insult"),
    ("懒得跟你说", "agent", "threat_insult"),
    ("你给我小心点", "agent", "threat_insult"),
    ("再闹我们就报警抓你", "agent", "threat_insult"),
    ("我们不怕你投诉", "agent", "threat_insult"),
    ("走着瞧", "agent", "threat_insult"),
    ("不还钱就爆你通讯录", "agent", "threat_insult"),
    ("你会后悔的", "agent", "threat_insult"),
    ("自己不会看吗？", "agent", "threat_insult"),
    ("妈的，烦死了", "agent", "threat_insult"),
    ("你是猪吗", "agent", "threat_insult"),
    ("Shut up and listen.", "agent", "threat_insult"),
    ("Deal with it.", "agent", "threat_insult"),
    ("If you don't like it, shop somewhere else.", "agent", "threat_insult"),
    ("Are you deaf?", "agent", "threat_insult"),
    ("Can't you read?", "agent", "threat_insult"),
    ("Stop wasting my time.", "agent", "threat_insult"),
    ("We'll blacklist you.", "agent", "threat_insult"),
    ("Tough luck.", "agent", "threat_insult"),
    ("Go to hell.", "agent", "threat_insult"),
    ("We'll call the police on you.", "agent", "threat_insult"),
    ("Nobody cares about your complaint.", "agent", "threat_insult"),
    ("That's your problem, not ours. Whatever.", "agent", "threat_insult"),
    ("Use your brain.", "agent", "threat_insult"),
    ("You'll be sorry.", "agent", "threat_insult"),
    ("这么简单都不会", "agent", "threat_insult"),
    ("三岁小孩都懂", "agent", "threat_insult"),
    ("你就是来找茬的", "agent", "threat_insult"),
    ("别在这无理取闹", "agent", "threat_insult"),
    ("你再说一遍试试", "agent", "threat_insult"),
    ("我就这态度，有意见去投诉", "agent", "threat_insult"),
    ("不想等就别等", "agent", "threat_insult"),
    ("嫌贵就去别家", "agent", "threat_insult"),
    ("If you can't afford it, don't buy it.", "agent", "threat_insult"),
    ("People like you are the problem.", "agent", "threat_insult"),
    ("I don't care.", "agent", "threat_insult"),
    ("Figure it out yourself.", "agent", "threat_insult"),
    ("Stop calling us.", "agent", "threat_insult"),
    ("这款理财产品基本没有风险", "agent", "financial_guarantee"),
    ("投资这个一点风险都没有", "agent", "financial_guarantee"),
    ("闭眼买就行，稳拿收益", "agent", "financial_guarantee"),
    ("跟存定期一样安全，利息还高", "agent", "financial_guarantee"),
    ("固定收益有保证", "agent", "financial_guarantee"),
    ("出了问题平台会兜底", "agent", "financial_guarantee"),
    ("收益是固定的，每年5%", "agent", "financial_guarantee"),
    ("放心，赚钱是肯定的", "agent", "financial_guarantee"),
    ("本金不会少的", "agent", "financial_guarantee"),
    ("这个产品保本保收益", "agent", "financial_guarantee"),
    ("There's no risk at all with this fund.", "agent", "financial_guarantee"),
    (
        "Your money is completely safe and you'll definitely make a profit.",
        "agent",
        "financial_guarantee",
    ),
    ("It's risk-free.", "agent", "financial_guarantee"),
    ("You'll earn 8% guaranteed.", "agent", "financial_guarantee"),
    ("This stock only goes up.", "agent", "financial_guarantee"),
    (
        "Your principal is protected, it's as safe as a savings account.",
        "agent",
        "financial_guarantee",
    ),
    ("您现在是在和真人客服对话", "bot", "bot_claims_human"),
    ("我们这边都是人工客服，放心", "bot", "bot_claims_human"),
    ("全程真人回复", "bot", "bot_claims_human"),
    ("我也是有血有肉的", "bot", "bot_claims_human"),
    ("我刚吃完饭回来", "bot", "bot_claims_human"),
    ("本人不是机器", "bot", "bot_claims_human"),
    ("You're chatting with a human.", "bot", "bot_claims_human"),
    ("I'm an actual employee here.", "bot", "bot_claims_human"),
    ("I'm no bot.", "bot", "bot_claims_human"),
    ("As a human, I understand how frustrating this is.", "bot", "bot_claims_human"),
    ("Real person here, how can I help?", "bot", "bot_claims_human"),
    ("请把收到的数字告诉我", "agent", "unnecessary_personal_data"),
    ("麻烦提供卡号、有效期和背面三位数", "agent", "unnecessary_personal_data"),
    ("把付款码截图发给我", "agent", "unnecessary_personal_data"),
    ("身份证号码全号发一下", "agent", "unnecessary_personal_data"),
    ("录一段人脸视频发给我们", "agent", "unnecessary_personal_data"),
    ("请提供登录账号和密码", "agent", "unnecessary_personal_data"),
    ("Your PIN please, so I can verify.", "agent", "unnecessary_personal_data"),
    ("Read me the code you just received.", "agent", "unnecessary_personal_data"),
    (
        "Send me your login details and I'll check.",
        "agent",
        "unnecessary_personal_data",
    ),
    (
        "I need your card number, expiry date and the CVV.",
        "agent",
        "unnecessary_personal_data",
    ),
]

# Benign senses and guarded forms of the same families: nothing may be flagged.
FAMILY_PASSING = [
    ("之前一直是这个价", "agent"),
    ("价格锁定12个月，到期后按标准资费", "agent"),
    ("以后会不会涨价我们也不确定", "agent"),
    ("价格可能会调整，以实际为准", "agent"),
    ("倡导终身学习", "agent"),
    ("活动期间享受8折", "agent"),
    ("这个价格是永久的吗？", "agent"),
    ("退订以后不会再扣费", "agent"),
    ("我们无法保证价格不变", "agent"),
    ("下个月账单会按新资费收", "agent"),
    ("Prices may change; we'll notify you 30 days in advance.", "agent"),
    ("The promotional price is locked for 12 months.", "agent"),
    ("页面可以滚动查看", "agent"),
    ("下雨天路滑，您小心点走", "agent"),
    ("您小心别烫着", "agent"),
    ("如有不满意，您可以投诉，我们会认真处理", "agent"),
    ("这款是滚筒洗衣机", "agent"),
    ("您的账号已被冻结，请联系银行", "agent"),
    ("蠢蠢欲动的优惠来了", "agent"),
    ("请您记住您的取件码", "agent"),
    ("您别着急，我们在处理", "agent"),
    ("聪明的您一定知道", "agent"),
    ("We'll deal with it right away.", "agent"),
    ("I'm sorry to hear that; let me look into it.", "agent"),
    ("Please don't waste your time waiting, we'll email you.", "agent"),
    ("You can read the terms on our site.", "agent"),
    ("这个功能不会影响您的使用", "agent"),
    ("如对处理结果有意见，您可以投诉", "agent"),
    ("We do care about your experience.", "agent"),
    ("投资有风险，入市需谨慎", "agent"),
    ("请先完成风险测评", "agent"),
    ("这是一款固定收益类产品，收益浮动", "agent"),
    ("我们无法保证收益", "agent"),
    ("您的账户目前没有风险，请放心", "agent"),
    ("无风险利率参考国债收益率", "agent"),
    ("理财非存款，产品有风险", "agent"),
    ("All investments carry risk; returns are not guaranteed.", "agent"),
    ("Try it with our risk-free trial, cancel anytime.", "agent"),
    ("Your account is secure; never share your password.", "agent"),
    ("Is there any risk?", "agent"),
    ("We cannot promise returns.", "agent"),
    ("正在为您转接人工客服，请稍候", "bot"),
    ("如需人工服务，请回复转人工", "bot"),
    ("我是AI助手，可以帮您查询订单", "bot"),
    ("您现在是在和真人客服对话", "agent"),
    ("Would you like to chat with a human agent?", "bot"),
    ("I'll connect you to a real person now.", "bot"),
    ("I'm an AI assistant.", "bot"),
    ("请勿向任何人透露验证码", "agent"),
    ("验证码已发送到您的手机，请在页面输入", "agent"),
    ("请在官方APP上传身份证照片", "agent"),
    ("Never share your PIN with anyone, including us.", "agent"),
    ("Enter the code you received in the app.", "agent"),
]


@pytest.mark.parametrize(("text", "role", "category"), FAMILY_FLAGGED)
def test_when_family_phrase_then_flagged(text: str, role: str, category: str) -> None:
    cats = {f.category for f in check(text, role=role).findings}
    assert category in cats, (text, cats)


@pytest.mark.parametrize(("text", "role"), FAMILY_PASSING)
def test_when_family_benign_sense_then_pass(text: str, role: str) -> None:
    assert check(text, role=role).findings == (), text


# Near misses of the new rules: nothing may be flagged.
NEW_PASSING = [
    ("我们不会亏待您的。", "agent"),
    ("这款产品是非保本浮动收益型。", "agent"),
    ("历史数据显示波动较小，但依然存在亏损可能。", "agent"),
    ("我们不能承诺价格永远不变。", "agent"),
    ("价格会随市场调整，我们没办法保证以后不涨价。", "agent"),
    ("这个优惠价格有效期到本月底。", "agent"),
    ("身份证正反面照片仅在实名认证页面上传，请不要发在聊天里。", "agent"),
    ("请不要在聊天窗口发送完整的银行卡号。", "agent"),
    ("我们不会通过电话要求您提供CVV码或密码。", "agent"),
    ("您可以把这个骚扰号码拉黑。", "agent"),
    ("笨鸟先飞这款拼图适合3岁以上儿童。", "agent"),
    ("正常是48小时内发出。", "agent"),
    ("请您在24小时内完成支付。", "agent"),
    ("转账一般实时到账，跨行转账最晚次日到账，节假日顺延。", "agent"),
    ("您的退款已于今天上午到账。", "agent"),
    ("我不是真人，是智能助手。", "bot"),
    ("我是AI助手，可以帮您转人工。", "bot"),
    ("We offer a quality guarantee on all parts.", "agent"),
    ("There is no way to track this order yet.", "bot"),
    ("I can't guarantee your loan will be approved.", "agent"),
    ("Never share your card's security code with anyone.", "agent"),
]


@pytest.mark.parametrize(("text", "role", "category"), NEW_FLAGGED)
def test_when_new_rule_phrase_then_flagged(text: str, role: str, category: str) -> None:
    verdict = check(text, role=role)
    assert category in {f.category for f in verdict.findings}, verdict.to_dict()


@pytest.mark.parametrize(("text", "role"), NEW_PASSING)
def test_when_new_rule_near_miss_then_pass(text: str, role: str) -> None:
    assert check(text, role=role).findings == (), check(text, role=role).to_dict()


@pytest.mark.parametrize(
    ("text", "category", "dropped"),
    [
        ("我们保证收益8%", "financial_guarantee", "absolute_promise"),
        ("我们承诺这个价格长期不变", "permanent_price", "absolute_promise"),
        ("我保证周五之前把发票寄到", "time_commitment", "absolute_promise"),
        ("这个价格全网最低，以后一直都是最低", "permanent_price", "superlative_claim"),
        (
            "We guarantee the loan is approved.",
            "financial_guarantee",
            "absolute_promise",
        ),
    ],
)
def test_when_specific_category_in_sentence_then_generic_dropped(
    text: str, category: str, dropped: str
) -> None:
    cats = {f.category for f in check(text).findings}
    assert category in cats and dropped not in cats, cats


# Second generalisation pass: word families for return floors and safety claims,
# all-human bot claims, credentials and remote-control requests, pay-once and
# "always this price" terms.
SECOND_PASS_FLAGGED = [
    ("这款产品年化收益稳定在4.5%以上", "agent", "financial_guarantee"),
    ("收益不会低于3.8%，您放心", "agent", "financial_guarantee"),
    ("这个跟存款一样，很稳", "agent", "financial_guarantee"),
    ("比存款还安全，收益还高", "agent", "financial_guarantee"),
    ("这款产品有银行担保", "agent", "financial_guarantee"),
    ("到期一定兑付", "agent", "financial_guarantee"),
    ("三年就能翻倍", "agent", "financial_guarantee"),
    ("高收益低风险，非常适合您", "agent", "financial_guarantee"),
    ("这款基金从来没亏过，放心买", "agent", "financial_guarantee"),
    ("Your capital is fully protected.", "agent", "financial_guarantee"),
    ("It's safer than a savings account.", "agent", "financial_guarantee"),
    ("This is a low risk, high return product.", "agent", "financial_guarantee"),
    ("It's impossible to lose money on this.", "agent", "financial_guarantee"),
    ("我们店全部是人工客服", "bot", "bot_claims_human"),
    ("这不是自动回复哦", "bot", "bot_claims_human"),
    ("您好，人工客服为您服务", "bot", "bot_claims_human"),
    ("我亲自帮您查一下", "bot", "bot_claims_human"),
    ("This is a real agent speaking.", "bot", "bot_claims_human"),
    ("No bots here, just me.", "bot", "bot_claims_human"),
    ("This isn't an automated reply.", "bot", "bot_claims_human"),
    ("请报一下动态口令", "agent", "unnecessary_personal_data"),
    ("付款码上的数字念一下", "agent", "unnecessary_personal_data"),
    ("请告诉我您的银行卡有效期", "agent", "unnecessary_personal_data"),
    ("请开启屏幕共享，我帮您操作", "agent", "unnecessary_personal_data"),
    ("您下载一下腾讯会议，共享屏幕给我", "agent", "unnecessary_personal_data"),
    (
        "Please install AnyDesk so I can access your computer.",
        "agent",
        "unnecessary_personal_data",
    ),
    ("Send me the code from the text message.", "agent", "unnecessary_personal_data"),
    ("月租一直不涨", "agent", "permanent_price"),
    ("一次付费终身使用", "agent", "permanent_price"),
    ("免年费，终身免", "agent", "permanent_price"),
    ("宽带费用以后不会再涨", "agent", "permanent_price"),
    ("Pay once, use it forever.", "agent", "permanent_price"),
    ("No monthly fees, ever.", "agent", "permanent_price"),
    ("There will never be a price increase on your plan.", "agent", "permanent_price"),
]

SECOND_PASS_PASSING = [
    ("国债由国家财政担保，但理财产品没有", "agent"),
    ("活动期间积分翻倍", "agent"),
    ("历史年化收益在3%到5%之间，不代表未来", "agent"),
    ("This CD has a fixed 4.5% rate for 12 months.", "agent"),
    ("There is no such thing as low risk high return.", "agent"),
    ("Your deposit is protected up to $250,000 by FDIC insurance.", "agent"),
    ("我们是人工审核，需要1-3天", "bot"),
    ("人工客服繁忙，请稍后", "bot"),
    ("A human agent will reply within 24 hours.", "bot"),
    ("如果有人让您共享屏幕，请立即挂断", "agent"),
    ("请您打开手机设置里的屏幕旋转", "agent"),
    ("支付密码可以在设置里修改", "agent"),
    ("Never share your screen with anyone who calls you.", "agent"),
    ("这个套餐一直是38元，从来没变过", "agent"),
    ("年费一直免不了，需要刷够次数", "agent"),
    ("合约期内资费不会变", "agent"),
    ("Your plan costs $30 a month as long as you're on autopay.", "agent"),
    ("傻瓜相机也有这个功能", "agent"),
    ("Stupid question maybe, but did the package arrive?", "agent"),
]


@pytest.mark.parametrize(("text", "role", "category"), SECOND_PASS_FLAGGED)
def test_when_second_pass_family_then_flagged(
    text: str, role: str, category: str
) -> None:
    cats = {f.category for f in check(text, role=role).findings}
    assert category in cats, (text, cats)


@pytest.mark.parametrize(("text", "role"), SECOND_PASS_PASSING)
def test_when_second_pass_near_miss_then_pass(text: str, role: str) -> None:
    assert check(text, role=role).findings == (), check(text, role=role).to_dict()


LATE_PRICE_ROWS = [
    ("这个折扣永不过期", "permanent_price"),
    ("价格不会再变了", "permanent_price"),
    ("包月价永远这么多", "permanent_price"),
    ("This price is yours for life.", "permanent_price"),
    ("The discount is permanent.", "permanent_price"),
    ("终身保修仅限主板", None),
    ("订单价格不会再变了", None),
    ("您永远这么多问题", None),
]


@pytest.mark.parametrize(("text", "category"), LATE_PRICE_ROWS)
def test_when_price_forever_family_then_flagged_only_for_price(
    text: str, category: str | None
) -> None:
    cats = {f.category for f in check(text).findings}
    assert (category in cats) if category else "permanent_price" not in cats, cats
