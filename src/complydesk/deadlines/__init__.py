"""The one deadline engine: every due time in complydesk is computed here.

Policy packs state figures as `Duration`s; this module turns a start time plus
a Duration into a due time (`add`) and tracks a running deadline with pauses,
extensions and completion (`DeadlineClock`). Rules, in short (details and
examples in docs/deadlines.md):

* hours: exact elapsed time.
* calendar_days / calendar_months / working_days: the due time is the SAME
  LOCAL WALL-CLOCK TIME as the start, in the jurisdiction's time zone, on the
  target day. Never end of day: that is earlier than or equal to the legal
  end-of-day reading, so we never report more time than the law gives.
* calendar_months: Regulation 1182/71 art. 3(2)(c): same day number in the
  target month, or that month's last day if the number does not exist.
* working_days: the n-th working day strictly after the start day.
* DST: a wall time that does not exist (spring gap) or exists twice (autumn
  overlap) resolves to the later instant, so DST never shortens a deadline.
* pauses shift the due time by the elapsed paused time, whatever the unit.

All datetimes must be timezone-aware; results are UTC.
"""

from complydesk.calendars import (
    WorkingCalendar,
    calendar_ids,
    load_calendar,
    load_calendar_file,
)
from complydesk.deadlines.arithmetic import add
from complydesk.deadlines.clock import DeadlineClock, Extension, Pause, Status

__all__ = [
    "DeadlineClock",
    "Extension",
    "Pause",
    "Status",
    "WorkingCalendar",
    "add",
    "calendar_ids",
    "load_calendar",
    "load_calendar_file",
]
