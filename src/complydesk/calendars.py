"""Working-day calendars per jurisdiction, loaded from shipped YAML data files.

A working day is a day that is not a weekend day and not a public holiday, or
an extra working day (China's 调休: a Saturday or Sunday declared a working
day). Holiday data exists only for the years a file lists; outside them a
calendar falls back to weekends only, and `covers(year)` says so, because a
silently wrong deadline is worse than a visibly approximate one.

Files live in `complydesk/calendar_data/<id>.yaml` (package data, shipped in
the wheel). See docs/deadlines.md for the file format.

Opening hours (`OpeningHours`, e.g. 09:00-18:00) are not part of a calendar:
they are a company's choice, stated per policy pack, while the calendar says
which days are working days in a jurisdiction.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from complydesk.errors import ConfigError, InvalidInput

_DATA_PACKAGE = "complydesk"
_DATA_DIR = "calendar_data"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_KEYS = {
    "id",
    "title",
    "source",
    "timezone",
    "years",
    "weekend",
    "holidays",
    "extra_working_days",
}
_REQUIRED = {"id", "title", "source", "years", "holidays", "extra_working_days"}
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class OpeningHours(BaseModel):
    """Daily opening hours on working days, local wall time, e.g. 09:00-18:00.

    Written `"09:00-18:00"` (or `{opens: "09:00", closes: "18:00"}`, quoted:
    YAML 1.1 reads an unquoted 18:00 as the number 1080). One window per day,
    closing after opening on the same day: no overnight shifts, no lunch
    break. Minutes only, so business-hour arithmetic stays exact.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: time
    closes: time

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            parts = data.split("-")
            if len(parts) != 2:
                raise ValueError(f"opening hours {data!r} must look like '09:00-18:00'")
            data = {"opens": parts[0].strip(), "closes": parts[1].strip()}
        if isinstance(data, dict):
            for key in ("opens", "closes"):
                value = data.get(key)
                if isinstance(value, str):
                    match = _HHMM.match(value)
                    if match is None:
                        raise ValueError(f"{key} {value!r} must be HH:MM (00:00-23:59)")
                    data = {**data, key: time(int(match[1]), int(match[2]))}
                elif not isinstance(value, time):
                    raise ValueError(f"{key} must be a quoted HH:MM time")
        return data

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        for value in (self.opens, self.closes):
            if value.second or value.microsecond or value.tzinfo is not None:
                raise ValueError("opening hours are whole minutes, without a zone")
        if self.closes <= self.opens:
            raise ValueError("opening hours must close after they open, same day")
        return self

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """From `"09:00-18:00"`; a bad value raises InvalidInput."""
        try:
            return cls.model_validate(text)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise InvalidInput(f"invalid opening hours {text!r}") from exc

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days count as working days in one jurisdiction.

    `years` is None when the calendar is exact for every year (weekends-only
    calendars); otherwise holiday data exists only for those years.
    """

    id: str
    title: str
    source: str
    years: frozenset[int] | None
    weekend: frozenset[int] = frozenset({5, 6})
    timezone: str | None = None
    holidays: Mapping[date, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    extra_working_days: Mapping[date, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def covers(self, year: int) -> bool:
        """True when holiday data exists for `year`; False means weekends-only."""
        return self.years is None or year in self.years

    def uncovered_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years between `start` and `end` (inclusive) computed as weekends-only."""
        lo, hi = sorted((start.year, end.year))
        return tuple(y for y in range(lo, hi + 1) if not self.covers(y))

    def is_working_day(self, day: date) -> bool:
        """Extra working days win over weekends; holidays win over weekdays."""
        if day in self.extra_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def add_working_days(self, day: date, n: int) -> date:
        """The date of the n-th working day strictly after `day` (n >= 0).

        `day` itself never counts, whether or not it is a working day, so
        exactly n working days lie in (day, result].
        """
        if n < 0:
            raise InvalidInput("working-day count must not be negative")
        if n == 0:
            return day
        per_week = 7 - len(self.weekend)
        last_special = self._last_special
        try:
            current = day
            while n > 0:
                if n > per_week and (last_special is None or current >= last_special):
                    # Past the last listed holiday every 7 days hold exactly
                    # per_week working days: jump whole weeks.
                    weeks = (n - 1) // per_week
                    current += timedelta(days=7 * weeks)
                    n -= weeks * per_week
                    continue
                current += timedelta(days=1)
                if self.is_working_day(current):
                    n -= 1
        except OverflowError:
            raise InvalidInput(
                "working-day count runs past the supported date range"
            ) from None
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; 0 when end <= start."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    @functools.cached_property
    def _last_special(self) -> date | None:
        days = [*self.holidays, *self.extra_working_days]
        return max(days) if days else None


def calendar_ids() -> tuple[str, ...]:
    """Ids of the calendars shipped with complydesk, sorted."""
    root = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR)
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in root.iterdir()
            if entry.name.endswith(".yaml")
        )
    )


@functools.cache
def load_calendar(calendar_id: str) -> WorkingCalendar:
    """The shipped calendar `calendar_id`; cached, so load it freely."""
    valid = calendar_ids()
    if calendar_id not in valid:
        raise ConfigError(
            f"unknown working calendar {calendar_id!r}; valid ids: {', '.join(valid)}"
        )
    name = f"{calendar_id}.yaml"
    text = (
        resources.files(_DATA_PACKAGE)
        .joinpath(_DATA_DIR)
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    calendar = parse_calendar(_load_yaml(text, name), name)
    if calendar.id != calendar_id:
        raise ConfigError(f"{name}: key 'id' must equal the file name {calendar_id!r}")
    return calendar


def load_calendar_file(path: Path) -> WorkingCalendar:
    """Load a calendar from any file (tests, site-specific calendars)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path.name}: cannot read calendar file ({exc})") from None
    return parse_calendar(_load_yaml(text, path.name), path.name)


def _load_yaml(text: str, name: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{name}: not valid YAML{where}") from None


def parse_calendar(data: Any, name: str) -> WorkingCalendar:
    """Validate the mapping from one calendar file; errors name file and key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: a calendar file must be a mapping")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"{name}: unknown key {unknown[0]!r}")
    missing = sorted(_REQUIRED - set(data))
    if missing:
        raise ConfigError(f"{name}: missing key {missing[0]!r}")
    cal_id = data["id"]
    if not isinstance(cal_id, str) or not _ID_RE.match(cal_id):
        raise ConfigError(f"{name}: key 'id' must be lower-case letters, digits, '-'")
    for key in ("title", "source"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise ConfigError(f"{name}: key {key!r} must be a non-empty string")
    timezone = data.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise ConfigError(f"{name}: key 'timezone' must be an IANA zone name")
    years = _parse_years(data["years"], name)
    weekend = _parse_weekend(data.get("weekend", ["sat", "sun"]), name)
    holidays = _parse_days(data["holidays"], name, "holidays")
    extra = _parse_days(data["extra_working_days"], name, "extra_working_days")
    for key, days in (("holidays", holidays), ("extra_working_days", extra)):
        for day in days:
            if years is not None and day.year not in years:
                raise ConfigError(
                    f"{name}: key {key!r} has {day.isoformat()} outside 'years'"
                )
            if years is None:
                raise ConfigError(
                    f"{name}: key {key!r} needs a list of 'years', not 'all'"
                )
    for day in extra:
        if day.weekday() not in weekend:
            raise ConfigError(
                f"{name}: key 'extra_working_days' has {day.isoformat()}, "
                "which is not a weekend day"
            )
        if day in holidays:
            raise ConfigError(
                f"{name}: {day.isoformat()} is in both 'holidays' and "
                "'extra_working_days'"
            )
    return WorkingCalendar(
        id=cal_id,
        title=data["title"].strip(),
        source=" ".join(data["source"].split()),
        years=years,
        weekend=weekend,
        timezone=timezone,
        holidays=MappingProxyType(holidays),
        extra_working_days=MappingProxyType(extra),
    )


def _parse_years(value: Any, name: str) -> frozenset[int] | None:
    if value == "all":
        return None
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(y, int) and 1900 <= y <= 2200 for y in value)
    ):
        raise ConfigError(f"{name}: key 'years' must be 'all' or a list of years")
    return frozenset(value)


def _parse_weekend(value: Any, name: str) -> frozenset[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.lower() in _WEEKDAYS for v in value
    ):
        raise ConfigError(f"{name}: key 'weekend' must list days such as [sat, sun]")
    days = frozenset(_WEEKDAYS[v.lower()] for v in value)
    if len(days) >= 7:
        raise ConfigError(f"{name}: key 'weekend' leaves no working day in a week")
    return days


def _as_date(value: Any, name: str, key: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{name}: key {key!r} has a value that is not a YYYY-MM-DD date")


def _parse_days(value: Any, name: str, key: str) -> dict[date, str]:
    """Entries are {date, name} or {from, to, name}; ranges are inclusive."""
    if not isinstance(value, list):
        raise ConfigError(f"{name}: key {key!r} must be a list")
    days: dict[date, str] = {}
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{name}: key {key!r} entries need a 'name'")
        if "date" in entry and set(entry) == {"date", "name"}:
            first = last = _as_date(entry["date"], name, key)
        elif set(entry) == {"from", "to", "name"}:
            first = _as_date(entry["from"], name, key)
            last = _as_date(entry["to"], name, key)
            if last < first or (last - first).days > 31:
                raise ConfigError(
                    f"{name}: key {key!r} has a range ending before it starts "
                    "or longer than 31 days"
                )
        else:
            raise ConfigError(
                f"{name}: key {key!r} entries are {{date, name}} or {{from, to, name}}"
            )
        current = first
        while current <= last:
            if current in days:
                raise ConfigError(
                    f"{name}: key {key!r} lists {current.isoformat()} twice"
                )
            days[current] = entry["name"]
            current += timedelta(days=1)
    return dict(sorted(days.items()))
