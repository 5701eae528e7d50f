"""Find time commitments in a reply: an action ("发货", "refund") plus a time.

One compiled regex pass tokenizes the width-folded text into time expressions
(durations.PATTERN), action words, hedges, negations, conditionals, question
particles and clause punctuation; a linear walk over the tokens then pairs each
time expression with the nearest action in its clause. Scope is the clause
(split at ，,：: and "但/but") inside a sentence (split at 。！？；!?;):

* a hedge or negation in the commitment's clause, or in an earlier clause of
  the sentence that holds no time or action ("一般情况下，…"), marks it hedged;
* a conditional (如果/若/if) in that stretch, a question (…吗？ / "?") or a
  report of something already done (已发货, already) is not a commitment;
  neither is a dispatch policy stated for a class of orders (付款后…,
  16点前付款的订单…, "orders placed before 2 pm");
* a disclaimer in the sentence (以实际为准, "subject to change") makes a time
  an estimate, unless the promise's own clause is firm (今天一定发出);
* two times joined as alternatives or a range (当天或次日, "today or
  tomorrow") are an estimate: one hedged commitment, at the later time;
* 马上/立即 with a callback or generic handling (马上与您联系, 立即为您处理,
  "we'll call you right away") is a courtesy, not a deadline.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from complydesk.deadlines import WorkingCalendar, add
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput
from complydesk.pii.text import fold
from complydesk.speech.capabilities import Action
from complydesk.speech.durations import PATTERN, TimeExpr, interpret, resolve
from complydesk.speech.prefilter import (
    Alternatives,
    Hint,
    headed,
    named_parts,
    split_top,
)

__all__ = ["HANDOFF", "Commitment", "detect_lang", "find_commitments"]

# Longest first inside each action: the regex takes the first alternative.
_ACTIONS: dict[str, str] = {
    "ship": r"安排发货|发货|寄出|发出|寄给您|给您寄|发快递|出库|补发|补寄|寄回给?您?"
    # an exchange is a new item shipped: 马上给您换新, 今天就给您换一台
    r"|(?:给|帮|为)(?:您|你)(?:换货|换(?:一|个|台|件|双|部|只|新))"
    r"|(?<=今天|明天|当天|马上|立即|立刻|今晚|明早|一定|肯定|给您|给你|就能|就会|保证|必须)发(?:出去|过去|走)?"
    r"(?=[了哈哦啊呀呢啦~，。！？,.!?\s]|$)"
    # round 10: 今晚就发
    r"|(?<=今晚就|明天就|今天就|马上就|明早就|等下就)发(?:出去|过去|走)?(?=[了哈哦啊呀呢啦~，。！？,.!?\s]|$)"
    # 必发 / 必出: chat shorthand for "will certainly ship"
    r"|(?<![务未何不势想])必(?:须)?(?:发|出库|寄出)(?:出去|走)?(?![现生布表言明票挥展射])"
    # English words end at a non-letter, not at \b: code-mixed chat runs them
    # into Chinese ("今天一定ship出去")
    r"|(?<![a-z])(?:ship(?:ped|s|ping)?|dispatch(?:ed|es)?)(?![a-z])|sent\s+out"
    r"|send\s+(?:it\s+|them\s+)?out"
    # "your order will go out this afternoon" (not "the power will go out")
    r"|(?:(?<=order\s)|(?<=parcel\s)|(?<=package\s)|(?<=replacement\s)|(?<=shipment\s))"
    r"(?:will|is\s+going\s+to)\s+go\s+out\b|get\s+(?:it|them)\s+out\s+to\s+you\b",
    "refund": r"退款到账|退款(?!申请|单|流程|政策|规则|进度|记录|原因|方式|账户|说明)"
    r"|退回|退还|退钱|退费|返还|(?:退|打|返|回)到(?:您的?)?(?:卡|账户|账号|银行卡|支付宝|微信)"
    r"|打回(?:您的?|你的?)?(?:卡|账户|账号|银行卡)"
    r"|(?:退|还|打|转)给(?:您|你)"
    r"|refund(?:ed|s)?\b|money\s+back|reimburse[sd]?\b",
    "deliver": r"送货上门|送达|送到|到货|派送到|配送到|收到货|能收到|可以收到"
    r"|送过[去来]|送上门|(?<!已)(?<!已经)签收(?!了)"
    r"|到(?:您|你)?(?:家|府上|门口|楼下|手上|手里)|(?<=就)在(?:您|你)?(?:家)?门口"
    r"|(?<![务未何不势想])必到"
    r"|(?<=[就能会定时])到(?=[哈哦啊呀呢啦了的~，。！？,.!?\s]|$)"
    # 装机的小哥晚上七点到 (not 七点到九点, a range)
    r"|(?<=点)准?(?:时)?到(?=[哈哦啊呀呢啦~，。！？,.!?\s]|$|您|你|家)"
    r"|deliver(?:ed|y|s)?\b|with\s+(?:you|the\s+recipient|them)\b|show\s+up\b|on\s+your\s+doorstep"
    r"|(?<=be\s)in\s+your\s+(?:mailbox|letterbox|inbox|hands)",
    # Arrival words: a refund in the same sentence makes them the refund's.
    "arrive": r"arrive[sd]?\b|arrival|reach\s+you|get\s+to\s+you"
    r"|rec(?:ei|ie)ve[sd]?\b|you(?:'ll|\s+will)\s+(?:have|get|receive)\s+(?:it|them|the\s+\w+"
    r"|your\s+\w+)",
    # (跟您约上门时间 books a visit; the call is what is promised)
    "visit": r"(?<!约)(?:上门维修|上门安装|上门服务|上门取件|上门(?!时间))"
    r"|安排师傅|师傅过去"
    # installed: 今天下午给您安装好, 宽带明天装好 (not 包装好, 下载安装)
    r"|(?<!下载)(?<!重新)(?<!没)(?<!没有)(?<!未)安装(?:好|完毕|完成|完|上)"
    r"|(?<![包假组没未])(?<!没有)装(?:好|上)(?!了吗|吗)"
    r"|过[去来](?:给您|帮您|为您)?(?:修|维修|安装|装|检修|处理|看)"
    r"|(?:technician|engineer|plumber|electrician|installer|fitter)\s+(?:out\s+)?to\s+(?:you|your)\b"
    r"|visit\b|on-?site|\b(?:technician|tech|engineer|plumber|electrician|installer|fitter|repairman|handyman)"
    r"\s*(?:will\s+|is\s+|'s\s+|'ll\s+)?(?:come|coming|reach|arrive|be\s+there|out\b|over\b"
    r"|round\b|visit)"
    r"|at\s+your\s+(?:door|place|home|house|address|premises|property)"
    r"|(?<=be\s)at\s+yours\b"
    # round 10: fitted or installed by us ("your meter will be fitted tomorrow")
    r"|(?<=be\s)(?:fitted|installed|connected|hooked\s+up)\b",
    "callback": r"回(?:您|你)?(?:个|一个)?电话|回电|回拨|给您打(?:个|一个)?电话"
    r"|给您回复|回复您|回复(?!程序|机器人|功能|模板|内容|率)"
    r"|联系您|[与和跟同]您联系|致电"
    r"|给(?:您|你)(?:一个|个)?(?:处理)?(?:结果|答复|说法)|出(?:处理)?结果"
    r"|给您打电话"
    r"|打电话给您|回访|(?:短信)?通知(?:您|你)(?!了|过)"
    # 半小时内经理亲自给您打过去
    r"|(?:给|帮)(?:您|你)打(?:过去|回去|回来)|打给(?:您|你)"
    r"|call(?:ing)?\s+(?:you\s+)?back|callback|get\s+back\s+to\s+you|contact\s+you"
    r"|(?:ring|phone)(?:ing)?\s+(?:you\s+)?back"
    r"|reply|respond",
    "activate": r"开通|激活|恢复|解封|生效|解冻|解锁|复机|复通"
    # broadband or a line through: 半小时后就通
    r"|(?<=[就能会])通(?=[哈啦的~，。！？,.!?\s]|$)"
    # round 10: a top-up that "will go through in five minutes"
    r"|(?<=will\s)go\s+through\b|(?<='ll\s)go\s+through\b"
    r"|解除(?:限制|冻结|锁定|停机)|(?<=自动)解除"
    # usable again: 马上就能用, 明天就可以正常使用了 (not a question: 能用吗)
    r"|就(?:能|可以)?(?:正常)?(?:用|使用)(?:了|上)?(?![^，,。！？!?\s]{0,2}(?:吗|么))"
    r"|(?:能|可以)正常(?:用|使用)了?(?![^，,。！？!?\s]{0,2}(?:吗|么))|即可(?:正常)?(?:使用|用)"
    r"|(?:re)?activate[sd]?\b|restored?\b|enabled?\b|reinstated?\b"
    r"|credited(?!\s+(?:back\s+)?(?:to|in|into|on)\s+(?:your|ur)\b)"
    r"|un(?:lock|block|freeze)(?:ed)?\b|unfrozen\b|reconnect(?:ed)?\b"
    # a state reached: "the SIM will be active / live in 5 minutes"
    r"|(?<=\bbe\s)(?:active|live|online|usable)\b|\bgo(?:es)?\s+live\b"
    # "your service will be back within 30 mins"
    r"|(?<=\bbe\s)back\b(?=\s+(?:within|in|by|before|today|tonight|tomorrow)\b)"
    r"|back\s+(?:on|up|online)\b(?!\s+(?:your|to|the|onto)\b)|working\s+again"
    r"|up\s+and\s+running",
    "credit": r"到账|进(?:您|你)的?(?:账户|账号|卡里?|银行卡|支付宝|微信|余额)"
    r"|(?<![收找])到(?:您|你)的?(?:账户|账号|卡上|银行卡|支付宝|微信|余额|账上)"
    r"|放款(?:到(?:卡|账户|账上))?|到卡(?:里|上)?"
    r"|(?:appear|show\s+up|land)s?\s+in\s+your\s+account"
    r"|hits?\s+your\s+account"
    # "will credit to your card", "be back in your account"
    r"|credit(?:ed|s)?\s+(?:back\s+)?(?:to|in|into|on)\s+(?:your|ur)\b"
    r"|(?:be\s+|b\s+)?back\s+(?:in|on|to)\s+(?:your|ur)\s+(?:account|acct|card|wallet)",
    # bare 处理 ("handle") promises attention, not an outcome: not an action
    # 解决不了的 (没有解决不了的: an absolute claim, not a timed resolution)
    "resolve": r"处理完毕|处理完|处理好|处理妥当|解决(?!不了)|办好|办妥|办完|搞定"
    r"|审核通过|审核完(?:毕|成)?|审完|审批完(?:毕|成)?|出票|出签|下签|出证"
    r"|发到(?:您|你)的?(?:邮箱|手机)"
    r"|(?:发票)?(?:开好|开出来|开具好)"
    r"|批下来|出结果|(?<=[会能定])有(?:个)?结果"
    r"|换新|更换好"
    r"|resolve[sd]?\b|fix(?:ed|es)?\b|sort(?:ed)?\s+(?:it\s+|this\s+|that\s+)?out"
    r"|sorted\b|replaced\b"
    r"|solved?\b",
    # the car ready to collect after a repair: 明天下午您直接来提车
    # round 10: the phone ready to collect (后盖换好了明天就能取)
    "repair": r"维修好|维修完成|维修完|修好|修复"
    # round 10: 维修明天完成 (the time between the work and its end)
    r"|维修(?=[^，。！？,.!?；;]{1,4}?完成)|(?<![交兑])换好(?![了吗么]?[吗么])"
    r"|(?:来|可以|能|直接)(?:提车|取车|取机|取回|取(?=[，。！？,.!?~\s]|$|了))"
    r"|repair(?:ed|s)?\b",
}
_NEG = (
    r"不能保证|无法保证|无法承诺|不能承诺|不敢保证|没法保证|不保证|不一定|不确定|不可能"
    r"|不能|无法|没办法|没法|没能|未能|不会|未必|难以|暂不|暂时不"
    r"|不(?=发|寄|退|送|上门|回|联系|开通|激活|恢复|处理|解决|维修|修)"
    r"|can(?:no|')?t\s+(?:guarantee|promise)|can\s+not\s+(?:guarantee|promise)"
    r"|not\s+guaranteed|no\s+guarantee|unable\s+to|not\s+able\s+to|won'?t\b"
    r"|will\s+not|cannot|can'?t\b|\bnot\b"
    r"|\b(?:didn'?t|did\s+not|haven'?t|hasn'?t|wouldn'?t|couldn'?t)\b"
    r"|\bnever\s+(?:promised|said|guaranteed|agreed|committed)\b"
    r"|\bno\s+way\s+(?:to|we\s+can|i\s+can)\s+(?:guarantee|promise)\b"
    # the promise itself denied: 不敢说今天能到, 并不是今天发货, 我们没有承诺过明天到
    r"|不敢说|不好说|不能说|没法说|说不准|说不好|并不是|并非|做不到"
    r"|没有?(?:承诺|答应|保证|说)过"
)
# "1~3个工作日", "6-24个小时", "1到2天": a range is an estimate; the time
# expression matched is its upper bound.
_RANGE_BEFORE = re.compile(r"[0-9一二两三四五六七八九十]\s*(?:-|~|～|到|至)\s*$")
# "当天或次日", "today or tomorrow", "周三到周五": alternatives or a range of times.
_RANGE_JOIN = re.compile(
    r"\s*(?:或者?|或是|到|至|-|~|～|/)\s*|\s+(?:or|to)\s+", re.IGNORECASE
)

_HEDGE = (
    r"预计|预期|一般|通常|正常情况下|大约|大概|(?<!预)约(?=[0-9一二两三四五六七八九十半])"
    r"|尽量|尽快|争取|力争|努力|可能|也许|或许|估计|应该|原则上|有望|希望|左右|差不多(?!得了)"
    # a wish, not a promise: 如果今天能发货就好了
    r"|(?:如果|要是|假如|但愿)[^，,。！？]{0,24}?(?:的话)?就好了"
    # whether it happens is open: 明天能否送到要看快递, 取决于物流
    r"|能否|是否|能不能|会不会|可否|要看|得看|取决于"
    r"|近(?=[0-9一二两三四五六七八九十几]+\s*个?(?:天|日|小时))"
    # round 10: a range of outcomes (快的话明天能到，慢的话要两三天),
    # the earliest (最快明天)
    r"|(?:快|顺利|运气好)的话|最快|最早"
    # a third party's word or a disclaimer: 快递员说今天能到, …，具体以实际为准
    # (跟仓库说好了 is the agent's own word to the warehouse, not the warehouse's)
    r"|(?<![跟和与同给向对找])(?:快递员|快递小哥|快递公司|师傅|物流|仓库|商家|银行|厂家)(?:那边)?"
    r"(?:说(?!好)|表示|反馈|回复|答复)"
    # a third party's estimate reported: 物流显示明天送达
    r"|(?:物流|快递|系统|页面|订单|查询)(?:信息|记录|状态)?(?:显示|上显示|提示)"
    r"|\b(?:tracking|the\s+system|(?:the\s+)?status|the\s+courier(?:'s\s+(?:site|app))?"
    r"|(?:their|the\s+carrier'?s?|the\s+courier'?s?)\s+(?:site|website|app|page)"
    r"|(?:the\s+courier'?s?\s+)?tracking\s+(?:page|site|app|info|details))"
    r"\s+(?:shows|says|indicates|lists)\b"
    r"|\b(?:usually|typically|normally|generally|estimated|approximately|approx"
    r"|roughly|expected|expects?|should|may|might|could|tr(?:y|ies|ying)|aim(?:s|ing)?"
    r"|hope[sd]?|hoping|hopefully|likely|probably|ideally|tentatively|estimates?)\b"
    r"|\b(?:do(?:ing)?|try)\s+(?:my|our)\s+(?:best|utmost)\b|\bbest\s+efforts?\b"
    r"|\b(?:about|around)(?=\s+(?:[0-9]|an?\b|one|two|three|four|five))"
)
_COND = (
    r"如果|假如|若是|倘若|要是|万一|只要|一旦|若(?!干)|如(?=您|你)"
    r"|(?<![会能定])有了?(?:结果|进展|消息|回复|答复)|收到(?:您的)?(?:信息|私信|回复|消息)(?:后|会)"
    # a policy for a class of orders, timed from an event: 付款后…, 16点前付款的订单…
    r"|(?:付款|下单|支付|拍下|订单生成|生成订单|签收|确认收货|审核通过|审批通过"
    r"|收到(?:退货|退回的商品|您寄回的商品))(?:成功)?(?:后|之后|以后)"
    # 16点前付款的订单 is a class of orders; 您下单的商品 is this customer's order
    r"|(?<![您你])(?:付款|下单|支付|拍下|(?<=今天|当天|今日|现在)拍|订单生成|生成订单|签收|确认收货"
    r"|审核通过|审批通过)的"
    # round 6: a livestream host's vocative (下单的宝宝们) addresses buyers, no class
    r"(?!(?:宝宝|亲|家人|姐妹|朋友|小伙伴|粉丝|兄弟|老铁|集美)们?)"
    # a class of requests or orders (…之间的咨询会在当天回复, 订单均在…): policy
    r"|的(?:订单|咨询|留言|申请|工单|包裹|商品|快递)(?=[^，,。！？]{0,4}(?:会|将|均|都|一律|统一))"
    r"|均(?=会|在|于|可|将)|一律"
    # the customer's own deadline: 请在24小时内完成支付, 需要您在3天内寄回
    r"|(?:需要|需|须|务必|请)(?:您|你)?(?:在|于)"
    r"|(?<!\bknow\s)(?<!\bsee\s)(?<!\bcheck\s)(?<!\bask\s)"
    r"\b(?:if|unless|provided|as\s+long\s+as|in\s+case|orders?\s+(?:placed|paid|received|made))\b"
)
# A disclaimer anywhere in the sentence makes every time in it an estimate.
_DISCLAIM = (
    r"以(?:实际|物流|快递|银行|系统|页面|短信|通知|审核)[^，,。！？]{0,6}?为准|仅供参考"
    r"|\b(?:subject\s+to\s+(?:change|availability)|not\s+guaranteed)\b"
    # a concession that it may slip: "…, though the courier may run late",
    # 不过可能会有延误
    r"|\b(?:though|although|but|however)\b[^.!?;]{0,30}?\b(?:may|might|could)\s+(?:run\s+late"
    r"|be\s+(?:late|delayed)|slip|change|vary|take\s+longer)\b"
    r"|(?:不过|但是?|只是)[^。！？]{0,10}?(?:可能|也许|或许|有可能)(?:会)?(?:有)?"
    r"(?:延误|延迟|晚到|晚点|推迟|变动|调整)"
)
_DONE = (
    r"已经|已(?!读)|多次|刚刚|刚才|\balready\b"
    # 是…的 reports when it happened: 退款是今天下午两点退回的
    r"|是(?=[^，,。！？]{1,12}?的[哈哦呢啦呀喔]?(?:[，,。！？!?~～]|$))"
    r"|\b(?:was|were|has\s+been|have\s+been)\b(?=\s+(?:delivered|shipped|dispatched"
    r"|refunded|sent|credited|resolved|fixed|repaired|activated|restored)\b)"
    # a booking on record: "the visit is booked for tomorrow" (like 已预约明天上门)
    r"|\b(?:is|are|was|were|has\s+been|have\s+been)\s+(?:already\s+)?(?:booked|scheduled"
    r"|confirmed)\s+(?=for\b)"
)
# Reported speech: the customer's or a colleague's words, not this promise
# (您说之前客服答应明天发货, "you said the last agent promised Friday").
_REPORT = (
    r"(?:您|你)(?:刚才|刚刚|之前|上次)?(?:说|提到|讲|反映|表示)(?:过)?"
    # 您反映的年费问题 names the issue, it reports nobody's words
    r"(?!的[^，,。！？]{0,4}?(?:问题|情况|事情?|故障|现象|诉求|需求|意见|建议|投诉|困扰))"
    # 您说得对 agrees with the customer, it reports nobody's words
    r"(?!得?(?:对|没错|有道理|是)|的(?:对|没错|有道理|是))"
    r"|(?:上一位|之前的?|前面的?|上次的?|那位)(?:客服|同事|工作人员|专员)(?:说|承诺|答应|告诉)"
    r"|\byou\s+(?:said|mentioned|told\s+(?:me|us)|were\s+told|wrote|asked)\b"
    r"|\b(?:agent|rep|representative|colleague|someone|they)\s+(?:promised|said|told\s+you)\b"
    # hearsay, usually denied after it: 有人说今天就能到账，这是不实的
    r"|(?:有人|别人|网上|外面|其他人|对方|销售|广告)(?:都)?(?:说|讲|宣传|声称|号称)"
    r"|\b(?:some\s+(?:ads?|sites?|sellers?|people)|ads?|somebody|others|people)\s+"
    r"(?:claims?|says?|said|promised?|advertised?)\b"
)
# This customer's own order named after a policy ("…的订单当天发，您这单今天肯定
# 发"): a class-of-orders condition before it no longer applies.
_THIS = (
    r"(?:您|你)(?:的|这个?)(?:一)?(?=单|订单|包裹|快递|货|退款|退货)|您这边的(?=订单)"
)
_QUESTION = r"[吗么呢](?=\s*[”’」』\"]?\s*(?:[？?。!！，,]|$))"
_SENTENCE = r"[。！？!?；;\n]|\.(?=\s|$)"
_CLAUSE = r"[，,：:、]|但是|不过|但|\b(?:but|however)\b"

# Money the company pays out (a claim, a compensation, a surrender value): an
# arrival word in its sentence (理赔款明天到账, "the payout will be in your
# account") is a refund-like payment, not a top-up being activated.
_MONEY = (
    r"理赔款?|赔款|赔付款?|退票款?|票款|放款|贷款|下款|赔偿(?:款|金)?|补偿(?:款|金)|退保|保险金|退费|返现|赔的钱|退的钱"
    r"|(?<![付贷])款项"
    r"|\b(?:payouts?|claims?\s+(?:money|payment|amount)|compensation|reimbursements?"
    r"|settlements?)\b"
    # round 10: "the money will be back in your account today" is a refund
    r"|\b(?:the|your)\s+money\b(?!\s+(?:you\s+)?(?:top(?:ped)?\s*-?\s*up|added|loaded))"
)
_TOKEN_RULES = [
    *named_parts(PATTERN),
    ("neg", _NEG),
    ("hedge", _HEDGE),
    ("cond", _COND),
    ("disclaim", _DISCLAIM),
    ("done", _DONE),
    ("report", _REPORT),
    ("this", _THIS),
    *((f"a_{name}", words) for name, words in _ACTIONS.items()),
    ("money", _MONEY),
    ("question", _QUESTION),
    ("sentence", _SENTENCE),
    ("clause", _CLAUSE),
]
_TOKEN_PATTERN = "|".join(f"(?P<{name}>{body})" for name, body in _TOKEN_RULES)
# Most positions of a reply cannot start any token: a look-ahead for the
# characters that can (computed from the pattern) skips them with one test.
_TOKEN = re.compile(headed(_TOKEN_PATTERN, re.IGNORECASE), re.IGNORECASE)
# The same tokens from the patterns one by one, each run only on replies that
# hold a string it needs (prefilter.py): ~4x faster on long replies.
_TOKENS = Alternatives([(name, [body]) for name, body in _TOKEN_RULES], re.IGNORECASE)
# A commitment pairs a time with an action: a reply holding none of the
# strings one of them needs is not tokenized (see prefilter.py).
_TIME_HINT = Hint(split_top(PATTERN), re.IGNORECASE)
_ACTION_HINT = Hint(_ACTIONS.values(), re.IGNORECASE)
_REPAIR_WORD = re.compile(r"维修|返修|报修|修理|\brepairs?\b", re.IGNORECASE)
_REFUND_WORD = re.compile(r"退款|退回|退还|退钱|退费|refund", re.IGNORECASE)
_ARRIVAL = {"credit": "activate", "arrive": "deliver"}
# 恢复 / "restored" after a fault is a repair (宽带今天下班前就能恢复), not the
# service switched back on after a payment (缴费后两小时内恢复).
_RESTORE = re.compile(r"恢复|restored?\b|back\s+(?:on|up|online)\b", re.IGNORECASE)
_FAULT = re.compile(
    r"故障|宽带|网络|网速|信号|断网|掉线|抢修|维修|报修|outage|fault|broadband|signal",
    re.IGNORECASE,
)
_NOT_YET = re.compile(r"(?:没|未|没有|不能|无法)$")
_PAYMENT = re.compile(r"缴费|交费|充值|欠费|续费|停机|pay|top[\s-]?up", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 马上/立即 with these actions is a courtesy ("马上与您联系", "立即为您处理",
# "we'll call you right away"), not a deadline the customer relies on.
_COURTESY = frozenset({"a_callback", "a_resolve"})
# After 马上/立即: the agent's own look-up step ("马上为您核实处理"), not an outcome.
_LOOKUP = re.compile(
    r"\s*(?:为您|给您|帮您|替您)?(?:进行|去)?(?:查询|核实|核查|查看|反馈|跟进|登记"
    r"|记录|通知|转交|提交|上报|联系同事|联系相关|安排专员|私信|协助|跟踪|生效)"
)
# Between a time and an action, a hand-off to someone else (转工程师, 提交给):
# what is promised by then is the hand-off, not the action.
HANDOFF = re.compile(
    r"转交|转给|转到|转接|转[^\s，,。]{0,3}(?:工程师|师傅|专员|部门)|派单|提交给|上报|反馈给"
)
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))
# An action followed by 后 is the event a time is counted from, not the thing
# promised: "发货后24小时内送达" promises delivery 24 hours after dispatch.
_AFTER = re.compile(r"(?:成功)?(?:后|之后|以后)(?:的)?")
_AFTER_EN = re.compile(
    r"\s+(?:of|after|from)\s+(?:dispatch|shipping|shipment|despatch"
    r"|(?:it|the\s+(?:order|parcel|package|item))\s+(?:ships|is\s+(?:shipped"
    r"|dispatched|sent))|being\s+(?:shipped|dispatched|sent))\b",
    re.IGNORECASE,
)
# A point in time followed by 之后 is when something starts, not a deadline
# (下午1点半之后会回复您); a duration followed by 后 is one (两天后到账).
_POINTS = frozenset({"t_clock", "t_noon", "t_day", "t_wday", "t_date"})
_AFTER_POINT = re.compile(r"\s*(?:之后|以后|过后|后)(?!天)")
_START = re.compile(
    r"\b(?:start|begin|initiate|submit|raise|open|request|log|file)\s+(?:your|the|a|ur)\s+$",
    re.IGNORECASE,
)
_ADVANCE = re.compile(r"提前|\bin\s+advance\b|\bahead\b")
# (not a sentence particle after 的: 给您发货的哦 ends the statement)
_ATTRIBUTE = re.compile(r"的(?=[\u4e00-\u9fff])(?!话|[哦哈呢啦呀喔噢嘛吧啊哟])")
# Firm wording: a time the company can keep, promised as a certainty, is still
# a time commitment the reply should not make ("发票三天内一定寄给您"); a
# disclaimer elsewhere in the sentence does not soften it.
FIRM = re.compile(
    r"一定|肯定|保证|绝对|铁定|保准|准保|管保|必定|准时|百分之?百|100%|打包票"
    r"|(?<![务未何不势想])必(?=到|达|发|送|回|退)"
    r"|承诺(?!的|时效|书)|(?:这个|这)?是定(?:的|了)|这个没问题|这没问题"
    r"|\b(?:guarantee[ds]?|definitely|certainly|for\s+sure|promise[ds]?"
    r"|without\s+fail|no\s+later\s+than|assure|my\s+word)\b",
    re.IGNORECASE,
)
# A report covers its own clause and the next (您说之前的客服讲过，明天就能发货),
# not the agent's own later promise (…这个说法不合规，会在24小时内回电给您).
_REPORT_CLAUSES = 1
_FIRM_DENIED = re.compile(
    r"没法|没办法|不能|无法|不敢|不想|不可能|不好(?!意思)|\b(?:can'?t|cannot|won'?t|unable|not)\b",
    re.IGNORECASE,
)
_SEPARATORS = frozenset("，,：:、。！？!?；;\n")
_FRAME_CHARS = 6  # "一般情况下，" frames; "我们尽量帮您协调，" speaks
_BUT = re.compile(r"但是|不过|但|\b(?:but|however)\b", re.IGNORECASE)
_ANCHOR_GAP = 6  # characters between the event and the time it starts


def _quoted(text: str, start: int) -> bool:
    """Is `start` inside a closed pair of quote marks (customer's words)?"""
    for open_q, close_q in _QUOTE_PAIRS:
        o = text.rfind(open_q, 0, start)
        if o != -1 and text.find(close_q, o, start) == -1:
            if text.find(close_q, start) != -1:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise to do `action` by `latest` (aware UTC), at text[start:end].

    `hedged` is True for estimates and negations: not a firm promise.
    `negated` says which (a negation such as 无法保证 is the compliant wording).
    `time_text` is the time expression alone, for messages ("24小时内").
    `after` is the event the time counts from when one is said ("发货后24小时内
    送达": ship) and `offset` the time after it; `latest` then counts from now,
    as if the event happened now, which is how capabilities are declared
    (delivery within 3 days of dispatch).
    """

    action: Action
    start: int
    end: int
    text: str
    latest: datetime
    duration: Duration | None
    hedged: bool
    negated: bool = False
    time_text: str = ""
    after: Action | None = None
    offset: Duration | None = None


@dataclass(slots=True)
class _Tok:
    kind: str
    start: int
    end: int
    text: str
    clause: int
    expr: TimeExpr | None = None
    used: bool = False


def detect_lang(text: str) -> str:
    """ "zh" when the text has any CJK ideograph, else "en"."""
    return "zh" if _CJK.search(text) else "en"


def find_commitments(
    text: str, *, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar
) -> list[Commitment]:
    """Every time commitment in `text`, in order; `now` must be timezone-aware."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("now must be timezone-aware")
    folded = fold(text)
    if not (_TIME_HINT.may_match(folded) and _ACTION_HINT.may_match(folded)):
        return []  # two in three replies: no time or no action word at all
    found: list[Commitment] = []
    sentence: list[_Tok] = []
    clause = 0
    tokens = _TOKENS.tokens(folded)
    if tokens is None:  # an empty match somewhere: the one regex decides
        tokens = [
            (m.start(), m.lastgroup or "", m.end()) for m in _TOKEN.finditer(folded)
        ]
    for start, kind, end in tokens:
        word = folded[start:end]
        if kind == "sentence":
            found.extend(_sentence(sentence, text, now, tz, calendar, word))
            sentence = []
            clause += 1
            continue
        if kind == "clause":
            clause += 1
            continue
        tok = _Tok(kind, start, end, word, clause)
        if kind.startswith("a_") and _AFTER.match(folded, end):
            tok.kind = "after_" + kind[2:]  # the event a time counts from
        elif kind.startswith("a_") and _ATTRIBUTE.match(folded, end):
            continue  # 补发的配件: the action names a thing, nothing is promised
        if kind.startswith("t_"):
            tok.expr = interpret(kind, word)
            if tok.expr is None:
                continue
        sentence.append(tok)
    found.extend(_sentence(sentence, text, now, tz, calendar, ""))
    return found


def _sentence(
    toks: list[_Tok],
    text: str,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    end_mark: str,
) -> list[Commitment]:
    times = [t for t in toks if t.expr is not None]
    if not times or end_mark in ("?", "？") or any(t.kind == "question" for t in toks):
        return []
    actions = [t for t in toks if t.kind.startswith("a_")]
    if not actions:
        return []
    refund_context = any(_REFUND_WORD.fullmatch(a.text) for a in actions) or any(
        t.kind == "money" for t in toks
    )
    ranged, earlier = _ranges(times, text)
    out: list[Commitment] = []
    for time_tok in times:
        if id(time_tok) in earlier:
            continue  # 当天或次日: judged once, at the later time
        action_tok = _pair(time_tok, actions, times)
        if action_tok is None:
            continue
        action_tok.used = True
        span = sorted({time_tok.clause, action_tok.clause})
        first, last = span[0], span[-1]
        scope = _scope(toks, first, last, text)
        reset = max(
            (t.start for t in toks if t.kind == "this" and t.start < time_tok.start),
            default=-1,
        )
        if any(t.kind == "cond" and t.clause <= last and t.start > reset for t in toks):
            continue
        if any(
            t.kind == "report"
            and t.start < time_tok.start
            and time_tok.clause - t.clause <= _REPORT_CLAUSES
            for t in toks
        ):
            continue  # someone else's words reported
        later = action_tok if action_tok.start > time_tok.start else time_tok
        if any(
            t.kind == "done"
            and t.clause == action_tok.clause
            and t.end <= later.start
            and not _between(actions, t, later, action_tok)
            for t in toks
        ):
            continue  # 已发货, "was delivered": a report, unless another action follows
        negated = any(t.kind == "neg" for t in scope)
        hedged = (
            negated
            or id(time_tok) in ranged
            or (
                any(t.kind == "disclaim" for t in toks)
                and not _firm(text, time_tok, action_tok)
            )
            or any(t.kind == "hedge" for t in scope)
            or _RANGE_BEFORE.search(text, max(0, time_tok.start - 8), time_tok.start)
            is not None
        )
        if time_tok.kind == "t_now" and (
            hedged
            or action_tok.kind in _COURTESY
            or _LOOKUP.match(text, time_tok.end) is not None
        ):
            # "马上核实并尽快回复您", "立即为您查询": an as-soon-as-possible
            # step, not a deadline the customer relies on.
            continue
        if time_tok.end <= action_tok.start and HANDOFF.search(
            text, time_tok.end, action_tok.start
        ):
            continue  # 明天为您转工程师上门: the hand-off is promised, not the visit
        if _ADVANCE.search(text, max(0, time_tok.start - 4), time_tok.start):
            continue  # 调价会提前三十天通知您: notice given in advance, no deadline
        if _START.search(text, max(0, action_tok.start - 20), action_tok.start):
            continue  # "I can start your refund right now": the start, not the refund
        if time_tok.kind in _POINTS and _AFTER_POINT.match(text, time_tok.end):
            continue  # 下午1点半之后会回复您: a time it starts from, no deadline
        name = action_tok.kind[2:]
        if _quoted(text, time_tok.start):
            continue
        if name in _ARRIVAL:
            name = "refund" if refund_context else _ARRIVAL[name]
        if name == "activate" and _fault_repair(text, action_tok):
            name = "repair"
        if name == "resolve" and _REPAIR_WORD.search(text) is not None:
            name = "repair"  # 维修…7天内处理好: the repair is what gets done
        assert time_tok.expr is not None
        try:
            latest = resolve(time_tok.expr, now, calendar, tz)
        except InvalidInput:
            continue  # a figure past the supported date range promises nothing
        after, offset = _anchor(toks, time_tok, text)
        if offset is not None:
            latest = add(now, offset, calendar, tz)
        start = min(time_tok.start, action_tok.start)
        end = max(time_tok.end, action_tok.end)
        out.append(
            Commitment(
                action=Action(name),
                start=start,
                end=end,
                text=text[start:end],
                latest=latest,
                duration=time_tok.expr.duration,
                hedged=hedged,
                negated=negated,
                time_text=text[time_tok.start : time_tok.end],
                after=after,
                offset=offset,
            )
        )
    return out


def _fault_repair(text: str, action: _Tok) -> bool:
    """Is this 恢复 a fault fixed (a repair) rather than service back after paying?"""
    return (
        _RESTORE.fullmatch(action.text) is not None
        and _FAULT.search(text) is not None
        and _PAYMENT.search(text) is None
        and _NOT_YET.search(text, max(0, action.start - 3), action.start) is None
    )


def _anchor(
    toks: list[_Tok], time_tok: _Tok, text: str
) -> tuple[Action | None, Duration | None]:
    """(event, time after it) when the time counts from an event said just
    before it (发货后24小时内, 发货后次日) or after it ("within 2 days of
    dispatch"); (None, None) when it counts from now."""
    event: str | None = None
    for t in toks:
        if (
            t.kind.startswith("after_")
            and t.clause == time_tok.clause
            and 0 <= time_tok.start - t.end <= _ANCHOR_GAP
        ):
            event = t.kind[6:]
    if event is None and _AFTER_EN.match(text, time_tok.end):
        event = "ship"
    expr = time_tok.expr
    if event is None or expr is None:
        return None, None
    if event in _ARRIVAL:
        event = _ARRIVAL[event]
    if expr.kind == "duration" and expr.duration is not None:
        offset = expr.duration
    elif expr.kind == "minutes":
        offset = Duration(amount=max(1, math.ceil(expr.minutes / 60)), unit=Unit.HOURS)
    elif expr.kind == "day_end":  # 发货后次日: by the end of the next day
        offset = Duration(amount=expr.days + 1, unit=Unit.CALENDAR_DAYS)
    else:
        return None, None  # a date or weekday is absolute whatever precedes it
    return Action(event), offset


def _ranges(times: list[_Tok], text: str) -> tuple[set[int], set[int]]:
    """(ids of times in an alternative or range, ids of the earlier ones)."""
    ranged: set[int] = set()
    earlier: set[int] = set()
    for a, b in zip(times, times[1:], strict=False):
        m = _RANGE_JOIN.match(text, a.end)
        if m is not None and m.end() == b.start:
            ranged.update((id(a), id(b)))
            earlier.add(id(a))
    return ranged, earlier


def _pair(time_tok: _Tok, actions: list[_Tok], times: list[_Tok]) -> _Tok | None:
    """Nearest unused action in the same clause; else the next (or previous)
    clause's action when that clause has no time of its own ("今天之内，给您退款")."""
    same = [a for a in actions if a.clause == time_tok.clause and not a.used]
    if same:
        # "24小时内为您处理退款": the specific action wins over generic 处理.
        return min(
            same,
            key=lambda a: (
                a.kind == "a_resolve",
                _gap(time_tok, a),
                a.start < time_tok.start,
            ),
        )
    for step in (1, -1):
        other = time_tok.clause + step
        if any(t.clause == other for t in times):
            continue
        near = [a for a in actions if a.clause == other and not a.used]
        if near:
            return near[0] if step == 1 else near[-1]
    return None


def _between(actions: list[_Tok], first: _Tok, last: _Tok, own: _Tok) -> bool:
    """Is there an action token other than `own` between `first` and `last`?"""
    return any(
        a is not own and first.end <= a.start and a.end <= last.start for a in actions
    )


def _gap(a: _Tok, b: _Tok) -> int:
    return max(b.start - a.end, a.start - b.end, 0)


def _clause_span(text: str, start: int, end: int, clauses: int = 1) -> tuple[int, int]:
    """From the clause start before `start` to the end of `clauses` clauses from
    `end` (punctuation-delimited)."""
    lo = start
    while lo > 0 and text[lo - 1] not in _SEPARATORS:
        lo -= 1
    hi = end
    for n in range(clauses):
        if n:
            hi += 1  # past the separator, into the next clause
        while hi < len(text) and text[hi] not in _SEPARATORS:
            hi += 1
    return lo, min(hi, len(text))


def _firm(text: str, time_tok: _Tok, action_tok: _Tok) -> bool:
    """Is the promise worded as a certainty in its clause or the next one
    (今天一定发出, "within the hour, promise")?"""
    start = min(time_tok.start, action_tok.start)
    end = max(time_tok.end, action_tok.end)
    lo, hi = _clause_span(text, start, end, clauses=2)
    return firm_in(text, lo, hi)


def firm_in(text: str, lo: int, hi: int) -> bool:
    """Is there a firm word in text[lo:hi] that is not itself denied
    (没法跟您打包票, 保证不了, "can't promise")?"""
    for m in FIRM.finditer(text, lo, hi):
        if _FIRM_DENIED.search(text, max(lo, m.start() - 8), m.start()):
            continue
        if text.startswith(("不了", "不住"), m.end()):
            continue
        return True
    return False


def _frame(text: str, group: list[_Tok]) -> bool:
    """Is this clause short enough to frame the next one ("一般情况下，", "通常，")
    rather than say something of its own ("我们尽量帮您协调，")?"""
    lo, hi = _clause_span(text, group[0].start, group[-1].end)
    return len(text[lo:hi].strip()) <= _FRAME_CHARS


def _scope(toks: list[_Tok], first: int, last: int, text: str) -> list[_Tok]:
    """Tokens of clauses first..last plus the framing clauses right before them:
    short earlier clauses with no time or action of their own ("一般情况下，")."""
    clauses: dict[int, list[_Tok]] = {}
    for tok in toks:
        clauses.setdefault(tok.clause, []).append(tok)
    scope = [t for t in toks if first <= t.clause <= last]
    start = min((t.start for t in scope), default=len(text))
    for index in sorted((c for c in clauses if c < first), reverse=True):
        group = clauses[index]
        if any(t.expr is not None or t.kind.startswith("a_") for t in group):
            break
        if not _frame(text, group):
            break  # 我们尽量帮您协调，…: a statement of its own, not a frame
        frame_end = _clause_span(text, group[0].start, group[-1].end)[1]
        if _spoken_between(text, frame_end, start):
            break  # 通常要等几日，但是你张单我帮你催了，明天…: the frame is over
        scope.extend(group)
        start = group[0].start
    return scope


def _spoken_between(text: str, lo: int, hi: int) -> bool:
    """Does a clause of its own (no tokens, longer than a frame) or a 但是 stand
    between a framing clause and what it would frame?"""
    gap = text[lo:hi]
    if _BUT.search(gap):
        return True
    pieces = re.split(r"[，,：:、。！？!?；;\n]", gap)
    return any(len(p.strip()) > _FRAME_CHARS for p in pieces[:-1])
