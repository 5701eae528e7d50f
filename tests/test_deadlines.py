"""Deadline arithmetic and clocks on known dates (GDPR, CCPA, PIPL, breach)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complydesk.deadlines import (
    DeadlineClock,
    OpeningHours,
    Status,
    add,
    calendar_gaps,
    elapsed,
    load_calendar,
)
from complydesk.duration import Duration, Unit
from complydesk.errors import InvalidInput

BRUSSELS = ZoneInfo("Europe/Brussels")
LA = ZoneInfo("America/Los_Angeles")
SHANGHAI = ZoneInfo("Asia/Shanghai")
EU = load_calendar("eu")
CN = load_calendar("cn")
CA = load_calendar("us-ca")
WEEKENDS = load_calendar("weekends")


def d(text: str) -> Duration:
    return Duration.model_validate(text)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ---- arithmetic ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2025, 1, 31, 10, tzinfo=BRUSSELS), datetime(2025, 2, 28, 10)),
        (datetime(2024, 1, 31, 10, tzinfo=BRUSSELS), datetime(2024, 2, 29, 10)),
        (datetime(2025, 3, 31, 10, tzinfo=BRUSSELS), datetime(2025, 4, 30, 10)),
        (datetime(2025, 12, 15, 10, tzinfo=BRUSSELS), datetime(2026, 1, 15, 10)),
        (datetime(2025, 8, 31, 23, 30, tzinfo=BRUSSELS), datetime(2025, 9, 30, 23, 30)),
    ],
)
def test_gdpr_one_month(start: datetime, expected: datetime) -> None:
    due = add(start, d("1 calendar_months"), EU, BRUSSELS)
    assert due.tzinfo is UTC
    assert due.astimezone(BRUSSELS).replace(tzinfo=None) == expected


def test_gdpr_month_counts_in_the_jurisdiction_zone() -> None:
    # 23:30 UTC on Jan 31 is already Feb 1 in Brussels: one month is Mar 1.
    start = utc(2025, 1, 31, 23, 30)
    due = add(start, d("1 calendar_months"), EU, BRUSSELS)
    assert due.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2025, 3, 1, 0, 30)


def test_gdpr_three_months_total_with_extension() -> None:
    start = datetime(2025, 1, 31, 10, tzinfo=BRUSSELS)
    due = add(start, d("3 calendar_months"), EU, BRUSSELS)
    assert due.astimezone(BRUSSELS).date().isoformat() == "2025-04-30"


def test_ccpa_45_days() -> None:
    start = datetime(2025, 1, 15, 9, tzinfo=LA)
    due = add(start, d("45 calendar_days"), CA, LA)
    assert due.astimezone(LA).replace(tzinfo=None) == datetime(2025, 3, 1, 9)
    # 45 + 45 = 90 days
    due90 = add(start, d("90 calendar_days"), CA, LA)
    assert due90.astimezone(LA).replace(tzinfo=None) == datetime(2025, 4, 15, 9)


def test_ccpa_45_days_across_dst_keeps_wall_time() -> None:
    start = datetime(2025, 2, 20, 9, tzinfo=LA)  # PST
    due = add(start, d("45 calendar_days"), CA, LA)
    assert due == utc(2025, 4, 6, 16)  # 09:00 PDT
    assert due - start.astimezone(UTC) == timedelta(days=45, hours=-1)


def test_pipl_15_working_days_across_spring_festival_2026() -> None:
    """Feb 14 and Feb 28 2026 are 调休 Saturdays and count; Feb 15-23 do not."""
    start = datetime(2026, 2, 10, 10, tzinfo=SHANGHAI)
    due = add(start, d("15 working_days"), CN, SHANGHAI)
    assert due.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2026, 3, 9, 10)
    # Without the 调休 Saturdays it would be two working days later.
    due_plain = add(start, d("15 working_days"), WEEKENDS, SHANGHAI)
    assert due_plain.astimezone(SHANGHAI).date().isoformat() == "2026-03-03"


def test_cn_working_days_from_holiday_and_adjusted_days() -> None:
    in_holiday = datetime(2026, 2, 16, 9, tzinfo=SHANGHAI)
    assert (
        add(in_holiday, d("1 working_days"), CN, SHANGHAI)
        .astimezone(SHANGHAI)
        .date()
        .isoformat()
        == "2026-02-24"
    )
    before_2025 = datetime(2025, 1, 24, 9, tzinfo=SHANGHAI)  # Friday
    assert (
        add(before_2025, d("1 working_days"), CN, SHANGHAI)
        .astimezone(SHANGHAI)
        .date()
        .isoformat()
        == "2025-01-26"
    )  # Sunday 调休


def test_working_days_us_thanksgiving() -> None:
    start = datetime(2025, 11, 26, 15, tzinfo=LA)
    due = add(start, d("1 working_days"), CA, LA)
    assert due.astimezone(LA).replace(tzinfo=None) == datetime(2025, 12, 1, 15)


def test_working_days_start_on_weekend_counts_from_next_working_day() -> None:
    saturday = datetime(2025, 6, 7, 11, tzinfo=BRUSSELS)
    due = add(saturday, d("1 working_days"), EU, BRUSSELS)
    assert due.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2025, 6, 9, 11)


@pytest.mark.parametrize(
    ("start", "days", "expected_utc"),
    [
        # Brussels spring forward (Mar 30 2025): 23 h elapsed, same wall time.
        (datetime(2025, 3, 29, 10, tzinfo=BRUSSELS), 1, utc(2025, 3, 30, 8)),
        # Brussels fall back (Oct 26 2025): 25 h elapsed.
        (datetime(2025, 10, 25, 10, tzinfo=BRUSSELS), 1, utc(2025, 10, 26, 9)),
        # 02:30 does not exist on Mar 30: moves forward to 03:30 CEST.
        (datetime(2025, 3, 29, 2, 30, tzinfo=BRUSSELS), 1, utc(2025, 3, 30, 1, 30)),
        # 02:30 happens twice on Oct 26: the later (CET) one.
        (datetime(2025, 10, 25, 2, 30, tzinfo=BRUSSELS), 1, utc(2025, 10, 26, 1, 30)),
        # Los Angeles spring forward (Mar 9 2025) and fall back (Nov 2 2025).
        (datetime(2025, 3, 8, 12, tzinfo=LA), 1, utc(2025, 3, 9, 19)),
        (datetime(2025, 11, 1, 12, tzinfo=LA), 1, utc(2025, 11, 2, 20)),
        (datetime(2025, 11, 1, 1, 30, tzinfo=LA), 1, utc(2025, 11, 2, 9, 30)),
    ],
)
def test_calendar_days_across_dst(
    start: datetime, days: int, expected_utc: datetime
) -> None:
    tz = start.tzinfo
    assert isinstance(tz, ZoneInfo)
    assert add(start, Duration(amount=days, unit="calendar_days"), EU, tz) == (
        expected_utc
    )


def test_72_hours_is_elapsed_time_across_dst() -> None:
    start = datetime(2025, 3, 28, 12, tzinfo=BRUSSELS)  # CET
    due = add(start, d("72 hours"), EU, BRUSSELS)
    assert due == utc(2025, 3, 31, 11)
    assert due.astimezone(BRUSSELS).hour == 13  # wall clock moved an hour
    la = datetime(2025, 3, 7, 12, tzinfo=LA)
    assert add(la, d("72 hours"), CA, LA) == utc(2025, 3, 10, 20)


@pytest.mark.parametrize("hours", [1, 2, 4])
def test_cn_breach_hour_clocks(hours: int) -> None:
    start = datetime(2026, 2, 16, 23, 30, tzinfo=SHANGHAI)  # in a holiday
    due = add(start, Duration(amount=hours, unit="hours"), CN, SHANGHAI)
    assert due - start == timedelta(hours=hours)


def test_zero_amount_is_the_start() -> None:
    # An ambiguous local time (first 02:30 of Oct 26): no re-localisation.
    # PEP 495 makes == across zones False for such times, so compare timestamps.
    start = datetime(2025, 10, 26, 2, 30, tzinfo=BRUSSELS)
    for unit in ("hours", "calendar_days", "calendar_months", "working_days"):
        due = add(start, Duration(amount=0, unit=unit), EU, BRUSSELS)
        assert due.timestamp() == start.timestamp()


def test_naive_start_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        add(datetime(2025, 1, 1), d("1 hours"), EU, BRUSSELS)


def test_out_of_range_is_invalid_input() -> None:
    start = utc(9999, 12, 1)
    for text in ("100000 hours", "100 calendar_days", "2 calendar_months"):
        with pytest.raises(InvalidInput, match="supported date range"):
            add(start, d(text), EU, BRUSSELS)
    with pytest.raises(InvalidInput, match="supported date range"):
        add(start, d("100 working_days"), CN, SHANGHAI)


def test_outside_calendar_years_falls_back_to_weekends_visibly() -> None:
    start = datetime(2027, 2, 5, 9, tzinfo=SHANGHAI)
    due = add(start, d("5 working_days"), CN, SHANGHAI)
    assert due.astimezone(SHANGHAI).date().isoformat() == "2027-02-12"
    assert not CN.covers(2027)


# ---- clocks --------------------------------------------------------------


def gdpr_clock(**kw: object) -> DeadlineClock:
    return DeadlineClock.start(
        datetime(2025, 1, 31, 10, tzinfo=BRUSSELS),
        d("1 calendar_months"),
        "eu",
        "Europe/Brussels",
        max_extension=d("2 calendar_months"),
        **kw,
    )


def ccpa_clock() -> DeadlineClock:
    return DeadlineClock(
        started_at=datetime(2025, 1, 15, 9, tzinfo=LA),
        duration=d("45 calendar_days"),
        calendar=CA,
        tz=LA,
        pausable=False,
        no_pause_reason="CCPA: the 45-day period runs during identity verification",
        max_extension=d("45 calendar_days"),
    )


BASE_DUE = datetime(2025, 2, 28, 10, tzinfo=BRUSSELS)


def test_gdpr_clock_base_due() -> None:
    clock = gdpr_clock()
    assert clock.started_at.tzinfo is UTC
    assert clock.due_at() == BASE_DUE
    assert clock.base_due() == BASE_DUE


def test_gdpr_extension_up_to_two_months() -> None:
    clock = gdpr_clock()
    at = datetime(2025, 2, 20, 10, tzinfo=BRUSSELS)
    once = clock.extend(
        d("1 calendar_months"), "complex request", at, notice_sent_at=at
    )
    assert once.due_at() == datetime(2025, 3, 28, 10, tzinfo=BRUSSELS)
    twice = once.extend(d("1 calendar_months"), "many requests", at)
    assert twice.due_at() == datetime(2025, 4, 28, 10, tzinfo=BRUSSELS)
    with pytest.raises(InvalidInput, match="allowed maximum of 2 calendar_months"):
        twice.extend(d("1 calendar_months"), "again", at)
    with pytest.raises(InvalidInput, match="allowed maximum"):
        clock.extend(d("3 calendar_months"), "too long", at)
    assert clock.extensions == ()  # immutable updates


def test_extension_cap_in_mixed_units_compares_instants() -> None:
    clock = gdpr_clock()  # base Feb 28, cap Apr 28 = 59 days later
    at = datetime(2025, 2, 1, tzinfo=BRUSSELS)
    assert clock.extend(d("59 calendar_days"), "complex", at).due_at() == datetime(
        2025, 4, 28, 10, tzinfo=BRUSSELS
    )
    with pytest.raises(InvalidInput, match="allowed maximum"):
        clock.extend(d("60 calendar_days"), "complex", at)


def test_extension_must_precede_due_time() -> None:
    clock = gdpr_clock()
    with pytest.raises(InvalidInput, match="before the current due time"):
        clock.extend(d("1 calendar_months"), "late", BASE_DUE)
    with pytest.raises(InvalidInput, match="before the current due time"):
        clock.extend(d("1 calendar_months"), "late", BASE_DUE + timedelta(days=1))


@pytest.mark.parametrize("reason", ["", "   "])
def test_extension_reason_required(reason: str) -> None:
    at = datetime(2025, 2, 1, tzinfo=BRUSSELS)
    with pytest.raises(InvalidInput, match="extension reason"):
        gdpr_clock().extend(d("1 calendar_months"), reason, at)


def test_extension_checks() -> None:
    clock = gdpr_clock()
    at = datetime(2025, 2, 1, tzinfo=BRUSSELS)
    with pytest.raises(InvalidInput, match="longer than zero"):
        clock.extend(d("0 calendar_months"), "x", at)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        clock.extend(d("1 calendar_months"), "x", datetime(2025, 2, 1))
    with pytest.raises(InvalidInput, match="precede the start"):
        clock.extend(d("1 calendar_months"), "x", utc(2025, 1, 1))
    later = clock.extend(d("1 calendar_days"), "x", at)
    with pytest.raises(InvalidInput, match="previous extension"):
        later.extend(d("1 calendar_days"), "x", at - timedelta(hours=1))


def test_zero_max_extension_forbids_extensions() -> None:
    clock = DeadlineClock.start(
        utc(2025, 1, 1), d("72 hours"), "eu", "UTC", max_extension=d("0 hours")
    )
    with pytest.raises(InvalidInput, match="allowed maximum of 0 hours"):
        clock.extend(d("1 hours"), "more time", utc(2025, 1, 2))


def test_ccpa_clock_cannot_pause_but_can_extend() -> None:
    clock = ccpa_clock()
    with pytest.raises(InvalidInput, match="runs during identity verification"):
        clock.pause(utc(2025, 1, 20), "awaiting identity verification")
    extended = clock.extend(
        d("45 calendar_days"), "reasonably necessary", utc(2025, 2, 1)
    )
    assert extended.due_at() == datetime(2025, 4, 15, 9, tzinfo=LA)
    with pytest.raises(InvalidInput, match="allowed maximum"):
        extended.extend(d("1 calendar_days"), "more", utc(2025, 2, 2))


def test_pause_shifts_due_and_freezes_time_left() -> None:
    clock = gdpr_clock()
    p0 = utc(2025, 2, 3, 9)
    paused = clock.pause(p0, "waiting for clarification")
    assert paused.is_paused(p0 + timedelta(days=1))
    assert paused.status(p0 + timedelta(days=1)) is Status.PAUSED
    left = paused.time_left(p0)
    assert paused.time_left(p0 + timedelta(days=3)) == left
    assert paused.due_at() == BASE_DUE  # open pause without now counts zero
    assert paused.due_at(p0 + timedelta(days=3)) == BASE_DUE + timedelta(days=3)
    resumed = paused.resume(p0 + timedelta(days=3, hours=5))
    assert resumed.due_at() == BASE_DUE + timedelta(days=3, hours=5)
    assert resumed.paused_total() == timedelta(days=3, hours=5)
    assert resumed.time_left(p0 + timedelta(days=3, hours=5)) == left
    assert not resumed.is_paused(p0 + timedelta(days=4))


def test_pause_errors() -> None:
    clock = gdpr_clock()
    p0 = utc(2025, 2, 3)
    paused = clock.pause(p0, "waiting")
    with pytest.raises(InvalidInput, match="already paused"):
        paused.pause(p0 + timedelta(hours=1), "again")
    with pytest.raises(InvalidInput, match="not paused"):
        clock.resume(p0)
    with pytest.raises(InvalidInput, match="before the pause started"):
        paused.resume(p0 - timedelta(hours=1))
    with pytest.raises(InvalidInput, match="pause reason"):
        clock.pause(p0, " ")
    with pytest.raises(InvalidInput, match="before the clock started"):
        clock.pause(utc(2025, 1, 1), "early")
    resumed = paused.resume(p0 + timedelta(days=1))
    with pytest.raises(InvalidInput, match="previous pause ended"):
        resumed.pause(p0 + timedelta(hours=2), "overlap")


def test_status_progression() -> None:
    clock = DeadlineClock.start(utc(2025, 1, 6, 9), d("10 calendar_days"), "eu", "UTC")
    assert clock.status(utc(2025, 1, 6, 10)) is Status.RUNNING
    assert clock.status(utc(2025, 1, 14, 8)) is Status.RUNNING  # 49 h left > 48 h
    assert clock.status(utc(2025, 1, 14, 9)) is Status.DUE_SOON  # last 20 %
    assert clock.status(utc(2025, 1, 16, 9)) is Status.DUE_SOON  # exactly due
    assert not clock.is_overdue(utc(2025, 1, 16, 9))
    assert clock.status(utc(2025, 1, 16, 9, 1)) is Status.OVERDUE
    assert clock.is_overdue(utc(2025, 1, 16, 9, 1))
    assert clock.time_left(utc(2025, 1, 17, 9)) == timedelta(days=-1)
    # explicit threshold
    assert clock.status(utc(2025, 1, 14, 9), timedelta(hours=1)) is Status.RUNNING
    hourly = DeadlineClock.start(
        utc(2025, 1, 6), d("72 hours"), "eu", "UTC", due_soon=timedelta(hours=12)
    )
    assert hourly.status(utc(2025, 1, 8, 11)) is Status.RUNNING
    assert hourly.status(utc(2025, 1, 8, 12)) is Status.DUE_SOON


def test_overdue_wins_over_paused() -> None:
    clock = DeadlineClock.start(utc(2025, 1, 6), d("1 hours"), "eu", "UTC")
    paused = clock.pause(utc(2025, 1, 6, 2), "late pause")
    assert paused.status(utc(2025, 1, 6, 5)) is Status.OVERDUE
    assert paused.time_left(utc(2025, 1, 6, 5)) == timedelta(hours=-1)


def test_complete_and_met() -> None:
    clock = gdpr_clock()
    done = clock.complete(utc(2025, 2, 10))
    assert done.status(utc(2025, 6, 1)) is Status.MET
    assert not done.is_overdue(utc(2025, 6, 1))
    assert done.met_on_time() is True
    assert clock.met_on_time() is None
    assert done.time_left(utc(2025, 6, 1)) == done.time_left(utc(2025, 2, 10))
    # as of a moment before completion it was still running
    assert done.status(utc(2025, 2, 1)) is Status.RUNNING
    with pytest.raises(InvalidInput, match="already complete"):
        done.complete(utc(2025, 2, 11))
    with pytest.raises(InvalidInput, match="already complete"):
        done.pause(utc(2025, 2, 11), "x")
    late = clock.complete(utc(2025, 3, 10))
    assert late.status(utc(2025, 3, 10)) is Status.MET
    assert late.met_on_time() is False


def test_complete_closes_open_pause() -> None:
    paused = gdpr_clock().pause(utc(2025, 2, 1), "waiting")
    done = paused.complete(utc(2025, 2, 5))
    assert done.pauses[-1].ended_at == utc(2025, 2, 5)
    with pytest.raises(InvalidInput, match="open pause"):
        paused.complete(utc(2025, 1, 31, 12))


def test_as_of_ignores_later_events() -> None:
    at = utc(2025, 2, 20)
    clock = gdpr_clock().extend(d("1 calendar_months"), "complex", at)
    assert clock.due_at(at - timedelta(days=1)) == BASE_DUE
    assert clock.due_at(at) == datetime(2025, 3, 28, 10, tzinfo=BRUSSELS)


def test_constructor_validation() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        DeadlineClock.start(datetime(2025, 1, 1), d("1 hours"), "eu", "UTC")
    with pytest.raises(InvalidInput, match="IANA"):
        DeadlineClock.start(utc(2025, 1, 1), d("1 hours"), "eu", "Mars/Base")
    with pytest.raises(InvalidInput, match="due_soon"):
        DeadlineClock.start(utc(2025, 1, 1), d("1 hours"), "eu", "UTC", due_soon=1.5)
    with pytest.raises(InvalidInput, match="due_soon"):
        DeadlineClock.start(
            utc(2025, 1, 1), d("1 hours"), "eu", "UTC", due_soon=timedelta(0)
        )


def test_dict_roundtrip_through_json() -> None:
    clock = (
        gdpr_clock(due_soon=timedelta(days=3))
        .pause(utc(2025, 2, 1), "waiting for ID")
        .resume(utc(2025, 2, 2))
        .extend(d("1 calendar_months"), "complex", utc(2025, 2, 3), utc(2025, 2, 3))
        .pause(utc(2025, 2, 4), "again")
    )
    stored = json.loads(json.dumps(clock.to_dict()))
    assert DeadlineClock.from_dict(stored) == clock
    done = clock.complete(utc(2025, 2, 5))
    assert DeadlineClock.from_dict(json.loads(json.dumps(done.to_dict()))) == done
    assert DeadlineClock.from_dict(ccpa_clock().to_dict()) == ccpa_clock()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda x: x.pop("tz"),
        lambda x: x.update(version=99),
        lambda x: x.update(started_at="yesterday"),
        lambda x: x.update(started_at="2025-01-01T00:00:00"),
        lambda x: x.update(duration={"amount": -1, "unit": "hours"}),
        lambda x: x.update(pauses="nope"),
        lambda x: x.update(due_soon=0.5),
    ],
)
def test_bad_dict_is_invalid_input(mutate: object) -> None:
    data = gdpr_clock().to_dict()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(InvalidInput, match="clock dict|timezone-aware"):
        DeadlineClock.from_dict(data)


def test_bad_dict_types_are_named() -> None:
    data = gdpr_clock().to_dict()
    data["pausable"] = "false"
    with pytest.raises(InvalidInput, match="'pausable' has the wrong type"):
        DeadlineClock.from_dict(data)


# ---- minutes and business hours -------------------------------------------

OFFICE = OpeningHours.parse("09:00-18:00")


def sh(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # 17:30 + 4 business hours: 0.5 h today, 3.5 h next working day.
        (sh(3, 5, 17, 30), 4, sh(3, 6, 12, 30)),  # Thu -> Fri
        (sh(3, 6, 17, 30), 4, sh(3, 9, 12, 30)),  # Fri -> Mon (weekend closed)
        (sh(3, 7, 11, 0), 4, sh(3, 9, 13, 0)),  # Saturday: from Monday's opening
        (sh(3, 9, 7, 0), 4, sh(3, 9, 13, 0)),  # before opening
        (sh(3, 9, 14, 0), 4, sh(3, 9, 18, 0)),  # runs out at closing: due at 18:00
        (sh(3, 9, 19, 0), 9, sh(3, 10, 18, 0)),  # after closing: one whole day
        (sh(2, 13, 17, 30), 4, sh(2, 14, 12, 30)),  # Sat 14 Feb 2026 is 调休
        (sh(2, 14, 17, 0), 10, sh(2, 24, 18, 0)),  # Spring Festival 15-23 Feb
        (sh(9, 30, 17, 30), 4, sh(10, 8, 12, 30)),  # National Day 1-7 Oct
        (sh(3, 9, 10, 0), 0, sh(3, 9, 10, 0)),  # zero: unchanged
    ],
)
def test_business_hours_on_the_cn_calendar(
    start: datetime, amount: int, expected: datetime
) -> None:
    duration = Duration(amount=amount, unit="business_hours")
    assert add(start, duration, CN, SHANGHAI, OFFICE) == expected


def test_business_hours_keep_local_opening_hours_across_dst() -> None:
    # Brussels moves to CEST on Sun 30 Mar 2025; opening hours stay 09:00-18:00
    # local, so Friday 17:00 + 2 h is Monday 10:00 CEST (08:00 UTC).
    start = datetime(2025, 3, 28, 17, 0, tzinfo=BRUSSELS)
    due = add(start, d("2 business_hours"), EU, BRUSSELS, OFFICE)
    assert due == datetime(2025, 3, 31, 10, 0, tzinfo=BRUSSELS)
    assert due == utc(2025, 3, 31, 8)


def test_business_hours_need_opening_hours() -> None:
    with pytest.raises(InvalidInput, match="needs opening hours"):
        add(utc(2026, 3, 2), d("4 business_hours"), WEEKENDS, ZoneInfo("UTC"))
    with pytest.raises(InvalidInput, match="needs opening hours"):
        DeadlineClock.start(utc(2026, 3, 2), d("4 business_hours"), "cn", SHANGHAI)


def test_minutes_and_elapsed() -> None:
    assert add(utc(2026, 3, 2), d("90 minutes"), CN, SHANGHAI) == utc(2026, 3, 2, 1, 30)
    assert elapsed(d("3 minutes")) == timedelta(minutes=3)
    assert elapsed(d("2 hours")) == timedelta(hours=2)
    with pytest.raises(InvalidInput, match="no fixed length"):
        elapsed(d("1 working_days"))


def test_business_hour_clock_pauses_only_in_open_time() -> None:
    clock = DeadlineClock.start(
        sh(3, 6, 16), d("8 business_hours"), "cn", SHANGHAI, business_hours=OFFICE
    )
    assert clock.due_at() == sh(3, 9, 15)  # Fri 2 h + Mon 6 h
    paused = clock.pause(sh(3, 6, 17), "waiting for the customer")
    # Over the weekend the due time moves by Friday's last open hour only.
    assert paused.due_at(sh(3, 8, 12)) == sh(3, 9, 16)
    assert paused.status(sh(3, 8, 12)) is Status.PAUSED
    resumed = paused.resume(sh(3, 9, 10))
    assert resumed.paused_total() == timedelta(hours=65)
    assert resumed.paused_open() == timedelta(hours=2)
    assert resumed.due_at() == sh(3, 9, 17)
    # A pause wholly in closed time moves nothing.
    night = clock.pause(sh(3, 6, 19), "waiting").resume(sh(3, 9, 8, 59))
    assert night.due_at() == clock.due_at()


def test_working_day_clock_pause_skips_non_working_days() -> None:
    # 1 working day from Thu 5 Mar 2026 10:00 -> Fri 6 Mar 10:00. Paused from
    # Fri 09:00 to Mon 09:00: the working-day time paused is Fri 09:00-24:00
    # plus Mon 00:00-09:00 = 24 h, one working day: due Mon 9 Mar 10:00. A
    # pause from Fri 09:00 to Sun 12:00 pauses 15 h of Friday only: due Mon
    # 01:00 (adding the elapsed 51 h would give Sunday 13:00, a closed day).
    clock = DeadlineClock.start(sh(3, 5, 10), d("1 working_days"), "cn", SHANGHAI)
    assert clock.due_at() == sh(3, 6, 10)
    full = clock.pause(sh(3, 6, 9), "waiting").resume(sh(3, 9, 9))
    assert full.due_at() == sh(3, 9, 10)
    weekend = clock.pause(sh(3, 6, 9), "waiting").resume(sh(3, 8, 12))
    assert weekend.paused_open() == timedelta(hours=15)
    assert weekend.due_at() == sh(3, 9, 1)  # Fri 10:00 + 14 h left of Friday + 1 h


def test_due_soon_is_measured_in_open_time() -> None:
    clock = DeadlineClock.start(
        sh(3, 6, 16), d("8 business_hours"), "cn", SHANGHAI, business_hours=OFFICE
    )
    # 20 % of 8 business hours = 96 min before Mon 15:00 -> Mon 13:24.
    assert clock.due_soon_at(sh(3, 6, 16)) == sh(3, 9, 13, 24)
    assert clock.status(sh(3, 9, 8)) is Status.RUNNING  # 90 % elapsed, 25 % open
    assert clock.status(sh(3, 9, 13, 23)) is Status.RUNNING
    assert clock.status(sh(3, 9, 13, 24)) is Status.DUE_SOON
    assert clock.status(sh(3, 9, 15, 1)) is Status.OVERDUE


def test_a_pause_after_the_due_time_never_hides_the_breach() -> None:
    # Due at closing time (18:00); paused at 19:00 (closed), still paused the
    # next morning while the open time runs: it stays overdue.
    clock = DeadlineClock.start(
        sh(3, 9, 14), d("4 business_hours"), "cn", SHANGHAI, business_hours=OFFICE
    )
    assert clock.due_at() == sh(3, 9, 18)
    paused = clock.pause(sh(3, 9, 19), "late pause")
    for now in (sh(3, 9, 20), sh(3, 10, 9, 30), sh(3, 10, 15)):
        assert paused.status(now) is Status.OVERDUE, now
        assert paused.is_overdue(now)


def test_calendar_gaps_flag_due_times_beyond_the_holiday_data() -> None:
    late = DeadlineClock.start(sh(12, 20, 10), d("15 working_days"), "cn", SHANGHAI)
    assert late.calendar_gaps() == (2027,)  # 2027 counted as plain weekends
    assert late.due_at() == sh(1, 8, 10, year=2027)
    covered = DeadlineClock.start(sh(11, 2, 10), d("15 working_days"), "cn", SHANGHAI)
    assert covered.calendar_gaps() == ()
    hours = DeadlineClock.start(sh(12, 30, 10), d("72 hours"), "cn", SHANGHAI)
    assert hours.calendar_gaps() == ()  # elapsed time never consults the calendar
    business = DeadlineClock.start(
        sh(12, 31, 17), d("4 business_hours"), "cn", SHANGHAI, business_hours=OFFICE
    )
    assert business.calendar_gaps() == (2027,)
    assert calendar_gaps(
        sh(12, 31, 17), sh(1, 4, 9, year=2027), {Unit.WORKING_DAYS}, CN, SHANGHAI
    ) == (2027,)
    # us-ca holidays follow statutory rules and are listed for 2027.
    ca = DeadlineClock.start(
        datetime(2026, 12, 20, 10, tzinfo=LA), d("15 working_days"), "us-ca", LA
    )
    assert ca.calendar_gaps() == ()


def test_business_hours_survive_the_dict_roundtrip() -> None:
    clock = DeadlineClock.start(
        sh(3, 6, 16), d("8 business_hours"), "cn", SHANGHAI, business_hours=OFFICE
    ).pause(sh(3, 6, 17), "waiting")
    data = json.loads(json.dumps(clock.to_dict()))
    assert data["business_hours"] == "09:00-18:00"
    assert DeadlineClock.from_dict(data) == clock
    old = gdpr_clock().to_dict()
    del old["business_hours"]  # stored before the key existed
    assert DeadlineClock.from_dict(old) == gdpr_clock()
    data["business_hours"] = "18:00-09:00"
    with pytest.raises(InvalidInput, match="'business_hours' is invalid"):
        DeadlineClock.from_dict(data)
