"""The one deadline engine: every due time in complydesk is computed here.

Policy packs state figures as `Duration`s; this module turns a start time plus
a Duration into a due time (`add`) and tracks a running deadline with pauses,
extensions and completion (`DeadlineClock`). Rules, in short (details and
examples in docs/deadlines.md):

* minutes, hours: exact elapsed time.
* calendar_days / calendar_months / working_days: the due time is the SAME
  LOCAL WALL-CLOCK TIME as the start, in the jurisdiction's time zone, on the
  target day. Never end of day: that is earlier than or equal to the legal
  end-of-day reading, so we never report more time than the law gives.
* calendar_months: Regulation 1182/71 art. 3(2)(c): same day number in the
  target month, or that month's last day if the number does not exist.
* working_days: the n-th working day strictly after the start day.
* business_hours: n hours of the pack's opening hours on working days,
  counted from `start` (or the next opening); the earliest instant they run
  out, so 4 h from 17:30 with 09:00-18:00 is 12:30 the next working day.
* DST: a wall time that does not exist (spring gap) or exists twice (autumn
  overlap) resolves to the later instant, so DST never shortens a deadline.
* pauses move the due time by the paused *open* time: all of it for elapsed
  and calendar units, only working-day time for working_days, only opening
  hours for business_hours (closed time never counts).
* beyond the years a calendar has holiday data it counts plain weekends;
  `calendar_gaps` / `DeadlineClock.calendar_gaps` name those years so the
  due time can be shown as approximate.

All datetimes must be timezone-aware; results are UTC.
"""

from complydesk.calendars import (
    OpeningHours,
    WorkingCalendar,
    calendar_ids,
    load_calendar,
    load_calendar_file,
)
from complydesk.deadlines.arithmetic import add, calendar_gaps, elapsed
from complydesk.deadlines.clock import DeadlineClock, Extension, Pause, Status

__all__ = [
    "DeadlineClock",
    "Extension",
    "OpeningHours",
    "Pause",
    "Status",
    "WorkingCalendar",
    "add",
    "calendar_gaps",
    "calendar_ids",
    "elapsed",
    "load_calendar",
    "load_calendar_file",
]
