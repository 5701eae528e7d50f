"""Promises against facts: flag time commitments staff cannot be sure to keep.

Consumer-protection rules punish false promises ("24小时内发货" when stock ships
in 48). `check_promises` parses commitments (commitments.py), resolves each to
the latest instant it allows, and compares that with the company's declared
capability for the action (capabilities.py) and, when given, the case's facts.

Rules (category `time_commitment`, ids stable):

* `promise.beyond_capability` (block): a firm promise earlier than what the
  company declares it can do for that action;
* `promise.contradicts_case` (block): a firm promise earlier than a case fact
  allows (expected ship time, out of stock, cancelled order, carrier ETA, …);
* `promise.unsupported` (warn): a firm promise about an action with neither a
  declared capability nor a relevant fact, so nobody can vouch for it;
* estimates ("预计24小时内", ranges such as "1~3个工作日", "usually") and
  negations ("无法保证今天发货") are the compliant wording and never produce a
  finding: on real helpdesk replies, warning on estimates flagged far more
  correct answers than misleading ones.

Suggestions are rewrites with the real figure, worded as estimates, so a
suggestion fed back through the checker passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from complydesk.deadlines import WorkingCalendar, add, load_calendar
from complydesk.errors import InvalidInput
from complydesk.speech.capabilities import Action, Capabilities
from complydesk.speech.commitments import Commitment, detect_lang, find_commitments
from complydesk.speech.durations import describe
from complydesk.speech.finding import Finding, Severity

__all__ = [
    "CaseFacts",
    "Commitment",
    "certain_finding",
    "check_promises",
    "parse_commitments",
]

CATEGORY = "time_commitment"
MAX_TEXT = 20_000
_STOPPED = {"cancelled", "canceled", "closed", "refunded"}
_STATUS_ZH = {
    "cancelled": "已取消",
    "canceled": "已取消",
    "closed": "已关闭",
    "refunded": "已退款",
}
# Action: (zh name, en verb, en noun)
_NAMES: dict[Action, tuple[str, str, str]] = {
    Action.SHIP: ("发货", "ship", "shipping"),
    Action.REFUND: ("退款", "refund", "refund"),
    Action.DELIVER: ("送达", "deliver", "delivery"),
    Action.VISIT: ("上门", "visit", "on-site visit"),
    Action.CALLBACK: ("回电", "call back", "callback"),
    Action.ACTIVATE: ("开通", "activate", "activation"),
    Action.RESOLVE: ("处理", "resolve this", "resolution"),
    Action.REPAIR: ("维修", "repair", "repair"),
}
_REWRITE: dict[Action, tuple[str, str]] = {
    Action.SHIP: (
        "我们会尽快为您安排发货，预计{limit}发出",
        "We'll arrange shipping as soon as possible; it usually ships {limit}.",
    ),
    Action.REFUND: (
        "退款审核通过后将原路退回，预计{limit}到账",
        "Once approved, the refund usually reaches your original payment "
        "method {limit}.",
    ),
    Action.DELIVER: (
        "包裹发出后预计{limit}送达，具体以物流信息为准",
        "Once shipped, the parcel usually arrives {limit}; tracking has details.",
    ),
    Action.VISIT: (
        "我们会尽快为您预约，预计{limit}安排师傅上门",
        "We'll book the visit as soon as possible; a technician usually comes {limit}.",
    ),
    Action.CALLBACK: (
        "我们会尽快联系您，预计{limit}给您回电",
        "We'll get back to you as soon as possible, usually {limit}.",
    ),
    Action.ACTIVATE: (
        "我们会尽快为您办理，预计{limit}开通",
        "We'll process this as soon as possible; it is usually active {limit}.",
    ),
    Action.RESOLVE: (
        "我们会尽快为您处理，预计{limit}给您答复",
        "We'll work on this as soon as possible and expect to update you {limit}.",
    ),
    Action.REPAIR: (
        "我们会尽快安排维修，预计{limit}修好",
        "We'll arrange the repair as soon as possible; it usually takes {limit}.",
    ),
}
_NO_FIGURE = (
    "我们会尽快为您跟进，具体时间确认后第一时间通知您",
    "We'll follow up as soon as possible and confirm the exact time once known.",
)
# Fact field -> actions it bounds, zh and en wording of the fact.
_DATE_FACTS: dict[str, tuple[frozenset[Action], str, str]] = {
    "promised_ship_at": (
        frozenset({Action.SHIP, Action.DELIVER}),
        "订单的预计发货时间是{when}",
        "the order's expected ship time is {when}",
    ),
    "delivery_eta": (
        frozenset({Action.DELIVER}),
        "物流预计送达时间是{when}",
        "the carrier's delivery estimate is {when}",
    ),
    "refund_due_at": (
        frozenset({Action.REFUND}),
        "退款预计到账时间是{when}",
        "the refund is due to arrive at {when}",
    ),
    "visit_slot_at": (
        frozenset({Action.VISIT}),
        "已预约的上门时间是{when}",
        "the booked visit slot is {when}",
    ),
    "sla_due_at": (
        frozenset({Action.RESOLVE, Action.REPAIR, Action.ACTIVATE}),
        "工单的处理时限是{when}",
        "the case's due time is {when}",
    ),
}
_SHIPS_LATER = (
    "订单预计{when}前发出，送达时间以物流信息为准",
    "The order is expected to ship by {when}; tracking will show the delivery date.",
)
_STOCK_ACTIONS = frozenset({Action.SHIP, Action.DELIVER})
_STATUS_ACTIONS = frozenset({Action.SHIP, Action.DELIVER, Action.VISIT})


class CaseFacts(BaseModel):
    """What the systems know about this case; every field optional, no PII.

    Datetimes must carry a time zone. `order_status` is a lower-case code such
    as "shipped" or "cancelled"; cancelled, closed and refunded orders will not
    ship, be delivered or visited.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    promised_ship_at: AwareDatetime | None = None
    in_stock: bool | None = None
    sla_due_at: AwareDatetime | None = None
    refund_due_at: AwareDatetime | None = None
    delivery_eta: AwareDatetime | None = None
    visit_slot_at: AwareDatetime | None = None
    order_status: str | None = Field(default=None, pattern=r"^[a-z][a-z_]{0,31}$")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseFacts:
        """Validate facts from outside; errors name the field, never its value."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "facts"
            raise InvalidInput(f"case facts: invalid {field!r}") from None


_IMMEDIATE = re.compile(
    r"马上|立即|立刻|立马|即刻|当即|现在就|immediately|right\s+away|right\s+now"
    r"|straight\s+away|at\s+once|instantly",
    re.IGNORECASE,
)


def parse_commitments(
    text: str,
    *,
    now: datetime,
    tz: str = "Asia/Shanghai",
    lang: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[Commitment]:
    """Time commitments in `text`, resolved against `now` in zone `tz`.

    The working calendar defaults to "cn" for Chinese text, "weekends" else.
    """
    zone, lang = _zone(tz), _lang(text, lang)
    cal = calendar or load_calendar("cn" if lang == "zh" else "weekends")
    return find_commitments(_text(text), now=_aware(now), tz=zone, calendar=cal)


def check_promises(
    text: str,
    *,
    capabilities: Capabilities,
    facts: CaseFacts | None = None,
    now: datetime,
    tz: str = "Asia/Shanghai",
    lang: str | None = None,
    calendar: WorkingCalendar | None = None,
    parsed: list[Commitment] | None = None,
) -> list[Finding]:
    """Findings for promises in `text` that capability or facts contradict.

    `parsed`, when given, receives every commitment found (judged or not), so
    a caller that needs them too (reply.py) parses the text once.
    """
    if not isinstance(capabilities, Capabilities):
        raise InvalidInput("capabilities must be loaded with load_capabilities")
    if facts is not None and not isinstance(facts, CaseFacts):
        raise InvalidInput("facts must be CaseFacts")
    zone, lang = _zone(tz), _lang(text, lang)
    cal = calendar or load_calendar(capabilities.calendar_for(lang))
    now = _aware(now)
    commitments = find_commitments(_text(text), now=now, tz=zone, calendar=cal)
    if parsed is not None:
        parsed.extend(commitments)
    findings: list[Finding] = []
    for c in commitments:
        if c.negated:
            continue
        findings.extend(_judge(c, capabilities, facts, now, zone, cal, lang))
    return findings


def _judge(
    c: Commitment,
    capabilities: Capabilities,
    facts: CaseFacts | None,
    now: datetime,
    zone: ZoneInfo,
    cal: WorkingCalendar,
    lang: str,
) -> list[Finding]:
    zh = lang == "zh"
    name_zh, verb, noun = _NAMES[c.action]
    if c.after is not None:
        event_zh, _, event_en = _NAMES[c.after]
        promise = (
            f"承诺{event_zh}后{c.time_text}{name_zh}"
            if zh
            else f"promises to {verb} {c.time_text} after {event_en}"
        )
    else:
        promise = (
            f"承诺{c.time_text}{name_zh}" if zh else f"promises to {verb} {c.time_text}"
        )
    template = _REWRITE[c.action][0 if zh else 1]
    found: list[tuple[str, str, str]] = []  # (rule, reason, suggestion)
    cap = capabilities.get(c.action)
    if cap is not None and c.latest < add(now, cap.within, cal, zone):
        figure = describe(cap.within, lang)
        reason = (
            f"{promise}，但公司的{name_zh}能力是{figure}内"
            if zh
            else f"{promise}, but the company's {noun} capability is within {figure}"
        )
        limit = f"{figure}内" if zh else f"within {figure}"
        found.append(
            ("promise.beyond_capability", reason, template.format(limit=limit))
        )
    relevant, contradictions = _facts(c, facts, zone, cal, zh, template)
    for fact_zh, fact_en, suggestion in contradictions:
        reason = f"{promise}，但{fact_zh}" if zh else f"{promise}, but {fact_en}"
        found.append(("promise.contradicts_case", reason, suggestion))
    if c.hedged:
        return []  # an estimate (预计, 1~3个工作日, usually) is not a promise
    if found:
        # "马上联系您" is a courtesy as often as a deadline: it warns, while an
        # explicit figure or day (24小时内, 明天) that cannot be kept blocks.
        severity: Severity = "warn" if _IMMEDIATE.fullmatch(c.time_text) else "block"
        return [_finding(c, rule, severity, r, s) for rule, r, s in found]
    if cap is None and not relevant:
        reason = (
            f"无依据的时间承诺：{promise}，但公司没有声明{name_zh}时限，也没有可核对的案件事实"
            if zh
            else f"unsupported time commitment: {promise}, but no {noun} capability "
            "is declared and no case fact covers it"
        )
        suggestion = _NO_FIGURE[0 if zh else 1]
        return [_finding(c, "promise.unsupported", "warn", reason, suggestion)]
    return []


def certain_finding(c: Commitment, lang: str | None = None) -> Finding:
    """`promise.certain` (warn): a time the company can keep, said as a
    certainty (15号之前一定给您补发, "guaranteed by Friday"). The figure is
    fine; the certainty is not, since nobody can be sure of it."""
    zh = (lang or detect_lang(c.text)) == "zh"
    name_zh, verb, _ = _NAMES[c.action]
    template = _REWRITE[c.action][0 if zh else 1]
    reason = (
        f"确定地承诺{c.time_text}{name_zh}：时间在公司能力范围内，但结果无法百分之百保证，应说明为预计时间"
        if zh
        else f"promises for certain to {verb} {c.time_text}: the time is within the "
        "company's capability, but it should be given as an estimate"
    )
    limit = c.time_text if zh else c.time_text
    return _finding(c, "promise.certain", "warn", reason, template.format(limit=limit))


def _facts(
    c: Commitment,
    facts: CaseFacts | None,
    zone: ZoneInfo,
    cal: WorkingCalendar,
    zh: bool,
    template: str,
) -> tuple[bool, list[tuple[str, str, str]]]:
    """(any fact bears on this action, contradictions as (zh, en, suggestion)).

    A promise counted from an event (发货后24小时内送达) is placed in time only
    when the case knows when that event happens (the promised ship time);
    otherwise no date fact can contradict it.
    """
    if facts is None:
        return False, []
    relevant = False
    out: list[tuple[str, str, str]] = []
    status = facts.order_status
    if status is not None and c.action in _STATUS_ACTIONS:
        relevant = True
        if status in _STOPPED:
            shown = _STATUS_ZH.get(status, status)
            suggestion = (
                "该订单当前无法继续处理，我们核实后会尽快回复您"
                if zh
                else "This order can't proceed as it stands; we'll check and "
                "get back to you as soon as possible."
            )
            out.append(
                (f"订单状态是{shown}", f"the order status is '{status}'", suggestion)
            )
    if facts.in_stock is not None and c.action in _STOCK_ACTIONS:
        relevant = True
        if not facts.in_stock:
            suggestion = (
                "商品目前缺货，到货后会尽快为您安排，具体时间以通知为准"
                if zh
                else "The item is out of stock; we'll arrange it as soon as it is "
                "back and let you know the date."
            )
            out.append(("商品当前缺货", "the item is out of stock", suggestion))
    latest: datetime | None = c.latest
    if c.after is not None and c.offset is not None:
        ship_at = facts.promised_ship_at if c.after is Action.SHIP else None
        latest = None if ship_at is None else add(ship_at, c.offset, cal, zone)
    for field, (actions, fact_zh, fact_en) in _DATE_FACTS.items():
        value: datetime | None = getattr(facts, field)
        if value is None or c.action not in actions:
            continue
        relevant = True
        if c.after is not None and field == "promised_ship_at":
            continue  # counted from dispatch: the ship date cannot contradict it
        if latest is not None and latest < value:
            when = value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            limit = f"{when}前" if zh else f"by {when}"
            suggestion = template.format(limit=limit)
            if field == "promised_ship_at" and c.action is Action.DELIVER:
                suggestion = _SHIPS_LATER[0 if zh else 1].format(when=when)
            out.append(
                (fact_zh.format(when=when), fact_en.format(when=when), suggestion)
            )
    return relevant, out


def _finding(
    c: Commitment, rule: str, severity: str, reason: str, suggestion: str
) -> Finding:
    return Finding(
        rule=rule,
        category=CATEGORY,
        severity="block" if severity == "block" else "warn",
        start=c.start,
        end=c.end,
        text=c.text,
        reason=reason,
        suggestion=suggestion,
    )


def _text(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput("text must be a string")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"text must be at most {MAX_TEXT} characters")
    return text


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise InvalidInput("now must be a datetime")
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("now must be timezone-aware")
    return now


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput("tz is not a known IANA zone name") from None


def _lang(text: str, lang: str | None) -> str:
    if lang is None:
        return detect_lang(text) if isinstance(text, str) else "en"
    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be 'zh' or 'en'")
    return lang
