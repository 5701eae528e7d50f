"""Properties of the deadline arithmetic that must hold for every input."""

from __future__ import annotations

import calendar as stdlib_calendar
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from complydesk.calendars import OpeningHours
from complydesk.deadlines import (
    DeadlineClock,
    Status,
    WorkingCalendar,
    add,
    load_calendar,
)
from complydesk.deadlines.opentime import Kind, OpenTime, kind_of
from complydesk.duration import Duration, Unit

settings.register_profile("deadlines", max_examples=200, deadline=None)
PROFILE = settings.get_profile("deadlines")

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/Brussels",
        "America/Los_Angeles",
        "Asia/Shanghai",
        "Australia/Lord_Howe",  # 30-minute DST shift
    )
]
CALENDARS = [load_calendar(cal_id) for cal_id in ("weekends", "eu", "cn", "us-ca")]

# Ordinary office hours, a whole day, a late window, and windows that hit the
# DST gaps (Brussels and Los Angeles at 02:00, Lord Howe at 02:00).
HOURS = [
    OpeningHours.parse(text)
    for text in ("09:00-18:00", "08:30-12:00", "00:00-23:59", "22:00-23:30",
                 "01:30-04:00", "02:15-02:45")
]  # fmt: skip

zones = st.sampled_from(ZONES)
calendars = st.sampled_from(CALENDARS)
opening_hours = st.sampled_from(HOURS)
units = st.sampled_from(list(Unit))
# Mostly the years with holiday data, sometimes well outside them.
starts = st.one_of(
    st.datetimes(
        min_value=datetime(2024, 11, 1),
        max_value=datetime(2027, 2, 1),
        timezones=zones,
        allow_imaginary=False,
    ),
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2090, 1, 1),
        timezones=zones,
        allow_imaginary=False,
    ),
)


def amounts_for(unit: Unit) -> st.SearchStrategy[int]:
    top = {
        Unit.MINUTES: 100_000,
        Unit.BUSINESS_HOURS: 2_000,
        Unit.HOURS: 20_000,
        Unit.CALENDAR_DAYS: 800,
        Unit.CALENDAR_MONTHS: 36,
        Unit.WORKING_DAYS: 400,
    }[unit]
    return st.integers(min_value=0, max_value=top)


@st.composite
def durations(draw: st.DrawFn) -> Duration:
    unit = draw(units)
    return Duration(amount=draw(amounts_for(unit)), unit=unit)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def is_imaginary(naive: datetime, tz: ZoneInfo) -> bool:
    roundtrip = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return roundtrip.replace(tzinfo=None) != naive


@PROFILE
@given(starts, durations(), calendars, zones, opening_hours)
def test_due_is_never_before_start(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
) -> None:
    due = add(start, duration, cal, tz, hours)
    assert due.tzinfo is UTC
    assert due >= start
    if duration.amount > 0:
        assert due > start


@PROFILE
@given(starts, st.integers(0, 50_000), st.integers(0, 50_000), zones)
def test_hours_are_additive(start: datetime, a: int, b: int, tz: ZoneInfo) -> None:
    cal = CALENDARS[0]
    step = add(
        add(start, Duration(amount=a, unit="hours"), cal, tz),
        Duration(amount=b, unit="hours"),
        cal,
        tz,
    )
    assert step == add(start, Duration(amount=a + b, unit="hours"), cal, tz)
    assert step - start == timedelta(hours=a + b)


@PROFILE
@given(starts, st.integers(1, 800), zones)
def test_calendar_days_keep_local_wall_time(
    start: datetime, n: int, tz: ZoneInfo
) -> None:
    due = add(start, Duration(amount=n, unit="calendar_days"), CALENDARS[0], tz)
    local_start = start.astimezone(tz)
    local_due = due.astimezone(tz)
    target = datetime.combine(
        local_start.date() + timedelta(days=n), local_start.time()
    )
    if is_imaginary(target, tz):
        # Wall time skipped by DST: pushed forward past the gap, same day.
        assert local_due.replace(tzinfo=None) > target
        assert local_due.date() == target.date()
    else:
        assert local_due.replace(tzinfo=None) == target


@PROFILE
@given(starts, st.integers(1, 36), zones)
def test_calendar_months_clamp_to_month_end(
    start: datetime, n: int, tz: ZoneInfo
) -> None:
    due = add(start, Duration(amount=n, unit="calendar_months"), CALENDARS[0], tz)
    s, r = local_date(start, tz), local_date(due, tz)
    months = s.year * 12 + s.month - 1 + n
    assert (r.year, r.month) == (months // 12, months % 12 + 1)
    last = stdlib_calendar.monthrange(r.year, r.month)[1]
    assert r.day == min(s.day, last)


@PROFILE
@given(starts, st.integers(1, 400), calendars, zones)
def test_working_days_count_exactly(
    start: datetime, n: int, cal: WorkingCalendar, tz: ZoneInfo
) -> None:
    due = add(start, Duration(amount=n, unit="working_days"), cal, tz)
    s, r = local_date(start, tz), local_date(due, tz)
    assert cal.is_working_day(r)
    # Count independently of add_working_days: every day in (s, r].
    days = [s + timedelta(days=i) for i in range(1, (r - s).days + 1)]
    assert sum(cal.is_working_day(day) for day in days) == n


@PROFILE
@given(starts, units, st.data(), calendars, zones, opening_hours)
def test_monotonic_in_amount(
    start: datetime,
    unit: Unit,
    data: st.DataObject,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
) -> None:
    a = data.draw(amounts_for(unit))
    b = data.draw(amounts_for(unit))
    a, b = sorted((a, b))
    due_a = add(start, Duration(amount=a, unit=unit), cal, tz, hours)
    due_b = add(start, Duration(amount=b, unit=unit), cal, tz, hours)
    assert due_a <= due_b


@PROFILE
@given(starts, st.integers(0, 100_000), zones)
def test_minutes_are_exact_elapsed_time(start: datetime, n: int, tz: ZoneInfo) -> None:
    due = add(start, Duration(amount=n, unit="minutes"), CALENDARS[0], tz)
    assert due - start == timedelta(minutes=n)
    if n % 60 == 0:
        hours = Duration(amount=n // 60, unit="hours")
        assert due == add(start, hours, CALENDARS[0], tz)


# ---- business hours ---------------------------------------------------------

# Zones without DST: there a local window converts to UTC one way only, so the
# oracle below can build it with plain `replace(tzinfo=...)`.
FIXED_ZONES = st.sampled_from([ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")])
EXACT_HOURS = st.sampled_from(HOURS[:4])


def oracle_open_time(
    start: datetime,
    end: datetime,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
) -> timedelta:
    """Open time in [start, end], counted day by day without the engine."""
    total = timedelta(0)
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        if cal.is_working_day(day):
            lo = datetime.combine(day, hours.opens, tzinfo=tz)
            hi = datetime.combine(day, hours.closes, tzinfo=tz)
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


@PROFILE
@given(starts, st.integers(0, 600), calendars, FIXED_ZONES, EXACT_HOURS)
def test_business_hours_count_exactly(
    start: datetime, n: int, cal: WorkingCalendar, tz: ZoneInfo, hours: OpeningHours
) -> None:
    due = add(start, Duration(amount=n, unit="business_hours"), cal, tz, hours)
    assert oracle_open_time(start, due, cal, tz, hours) == timedelta(hours=n)
    if n == 0:
        assert due == start
        return
    # The earliest such instant: inside an open window of a working day, or
    # exactly at its closing time, never in closed time after it.
    local = due.astimezone(tz)
    assert cal.is_working_day(local.date())
    assert hours.opens < local.time() <= hours.closes
    before = due - timedelta(microseconds=1)
    assert oracle_open_time(start, before, cal, tz, hours) < timedelta(hours=n)


@PROFILE
@given(
    starts, st.integers(0, 500), st.integers(0, 500), calendars, zones, opening_hours
)
def test_business_hours_are_additive(
    start: datetime,
    a: int,
    b: int,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
) -> None:
    def bh(base: datetime, n: int) -> datetime:
        return add(base, Duration(amount=n, unit="business_hours"), cal, tz, hours)

    assert bh(bh(start, a), b) == bh(start, a + b)
    open_time = OpenTime(Kind.BUSINESS_HOURS, cal, tz, hours)
    assert open_time.measure(start, bh(start, a + b)) == timedelta(hours=a + b)


pause_specs = st.lists(
    st.tuples(st.integers(0, 24 * 60 * 40), st.integers(0, 24 * 60 * 20)),
    max_size=4,
)


@PROFILE
@given(starts, durations(), calendars, zones, opening_hours, pause_specs)
def test_pause_shift_equals_paused_open_time(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
    specs: list[tuple[int, int]],
) -> None:
    clock = DeadlineClock(start, duration, cal, tz, business_hours=hours)
    base = clock.due_at()
    open_time = clock.open_time
    at = clock.started_at
    total = timedelta(0)
    paused_open = timedelta(0)
    for gap, length in specs:
        at += timedelta(minutes=gap)
        clock = clock.pause(at, "waiting")
        paused_open += open_time.measure(at, at + timedelta(minutes=length))
        at += timedelta(minutes=length)
        clock = clock.resume(at)
        total += timedelta(minutes=length)
    assert clock.paused_total() == total
    assert clock.paused_open() == paused_open <= total
    # The due time moves by exactly the paused open time, counted in open time.
    assert open_time.measure(base, clock.due_at()) == paused_open
    if kind_of(duration.unit) is Kind.ELAPSED:
        assert clock.due_at() - base == total
    elif paused_open == timedelta(0):
        assert clock.due_at() == base  # pauses in closed time never move it


@PROFILE
@given(
    starts, durations(), calendars, zones, opening_hours, st.integers(0, 60 * 24 * 9)
)
def test_due_soon_starts_exactly_at_due_soon_at(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
    minutes: int,
) -> None:
    clock = DeadlineClock(start, duration, cal, tz, business_hours=hours, due_soon=0.2)
    now = clock.started_at + timedelta(minutes=minutes)
    turn = clock.due_soon_at(now)
    assert turn >= now
    assert clock.status(turn) in (Status.DUE_SOON, Status.OVERDUE)
    if turn > now:
        assert clock.status(turn - timedelta(microseconds=1)) is Status.RUNNING


@PROFILE
@given(starts, durations(), durations(), st.integers(0, 10_000), calendars, zones)
def test_extension_never_shortens(
    start: datetime,
    duration: Duration,
    by: Duration,
    minutes: int,
    cal: WorkingCalendar,
    tz: ZoneInfo,
) -> None:
    clock = DeadlineClock(start, duration, cal, tz, business_hours=HOURS[0])
    at = clock.started_at + timedelta(minutes=minutes)
    if by.amount == 0 or at >= clock.due_at(at):
        return  # such extensions are rejected, covered by table tests
    extended = clock.extend(by, "complex request", at)
    assert extended.due_at() > clock.due_at()


@PROFILE
@given(starts, durations(), calendars, zones, opening_hours, pause_specs)
def test_dict_roundtrip(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours,
    specs: list[tuple[int, int]],
) -> None:
    clock = DeadlineClock(start, duration, cal, tz, due_soon=0.25, business_hours=hours)
    at = clock.started_at
    for gap, length in specs:
        at += timedelta(minutes=gap)
        clock = clock.pause(at, "waiting").resume(at + timedelta(minutes=length))
        at += timedelta(minutes=length)
    restored = DeadlineClock.from_dict(json.loads(json.dumps(clock.to_dict())))
    assert restored == clock
    assert restored.due_at() == clock.due_at()
