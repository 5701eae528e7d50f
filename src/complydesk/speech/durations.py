"""Time expressions in service replies ("24小时内", "三个工作日", "明天", "by Friday").

Parsing is split in two so the promise checker needs one regex pass: `PATTERN`
is a fragment of named groups (`t_dur`, `t_now`, `t_day`, `t_week`, `t_wday`)
that promises.py folds into its combined token regex; `interpret(kind, text)`
reads one matched expression into a `TimeExpr`, and `resolve` turns it into the
latest instant it allows, through `complydesk.deadlines.add` so working days
and DST follow the one deadline engine.

Readings are deliberately lenient where language is loose ("明早" counts as the
end of tomorrow, "两三天" as three days): a checker that blocks a reply must be
sure the promise is stricter than what is possible, never merely suspect it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from complydesk.deadlines import WorkingCalendar, add
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput
from complydesk.pii.text import fold

__all__ = [
    "PATTERN",
    "TimeExpr",
    "describe",
    "interpret",
    "parse_time_expressions",
    "resolve",
    "zh_number",
]

Kind = Literal[
    "duration",
    "minutes",
    "day_end",
    "day_start",
    "week_end",
    "weekday",
    "date",
    "clock",
]

_ZH_DIGIT = "零〇一二两三四五六七八九"
_ZH_NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|[{_ZH_DIGIT}十百]+)"
_EN_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "twenty-four": 24,
    "forty-eight": 48,
    "seventy-two": 72,
}
_EN_NUM = (
    r"(?:[0-9]+(?:\.[0-9]+)?|"
    + "|".join(sorted(_EN_WORDS, key=len, reverse=True))
    + r")"
)
# Bounds that make a figure a maximum: part of the expression, so "不会超过"
# is not mistaken for a negation of the promise.
_ZH_BOUND = r"(?:不会超过|不超过|不会超出|不超出|不迟于|不晚于|最迟|最晚|最多|至多)?"
_ZH_UNIT = r"(?:个?小时|个?钟头|分钟|个?工作日|个?工作天|天|个?星期|个?礼拜|周|个月)"
_ZH_WEEKDAY = r"(?:一(?!定|般)|二|三|四|五|六|日|天|[1-7])"
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_EN_WEEKDAY = "(?:" + "|".join((*_EN_WEEKDAYS, "sunday")) + ")"

# Calendar dates (15日前, 本月20号之前, 12月5日, "by the 15th", "by December 5")
# and clock times (下午3点前, 今晚8点前, 18:00前, "by 5 pm"). A bare day number
# is a date only with a month, a 前/之前 deadline or a promise word after it,
# so 3号楼 and 15号线 are not dates; a bare clock needs 前 or a part of the day
# (有3点需要注意 is not a time).
_ZH_DAYNUM = (
    r"(?:[1-9]|[12][0-9]|3[01]|[一二三四五六七八九]|十[一二三四五六七八九]?"
    r"|二十[一二三四五六七八九]?|三十一?)"
)
_ZH_MONTH = (
    r"(?:(?:本|这个?|当|下个?|次)月"
    r"|(?:(?:[0-9]{4}|今|明)年)?(?:1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?:份)?)"
)
_ZH_DEADLINE = r"(?:之前|以前|前|之内|以内|内)"
_ZH_DATE_AHEAD = (
    r"(?=(?:上午|下午|晚上|中午)?"
    r"(?:一定|肯定|保证|准时|就|会|能|可以|给您|为您|帮您|给你|把))"
)
# 3日内 is a span of three days (t_dur), not the 3rd of the month.
_ZH_DATE = (
    rf"(?<![0-9零〇一二三四五六七八九十百.:/-])(?:{_ZH_MONTH}{_ZH_DAYNUM}"
    rf"(?:号(?:当天)?{_ZH_DEADLINE}?|日(?:当天)?(?:之前|以前|前)?)"
    rf"|{_ZH_DAYNUM}(?:号(?:当天)?(?:{_ZH_DEADLINE}|{_ZH_DATE_AHEAD})"
    rf"|日(?:当天)?(?:之前|以前|前|{_ZH_DATE_AHEAD})))"
)
_ZH_PERIOD = r"(?:上午|下午|晚上|中午|傍晚|早上|凌晨|夜里|今早|今晚|明早|明晚)"
_ZH_HOUR = r"(?:[0-9]{1,2}|[一二两三四五六七八九十]|十[一二]|二十[一二三四]?)"
_ZH_CLOCK = (
    r"(?<![0-9零〇一二三四五六七八九十百.:])"
    rf"(?:(?:今天|今日|明天|明日|后天){_ZH_PERIOD}?|{_ZH_PERIOD})"
    rf"(?:{_ZH_HOUR}(?:点|时)(?:半|整|[0-9]{{1,2}}分?|[一二三四五]十分?)?|[0-9]{{1,2}}:[0-5][0-9])(?:之前|以前|前)?"
    rf"|(?<![0-9零〇一二三四五六七八九十百.:]){_ZH_HOUR}(?:点|时)(?:半|整|[0-9]{{1,2}}分?)?"
    r"(?:之前|以前|前|(?=准时|按时|之内|以内|就|一定|肯定|保证))"
    rf"|(?<![0-9.:])[0-9]{{1,2}}:[0-5][0-9](?:之前|以前|前)"
)
_EN_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_EN_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_DATE = (
    r"(?:(?:by|before|until|no\s+later\s+than)\s+(?:the\s+)?"
    rf"(?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)(?:\s+of\s+{_EN_MONTH})?"
    rf"|(?:by|before|on|until|no\s+later\s+than)\s+{_EN_MONTH}\.?\s+"
    r"(?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?)\b"
    r"(?!\s*(?:floor|attempt|time|try|call|step)\b)"
)
_EN_CLOCK = (
    r"(?:by|before|b4|until|no\s+later\s+than)\s+"
    r"(?:(?:1[0-2]|0?[1-9])(?::[0-5][0-9])?\s*(?:a\.?m|p\.?m)(?:\.(?=\S))?(?![a-z])"
    r"|(?:1[0-2]|0?[1-9])\s+o'?clock\b|noon\b|midday\b|midnight\b"
    r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9]\b)"
    r"(?:\s+(?:today|tonight|tomorrow))?"
)

PATTERN = "|".join(
    [
        f"(?P<t_clock>{_ZH_CLOCK}|{_EN_CLOCK})",
        f"(?P<t_date>{_ZH_DATE}|{_EN_DATE})",
        # zh: 24小时内 / 两个半小时 / 一天半 / 3日内 / 24h内 / 不超过两天
        rf"(?P<t_dur>(?<![前0-9.]){_ZH_BOUND}(?:{_ZH_NUM}个?半?{_ZH_UNIT}半?"
        rf"|{_ZH_NUM}日(?=之内|以内|内)|[0-9]+\s*h(?![a-z])|半个?(?:小时|钟头|天|月))"
        r"(?:之内|以内|内|里)?(?!之前|以前|前)"
        # en: within 24 hours / in 2 business days / no later than 3 days
        rf"|(?:within|in|under|inside(?:\s+of)?|no\s+later\s+than|not\s+later\s+than|give\s+it"
        r"|no\s+more\s+than|not\s+more\s+than)\s+(?:the\s+next\s+)?"
        r"(?:half\s+an?\s+hour|(?:the\s+)?hour\b|"
        rf"{_EN_NUM}(?:\s+and\s+a\s+half)?[\s-]*(?:hours?|hrs?|h|minutes?|mins?"
        r"|(?:business|working)\s+days?|days?|weeks?|months?)\b))",
        r"(?P<t_now>马上|立即|立刻|立马|即刻|当即|现在就"
        # idioms of a short wait: 一杯茶的工夫, 分分钟, 眨眼间
        r"|一(?:杯茶|袋烟|支烟|顿饭|眨眼)的?(?:工夫|功夫)|分分钟|眨眼(?:间|的?(?:工夫|功夫))|(?<![等过再稍歇息好隔])一会儿?(?!再|儿|才)|待会儿?"
        # round 10: 等下就给您发货 (等下 + 就: not a request to wait, 请您等下)
        r"|(?<![请您稍再])等(?:下|一下|会儿?)(?=就|马上)"
        r"|\bimmediately|\bright\s+away|\bin\s+a\s+(?:few\s+|couple\s+(?:of\s+)?)?(?:minutes?|moments?|mins?)\b"
        # (\b: "that once it's done" holds no "at once")
        r"|\bright\s+now|\bstraight\s+away|\bat\s+once|\binstantly)",
        r"(?P<t_noon>(?:今天|今日|明天|明日)?(?:中午|午饭|午休)(?:之前|以前|前))"
        r"|(?P<t_day>(?:今天)?下班(?:之前|以前|前)|大后天|后天|明天(?:之内|以内|内|上午|下午|晚上|中午)?|明日|明早|明晚"
        r"|次日|隔天|翌日"
        r"|今天(?:之内|以内|内|上午|下午|晚上|中午)?|今日|今晚|当天|当日"
        r"|(?:by\s+)?the\s+day\s+after\s+tomorrow|(?:by\s+)?(?:tomorrow|tomm?orr?ow|tmrw?\b|2moro\b)"
        r"|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|today)|by\s+eod|today"
        r"|tonight|this\s+(?:afternoon|evening)|(?:on\s+)?(?:the\s+)?same[\s-]day\b)",
        rf"(?P<t_wday>(?:下下|下个?|本|这个?)?(?:周|星期|礼拜){_ZH_WEEKDAY}"
        r"(?:之前|以前|前)?(?![啦了呀哦喔嘛])"
        r"|(?:(?:by|before|on|until|no\s+later\s+than)\s+)?(?:(?:next|this)\s+)?"
        rf"{_EN_WEEKDAY}\b)",
        r"(?P<t_week>(?:本|这)(?:个)?(?:周|星期|礼拜)(?:之内|以内|内)?|周末(?:之前|以前|前)"
        r"|this\s+week|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the|this)\s+week)",
    ]
)

_ZH_DUR = re.compile(
    rf"(?P<n>{_ZH_NUM}|半)?个?(?P<pre_half>半)?个?\s*(?P<unit>小时|钟头|分钟|工作日"
    r"|工作天|天|日|星期|礼拜|周|个月|月|h)(?P<post_half>半)?",
    re.IGNORECASE,
)
_EN_DUR = re.compile(
    rf"(?P<half>half\s+an?\s+hour)|\b(?P<n>{_EN_NUM})(?P<and_half>\s+and\s+a\s+half)?"
    r"[\s-]*(?P<unit>hour|hr|h|minute|min|business|working|day|week|month)",
    re.IGNORECASE,
)
_THE_HOUR = re.compile(r"\s(?:the|next)\s+hour$")
_ZH_WD = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_HOURS_PER = {"hours": 1.0, "days": 24.0}


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """One time expression: what it says, before it is resolved against `now`.

    `days` is the day offset for day anchors (0 today, 1 tomorrow); weekdays
    keep `weekday` (0 = Monday) and `weeks_ahead` (1 for 下周/next). Dates
    keep `mday` and `month` or `months_ahead`; clock times keep `hour`,
    `minute` and `days` (-1 when no day is said: the next such time).
    """

    kind: Kind
    duration: Duration | None = None
    minutes: int = 0
    days: int = 0
    weekday: int = 0
    weeks_ahead: int = 0
    before: bool = False
    year: int = 0  # dates: the year said; -1 今年, -2 明年, 0 not said
    month: int = 0  # dates: 1-12, or 0 when only the day is said
    months_ahead: int = -1  # dates: 0 本月, 1 下个月, -1 not said
    mday: int = 0  # dates: day of the month
    hour: int = 0  # clock times, 24-hour
    minute: int = 0


def zh_number(token: str) -> float | None:
    """Chinese or Arabic numeral as a number; ranges like 两三 read as the larger."""
    if token and token[0].isdigit():
        try:
            return float(token)
        except ValueError:
            return None
    if token == "半":
        return 0.5
    digits = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    if len(token) == 2 and all(ch in digits for ch in token):
        return float(max(digits[ch] for ch in token))
    total = current = 0
    for ch in token:
        if ch in digits:
            current = digits[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return float(total + current)


def _from_amount(amount: float, unit: str) -> TimeExpr | None:
    """A figure in one unit as a TimeExpr; fractions fall to a finer unit."""
    # No real promise runs past 10,000 units, and converted amounts (weeks to
    # days, fractional days to hours) must stay within Duration's range.
    if amount < 0 or amount > 10_000:
        return None
    if unit == "minutes":
        return TimeExpr("minutes", minutes=math.ceil(amount))
    if unit in _HOURS_PER:
        hours = amount * _HOURS_PER[unit]
        if amount.is_integer():
            dur_unit = Unit.HOURS if unit == "hours" else Unit.CALENDAR_DAYS
            return TimeExpr("duration", Duration(amount=int(amount), unit=dur_unit))
        if hours.is_integer():
            return TimeExpr("duration", Duration(amount=int(hours), unit=Unit.HOURS))
        return TimeExpr("minutes", minutes=math.ceil(hours * 60))
    if unit == "weeks":
        days = math.ceil(amount * 7)
        return TimeExpr("duration", Duration(amount=days, unit=Unit.CALENDAR_DAYS))
    if unit == "months" and not amount.is_integer():
        days = math.ceil(amount * 30)
        return TimeExpr("duration", Duration(amount=days, unit=Unit.CALENDAR_DAYS))
    dur_unit = Unit.CALENDAR_MONTHS if unit == "months" else Unit.WORKING_DAYS
    return TimeExpr("duration", Duration(amount=math.ceil(amount), unit=dur_unit))


_ZH_UNITS = {
    "小时": "hours",
    "钟头": "hours",
    "h": "hours",
    "分钟": "minutes",
    "工作日": "working_days",
    "工作天": "working_days",
    "天": "days",
    "日": "days",
    "星期": "weeks",
    "礼拜": "weeks",
    "周": "weeks",
    "个月": "months",
    "月": "months",
}
_EN_UNITS = {
    "hour": "hours",
    "hr": "hours",
    "h": "hours",
    "minute": "minutes",
    "min": "minutes",
    "business": "working_days",
    "working": "working_days",
    "day": "days",
    "week": "weeks",
    "month": "months",
}


def _duration(text: str) -> TimeExpr | None:
    low = text.lower()
    if low.endswith("hour") and _THE_HOUR.search(low):  # "within the (next) hour"
        return TimeExpr("duration", Duration(amount=1, unit=Unit.HOURS))
    m = _EN_DUR.search(low)
    if m is not None:
        if m.group("half"):
            return TimeExpr("minutes", minutes=30)
        word = m.group("n")
        amount = _EN_WORDS.get(word)
        value = float(amount) if amount is not None else zh_number(word)
        if value is None:
            return None
        if m.group("and_half"):
            value += 0.5
        return _from_amount(value, _EN_UNITS[m.group("unit")])
    z = _ZH_DUR.search(text)
    if z is None:
        return None
    value = zh_number(z.group("n") or "半")
    if value is None:
        return None
    if z.group("pre_half") or z.group("post_half"):
        value += 0.5
    return _from_amount(value, _ZH_UNITS[z.group("unit")])


def _day(text: str) -> TimeExpr:
    low = text.lower()
    if "大后天" in low:
        return TimeExpr("day_end", days=3)
    if "后天" in low or "after tomorrow" in low:
        return TimeExpr("day_end", days=2)
    if low.startswith(("明", "次", "隔", "翌")) or "tomorrow" in low or "tmr" in low:
        return TimeExpr("day_end", days=1)
    return TimeExpr("day_end", days=0)


def _weekday(text: str) -> TimeExpr:
    low = text.lower()
    before = low.startswith("before") or low.endswith("前")
    weeks_ahead = 2 if low.startswith("下下") else 1 if "下" in low else 0
    if "next" in low:
        weeks_ahead = 1
    for index, name in enumerate((*_EN_WEEKDAYS, "sunday")):
        if name in low:
            return TimeExpr(
                "weekday", weekday=index, weeks_ahead=weeks_ahead, before=before
            )
    stem = low.rstrip("之以前")
    char = stem[-1]
    weekday = int(char) - 1 if char.isdigit() else _ZH_WD[char]
    return TimeExpr("weekday", weekday=weekday, weeks_ahead=weeks_ahead, before=before)


_YEAR = re.compile(r"([0-9]{4})?(?:今|明)?年")
_ZH_MORNING = re.compile(r"上午|早上|凌晨|今早|明早")
_NUM_IN = re.compile(r"[0-9]+|[零〇一二两三四五六七八九十]+")
_CLOCK_HM = re.compile(
    r"(?P<h>[0-9]{1,2}|[一二两三四五六七八九十]+)(?:(?:点|时)(?P<half>半)?"
    r"(?:(?P<m>[0-9]{1,2}|[一二三四五]十)分?)?|:(?P<mm>[0-5][0-9]))"
)
_EN_HM = re.compile(
    r"(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2}))?\s*(?:(?P<pm>p)|(?P<am>a))?", re.I
)


_ZH_NIGHT = re.compile(r"晚|夜")


def _day_offset(low: str) -> int:
    if "后天" in low:
        return 2
    if "明" in low or "tomorrow" in low:
        return 1
    if "今" in low or "today" in low or "tonight" in low or "same" in low:
        return 0
    return -1


def _clock(text: str) -> TimeExpr | None:
    low = text.lower()
    days = _day_offset(low)
    if "noon" in low or "midday" in low:
        return TimeExpr("clock", days=days, hour=12)
    if "midnight" in low:  # the end of the day said (today when none)
        return TimeExpr("day_end", days=max(days, 0))
    zh = _CLOCK_HM.search(text)
    if zh is not None and not low.startswith(("by", "before", "b4", "until", "no")):
        hour = zh_number(zh.group("h"))
        minute = zh_number(zh.group("m") or zh.group("mm") or "0")
        if hour is None or minute is None:
            return None
        h, m = int(hour), int(minute) + (30 if zh.group("half") else 0)
        if h < 12 and not _ZH_MORNING.search(text):
            h += 12  # 下午3点; a bare 3点 is read the later way (lenient)
        elif h == 12 and _ZH_NIGHT.search(text):
            # 今晚12点 is midnight, the end of that day, not noon; 晚上12点半
            # is half past midnight, early the next day
            if not m:
                h = 24
            else:
                h, days = 0, days + 1 if days >= 0 else days
    else:
        en = _EN_HM.search(low, low.find(" "))
        if en is None:
            return None
        h, m = int(en.group("h")), int(en.group("m") or 0)
        if h < 12 and (en.group("pm") or (not en.group("am") and h < 8)):
            h += 12  # "by 5 o'clock" is 5 pm
        elif en.group("am") and h == 12:
            h = 0
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        return None
    return TimeExpr("clock", days=days, hour=h, minute=m)


def _date(text: str) -> TimeExpr | None:
    low = text.lower()
    month, ahead = 0, -1
    if "下" in low or "次月" in low:
        ahead = 1
    elif any(w in low for w in ("本月", "这月", "这个月", "当月")):
        ahead = 0
    for index, name in enumerate(_EN_MONTHS, start=1):
        if name[:3] in low:
            month = index
    year = 0
    numbers = _NUM_IN.findall(text)
    if "年" in text:
        said = _YEAR.search(text)
        if said is None:
            return None
        year = int(said.group(1)) if said.group(1) else -1 if "今" in text else -2
        if len(numbers) > 2:
            numbers = numbers[1:]
    if "月" in text and ahead == -1 and len(numbers) >= 2:
        found = zh_number(numbers[0])
        month = int(found) if found else 0
    day = zh_number(numbers[-1]) if numbers else None
    if day is None or not 1 <= day <= 31 or not 0 <= month <= 12:
        return None
    return TimeExpr("date", month=month, months_ahead=ahead, mday=int(day), year=year)


def interpret(kind: str, text: str) -> TimeExpr | None:
    """Read one expression matched by group `kind` of PATTERN; None if unusable."""
    if kind == "t_dur":
        return _duration(text)
    if kind == "t_now":
        return TimeExpr("duration", Duration(amount=1, unit=Unit.HOURS))
    if kind == "t_day":
        return _day(text)
    if kind == "t_week":
        if text.startswith("周末"):
            return TimeExpr("weekday", weekday=5, before=True)
        return TimeExpr("week_end")
    if kind == "t_wday":
        return _weekday(text)
    if kind == "t_date":
        return _date(text)
    if kind == "t_clock":
        return _clock(text)
    if kind == "t_noon":  # 中午之前: read as 13:00, the lenient end of noon
        return TimeExpr("clock", days=_day_offset(text), hour=13)
    return None


def resolve(
    expr: TimeExpr, now: datetime, calendar: WorkingCalendar, tz: ZoneInfo
) -> datetime:
    """Latest instant (aware UTC) the expression allows, counted from `now`."""
    if expr.kind == "duration" and expr.duration is not None:
        return add(now, expr.duration, calendar, tz)
    if expr.kind == "minutes":
        return now.astimezone(UTC) + timedelta(minutes=expr.minutes)
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    if expr.kind == "date":
        return _resolve_date(expr, local.date(), tz)
    if expr.kind == "clock":
        day = local.date() + timedelta(days=max(expr.days, 0))
        at = datetime.combine(day, time(0), tzinfo=tz) + timedelta(
            hours=expr.hour, minutes=expr.minute
        )
        if expr.days < 0 and at <= local:  # "3点前" said at 16:00: tomorrow's
            at += timedelta(days=1)
        return at.astimezone(UTC)
    weekday = local.weekday()
    if expr.kind == "day_end":
        days = expr.days + 1
    elif expr.kind == "week_end":
        days = 7 - weekday
    else:
        if expr.weeks_ahead:
            ahead = 7 - weekday + 7 * (expr.weeks_ahead - 1) + expr.weekday
        else:
            ahead = (expr.weekday - weekday) % 7
        # "before Friday" said on Friday can only mean by the end of today.
        days = ahead if expr.before and ahead > 0 else ahead + 1
    return add(midnight, Duration(amount=days, unit=Unit.CALENDAR_DAYS), calendar, tz)


def _resolve_date(expr: TimeExpr, today: date, tz: ZoneInfo) -> datetime:
    """End of the day named (lenient: "15日前" is read as by the end of the
    15th). A day already past this month is next month's; a date that does
    not exist, or a past one said as this month's, is an error."""
    year, month = today.year, today.month
    if expr.month:
        month = expr.month
        if expr.year > 0:
            year = expr.year
        elif expr.year == -2:
            year += 1
        elif expr.year == 0 and (month, expr.mday) < (today.month, today.day):
            year += 1
    elif expr.months_ahead == 1 or (expr.months_ahead < 0 and expr.mday < today.day):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        day = date(year, month, expr.mday)
    except ValueError:
        raise InvalidInput("no such date") from None
    if day < today:
        raise InvalidInput("the date has passed")
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return end.astimezone(UTC)


_ALONE = re.compile(PATTERN, re.IGNORECASE)


def parse_time_expressions(text: str) -> list[tuple[int, int, TimeExpr]]:
    """Every time expression in `text` (width-folded first) with its offsets."""
    found = []
    for m in _ALONE.finditer(fold(text)):
        kind = m.lastgroup
        expr = interpret(kind, m.group()) if kind else None
        if expr is not None:
            found.append((m.start(), m.end(), expr))
    return found


_ZH_NAMES = {
    Unit.HOURS: "小时",
    Unit.CALENDAR_DAYS: "天",
    Unit.WORKING_DAYS: "个工作日",
    Unit.CALENDAR_MONTHS: "个月",
}
_EN_NAMES = {
    Unit.HOURS: "hour",
    Unit.CALENDAR_DAYS: "day",
    Unit.WORKING_DAYS: "working day",
    Unit.CALENDAR_MONTHS: "month",
}


def describe(duration: Duration, lang: str) -> str:
    """A Duration as staff would say it: "48小时", "3个工作日", "7 days"."""
    if lang == "zh":
        return f"{duration.amount}{_ZH_NAMES[duration.unit]}"
    plural = "" if duration.amount == 1 else "s"
    return f"{duration.amount} {_EN_NAMES[duration.unit]}{plural}"
