"""A running deadline: pauses, extensions, completion, status (`DeadlineClock`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from complydesk.calendars import (
    OpeningHours,
    WorkingCalendar,
    load_calendar,
)
from complydesk.deadlines.arithmetic import (
    _aware_utc,
    _reason,
    _shift,
    add,
    calendar_gaps,
)
from complydesk.deadlines.opentime import OpenTime, kind_of
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput

_T = TypeVar("_T")
_DICT_VERSION = 1
# Extensions of different units are applied largest unit first, like
# "1 month and 3 days" is read in ordinary language.
_UNIT_ORDER = (
    Unit.CALENDAR_MONTHS,
    Unit.CALENDAR_DAYS,
    Unit.WORKING_DAYS,
    Unit.BUSINESS_HOURS,
    Unit.HOURS,
    Unit.MINUTES,
)


class Status(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"


@dataclass(frozen=True)
class Pause:
    """A stretch during which the clock stands still; open while ended_at is None."""

    started_at: datetime
    reason: str
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", _aware_utc(self.started_at, "pause"))
        object.__setattr__(self, "reason", _reason(self.reason, "pause reason"))
        if self.ended_at is not None:
            end = _aware_utc(self.ended_at, "resume")
            if end < self.started_at:
                raise InvalidInput("resume must not be before the pause started")
            object.__setattr__(self, "ended_at", end)

    def span(self, as_of: datetime | None = None) -> tuple[datetime, datetime] | None:
        """(start, end) up to `as_of`; None when it has no length yet.

        An open pause without `as_of` has no length (the lower bound).
        """
        end = self.ended_at
        if as_of is not None:
            end = as_of if end is None else min(end, as_of)
        if end is None or end <= self.started_at:
            return None
        return self.started_at, end

    def length(self, as_of: datetime | None = None) -> timedelta:
        """Elapsed paused time up to `as_of`; an open pause without as_of is zero."""
        span = self.span(as_of)
        return timedelta(0) if span is None else span[1] - span[0]


@dataclass(frozen=True)
class Extension:
    """A lawful extension of the deadline (e.g. GDPR art. 12(3), CCPA +45 days)."""

    by: Duration
    reason: str
    at: datetime
    notice_sent_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.by.amount == 0:
            raise InvalidInput("extension must be longer than zero")
        object.__setattr__(self, "reason", _reason(self.reason, "extension reason"))
        object.__setattr__(self, "at", _aware_utc(self.at, "extension time"))
        if self.notice_sent_at is not None:
            notice = _aware_utc(self.notice_sent_at, "notice_sent_at")
            object.__setattr__(self, "notice_sent_at", notice)


@dataclass(frozen=True)
class DeadlineClock:
    """A deadline in progress. Updates return a new clock; the old one is unchanged.

    Every query takes `now` and answers as of that instant: pauses, extensions
    and completion recorded after `now` are ignored, so history can be replayed.
    `max_extension=None` means no cap; `Duration(0, unit)` forbids extensions.
    `due_soon` is a fraction of the allotted time (0.2 = last 20 %) or a timedelta.
    `business_hours` are the opening hours a `business_hours` duration counts
    in; time is measured in the clock's own open time (`open_time`).
    """

    started_at: datetime
    duration: Duration
    calendar: WorkingCalendar
    tz: ZoneInfo
    pausable: bool = True
    no_pause_reason: str = "the governing rule keeps this clock running"
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    max_extension: Duration | None = None
    completed_at: datetime | None = None
    due_soon: float | timedelta = 0.2
    business_hours: OpeningHours | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", _aware_utc(self.started_at, "start"))
        if self.business_hours is not None and not isinstance(
            self.business_hours, OpeningHours
        ):
            raise InvalidInput("business_hours must be OpeningHours")
        if self.business_hours is None and Unit.BUSINESS_HOURS in self._units():
            raise InvalidInput(
                "business_hours needs opening hours (the policy pack's business_hours)"
            )
        object.__setattr__(self, "pauses", tuple(self.pauses))
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if not isinstance(self.tz, ZoneInfo):
            raise InvalidInput("tz must be a zoneinfo.ZoneInfo")
        if isinstance(self.due_soon, timedelta):
            if self.due_soon <= timedelta(0):
                raise InvalidInput("due_soon must be a positive timedelta")
        elif isinstance(self.due_soon, int | float) and not isinstance(
            self.due_soon, bool
        ):
            if not 0 < self.due_soon <= 1:
                raise InvalidInput("due_soon fraction must be in (0, 1]")
            object.__setattr__(self, "due_soon", float(self.due_soon))
        else:
            raise InvalidInput("due_soon must be a fraction or a timedelta")
        previous_end = self.started_at
        for index, pause in enumerate(self.pauses):
            if pause.started_at < previous_end:
                raise InvalidInput("pauses must not overlap or precede the start")
            if pause.ended_at is None:
                if index != len(self.pauses) - 1:
                    raise InvalidInput("only the last pause may be open")
                break
            previous_end = pause.ended_at
        for ext in self.extensions:
            if ext.at < self.started_at:
                raise InvalidInput("extension must not precede the start")
        if self.completed_at is not None:
            done = _aware_utc(self.completed_at, "completion time")
            if done < self.started_at:
                raise InvalidInput("completion must not precede the start")
            object.__setattr__(self, "completed_at", done)

    @classmethod
    def start(
        cls,
        started_at: datetime,
        duration: Duration,
        calendar: WorkingCalendar | str,
        tz: ZoneInfo | str,
        **options: Any,
    ) -> DeadlineClock:
        """Convenience constructor taking a calendar id and a zone name."""
        cal = load_calendar(calendar) if isinstance(calendar, str) else calendar
        return cls(started_at, duration, cal, _zone(tz), **options)

    # ---- computation -------------------------------------------------------

    def _units(self) -> set[Unit]:
        units = {self.duration.unit, *(e.by.unit for e in self.extensions)}
        if self.max_extension is not None:
            units.add(self.max_extension.unit)
        return units

    @property
    def open_time(self) -> OpenTime:
        """The time this clock counts: every instant, working days or opening hours.

        Set by the duration's unit. Pauses skip only open time, and the
        due-soon threshold is measured in it.
        """
        return OpenTime(
            kind_of(self.duration.unit), self.calendar, self.tz, self.business_hours
        )

    def base_due(self) -> datetime:
        """Due time from the duration alone: no extensions, no pauses."""
        return add(
            self.started_at, self.duration, self.calendar, self.tz, self.business_hours
        )

    def _extended_due(
        self, as_of: datetime | None, extra: Extension | None = None
    ) -> datetime:
        totals: dict[Unit, int] = {}
        for ext in (*self.extensions, *((extra,) if extra else ())):
            if as_of is None or ext.at <= as_of or ext is extra:
                totals[ext.by.unit] = totals.get(ext.by.unit, 0) + ext.by.amount
        due = self.base_due()
        for unit in _UNIT_ORDER:
            if totals.get(unit):
                due = _shift(
                    due, totals[unit], unit, self.calendar, self.tz, self.business_hours
                )
        return due

    def paused_total(self, now: datetime | None = None) -> timedelta:
        """Total elapsed paused time (up to `now` when given)."""
        as_of = None if now is None else _aware_utc(now, "now")
        return sum((p.length(as_of) for p in self.pauses), timedelta(0))

    def paused_open(self, now: datetime | None = None) -> timedelta:
        """Paused open time: what the pauses moved the due time by.

        Equal to `paused_total` for clocks in hours or calendar units; for
        working-day and business-hours clocks, closed time is left out.
        """
        as_of = None if now is None else _aware_utc(now, "now")
        measure = self.open_time.measure
        spans = (p.span(as_of) for p in self.pauses)
        return sum((measure(*s) for s in spans if s is not None), timedelta(0))

    def due_at(self, now: datetime | None = None) -> datetime:
        """Base due + extensions, moved on by the paused open time.

        Without `now`, every recorded event counts and an open pause counts as
        zero; with `now`, the answer is as of `now` (an open pause runs to `now`).
        """
        as_of = None if now is None else _aware_utc(now, "now")
        return self.open_time.advance(
            self._extended_due(as_of), self.paused_open(as_of)
        )

    def calendar_gaps(self, now: datetime | None = None) -> tuple[int, ...]:
        """Years from start to due without holiday data in the clock's calendar.

        Non-empty means the due time assumed plain weekends in those years (a
        lower-confidence figure: show it as approximate). Always empty for
        clocks in hours or calendar units, which never consult the calendar.
        """
        return calendar_gaps(
            self.started_at, self.due_at(now), self._units(), self.calendar, self.tz
        )

    def time_left(self, now: datetime) -> timedelta:
        """Due minus now; negative when overdue, frozen while paused or once met."""
        now = _aware_utc(now, "now")
        if self.completed_at is not None and self.completed_at <= now:
            now = self.completed_at
        return self.due_at(now) - now

    def is_paused(self, now: datetime) -> bool:
        now = _aware_utc(now, "now")
        return any(
            p.started_at <= now and (p.ended_at is None or now < p.ended_at)
            for p in self.pauses
        )

    def is_met(self, now: datetime) -> bool:
        now = _aware_utc(now, "now")
        return self.completed_at is not None and self.completed_at <= now

    def is_overdue(self, now: datetime) -> bool:
        """Outstanding and past due; a met clock is never overdue (see met_on_time)."""
        return not self.is_met(now) and self._overdue(_aware_utc(now, "now"))

    def _overdue(self, now: datetime) -> bool:
        """Past due, or paused while past due (pausing never hides a breach).

        The second half matters for open-time clocks: a pause that began in
        closed time after the due time moves the due time along with `now`.
        """
        if self.time_left(now) < timedelta(0):
            return True
        paused = [p for p in self.pauses if p.started_at <= now]
        if not paused or (
            paused[-1].ended_at is not None and paused[-1].ended_at <= now
        ):
            return False
        began = paused[-1].started_at
        return self.due_at(began) < began

    def met_on_time(self) -> bool | None:
        """None while open; else whether completion came no later than the due time."""
        if self.completed_at is None:
            return None
        return self.completed_at <= self.due_at(self.completed_at)

    def status(
        self, now: datetime, due_soon: float | timedelta | None = None
    ) -> Status:
        """met > overdue > paused > due_soon > running (overdue is never hidden)."""
        now = _aware_utc(now, "now")
        if self.is_met(now):
            return Status.MET
        if self._overdue(now):
            return Status.OVERDUE
        if self.is_paused(now):
            return Status.PAUSED
        left = self.open_time.measure(now, self.due_at(now))
        return Status.DUE_SOON if left <= self._soon(now, due_soon) else Status.RUNNING

    def _soon(
        self, now: datetime, due_soon: float | timedelta | None = None
    ) -> timedelta:
        """The due-soon threshold as open time left."""
        threshold = self.due_soon if due_soon is None else due_soon
        if isinstance(threshold, timedelta):
            return threshold
        allotted = self.open_time.measure(self.started_at, self._extended_due(now))
        return allotted * float(threshold)

    def due_soon_at(self, now: datetime) -> datetime:
        """When the clock turns due soon if nothing else happens (`now` if it is).

        The instant at which the open time left first reaches the threshold;
        for a clock in hours simply due minus threshold.
        """
        now = _aware_utc(now, "now")
        due = self.due_at(now)
        left = self.open_time.measure(now, due)
        limit = self._soon(now)
        if left <= limit:
            return now
        return self.open_time.advance(now, left - limit)

    # ---- updates (each returns a new clock) --------------------------------

    def _open_pause(self) -> Pause | None:
        if self.pauses and self.pauses[-1].ended_at is None:
            return self.pauses[-1]
        return None

    def _require_open(self) -> None:
        if self.completed_at is not None:
            raise InvalidInput("clock is already complete")

    def pause(self, at: datetime, reason: str) -> DeadlineClock:
        """Stop the clock, e.g. while waiting for information the law lets us await."""
        self._require_open()
        if not self.pausable:
            raise InvalidInput(f"pause not allowed: {self.no_pause_reason}")
        at = _aware_utc(at, "pause time")
        if self._open_pause() is not None:
            raise InvalidInput("clock is already paused")
        if at < self.started_at:
            raise InvalidInput("pause must not start before the clock started")
        if self.pauses and at < (self.pauses[-1].ended_at or at):
            raise InvalidInput("pause must not start before the previous pause ended")
        pause = Pause(started_at=at, reason=reason)
        return dataclasses.replace(self, pauses=(*self.pauses, pause))

    def resume(self, at: datetime) -> DeadlineClock:
        self._require_open()
        open_pause = self._open_pause()
        if open_pause is None:
            raise InvalidInput("clock is not paused")
        closed = dataclasses.replace(open_pause, ended_at=at)
        return dataclasses.replace(self, pauses=(*self.pauses[:-1], closed))

    def extend(
        self,
        by: Duration,
        reason: str,
        at: datetime,
        notice_sent_at: datetime | None = None,
    ) -> DeadlineClock:
        """Extend before the current due time, within `max_extension` in total."""
        self._require_open()
        ext = Extension(by=by, reason=reason, at=at, notice_sent_at=notice_sent_at)
        if ext.at < self.started_at:
            raise InvalidInput("extension must not precede the start")
        if self.extensions and ext.at < self.extensions[-1].at:
            raise InvalidInput("extension must not precede the previous extension")
        if ext.at >= self.due_at(ext.at):
            raise InvalidInput("extension must be made before the current due time")
        if self.max_extension is not None:
            cap = self.max_extension
            units = {e.by.unit for e in (*self.extensions, ext)}
            total = sum(e.by.amount for e in (*self.extensions, ext))
            same_unit_over = units == {cap.unit} and total > cap.amount
            limit = add(
                self.base_due(), cap, self.calendar, self.tz, self.business_hours
            )
            if same_unit_over or self._extended_due(None, ext) > limit:
                raise InvalidInput(
                    f"extensions would exceed the allowed maximum of {cap}"
                )
        return dataclasses.replace(self, extensions=(*self.extensions, ext))

    def complete(self, at: datetime) -> DeadlineClock:
        """Mark the obligation met at `at`; an open pause ends at the same time."""
        self._require_open()
        at = _aware_utc(at, "completion time")
        clock = self
        open_pause = self._open_pause()
        if open_pause is not None:
            if at < open_pause.started_at:
                raise InvalidInput("completion must not precede the open pause")
            clock = self.resume(at)
        return dataclasses.replace(clock, completed_at=at)

    # ---- storage -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (ISO-8601 UTC strings); inverse of from_dict."""
        if isinstance(self.due_soon, timedelta):
            due_soon: dict[str, float] = {"seconds": self.due_soon.total_seconds()}
        else:
            due_soon = {"fraction": self.due_soon}
        return {
            "version": _DICT_VERSION,
            "started_at": self.started_at.isoformat(),
            "duration": _duration_dict(self.duration),
            "calendar": self.calendar.id,
            "tz": self.tz.key,
            "pausable": self.pausable,
            "no_pause_reason": self.no_pause_reason,
            "pauses": [
                {
                    "started_at": p.started_at.isoformat(),
                    "ended_at": _iso(p.ended_at),
                    "reason": p.reason,
                }
                for p in self.pauses
            ],
            "extensions": [
                {
                    "by": _duration_dict(e.by),
                    "reason": e.reason,
                    "at": e.at.isoformat(),
                    "notice_sent_at": _iso(e.notice_sent_at),
                }
                for e in self.extensions
            ],
            "max_extension": (
                None
                if self.max_extension is None
                else _duration_dict(self.max_extension)
            ),
            "completed_at": _iso(self.completed_at),
            "due_soon": due_soon,
            "business_hours": (
                None if self.business_hours is None else str(self.business_hours)
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeadlineClock:
        """Rebuild a clock stored by to_dict; bad data raises InvalidInput."""
        try:
            if data["version"] != _DICT_VERSION:
                raise InvalidInput("clock dict: unsupported 'version'")
            soon = data["due_soon"]
            due_soon: float | timedelta = (
                timedelta(seconds=soon["seconds"])
                if "seconds" in soon
                else soon["fraction"]
            )
            return cls(
                started_at=_parse_dt(data["started_at"], "started_at"),
                duration=Duration.model_validate(data["duration"]),
                calendar=load_calendar(data["calendar"]),
                tz=_zone(data["tz"]),
                pausable=_typed(data["pausable"], bool, "pausable"),
                no_pause_reason=_typed(data["no_pause_reason"], str, "no_pause_reason"),
                pauses=tuple(
                    Pause(
                        started_at=_parse_dt(p["started_at"], "pauses"),
                        ended_at=_parse_opt_dt(p["ended_at"], "pauses"),
                        reason=p["reason"],
                    )
                    for p in data["pauses"]
                ),
                extensions=tuple(
                    Extension(
                        by=Duration.model_validate(e["by"]),
                        reason=e["reason"],
                        at=_parse_dt(e["at"], "extensions"),
                        notice_sent_at=_parse_opt_dt(e["notice_sent_at"], "extensions"),
                    )
                    for e in data["extensions"]
                ),
                max_extension=(
                    None
                    if data["max_extension"] is None
                    else Duration.model_validate(data["max_extension"])
                ),
                completed_at=_parse_opt_dt(data["completed_at"], "completed_at"),
                due_soon=due_soon,
                business_hours=_parse_hours(data.get("business_hours")),
            )
        except KeyError as exc:
            raise InvalidInput(f"clock dict: missing key {exc.args[0]!r}") from None
        except (TypeError, AttributeError):
            raise InvalidInput("clock dict: a value has the wrong type") from None
        except ValidationError as exc:
            loc = ".".join(str(x) for x in exc.errors()[0]["loc"]) or "duration"
            raise InvalidInput(f"clock dict: invalid duration ({loc})") from None


def _typed(value: Any, kind: type[_T], key: str) -> _T:
    if not isinstance(value, kind):
        raise InvalidInput(f"clock dict: key {key!r} has the wrong type")
    return value


def _duration_dict(duration: Duration) -> dict[str, Any]:
    return {"amount": duration.amount, "unit": duration.unit.value}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_dt(value: Any, key: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"clock dict: key {key!r} is not an ISO datetime") from None
    return _aware_utc(parsed, key)


def _parse_opt_dt(value: Any, key: str) -> datetime | None:
    return None if value is None else _parse_dt(value, key)


def _parse_hours(value: Any) -> OpeningHours | None:
    """Optional key: clocks stored before business hours existed lack it."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("clock dict: key 'business_hours' has the wrong type")
    try:
        return OpeningHours.model_validate(value)
    except ValidationError:
        raise InvalidInput("clock dict: key 'business_hours' is invalid") from None


def _zone(value: ZoneInfo | str) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput("time zone is not a known IANA zone name") from None
