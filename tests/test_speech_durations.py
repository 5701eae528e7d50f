"""Time expressions in replies: parsing (zh + en) and resolution against now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complydesk.deadlines import load_calendar
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput
from complydesk.speech.durations import (
    TimeExpr,
    describe,
    parse_time_expressions,
    resolve,
    zh_number,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=SH)  # a Wednesday
CN = load_calendar("cn")
H, D, W, M = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.CALENDAR_MONTHS


def dur(amount: int, unit: Unit) -> TimeExpr:
    return TimeExpr("duration", Duration(amount=amount, unit=unit))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24小时内", dur(24, H)),
        ("２４小时内", dur(24, H)),
        ("48h内", dur(48, H)),
        ("二十四小时", dur(24, H)),
        ("两个小时", dur(2, H)),
        ("两天内", dur(2, D)),
        ("2天内", dur(2, D)),
        ("3日内", dur(3, D)),
        ("两三天", dur(3, D)),
        ("三个工作日内", dur(3, W)),
        ("一周内", dur(7, D)),
        ("两个星期", dur(14, D)),
        ("一个月内", dur(1, M)),
        ("一天半", dur(36, H)),
        ("不会超过两天", dur(2, D)),
        ("半小时", TimeExpr("minutes", minutes=30)),
        ("一个半小时", TimeExpr("minutes", minutes=90)),
        ("30分钟内", TimeExpr("minutes", minutes=30)),
        ("马上", dur(1, H)),
        ("立即", dur(1, H)),
        ("今天之内", TimeExpr("day_end", days=0)),
        ("今晚", TimeExpr("day_end", days=0)),
        ("当天", TimeExpr("day_end", days=0)),
        ("明天", TimeExpr("day_end", days=1)),
        ("后天", TimeExpr("day_end", days=2)),
        ("大后天", TimeExpr("day_end", days=3)),
        ("本周内", TimeExpr("week_end")),
        ("这周一定", TimeExpr("week_end")),
        ("下周一前", TimeExpr("weekday", weekday=0, weeks_ahead=1, before=True)),
        ("周五前", TimeExpr("weekday", weekday=4, before=True)),
        ("星期天", TimeExpr("weekday", weekday=6)),
        ("within 24 hours", dur(24, H)),
        ("in 2 days", dur(2, D)),
        ("within three business days", dur(3, W)),
        ("in an hour", dur(1, H)),
        ("within half an hour", TimeExpr("minutes", minutes=30)),
        ("in two and a half hours", TimeExpr("minutes", minutes=150)),
        ("no later than 2 days", dur(2, D)),
        ("immediately", dur(1, H)),
        ("right away", dur(1, H)),
        ("today", TimeExpr("day_end", days=0)),
        ("by end of day", TimeExpr("day_end", days=0)),
        ("tomorrow", TimeExpr("day_end", days=1)),
        ("the day after tomorrow", TimeExpr("day_end", days=2)),
        ("by Friday", TimeExpr("weekday", weekday=4)),
        ("before Friday", TimeExpr("weekday", weekday=4, before=True)),
        ("next Monday", TimeExpr("weekday", weekday=0, weeks_ahead=1)),
        ("this week", TimeExpr("week_end")),
    ],
)
def test_parses_one_expression(text: str, expected: TimeExpr) -> None:
    found = parse_time_expressions(text)
    assert len(found) == 1, found
    assert found[0][2] == expected


@pytest.mark.parametrize(
    "text",
    [
        "24小时前",
        "一定",
        "一般",
        "3月前",
        "3号楼",
        "15号线",
        "有3点需要注意",
        "早一点",
        "on the 2nd floor",
        "in stock",
        "thanks a lot",
        "",
    ],
)
def test_not_time_expressions(text: str) -> None:
    # "24小时前" is "24 hours ago"; 3号楼 a building, 3点 "three points".
    assert parse_time_expressions(text) == []


def date_(mday: int, month: int = 0, ahead: int = -1) -> TimeExpr:
    return TimeExpr("date", month=month, months_ahead=ahead, mday=mday)


def clock(hour: int, minute: int = 0, days: int = -1) -> TimeExpr:
    return TimeExpr("clock", days=days, hour=hour, minute=minute)


@pytest.mark.parametrize(
    ("text", "expected", "latest"),
    [
        # NOW is Wednesday 2025-03-12 10:00; a date is read as its day's end
        ("15日前", date_(15), datetime(2025, 3, 16, 0, 0)),
        ("本月20号之前", date_(20, ahead=0), datetime(2025, 3, 21, 0, 0)),
        ("下个月3号前", date_(3, ahead=1), datetime(2025, 4, 4, 0, 0)),
        ("4月1日前", date_(1, month=4), datetime(2025, 4, 2, 0, 0)),
        ("十二月五号", date_(5, month=12), datetime(2025, 12, 6, 0, 0)),
        ("5号前", date_(5), datetime(2025, 4, 6, 0, 0)),  # past: next month's
        ("by the 15th", date_(15), datetime(2025, 3, 16, 0, 0)),
        ("by March 20th", date_(20, month=3), datetime(2025, 3, 21, 0, 0)),
        ("下午3点前", clock(15), datetime(2025, 3, 12, 15, 0)),
        ("今晚8点前", clock(20, days=0), datetime(2025, 3, 12, 20, 0)),
        ("明天上午10点前", clock(10, days=1), datetime(2025, 3, 13, 10, 0)),
        ("今天下午三点半之前", clock(15, 30, days=0), datetime(2025, 3, 12, 15, 30)),
        ("18:00前", clock(18), datetime(2025, 3, 12, 18, 0)),
        ("上午9点前", clock(9), datetime(2025, 3, 13, 9, 0)),  # past: tomorrow's
        ("by 5 pm", clock(17), datetime(2025, 3, 12, 17, 0)),
        ("by noon tomorrow", clock(12, days=1), datetime(2025, 3, 13, 12, 0)),
    ],
)
def test_calendar_dates_and_clock_times(
    text: str, expected: TimeExpr, latest: datetime
) -> None:
    [(_, _, expr)] = parse_time_expressions(text)
    assert expr == expected
    assert local(expr).replace(tzinfo=None) == latest


@pytest.mark.parametrize("text", ["本月5号前", "2月30日前", "4月31号"])
def test_impossible_or_past_dates_do_not_resolve(text: str) -> None:
    [(_, _, expr)] = parse_time_expressions(text)
    with pytest.raises(InvalidInput):
        local(expr)


def test_offsets_are_code_points_into_the_original() -> None:
    text = "好的，２４小时内发货"
    [(start, end, _)] = parse_time_expressions(text)
    assert text[start:end] == "２４小时内"


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十四", 24),
        ("七十二", 72),
        ("一百", 100),
        ("一百二十", 120),
        ("两三", 3),
        ("48", 48),
        ("1.5", 1.5),
        ("半", 0.5),
    ],
)
def test_zh_number(token: str, value: float) -> None:
    assert zh_number(token) == value


def local(expr: TimeExpr, now: datetime = NOW) -> datetime:
    return resolve(expr, now, CN, SH).astimezone(SH)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (dur(24, H), datetime(2025, 3, 13, 10, 0)),
        (dur(2, D), datetime(2025, 3, 14, 10, 0)),
        (dur(3, W), datetime(2025, 3, 17, 10, 0)),  # Wed + 3 working days = Mon
        (TimeExpr("minutes", minutes=30), datetime(2025, 3, 12, 10, 30)),
        (TimeExpr("day_end", days=0), datetime(2025, 3, 13, 0, 0)),
        (TimeExpr("day_end", days=1), datetime(2025, 3, 14, 0, 0)),
        (TimeExpr("week_end"), datetime(2025, 3, 17, 0, 0)),
        (TimeExpr("weekday", weekday=4), datetime(2025, 3, 15, 0, 0)),
        (TimeExpr("weekday", weekday=4, before=True), datetime(2025, 3, 14, 0, 0)),
        (TimeExpr("weekday", weekday=2, before=True), datetime(2025, 3, 13, 0, 0)),
        (
            TimeExpr("weekday", weekday=0, weeks_ahead=1, before=True),
            datetime(2025, 3, 17, 0, 0),
        ),
        (TimeExpr("weekday", weekday=4, weeks_ahead=1), datetime(2025, 3, 22, 0, 0)),
    ],
)
def test_resolve(expr: TimeExpr, expected: datetime) -> None:
    assert local(expr) == expected.replace(tzinfo=SH)


def test_working_days_skip_cn_holidays() -> None:
    # 2025-04-30 (Wed) + 3 working days: May 1-5 is the Labour Day holiday.
    now = datetime(2025, 4, 30, 10, 0, tzinfo=SH)
    assert local(dur(3, W), now).date() > datetime(2025, 5, 5).date()


@pytest.mark.parametrize(
    ("duration", "zh", "en"),
    [
        (Duration(amount=48, unit=H), "48小时", "48 hours"),
        (Duration(amount=7, unit=D), "7天", "7 days"),
        (Duration(amount=3, unit=W), "3个工作日", "3 working days"),
        (Duration(amount=1, unit=M), "1个月", "1 month"),
    ],
)
def test_describe(duration: Duration, zh: str, en: str) -> None:
    assert describe(duration, "zh") == zh
    assert describe(duration, "en") == en


_ZH_UNITS = {"小时": H, "天": D, "个工作日": W}
_EN_UNITS = {"hours": H, "days": D, "business days": W}


@given(
    n=st.integers(min_value=1, max_value=9999), unit=st.sampled_from(list(_ZH_UNITS))
)
def test_zh_digits_round_trip(n: int, unit: str) -> None:
    full_width = str(n).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    for digits in (str(n), full_width):
        [(_, _, expr)] = parse_time_expressions(f"我们会在{digits}{unit}内处理")
        assert expr == dur(n, _ZH_UNITS[unit])


@given(n=st.integers(min_value=1, max_value=99), unit=st.sampled_from(list(_ZH_UNITS)))
def test_zh_numerals_round_trip(n: int, unit: str) -> None:
    ones = "零一二三四五六七八九"
    tens, rest = divmod(n, 10)
    numeral = (
        (ones[tens] if tens > 1 else "")
        + ("十" if tens else "")
        + (ones[rest] if rest else "")
    )
    [(_, _, expr)] = parse_time_expressions(f"{numeral}{unit}内")
    assert expr == dur(n, _ZH_UNITS[unit])


@given(
    n=st.integers(min_value=1, max_value=9999), unit=st.sampled_from(list(_EN_UNITS))
)
def test_en_round_trip(n: int, unit: str) -> None:
    [(_, _, expr)] = parse_time_expressions(f"We will do it within {n} {unit}.")
    assert expr == dur(n, _EN_UNITS[unit])


@settings(max_examples=300)
@given(
    st.text(
        alphabet="0123456789０１２３一二两三十百半个小时天日周内前后今明本下星期"
        " hoursdaywithin.",
        max_size=40,
    )
)
def test_parsing_never_raises_and_resolves(text: str) -> None:
    for start, end, expr in parse_time_expressions(text):
        assert 0 <= start < end <= len(text)
        try:
            assert resolve(expr, NOW, CN, SH) >= NOW
        except InvalidInput:
            pass  # a figure past year 9999 is no promise at all


def test_absurd_figures_are_no_time_expression() -> None:
    assert [e for *_, e in parse_time_expressions("14300周内发货")] == []
