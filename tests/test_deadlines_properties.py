"""Properties of the deadline arithmetic that must hold for every input."""

from __future__ import annotations

import calendar as stdlib_calendar
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from complydesk.deadlines import DeadlineClock, WorkingCalendar, add, load_calendar
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

zones = st.sampled_from(ZONES)
calendars = st.sampled_from(CALENDARS)
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
@given(starts, durations(), calendars, zones)
def test_due_is_never_before_start(
    start: datetime, duration: Duration, cal: WorkingCalendar, tz: ZoneInfo
) -> None:
    due = add(start, duration, cal, tz)
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
@given(starts, units, st.data(), calendars, zones)
def test_monotonic_in_amount(
    start: datetime, unit: Unit, data: st.DataObject, cal: WorkingCalendar, tz: ZoneInfo
) -> None:
    a = data.draw(amounts_for(unit))
    b = data.draw(amounts_for(unit))
    a, b = sorted((a, b))
    due_a = add(start, Duration(amount=a, unit=unit), cal, tz)
    due_b = add(start, Duration(amount=b, unit=unit), cal, tz)
    assert due_a <= due_b


pause_specs = st.lists(
    st.tuples(st.integers(0, 24 * 60 * 40), st.integers(0, 24 * 60 * 20)),
    max_size=4,
)


@PROFILE
@given(starts, durations(), calendars, zones, pause_specs)
def test_pause_shift_equals_paused_time(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    specs: list[tuple[int, int]],
) -> None:
    clock = DeadlineClock(start, duration, cal, tz)
    base = clock.due_at()
    at = clock.started_at
    total = timedelta(0)
    for gap, length in specs:
        at += timedelta(minutes=gap)
        clock = clock.pause(at, "waiting")
        at += timedelta(minutes=length)
        clock = clock.resume(at)
        total += timedelta(minutes=length)
    assert clock.paused_total() == total
    assert clock.due_at() - base == total


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
    clock = DeadlineClock(start, duration, cal, tz)
    at = clock.started_at + timedelta(minutes=minutes)
    if by.amount == 0 or at >= clock.due_at(at):
        return  # such extensions are rejected, covered by table tests
    extended = clock.extend(by, "complex request", at)
    assert extended.due_at() > clock.due_at()


@PROFILE
@given(starts, durations(), calendars, zones, pause_specs)
def test_dict_roundtrip(
    start: datetime,
    duration: Duration,
    cal: WorkingCalendar,
    tz: ZoneInfo,
    specs: list[tuple[int, int]],
) -> None:
    clock = DeadlineClock(start, duration, cal, tz, due_soon=0.25)
    at = clock.started_at
    for gap, length in specs:
        at += timedelta(minutes=gap)
        clock = clock.pause(at, "waiting").resume(at + timedelta(minutes=length))
        at += timedelta(minutes=length)
    restored = DeadlineClock.from_dict(json.loads(json.dumps(clock.to_dict())))
    assert restored == clock
    assert restored.due_at() == clock.due_at()
