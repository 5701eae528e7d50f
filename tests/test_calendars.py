"""Working calendars: shipped data is what the official notices say, and bad
files fail loudly with the file and key named."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest

from complydesk.calendars import (
    OpeningHours,
    calendar_ids,
    load_calendar,
    load_calendar_file,
    parse_calendar,
)
from complydesk.errors import ConfigError, InvalidInput


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_shipped_ids() -> None:
    assert calendar_ids() == ("cn", "eu", "us-ca", "weekends")


def test_every_shipped_calendar_loads_and_is_package_data() -> None:
    root = resources.files("complydesk").joinpath("calendar_data")
    for cal_id in calendar_ids():
        assert root.joinpath(f"{cal_id}.yaml").is_file()
        cal = load_calendar(cal_id)
        assert cal.id == cal_id
        assert cal.title and cal.source


def test_unknown_id_lists_valid_ids() -> None:
    with pytest.raises(ConfigError, match="valid ids: cn, eu, us-ca, weekends"):
        load_calendar("mars")


def test_path_like_id_is_rejected() -> None:
    with pytest.raises(ConfigError):
        load_calendar("../weekends")


def test_load_is_cached() -> None:
    assert load_calendar("cn") is load_calendar("cn")


# ---- cn: 国办发明电〔2024〕12号 (2025) and the 2026 notice -------------------

CN_2025_HOLIDAYS = [
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
]
CN_2026_HOLIDAYS = [
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
CN_WORKING_WEEKENDS = [
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
]


def test_cn_holidays_match_the_notices_exactly() -> None:
    cn = load_calendar("cn")
    expected = {
        day
        for first, last in CN_2025_HOLIDAYS + CN_2026_HOLIDAYS
        for day in _days(first, last)
    }
    assert set(cn.holidays) == expected
    assert all(not cn.is_working_day(day) for day in expected)
    # Spring Festival: 8 days in 2025, 9 days in 2026 (as the notices say).
    assert len(_days("2025-01-28", "2025-02-04")) == 8
    assert len(_days("2026-02-15", "2026-02-23")) == 9


def test_cn_adjusted_working_weekends() -> None:
    cn = load_calendar("cn")
    expected = {date.fromisoformat(d) for d in CN_WORKING_WEEKENDS}
    assert set(cn.extra_working_days) == expected
    for day in expected:
        assert day.weekday() >= 5, day
        assert cn.is_working_day(day), day


def test_cn_ordinary_days() -> None:
    cn = load_calendar("cn")
    assert cn.is_working_day(date(2026, 2, 24))  # Tuesday after Spring Festival
    assert not cn.is_working_day(date(2026, 3, 1))  # ordinary Sunday
    assert cn.is_working_day(date(2025, 12, 31))


def test_cn_coverage_is_visible() -> None:
    cn = load_calendar("cn")
    assert cn.covers(2025) and cn.covers(2026)
    assert not cn.covers(2024) and not cn.covers(2027)
    assert cn.uncovered_years(date(2026, 12, 1), date(2027, 2, 1)) == (2027,)
    assert cn.uncovered_years(date(2025, 1, 1), date(2026, 12, 31)) == ()
    # Outside the data, weekends only: 2027-01-01 (a Friday) counts as working.
    assert cn.is_working_day(date(2027, 1, 1))


def test_weekends_and_eu_cover_every_year() -> None:
    for cal_id in ("weekends", "eu"):
        cal = load_calendar(cal_id)
        assert cal.years is None
        assert cal.covers(1999) and cal.covers(2100)
        assert not cal.holidays and not cal.extra_working_days
        assert cal.is_working_day(date(2025, 12, 25))  # no holidays modelled
        assert not cal.is_working_day(date(2025, 12, 27))  # Saturday


def test_us_ca_holidays() -> None:
    ca = load_calendar("us-ca")
    assert ca.covers(2025) and ca.covers(2026) and ca.covers(2027)
    assert not ca.covers(2028)
    for iso in (
        "2025-01-20",  # MLK
        "2025-03-31",  # Cesar Chavez Day
        "2025-06-19",  # Juneteenth
        "2025-11-27",  # Thanksgiving
        "2025-11-28",  # Day after Thanksgiving (CA)
        "2026-07-03",  # Independence Day observed (Jul 4 is a Saturday)
        "2026-11-11",  # Veterans Day
        "2026-12-25",
    ):
        day = date.fromisoformat(iso)
        assert day.weekday() < 5, iso
        assert not ca.is_working_day(day), iso
    assert ca.is_working_day(date(2025, 11, 26))
    assert len([d for d in ca.holidays if d.year == 2025]) == 13


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    end = date(year, month + 1, 1) - timedelta(days=1)
    return end - timedelta(days=(end.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """5 U.S.C. 6103(b) / OPM: Saturday -> Friday before, Sunday -> Monday after."""
    shift = {5: -1, 6: 1}.get(day.weekday(), 0)
    return day + timedelta(days=shift)


def _us_ca_rules(year: int) -> set[date]:
    mon, thu = 0, 3
    thanksgiving = _nth_weekday(year, 11, thu, 4)
    days = {
        _observed(date(year, 1, 1)),
        _nth_weekday(year, 1, mon, 3),  # Martin Luther King Jr.
        _nth_weekday(year, 2, mon, 3),  # Washington's Birthday
        _observed(date(year, 3, 31)),  # Cesar Chavez Day (CA)
        _last_weekday(year, 5, mon),  # Memorial Day
        _observed(date(year, 6, 19)),  # Juneteenth
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, mon, 1),  # Labor Day
        _nth_weekday(year, 10, mon, 2),  # Columbus Day
        _observed(date(year, 11, 11)),  # Veterans Day
        thanksgiving,
        thanksgiving + timedelta(days=1),  # Day after Thanksgiving (CA)
        _observed(date(year, 12, 25)),
    }
    next_new_year = _observed(date(year + 1, 1, 1))
    if next_new_year.year == year:  # Jan 1 on a Saturday: observed Dec 31
        days.add(next_new_year)
    return days


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_us_ca_data_follows_the_statutory_rules(year: int) -> None:
    """Every listed us-ca year equals the rules recomputed here, nothing more."""
    ca = load_calendar("us-ca")
    assert ca.covers(year)
    listed = {d for d in ca.holidays if d.year == year}
    # A Saturday Jan 1 moves to Dec 31 of the year before: the rule for `year`
    # may land in year - 1; those days belong to the previous year's list.
    expected = {d for d in _us_ca_rules(year) if d.year == year}
    expected |= {d for d in _us_ca_rules(year - 1) if d.year == year}
    assert listed == expected


def test_us_ca_2027_observed_days() -> None:
    ca = load_calendar("us-ca")
    for iso in ("2027-06-18", "2027-07-05", "2027-12-24", "2027-12-31"):
        assert not ca.is_working_day(date.fromisoformat(iso)), iso
    assert ca.is_working_day(date(2027, 6, 21))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("09:00-18:00", "09:00-18:00"),
        (" 8:30 - 17:00", None),
        ("00:00-23:59", "00:00-23:59"),
    ],
)
def test_opening_hours_parse(text: str, shown: str | None) -> None:
    if shown is None:
        with pytest.raises(InvalidInput, match="opening hours"):
            OpeningHours.parse(text)
    else:
        assert str(OpeningHours.parse(text)) == shown


@pytest.mark.parametrize(
    "bad",
    ["18:00-09:00", "09:00-09:00", "9-18", "09:00", "24:00-25:00", "09:00-18:00-20:00"],
)
def test_bad_opening_hours_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="invalid opening hours"):
        OpeningHours.parse(bad)


def test_opening_hours_refuse_yaml_sexagesimal_numbers() -> None:
    # An unquoted 18:00 in YAML 1.1 is the integer 1080: refuse it, never
    # read it as 00:18:00.
    with pytest.raises(ValueError, match="quoted HH:MM"):
        OpeningHours.model_validate({"opens": "09:00", "closes": 1080})


def test_add_working_days_skips_start_day() -> None:
    cal = load_calendar("weekends")
    friday = date(2025, 6, 6)
    saturday = date(2025, 6, 7)
    assert cal.add_working_days(friday, 1) == date(2025, 6, 9)
    assert cal.add_working_days(saturday, 1) == date(2025, 6, 9)
    assert cal.add_working_days(saturday, 0) == saturday
    assert cal.working_days_between(friday, date(2025, 6, 9)) == 1
    assert cal.working_days_between(date(2025, 6, 9), friday) == 0
    with pytest.raises(InvalidInput):
        cal.add_working_days(friday, -1)


def test_week_jump_matches_day_by_day_count() -> None:
    """The fast path after the last listed holiday must equal plain counting."""
    cn = load_calendar("cn")
    start = date(2026, 9, 1)
    for n in (1, 5, 6, 20, 77, 400):
        result = cn.add_working_days(start, n)
        assert cn.working_days_between(start, result) == n
        assert cn.is_working_day(result)


# ---- bad files -----------------------------------------------------------

GOOD = {
    "id": "test",
    "title": "Test",
    "source": "unit test",
    "years": [2025],
    "holidays": [{"date": "2025-12-25", "name": "Christmas"}],
    "extra_working_days": [{"date": "2025-12-27", "name": "Saturday shift"}],
}


def test_parse_good_mapping() -> None:
    cal = parse_calendar(dict(GOOD), "test.yaml")
    assert not cal.is_working_day(date(2025, 12, 25))
    assert cal.is_working_day(date(2025, 12, 27))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"years": "some"}, "years"),
        ({"years": []}, "years"),
        ({"holidays": "2025-12-25"}, "holidays"),
        ({"holidays": [{"date": "2025-13-01", "name": "x"}]}, "holidays"),
        ({"holidays": [{"date": "2024-12-25", "name": "x"}]}, "holidays"),
        ({"holidays": [{"date": "2025-12-25"}]}, "holidays"),
        (
            {"holidays": [{"from": "2025-12-26", "to": "2025-12-24", "name": "x"}]},
            "holidays",
        ),
        (
            {
                "holidays": [
                    {"date": "2025-12-25", "name": "x"},
                    {"from": "2025-12-24", "to": "2025-12-26", "name": "y"},
                ]
            },
            "holidays",
        ),
        (
            {"extra_working_days": [{"date": "2025-12-24", "name": "Wednesday"}]},
            "extra_working_days",
        ),
        ({"weekend": ["sat", "funday"]}, "weekend"),
        ({"id": "Bad Id"}, "id"),
        ({"title": ""}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_name_file_and_key(change: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_calendar({**GOOD, **change}, "bad.yaml")
    assert "bad.yaml" in info.value.detail
    assert key in info.value.detail


def test_missing_key_is_named() -> None:
    data = dict(GOOD)
    del data["source"]
    with pytest.raises(ConfigError, match="bad.yaml: missing key 'source'"):
        parse_calendar(data, "bad.yaml")


def test_holiday_and_extra_day_clash() -> None:
    data = {
        **GOOD,
        "holidays": [{"date": "2025-12-27", "name": "x"}],
    }
    with pytest.raises(ConfigError, match="both 'holidays' and 'extra_working_days'"):
        parse_calendar(data, "bad.yaml")


def test_holidays_need_years(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'years'"):
        parse_calendar({**GOOD, "years": "all"}, "bad.yaml")


def test_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.yaml: not valid YAML"):
        load_calendar_file(broken)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="scalar.yaml: a calendar file must be"):
        load_calendar_file(scalar)
    with pytest.raises(ConfigError, match="missing.yaml: cannot read"):
        load_calendar_file(tmp_path / "missing.yaml")


def test_file_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        "id: site\ntitle: Site\nsource: ours\nyears: [2025]\n"
        "holidays:\n  - {from: 2025-08-01, to: 2025-08-03, name: Fest}\n"
        "extra_working_days: []\n",
        encoding="utf-8",
    )
    cal = load_calendar_file(path)
    assert not cal.is_working_day(date(2025, 8, 1))
    assert list(cal.holidays) == _days("2025-08-01", "2025-08-03")
