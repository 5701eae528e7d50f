"""Write bench/data/handoff_eval.jsonl: labelled customer turns for hand-off detection.

Every text is invented for this set (no real customer data). Each row is one
customer turn with the conversation before it, the gold `handoff` and the
`reason` we expect (null for no hand-off), a language tag and a split.
The split is fixed here, alternating within each group, so `dev` and `test`
see the same kinds of cases; the detector is tuned on `dev` only and `test`
is only measured. The set was written before the detector.

    .venv/bin/python bench/build_handoff_data.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "data" / "handoff_eval.jsonl"

FALLBACK_ZH = "抱歉，我没有理解您的问题，能换个说法吗？"
FALLBACK_ZH2 = "不好意思，这个问题我暂时无法回答。"
FALLBACK_EN = "Sorry, I didn't understand that. Could you rephrase?"
FALLBACK_EN2 = "I'm not sure I can help with that."
GREETING_ZH = "您好，我是AI助手，将为您服务。如果您需要人工服务，请说‘转人工’。"
GREETING_EN = (
    'Hello, I am an AI assistant, not a person. To speak to a human agent, say "agent".'
)
OFFER_ZH = "需要为您转接人工客服吗？"
OFFER_EN = "Would you like me to connect you to a human agent?"
MORE_ZH = "请问还有其他可以帮您的吗？"
MORE_EN = "Is there anything else I can help with?"

H = list[tuple[str, str]]
Row = tuple[str | None, str, H] | tuple[str | None, str, H, int]

# (reason or None, customer text, history [(role, text)], [elapsed seconds])
GROUPS: dict[str, list[Row]] = {
    "explicit_zh": [
        ("explicit_request", "转人工", []),
        ("explicit_request", "人工客服", [("bot", GREETING_ZH)]),
        ("explicit_request", "我要找真人", []),
        ("explicit_request", "能不能帮我转一下人工？", [("bot", GREETING_ZH)]),
        ("explicit_request", "人工！人工！", []),
        ("explicit_request", "麻烦给我接个真人客服", []),
        ("explicit_request", "我想和人工服务沟通一下退款的事", []),
        ("explicit_request", "有没有真人在？", []),
        ("explicit_request", "轉人工", []),
        ("explicit_request", "接人工", [("bot", GREETING_ZH)]),
        ("explicit_request", "帮我叫一下你们的客服人员", []),
        ("explicit_request", "找你们主管来跟我说", []),
        ("explicit_request", "我要跟活人说话", []),
        ("explicit_request", "请转接人工坐席", []),
        ("explicit_request", "人工服务在哪里？我要人工服务", []),
        ("explicit_request", "转人工客服，谢谢", []),
        ("explicit_request", "你好，请帮我转接一下人工客服，订单有点复杂", []),
        ("explicit_request", "rg", [("bot", GREETING_ZH)]),
        ("explicit_request", "我要人工", []),
        ("explicit_request", "叫个人来", []),
        ("explicit_request", "能让客服小姐姐来回答吗", []),
        (
            "explicit_request",
            "需要",
            [("customer", "退款一直没到账"), ("bot", OFFER_ZH)],
        ),
        ("explicit_request", "好的，转吧", [("bot", OFFER_ZH)]),
        (
            "explicit_request",
            "是的，麻烦了",
            [("customer", "订单被取消了"), ("bot", OFFER_ZH)],
        ),
    ],
    "explicit_en": [
        ("explicit_request", "agent", []),
        ("explicit_request", "I want to talk to a human", []),
        (
            "explicit_request",
            "Can I speak to a real person please?",
            [("bot", GREETING_EN)],
        ),
        ("explicit_request", "representative", []),
        ("explicit_request", "Connect me with a live agent", []),
        ("explicit_request", "human please", []),
        ("explicit_request", "Let me talk to someone from customer service", []),
        ("explicit_request", "I need to speak with a manager", []),
        ("explicit_request", "Is there an actual human I can chat with?", []),
        ("explicit_request", "Get me a customer service rep", []),
        ("explicit_request", "operator", []),
        ("explicit_request", "transfer me to an agent pls", []),
        (
            "explicit_request",
            "Yes please",
            [("customer", "My refund never arrived"), ("bot", OFFER_EN)],
        ),
        ("explicit_request", "yes", [("bot", OFFER_EN)]),
        ("explicit_request", "我要human agent", []),
        ("explicit_request", "Can a person call me back about this order?", []),
    ],
    "refuses_ai": [
        ("user_refuses_ai", "我不想跟机器人聊", []),
        ("user_refuses_ai", "别用机器人糊弄我", []),
        ("user_refuses_ai", "你是机器人吧？我不要跟机器人说", []),
        ("user_refuses_ai", "你个智障机器人，根本听不懂", []),
        (
            "user_refuses_ai",
            "你答非所问，没用",
            [("customer", "发票怎么开"), ("bot", "您可以在订单详情页查看物流信息。")],
        ),
        ("user_refuses_ai", "不要AI回复", []),
        ("user_refuses_ai", "机器人别说了", []),
        ("user_refuses_ai", "I don't want to talk to a bot", []),
        ("user_refuses_ai", "Stop. You're a useless bot.", []),
        ("user_refuses_ai", "No AI please", []),
        (
            "user_refuses_ai",
            "You clearly don't understand me, I'm done with this chatbot",
            [],
        ),
        (
            "user_refuses_ai",
            "that's not what I asked",
            [
                ("customer", "How do I change my delivery address?"),
                ("bot", "Our opening hours are 9am to 6pm."),
            ],
        ),
        ("user_refuses_ai", "我不需要智能客服", []),
        ("user_refuses_ai", "自动回复有什么用", []),
        ("user_refuses_ai", "你这个AI太笨了", []),
        ("user_refuses_ai", "Not a robot, please!", []),
    ],
    "nlu_failures": [
        (
            "nlu_failures",
            "我说的是发票抬头写错了",
            [
                ("customer", "发票有问题"),
                ("bot", FALLBACK_ZH),
                ("customer", "发票信息错了"),
                ("bot", FALLBACK_ZH2),
                ("customer", "开票的公司名不对"),
                ("bot", FALLBACK_ZH),
            ],
        ),
        (
            "nlu_failures",
            "就是那个优惠券用不了",
            [
                ("customer", "券不能用"),
                ("bot", FALLBACK_ZH),
                ("customer", "满减券"),
                ("bot", FALLBACK_ZH),
                ("customer", "结算页没有优惠"),
                ("bot", FALLBACK_ZH2),
            ],
        ),
        (
            "nlu_failures",
            "the package went to my old apartment",
            [
                ("customer", "wrong place"),
                ("bot", FALLBACK_EN),
                ("customer", "delivered wrong"),
                ("bot", FALLBACK_EN2),
                ("customer", "address issue"),
                ("bot", FALLBACK_EN),
            ],
        ),
        (
            "nlu_failures",
            "I was charged the wrong currency",
            [
                ("customer", "currency problem"),
                ("bot", FALLBACK_EN),
                ("customer", "EUR not USD"),
                ("bot", FALLBACK_EN),
                ("customer", "conversion"),
                ("bot", FALLBACK_EN2),
            ],
        ),
        (
            "nlu_failures",
            "会员积分没了",
            [
                ("customer", "积分"),
                ("bot", FALLBACK_ZH2),
                ("customer", "积分清零"),
                ("bot", FALLBACK_ZH),
                ("customer", "我的分呢"),
                ("bot", FALLBACK_ZH),
            ],
        ),
        (
            "nlu_failures",
            "还是不明白吗",
            [
                ("customer", "赠品没给"),
                ("bot", FALLBACK_ZH),
                ("customer", "少了赠品"),
                ("bot", FALLBACK_ZH),
                ("customer", "买一送一的那个"),
                ("bot", FALLBACK_ZH2),
            ],
        ),
        (
            "nlu_failures",
            "it keeps logging me out",
            [
                ("customer", "app issue"),
                ("bot", FALLBACK_EN2),
                ("customer", "login thing"),
                ("bot", FALLBACK_EN),
                ("customer", "session"),
                ("bot", FALLBACK_EN),
            ],
        ),
        (
            "nlu_failures",
            "预约的安装时间能改吗",
            [
                ("customer", "安装改时间"),
                ("bot", "抱歉，我没听懂，您可以再描述一下吗？"),
                ("customer", "改约"),
                ("bot", "抱歉，我没听懂，您可以再描述一下吗？"),
                ("customer", "师傅上门时间"),
                ("bot", "抱歉，我没听懂，您可以再描述一下吗？"),
            ],
        ),
        (
            "nlu_failures",
            "why does it say item unavailable",
            [
                ("customer", "unavailable"),
                ("bot", "I'm sorry, I don't have an answer for that."),
                ("customer", "cart error"),
                ("bot", "I'm sorry, I don't have an answer for that."),
                ("customer", "checkout fails"),
                ("bot", "I'm sorry, I don't have an answer for that."),
            ],
        ),
        (
            "nlu_failures",
            "你再想想",
            [
                ("customer", "团购券退款"),
                ("bot", FALLBACK_ZH),
                ("customer", "团购"),
                ("bot", FALLBACK_ZH2),
                ("customer", "券退钱"),
                ("bot", FALLBACK_ZH),
            ],
        ),
    ],
    "timeout": [
        (
            "ai_timeout",
            "还是没解决",
            [
                ("customer", "我的退款呢"),
                ("bot", "退款一般3-5个工作日到账。"),
                ("customer", "已经过了7天"),
                ("bot", "请您耐心等待。"),
            ],
            420,
        ),
        (
            "ai_timeout",
            "so what now?",
            [
                ("customer", "my order is stuck"),
                ("bot", "Orders usually ship within 48 hours."),
                ("customer", "it's been 5 days"),
                ("bot", "Please check the tracking page."),
            ],
            600,
        ),
        (
            "ai_timeout",
            "然后呢？",
            [
                ("customer", "会员怎么取消自动续费"),
                ("bot", "您可以在设置中关闭自动续费。"),
                ("customer", "找不到"),
                ("bot", "请在“我的-设置-会员”中操作。"),
            ],
            300,
        ),
        (
            "ai_timeout",
            "still waiting",
            [
                ("customer", "where is my replacement"),
                ("bot", "Replacements ship after we receive the return."),
            ],
            900,
        ),
    ],
    "sensitive": [
        ("sensitive_pii", "我的身份证号是110101199003071234，帮我查下实名信息", []),
        ("sensitive_pii", "银行卡号6222020200112233445被扣了两次", []),
        ("sensitive_pii", "我有糖尿病，这个能吃吗，医生说要控制血糖", []),
        ("sensitive_pii", "护照号E12345678，机票改签怎么弄", []),
        (
            "sensitive_pii",
            "My card number is 4111 1111 1111 1111, please refund to it",
            [],
        ),
        (
            "sensitive_pii",
            "I'm pregnant and had a reaction to this cream, what's in it?",
            [],
        ),
        ("sensitive_pii", "孩子才10岁，用我的账号下单了，能退吗", []),
        ("sensitive_pii", "我在做化疗，这个营养品能不能吃", []),
        (
            "sensitive_pii",
            "My SSN is on the form you sent back, can you delete it?",
            [],
        ),
        ("sensitive_pii", "我的病历和诊断证明要发给你们吗？", []),
        ("sensitive_pii", "身份证正反面照片我发这里可以吗", []),
        (
            "sensitive_pii",
            "I have HIV and need to know if my prescription order is private",
            [],
        ),
    ],
    "safety": [
        ("safety_emergency", "充电器冒烟了！！", []),
        ("safety_emergency", "热水器漏电，我被电了一下", []),
        ("safety_emergency", "家里燃气味很重，是不是你们刚装的灶有问题", []),
        ("safety_emergency", "孩子把纽扣电池吞下去了怎么办", []),
        ("safety_emergency", "吃了你们的外卖全家上吐下泻，现在在医院", []),
        ("safety_emergency", "The battery is swelling and getting hot", []),
        ("safety_emergency", "my heater caught fire", []),
        ("safety_emergency", "I got an electric shock from the kettle", []),
        ("safety_emergency", "电梯困人了，快来人", []),
        ("safety_emergency", "我不想活了", []),
        (
            "safety_emergency",
            "My son had an allergic reaction after eating this, we're at the ER",
            [],
        ),
        ("safety_emergency", "電池膨脹了還在發燙", []),
        ("safety_emergency", "平衡车刹车失灵，孩子摔伤了", []),
        ("safety_emergency", "I smell gas after the installer left", []),
    ],
    "sentiment": [
        ("negative_sentiment", "你们这破平台，气死我了", []),
        ("negative_sentiment", "垃圾公司，骗子！", []),
        ("negative_sentiment", "我真的受够了，每次都这样！！！", []),
        ("negative_sentiment", "This is absolutely ridiculous, worst service ever", []),
        ("negative_sentiment", "wtf is wrong with you people", []),
        ("negative_sentiment", "tmd 到底什么时候发货", []),
        ("negative_sentiment", "I'm furious. Third time this month.", []),
        ("negative_sentiment", "黑心商家，忍无可忍", []),
        ("negative_sentiment", "你们就是一群流氓", []),
        ("negative_sentiment", "This is a scam and you know it", []),
        ("negative_sentiment", "无语了，什么破服务", []),
        (
            "negative_sentiment",
            "Unacceptable. Absolutely disgusting way to treat customers!!",
            [],
        ),
    ],
    "complaint": [
        ("complaint_intent", "我要投诉", []),
        ("complaint_intent", "我要投诉你们的快递员，态度太差", []),
        ("complaint_intent", "I want to file a complaint", []),
        ("complaint_intent", "投诉！发错货还不给换", []),
        ("complaint_intent", "你们客服推诿了好几次，我要投诉", []),
        (
            "complaint_intent",
            "I'd like to make a formal complaint about your technician",
            [],
        ),
        ("complaint_intent", "怎么投诉你们店？", []),
        ("complaint_intent", "我要给差评，还要投诉", []),
        ("complaint_intent", "This is a complaint about the delivery driver", []),
        ("complaint_intent", "投訴處理到哪一步了", []),
        (
            "complaint_intent",
            "I'm complaining because the product broke after two days",
            [],
        ),
        ("complaint_intent", "我对处理结果不满意，要申诉", []),
    ],
    "legal": [
        ("legal_threat", "再不退款我就去12315投诉", []),
        ("legal_threat", "我已经找了律师，准备起诉你们", []),
        ("legal_threat", "I will sue you", []),
        ("legal_threat", "My lawyer will be in touch", []),
        ("legal_threat", "不解决我就报警", []),
        ("legal_threat", "我要去消协告你们", []),
        ("legal_threat", "I'm reporting this to the BBB and the FTC", []),
        ("legal_threat", "咱们法院见", []),
        ("legal_threat", "我会向市场监管局举报", []),
        ("legal_threat", "Expect a small claims court filing", []),
        ("legal_threat", "我要曝光你们，发到微博上", []),
        ("legal_threat", "I'll be contacting the consumer protection agency", []),
    ],
    "faq_zh": [
        (None, "怎么申请七天无理由退货？", []),
        (
            None,
            "运费谁出",
            [("customer", "我想退货"), ("bot", "您可以在订单页申请退货。")],
        ),
        (None, "你好", []),
        (None, "我的快递到哪了", []),
        (None, "发票怎么开", []),
        (None, "可以开专票吗", []),
        (None, "订单号2024031512345678，帮我查一下物流", []),
        (None, "我的手机号是13800138000，收不到验证码", []),
        (None, "会员怎么续费", []),
        (None, "优惠券什么时候过期", []),
        (None, "这个手机支持5G吗", []),
        (None, "尺码偏大还是偏小", []),
        (None, "周末发货吗", []),
        (None, "能不能改收货地址", []),
        (None, "退款多久到账", []),
        (None, "你们营业时间是几点到几点", []),
        (None, "怎么修改密码", []),
        (None, "可以货到付款吗", []),
        (
            None,
            "好的，谢谢",
            [("customer", "退款多久到"), ("bot", "一般3-5个工作日。")],
        ),
        (None, "明白了", [("bot", "您可以在设置中关闭自动续费。")]),
        (None, "没有了，谢谢", [("bot", MORE_ZH)]),
        (None, "这款和上一代有什么区别", []),
        (None, "怎么绑定银行卡", []),
        (None, "保修期多久", []),
        (None, "请问换货需要寄回原包装吗", []),
        (None, "在吗", []),
        (None, "积分怎么兑换", []),
        (None, "下单后多久发货", []),
        (None, "可以开具电子发票吗？抬头是公司", []),
        (None, "我想取消订单", []),
        (None, "能便宜点吗", []),
        (None, "有现货吗", []),
    ],
    "faq_en": [
        (None, "What's your return policy?", []),
        (None, "Where is my order?", []),
        (None, "How long does shipping take to Germany?", []),
        (None, "Can I change my delivery address?", []),
        (None, "Do you ship to PO boxes?", []),
        (
            None,
            "thanks, that helped",
            [("bot", "You can track your parcel on the order page.")],
        ),
        (None, "No, that's all", [("bot", MORE_EN)]),
        (None, "How do I reset my password?", []),
        (None, "Is this jacket waterproof?", []),
        (None, "When will my refund arrive?", []),
        (None, "hi", []),
        (None, "Do you offer student discounts?", []),
        (
            None,
            "My phone number is +1 415 555 0134, please update it on my account",
            [],
        ),
        (None, "How do I cancel my subscription?", []),
        (None, "Can I pay with Apple Pay?", []),
        (None, "Is the warranty international?", []),
        (None, "ok", [("bot", "Your order ships tomorrow.")]),
        (None, "What sizes do you have?", []),
    ],
    "hard_neg_zh": [
        (None, "人工智能音箱怎么连WiFi", []),
        (None, "安装需要另外付人工费吗", []),
        (None, "人工费怎么算", []),
        (None, "这款是人工草坪还是真草", []),
        (None, "不用转人工了，问题解决了", []),
        (None, "我不要人工，自己查就行", []),
        (None, "不用了", [("bot", OFFER_ZH)]),
        (None, "暂时不需要，谢谢", [("customer", "运费怎么算"), ("bot", OFFER_ZH)]),
        (None, "这个取暖器会不会起火？安全吗", []),
        (None, "烟雾报警器有货吗", []),
        (None, "防火的保险柜有哪些型号", []),
        (None, "发票抬头写某某区人民法院可以吗", []),
        (None, "律师事务所可以开专票吗", []),
        (None, "我不是要投诉，就是问问", []),
        (None, "投诉率高的商品会下架吗", []),
        (None, "有点慢啊，什么时候发货", []),
        (None, "挺失望的，不过还是想问下能换色吗", []),
        (None, "你是机器人吗？挺智能的嘛", []),
        (None, "真人秀同款衣服还有吗", []),
        (None, "客服电话是多少", []),
        (None, "这个充电宝能带上飞机吗", []),
        (None, "我的电池续航不行，怎么设置省电", []),
        (None, "送人的礼物能不能不放发票", []),
        (None, "防晒霜孕妇能用吗", []),
        (None, "医药箱有卖吗", []),
        (None, "给10岁孩子买哪个尺码", []),
        (None, "银行卡支付失败了怎么办", []),
        (None, "上次人工客服说给我补发，补发了吗", []),
        (None, "你们的AI客服挺好用的", []),
        (None, "身份证复印件需要吗？办理宽带要什么材料", []),
        (None, "快递员很热情，点赞", []),
        (None, "机器人吸尘器怎么清理滚刷", []),
        (None, "火锅底料辣不辣", []),
        (None, "消毒液能直接喷在手上吗", []),
    ],
    "hard_neg_en": [
        (None, "Does the travel agent package include insurance?", []),
        (None, "Is this cleaning agent safe for wood floors?", []),
        (None, "What's the user agent string for your app?", []),
        (None, "Can I pick it up in person?", []),
        (None, "How much is it per person?", []),
        (None, "Is this safe for human consumption?", []),
        (None, "I think it was human error on my side, I typed the wrong zip", []),
        (None, "No need for an agent, you answered it", []),
        (None, "No thanks", [("bot", OFFER_EN)]),
        (None, "Is there a smoke detector that works with Alexa?", []),
        (None, "Does the Fire TV stick support 4K?", []),
        (None, "Can you burn a CD with this drive?", []),
        (None, "Is your court shoe true to size?", []),
        (None, "I'm not complaining, just curious about the delay", []),
        (None, "How do I update my personal details?", []),
        (None, "That's a bit slow but fine, when will it ship?", []),
        (None, "Are you a bot? You're pretty good", []),
        (None, "Do you have human hair wigs?", []),
        (None, "Which sunscreen is safe during pregnancy?", []),
        (None, "Can I use my credit card?", []),
        (None, "The representative I spoke to yesterday was great", []),
        (None, "Is the law book in stock?", []),
        (None, "Do you sell fire extinguishers?", []),
        (None, "Lol that's crazy fast shipping", []),
    ],
    "context_neg": [
        (
            None,
            "那运费呢",
            [("customer", "怎么退货"), ("bot", "您可以在订单详情页申请退货。")],
        ),
        (
            None,
            "好的我试试",
            [("customer", "收不到验证码"), ("bot", "请检查短信拦截设置。")],
        ),
        (
            None,
            "and how long does that take?",
            [
                ("customer", "how do I return this"),
                ("bot", "Start a return from your order page."),
            ],
        ),
        (
            None,
            "got it, thanks!",
            [
                ("customer", "where do I find my invoice"),
                ("bot", "Invoices are under Orders > Details."),
            ],
        ),
        (
            None,
            "哦哦，那我等等",
            [("customer", "我的退款呢"), ("bot", "退款一般3-5个工作日到账。")],
            120,
        ),
        (
            None,
            "可以用花呗吗",
            [("customer", "怎么付款"), ("bot", "支持微信、支付宝和银行卡。")],
        ),
        (
            None,
            "我刚才说错了，是黑色的",
            [("customer", "我要白色的"), ("bot", "好的，已为您记录。")],
        ),
        (None, "红色还有货吗", [("customer", "这件衣服"), ("bot", FALLBACK_ZH)]),
        (None, "the blue one", [("customer", "which colours"), ("bot", FALLBACK_EN)]),
        (None, "那算了，不用转了，我明天再问", [("bot", OFFER_ZH)]),
        (None, "我的订单号是DD20240315001", [("bot", "请提供您的订单号。")]),
        (None, "order 4471-2290", [("bot", "What's your order number?")]),
        (
            None,
            "上次的问题解决了，这次想问下保修",
            [("customer", "屏幕有坏点"), ("bot", "已为您登记换新。")],
        ),
        (None, "谢谢你，你比人工还快", []),
        (None, "能开两张发票吗", []),
        (None, "Can I return it without the box?", []),
        (None, "Do you deliver on Sundays?", []),
        (None, "我昨天投诉的那个问题已经解决了，谢谢", []),
        (None, "What does 'agent pickup point' mean on my tracking?", []),
        (None, "物流显示已签收，但是在快递柜里，取件码多少", []),
        (None, "会员日有什么活动", []),
        (None, "可以帮我备注一下晚上送吗", []),
    ],
    "more_pos": [
        (
            "explicit_request",
            "找人工客服处理一下我的退款",
            [("customer", "退款"), ("bot", "退款一般3-5个工作日到账。")],
        ),
        ("explicit_request", "我要和你们的工作人员通话", []),
        (
            "explicit_request",
            "please get a human on this",
            [("customer", "charged twice"), ("bot", "Refunds take 3-5 days.")],
        ),
        ("safety_emergency", "插座烧焦了还有火花", []),
        ("legal_threat", "I've already filed with the state attorney general", []),
        ("complaint_intent", "怎么投诉你们的售后？态度太差了", []),
    ],
}


def rows() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for group, items in GROUPS.items():
        for index, item in enumerate(items):
            reason, text, history = item[0], item[1], item[2]
            row: dict[str, Any] = {
                "id": f"{group}-{index:02d}",
                "split": "dev" if index % 2 == 0 else "test",
                "lang": "en" if group.endswith("_en") or text.isascii() else "zh",
                "text": text,
                "history": [{"role": r, "text": t} for r, t in history],
                "handoff": reason is not None,
                "reason": reason,
            }
            if len(item) == 4:
                row["elapsed_seconds"] = item[3]
            out.append(row)
    return out


def main() -> None:
    data = rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for row in data:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(r["handoff"] for r in data)
    print(f"{OUT}: {len(data)} rows, {positives} hand-off, {len(data) - positives} not")


if __name__ == "__main__":
    main()
