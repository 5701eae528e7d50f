"""Open time: the stretches of time a clock counts (`OpenTime`).

A clock in hours counts every instant. A working-day clock counts whole
working days and a business-hours clock only the opening hours on working
days, so a pause over a weekend (or a night) must not move their due time by
the closed time. `OpenTime` answers two exact questions for all three kinds:
how much open time lies between two instants (`measure`), and at which
instant a given amount of open time has run (`advance`). Every window is
computed from local wall times in the jurisdiction's zone (`at_local`: DST
gaps and overlaps take the later instant), so results are exact timedeltas,
never floats.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from complydesk.calendars import OpeningHours, WorkingCalendar
from complydesk.duration import Unit
from complydesk.errors import InvalidInput

_ZERO = timedelta(0)
_MIDNIGHT = time(0, 0)


class Kind(StrEnum):
    ELAPSED = "elapsed"  # every instant: hours, minutes, calendar days, months
    WORKING_DAYS = "working_days"  # whole working days, local midnight to midnight
    BUSINESS_HOURS = "business_hours"  # opening hours on working days


def at_local(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """`wall` on `day` in `tz` as UTC; gaps and overlaps take the later instant."""
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    return max(naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))


@functools.lru_cache(maxsize=16_384)
def _window(
    calendar: WorkingCalendar,
    tz: ZoneInfo,
    opens: time | None,
    closes: time | None,
    day: date,
) -> tuple[datetime, datetime] | None:
    """`day`'s open window in UTC (None: closed); whole day without opens/closes.

    Cached: clocks measure and advance over the same days again and again
    (status, due-soon, next alert), and each window costs four zone lookups.
    """
    if not calendar.is_working_day(day):
        return None
    if opens is None or closes is None:
        lo = at_local(day, _MIDNIGHT, tz)
        hi = at_local(day + timedelta(days=1), _MIDNIGHT, tz)
    else:
        lo, hi = at_local(day, opens, tz), at_local(day, closes, tz)
    return (lo, hi) if hi > lo else None  # a window swallowed by a DST gap


def kind_of(unit: Unit) -> Kind:
    """Which time a clock in `unit` counts while it runs (and skips when paused)."""
    if unit is Unit.WORKING_DAYS:
        return Kind.WORKING_DAYS
    if unit is Unit.BUSINESS_HOURS:
        return Kind.BUSINESS_HOURS
    return Kind.ELAPSED


@dataclass(frozen=True)
class OpenTime:
    """The open time of one calendar, zone and (for business hours) opening hours."""

    kind: Kind
    calendar: WorkingCalendar
    tz: ZoneInfo
    hours: OpeningHours | None = None

    def __post_init__(self) -> None:
        if self.kind is Kind.BUSINESS_HOURS and self.hours is None:
            raise InvalidInput(
                "business_hours needs opening hours (the policy pack's business_hours)"
            )

    def windows(self, after: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open windows (UTC, start < end) that end after `after`, in order."""
        day = after.astimezone(self.tz).date() - timedelta(days=1)
        whole_days = self.kind is Kind.WORKING_DAYS or self.hours is None
        opens = None if whole_days or self.hours is None else self.hours.opens
        closes = None if whole_days or self.hours is None else self.hours.closes
        try:
            while True:
                window = _window(self.calendar, self.tz, opens, closes, day)
                if window is not None and window[1] > after:
                    yield window
                day += timedelta(days=1)
        except OverflowError:
            raise InvalidInput("due time runs past the supported date range") from None

    def measure(self, start: datetime, end: datetime) -> timedelta:
        """Open time in [start, end]; zero when end <= start."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return _ZERO
        if self.kind is Kind.ELAPSED:
            return end - start
        total = _ZERO
        for lo, hi in self.windows(start):
            if lo >= end:
                break
            total += min(hi, end) - max(lo, start)
        return total

    def advance(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant by which `amount` of open time has run from `start`.

        Zero returns `start` unchanged; otherwise the result is inside or at
        the end of an open window (a clock that runs out exactly at closing
        time is due at closing time, not at the next opening).
        """
        start = start.astimezone(UTC)
        if amount < _ZERO:
            raise InvalidInput("open time must not be negative")
        if amount == _ZERO:
            return start
        if self.kind is Kind.ELAPSED:
            try:
                return start + amount
            except OverflowError:
                raise InvalidInput(
                    "due time runs past the supported date range"
                ) from None
        left = amount
        for lo, hi in self.windows(start):
            begin = max(lo, start)
            if hi - begin >= left:
                return begin + left
            left -= hi - begin
        raise AssertionError("unreachable: windows() is endless")  # pragma: no cover
