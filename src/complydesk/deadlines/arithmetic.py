"""Deadline arithmetic: a start time plus a Duration is a due time (`add`).

The rules are in the package docstring (complydesk.deadlines) and
docs/deadlines.md.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from complydesk.calendars import (
    WorkingCalendar,
)
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput


def add(
    start: datetime, duration: Duration, calendar: WorkingCalendar, tz: ZoneInfo
) -> datetime:
    """Due time (aware UTC) of `duration` counted from `start`."""
    _require_aware(start, "start")
    return _shift(start, duration.amount, duration.unit, calendar, tz)


def _shift(
    start: datetime, amount: int, unit: Unit, calendar: WorkingCalendar, tz: ZoneInfo
) -> datetime:
    start_utc = start.astimezone(UTC)
    if amount == 0:
        return start_utc
    try:
        if unit is Unit.HOURS:
            return start_utc + timedelta(hours=amount)
        local = start_utc.astimezone(tz)
        day = local.date()
        if unit is Unit.CALENDAR_DAYS:
            target = day + timedelta(days=amount)
        elif unit is Unit.CALENDAR_MONTHS:
            target = _add_months(day, amount)
        else:
            target = calendar.add_working_days(day, amount)
        return _at_local(target, local.time(), tz)
    except (OverflowError, ValueError):
        raise InvalidInput("due time runs past the supported date range") from None


def _add_months(day: date, months: int) -> date:
    """Same day number `months` later, clamped to the target month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _at_local(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """`wall` on `day` in `tz` as UTC; gaps and overlaps take the later instant."""
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    return max(naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))


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
