"""Deadline arithmetic: a start time plus a Duration is a due time (`add`).

The rules are in the package docstring (complydesk.deadlines) and
docs/deadlines.md.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from complydesk.calendars import OpeningHours, WorkingCalendar
from complydesk.deadlines.opentime import Kind, OpenTime, at_local, kind_of
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput

_ELAPSED = {Unit.MINUTES: timedelta(minutes=1), Unit.HOURS: timedelta(hours=1)}


def add(
    start: datetime,
    duration: Duration,
    calendar: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours | None = None,
) -> datetime:
    """Due time (aware UTC) of `duration` counted from `start`.

    `hours` are the opening hours a `business_hours` duration counts in
    (InvalidInput without them); other units ignore them.
    """
    _require_aware(start, "start")
    return _shift(start, duration.amount, duration.unit, calendar, tz, hours)


def elapsed(duration: Duration) -> timedelta:
    """A `minutes` or `hours` duration as a timedelta (e.g. a chat timeout).

    Other units have no fixed length (a month, a working day), so they raise
    InvalidInput: ask `add` for a due time instead.
    """
    step = _ELAPSED.get(duration.unit)
    if step is None:
        raise InvalidInput(f"{duration} has no fixed length; use minutes or hours")
    return step * duration.amount


def calendar_gaps(
    start: datetime,
    end: datetime,
    units: set[Unit] | frozenset[Unit],
    calendar: WorkingCalendar,
    tz: ZoneInfo,
) -> tuple[int, ...]:
    """Years between `start` and `end` (local dates) without holiday data.

    Empty unless one of `units` counts on the calendar (working days,
    business hours): a due time computed across such a year assumed plain
    weekends there, so it is approximate and callers should say so.
    """
    if not any(kind_of(unit) is not Kind.ELAPSED for unit in units):
        return ()
    lo = _aware_utc(start, "start").astimezone(tz).date()
    hi = _aware_utc(end, "end").astimezone(tz).date()
    return calendar.uncovered_years(lo, hi)


def _shift(
    start: datetime,
    amount: int,
    unit: Unit,
    calendar: WorkingCalendar,
    tz: ZoneInfo,
    hours: OpeningHours | None = None,
) -> datetime:
    start_utc = start.astimezone(UTC)
    if amount == 0:
        return start_utc
    try:
        if unit in _ELAPSED:
            return start_utc + _ELAPSED[unit] * amount
        if unit is Unit.BUSINESS_HOURS:
            open_time = OpenTime(Kind.BUSINESS_HOURS, calendar, tz, hours)
            return open_time.advance(start_utc, timedelta(hours=amount))
        local = start_utc.astimezone(tz)
        day = local.date()
        if unit is Unit.CALENDAR_DAYS:
            target = day + timedelta(days=amount)
        elif unit is Unit.CALENDAR_MONTHS:
            target = _add_months(day, amount)
        else:
            target = calendar.add_working_days(day, amount)
        return at_local(target, local.time(), tz)
    except (OverflowError, ValueError):
        raise InvalidInput("due time runs past the supported date range") from None


def _add_months(day: date, months: int) -> date:
    """Same day number `months` later, clamped to the target month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be timezone-aware")


def _aware_utc(value: datetime, name: str) -> datetime:
    _require_aware(value, name)
    return value.astimezone(UTC)


def _reason(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    return value.strip()
