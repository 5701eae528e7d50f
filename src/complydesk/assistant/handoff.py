"""When the assistant must hand a conversation to a human, and why.

The customer can reach a human at any time (seed §2.3; GDPR Art. 22(3) for
solely automated decisions; the triggers reported for the recommended standard
GB/T 47746—2026 in China). `HandoffDetector.detect` looks at the customer's
latest message, the conversation before it and how long it has run, and
returns every trigger that fired with a short reason. Only triggers the policy
pack lists (`human_handoff.triggers`) are applied; the pack's
`request_phrases` add to the built-in ways of asking for a human.

Reasons name the trigger and the cue family, never the customer's words: they
go into hand-off records, audit entries and logs.

The JSONL contract of `complydesk ai handoff --jsonl` (`handoff_lines`): input
lines `{"text": ..., "history": [{"role": "customer" | "bot", "text": ...}],
"elapsed_seconds": N}` (history and elapsed_seconds optional); output, one
per input line and in order, `{"handoff": true | false, "reason": <trigger> |
null}`. Evaluation tooling depends on this shape: keep it stable. A
whitespace-only line yields `{"handoff": false, "reason": null}`; anything
else that is not such an object stops the run with an error naming the line.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from complydesk.deadlines import elapsed as elapsed_time
from complydesk.desk.triage import load_rules
from complydesk.errors import InvalidInput
from complydesk.jsonlines import read_record, text_of
from complydesk.pii.classify import label_info
from complydesk.pii.detect import Detector, default_detector
from complydesk.policy.pack import HumanHandoff

Role = Literal["customer", "bot", "agent"]
ROLES: tuple[str, ...] = ("customer", "bot", "agent")
MAX_TEXT = 10_000
MAX_HISTORY = 200

# Most important first: the first reason that fires is the one reported.
TRIGGERS: tuple[str, ...] = (
    "safety_emergency",
    "explicit_request",
    "legal_threat",
    "user_refuses_ai",
    "sensitive_pii",
    "complaint_intent",
    "negative_sentiment",
    "nlu_failures",
    "ai_timeout",
)


@dataclass(frozen=True)
class Turn:
    role: Role
    text: str


@dataclass(frozen=True)
class Reason:
    """One trigger that fired; `cue` names the cue family, not the text."""

    trigger: str
    cue: str

    def __str__(self) -> str:
        return f"{self.trigger}: {self.cue}"


@dataclass(frozen=True)
class HandoffDecision:
    reasons: tuple[Reason, ...] = ()

    @property
    def handoff(self) -> bool:
        return bool(self.reasons)

    @property
    def reason(self) -> str | None:
        return self.reasons[0].trigger if self.reasons else None

    def to_dict(self) -> dict[str, Any]:
        """The JSONL contract shape."""
        return {"handoff": self.handoff, "reason": self.reason}


# --- cues -----------------------------------------------------------------------------
def _rx(*parts: str) -> re.Pattern[str]:
    """ASCII word semantics: `\\b` must see a boundary between 汉字 and Latin."""
    return re.compile("|".join(f"(?:{p})" for p in parts), re.ASCII)


_CLAUSE = re.compile(r"[,.!?;:。，！？；：\n]")
# Words after 人工 that make it "artificial", not "a human agent".
_NOT_AGENT = (
    r"(?!智能|费|草|湖|成本|合成|降雨|呼吸|晶体|关节|授精|耳蜗|培育|养殖|种植|造|材料)"
)
_HUMAN_ZH = (
    rf"人工{_NOT_AGENT}|真人|活人|客服人员|工作人员|客服小姐姐|客服小哥|人工坐席"
    r"|人工座席|主管|经理|负责人|领导|值班人员"
)
_NEGATOR_ZH = re.compile(
    r"(?:不用|不要|不需要|无需|没必要|别|不想|算了)[^,.!?;。，！？]{0,6}$"
)
_NEGATOR_EN = re.compile(
    r"\b(?:no need (?:for|to)|don'?t (?:need|want)|do not (?:need|want)|not|never|"
    r"without)\b[^.!?]{0,12}$",
    re.ASCII,
)

EXPLICIT_ZH = _rx(
    r"转(?:接)?(?:一下|个)?(?:到)?(?:人工|真人|客服人员)",
    rf"(?:要|找|叫|换|请|接|需要|想要|想找|帮我接|给我接|给我找|帮我叫|让)"
    rf"[^,.!?;。，！？]{{0,6}}?(?:{_HUMAN_ZH})",
    rf"(?:和|跟|与)(?:你们的?)?(?:{_HUMAN_ZH})(?:沟通|说|聊|谈|通话|对话|联系)",
    r"有没有(?:真人|活人|人工)|真人在(?:吗|不)",
    r"叫(?:个|一个)?人来",
)
# The whole message is a request ("人工", "转人工！！", "rg").
EXPLICIT_ALONE_ZH = re.compile(
    rf"^(?:人工{_NOT_AGENT}|人工客服|人工服务|真人客服|真人|客服|rg|zrg|转人工)+$"
)
EXPLICIT_EN = _rx(
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|the|some|your|one of your)?\s*"
    r"(?:real|live|actual|human)?\s*(?:human|person|agent|representative|rep|"
    r"someone|somebody|manager|supervisor|operator|people|staff)\b",
    r"\b(?:connect|transfer|put)\s+me\s+(?:to|with|through)\b",
    r"\b(?:get|need|want|give)\s+(?:me\s+)?(?:a|an|to)?\s*(?:real|live|actual)?\s*"
    r"(?:human|person|agent|representative|rep|manager|supervisor|operator)\b"
    r"(?!\s+(?:package|pickup|string))",
    r"\b(?:is there|are there|any)\s+(?:an?\s+)?(?:actual|real|live)\s+"
    r"(?:human|person|people|agent)\b",
    r"\b(?:person|human|someone|somebody|agent)\s+(?:to\s+)?call\s+me\b",
    r"\bhuman\s+agent\b|\blive\s+agent\b|\breal\s+person\b",
    r"\bcustomer service (?:rep|representative|agent)\b",
)
EXPLICIT_ALONE_EN = re.compile(
    r"^(?:an?\s+)?(?:human|agent|representative|rep|operator|live agent|real person|"
    r"person|customer service)(?:\s+(?:please|pls|now))*$",
    re.ASCII,
)
# The bot offered a human and the customer agreed.
OFFER = _rx(
    r"转(?:接)?人工|人工客服|人工服务",
    r"\b(?:human|live)\s+agent\b|\bconnect you\b|\btransfer you\b|\breal person\b",
)
YES = re.compile(
    r"^(?:需要|要|好|好的|好吧|是|是的|对|可以|行|嗯|嗯嗯|转吧|转|麻烦了|麻烦|谢谢|"
    r"yes|yeah|yep|sure|ok|okay|please|y)(?:[,，\s]*(?:please|转吧|麻烦了|谢谢|"
    r"好的|thanks|pls))*$"
)

REFUSE_AI = _rx(
    r"(?:不想|不要|不愿意?|别|不需要|拒绝)(?:跟|和|与|用)?(?:你这个?|这个)?"
    r"(?:机器人|机器|ai|人工智能|智能客服|自动回复|bot)",
    r"(?:机器人|ai|智能客服|自动回复)[^,.!?;。，！？]{0,6}(?:有什么用|没用|太笨|别说了|"
    r"闭嘴|滚)",
    r"(?:智障|笨|傻|蠢)[^,.!?;。，！？]{0,4}(?:机器人|ai|客服)",
    r"答非所问|听不懂人话|根本听不懂|鸡同鸭讲",
    r"\b(?:don'?t|do not|doesn'?t)\s+want\s+(?:to\s+)?(?:talk|chat|speak)\s+"
    r"(?:to|with)\s+(?:a|an|the|this)?\s*(?:bot|robot|chatbot|ai|machine)\b",
    r"\bno\s+(?:ai|bots?|robots?|chatbots?|machines?)\b",
    r"\bnot\s+a\s+(?:robot|bot|machine)\b\s*,?\s*please",
    r"\b(?:useless|stupid|dumb|pointless|idiot(?:ic)?)\s+(?:bot|robot|chatbot|ai|"
    r"machine)\b",
    r"\b(?:done|finished|fed up)\s+with\s+(?:this|the|you)\s+(?:bot|robot|chatbot|ai|"
    r"machine)\b",
    r"\b(?:don'?t|do not|doesn'?t|does not|not)\s+understand(?:ing)?\s+me\b",
    r"\bnot what i (?:asked|said|meant)\b",
)

LEGAL = _rx(
    r"起诉|告你们|告到|打官司|诉讼|找律师|请律师|律师函|(?:我|已经)[^,.!?;。，！？]{0,6}"
    r"律师(?!事务所)|法院见|上法院|去法院|到法院",
    r"报警|(?:打|报|拨打?)110(?!\d)|(?<!\d)(?:12315|12345)(?!\d)|消协|消费者协会|市场监[管督]|工商局|"
    r"监管部门|监管局|仲裁",
    r"举报|曝光|记者|媒体|黑猫投诉|发(?:到|在|上)?(?:微博|抖音|小红书|网上)",
    r"\b(?:sue|suing|lawsuit|lawyer|attorney|legal action|small claims)\b",
    r"\b(?:see you in|take you to|taking you to)\s+court\b|\bcourt filing\b",
    r"\b(?:report(?:ing)?|complain(?:ing)?|file|filed|filing)\b[^.!?]{0,30}\b(?:bbb|"
    r"ftc|fcc|cfpb|police|regulator|attorney general|consumer protection)\b",
    r"\bconsumer protection (?:agency|office|bureau)\b|\bgo(?:ing)? to the "
    r"(?:press|media)\b",
)

COMPLAINT = _rx(
    r"投诉(?!率)|申诉|差评|要个说法|讨个说法|给个说法|给我个说法",
    r"\bcomplain(?:t|ts|ing)?\b",
)
RESOLVED = _rx(r"已经解决|解决了|已解决|处理好了", r"\b(?:resolved|sorted out)\b")

# Strong negative sentiment: weights add up to SENTIMENT_THRESHOLD.
SENTIMENT: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"垃圾公司|骗子|流氓|黑心|奸商|无良|忍无可忍|欺人太甚|气死|受够|tmd|他妈|"
            r"妈的(?<![老我你她]妈的)|卧槽|尼玛|傻逼|无耻|不要脸|滚",
            r"\b(?:scam(?:mers?)?|wtf|fuck\w*|shit|bullshit|furious|livid|disgust\w*|"
            r"outrage\w*)\b",
            r"\bworst\b[^.!?]{0,20}\bever\b",
        ),
        2.0,
    ),
    (
        _rx(
            r"破(?:平台|服务|公司|店)|什么破|无语|太过分|恶心|坑人|坑爹|离谱|差劲|心寒",
            r"\b(?:ridiculous|unacceptable|pathetic|useless|incompetent|appalling|"
            r"horrible|disgrace\w*)\b",
        ),
        1.0,
    ),
    (re.compile(r"[!?]{3,}|!!"), 1.0),
)
SENTIMENT_THRESHOLD = 2.0

SAFETY = _rx(
    r"冒烟|起火|着火|失火|烧起来|烧焦|火花|爆炸|炸了|自燃|鼓包|膨胀|漏电|触电|被电|电到|"
    r"煤气味|燃气味|漏气|泄漏|一氧化碳|受伤|摔伤|流血|骨折|烫伤|烧伤|中毒|上吐下泻|呕吐|"
    r"过敏|休克|昏迷|晕倒|吞(?:下|了)|误食|医院|急诊|困人|困在|刹车失灵|不想活|自杀|轻生|"
    r"跳楼|救命|快来人",
    r"\b(?:caught|catch(?:ing)?|on)\s+fire\b|\bsmok(?:ing|ed)\b|\bsparks?(?:ing)?\b"
    r"|\bexplod\w*|\bswell(?:ing|ed)\b|\bswollen\b",
    r"\belectric(?:al)?\s+shock|\belectrocut\w*|\bshocked me\b",
    r"\bsmell(?:s)?\s+(?:of\s+)?gas\b|\bgas leak|\bcarbon monoxide\b",
    r"\binjur\w*|\bbleeding\b|\bburn(?:ed|t)\s+(?:my|his|her|me|him)\b|\ballergic "
    r"reaction\b|\b(?:the er|a&e|emergency room|hospital)\b|\bswallowed\b|\bpoison\w*"
    r"|\bsuicid\w*|\bkill myself\b|\bcan'?t breathe\b",
)
# "会不会起火？" asks about a risk; it reports no emergency.
HYPOTHETICAL = _rx(
    r"会不会|会不|是否会|能不能|安全吗|有没有[^,.!?;。，！？]{0,6}(?:风险|隐患)",
    r"\b(?:would|could|can|does|do|is)\b[^.!?]{0,30}\?",
)

SENSITIVE = _rx(
    r"我(?:有|得了|患有|患了|在做|正在做|确诊|查出)[^,.!?;。，！？]{0,6}"
    r"(?:病|癌|症|化疗|透析|艾滋|hiv|抑郁|糖尿|高血压|肿瘤)",
    r"我(?:怀孕|是孕妇)|我的(?:病历|诊断|体检报告|检查报告|处方|病情)",
    r"(?:孩子|小孩|儿子|女儿)[^,.!?;。，！？]{0,4}(?:才|只有)?(?:[1-9]|1[0-3]|[一二三四五六七八九十]"
    r"|十[一二三])岁",
    r"(?:身份证|银行卡|护照|社保卡)[^,.!?;。，！？?]{0,8}(?:我发|发给你|发这|发过来|拍给你|上传)",
    r"(?:身份证号?|银行卡号?|卡号)(?:码)?(?:是|为)?[:：]?\s*\d{12,19}",
    r"\b(?:ssn|social security number)\b",
    r"\bi(?:'m| am| have| was| had)\b[^.!?]{0,24}\b(?:pregnant|diabetes|hiv|cancer|"
    r"chemo\w*|depress\w*|dialysis)\b",
    r"\bmy\s+(?:diagnosis|medical records?|prescription|medical condition)\b",
)

FALLBACK = _rx(
    r"没有?理解|没听懂|不太明白|无法回答|暂时无法|换个说法|再描述|不太清楚您",
    r"\b(?:didn'?t|did not|don'?t|do not)\s+(?:understand|get)\b|\brephrase\b"
    r"|\bnot sure i can help\b|\bdon'?t have an answer\b|\bcan'?t help with\b",
)
CLOSING = _rx(
    r"^(?:好的|好|谢谢|明白了|知道了|ok|okay|thanks|thank you|got it)[,，!！.。\s]*$"
)


@dataclass
class HandoffDetector:
    """Rules over the latest customer message, its history and the elapsed time."""

    policy: HumanHandoff
    pii: Detector = field(default_factory=default_detector)

    def __post_init__(self) -> None:
        rules = load_rules()
        self._fold = str.maketrans(
            {ord(k): v for k, v in rules.char_map.items() if len(k) == 1}
        )
        self._enabled = set(self.policy.triggers.value)
        phrases = [self._norm(p) for p in self.policy.request_phrases.value]
        self._phrases = [p for p in phrases if p]

    def _norm(self, text: str) -> str:
        folded = unicodedata.normalize("NFKC", text).casefold().translate(self._fold)
        return " ".join(folded.split())

    def detect(
        self,
        text: str,
        history: Sequence[Turn] = (),
        *,
        elapsed_seconds: float | None = None,
        nlu_failures: int | None = None,
    ) -> HandoffDecision:
        """Every enabled trigger that fires, most important first."""
        norm = self._norm(text)
        found: dict[str, str] = {}
        checks: dict[str, Callable[[], str | bool]] = {
            "safety_emergency": lambda: self._safety(norm),
            "explicit_request": lambda: self._explicit(norm, history),
            "legal_threat": lambda: _negated_search(LEGAL, norm) and "legal cue",
            "user_refuses_ai": lambda: bool(REFUSE_AI.search(norm)) and "refusal cue",
            "sensitive_pii": lambda: self._sensitive(text, norm),
            "complaint_intent": lambda: self._complaint(norm),
            "negative_sentiment": lambda: self._sentiment(norm),
            "nlu_failures": lambda: self._nlu(history, nlu_failures),
            "ai_timeout": lambda: self._timeout(norm, elapsed_seconds),
        }
        for trigger in TRIGGERS:
            if trigger not in self._enabled:
                continue
            cue = checks[trigger]()
            if cue:
                found[trigger] = str(cue)
        return HandoffDecision(tuple(Reason(t, c) for t, c in found.items()))

    # --- one method per trigger; each returns a cue name or a false value ---------
    def _explicit(self, norm: str, history: Sequence[Turn]) -> str | bool:
        bare = re.sub(r"[\s,.!?;:。，！？；：~…、]+", "", norm)
        if EXPLICIT_ALONE_ZH.match(bare) or EXPLICIT_ALONE_EN.match(
            re.sub(r"[,.!?;:]+", "", norm).strip()
        ):
            return "asks for a human"
        if _negated_search(EXPLICIT_ZH, norm) or _negated_search(EXPLICIT_EN, norm):
            return "asks for a human"
        for phrase in self._phrases:
            if bare == phrase.replace(" ", "") or (
                len(phrase) >= 3
                and not phrase.isascii()
                and phrase in norm
                and _request_before(norm, norm.index(phrase))
            ):
                return "pack request phrase"
        last_bot = next((t for t in reversed(history) if t.role == "bot"), None)
        if (
            last_bot is not None
            and history[-1] is last_bot
            and OFFER.search(self._norm(last_bot.text))
            and YES.match(re.sub(r"[.!?。！？]+$", "", norm).strip())
        ):
            return "accepted the offer of a human"
        return False

    def _safety(self, norm: str) -> str | bool:
        for m in SAFETY.finditer(norm):
            lo, hi = _clause(norm, m.start(), m.end())
            if HYPOTHETICAL.search(norm, lo, hi) or _NEGATOR_ZH.search(
                norm, lo, m.start()
            ):
                continue
            return "emergency cue"
        return False

    def _sensitive(self, text: str, norm: str) -> str | bool:
        for entity in self.pii.detect(text[:MAX_TEXT]):
            if label_info(entity.label).category == "sensitive":
                return f"sensitive identifier ({entity.label})"
        return bool(SENSITIVE.search(norm)) and "sensitive personal information cue"

    def _complaint(self, norm: str) -> str | bool:
        if RESOLVED.search(norm):
            return False
        return _negated_search(COMPLAINT, norm) and "complaint cue"

    def _sentiment(self, norm: str) -> str | bool:
        cues = {(m.group(), w) for rx, w in SENTIMENT for m in rx.finditer(norm)}
        score = sum(w for _, w in cues)
        return score >= SENTIMENT_THRESHOLD and "strong negative sentiment"

    def _nlu(self, history: Sequence[Turn], count: int | None) -> str | bool:
        limit = self.policy.nlu_failure_limit.value
        if count is None:
            count = 0
            for turn in reversed(history):
                if turn.role == "customer":
                    continue
                if turn.role != "bot" or not FALLBACK.search(self._norm(turn.text)):
                    break
                count += 1
        return count >= limit and f"{count} failures to understand"

    def _timeout(self, norm: str, elapsed: float | None) -> str | bool:
        limit = int(elapsed_time(self.policy.ai_timeout.value).total_seconds())
        if elapsed is None or elapsed < limit or CLOSING.match(norm):
            return False
        return f"unresolved after {limit} s"


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    nxt = _CLAUSE.search(text, end)
    return lo, (nxt.end() if nxt else len(text))


def _negated_search(rx: re.Pattern[str], norm: str) -> bool:
    """A match that no negator in the same clause cancels ("不用转人工了")."""
    for m in rx.finditer(norm):
        lo, _ = _clause(norm, m.start(), m.end())
        before = norm[lo : m.start()]
        if _NEGATOR_ZH.search(before) or _NEGATOR_EN.search(before):
            continue
        return True
    return False


def _request_before(norm: str, pos: int) -> bool:
    return bool(
        re.search(
            r"(?:要|想|找|转|接|请|帮|给我|需要|麻烦)[^,.!?;。，！？]{0,4}$", norm[:pos]
        )
    )


# --- the JSONL contract ---------------------------------------------------------
def parse_line(line: str, number: int) -> tuple[str, list[Turn], float | None]:
    """(text, history, elapsed_seconds) of input line `number`."""
    record = read_record(line, number)
    text = text_of(record, number)
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"line {number}: 'text' is longer than {MAX_TEXT} characters"
        )
    raw = record.get("history", [])
    if raw is None:
        raw = []
    if not isinstance(raw, list) or len(raw) > MAX_HISTORY:
        raise InvalidInput(
            f"line {number}: 'history' must be a list of at most {MAX_HISTORY} turns"
        )
    history: list[Turn] = []
    for index, turn in enumerate(raw):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ROLES
            or not isinstance(turn.get("text"), str)
        ):
            raise InvalidInput(
                f"line {number}: history[{index}] needs 'role' (customer, bot or "
                "agent) and a string 'text'"
            )
        history.append(Turn(turn["role"], turn["text"][:MAX_TEXT]))
    elapsed = record.get("elapsed_seconds")
    if elapsed is not None and (
        isinstance(elapsed, bool) or not isinstance(elapsed, int | float) or elapsed < 0
    ):
        raise InvalidInput(f"line {number}: 'elapsed_seconds' must be a number >= 0")
    return text, history, None if elapsed is None else float(elapsed)


def handoff_lines(lines: Iterable[str], detector: HandoffDetector) -> Iterator[str]:
    """One output line per input line, in order (see the module docstring)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            decision = HandoffDecision()
        else:
            text, history, elapsed = parse_line(line, number)
            decision = detector.detect(text, history, elapsed_seconds=elapsed)
        yield json.dumps(decision.to_dict(), ensure_ascii=False)
