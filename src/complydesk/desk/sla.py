"""SLA clocks of a ticket: first response and resolution, from the policy pack.

Targets come from the pack's `desk` section (per purpose, plus rules per
product category; the earliest due time wins) and every instant is computed
by the deadline engine (`DeadlineClock`): calendar hours, working days or
business hours (the pack's `business_hours` on its calendar's working days)
in the pack's zone, pauses while waiting for the customer where the policy
allows it (closed time never counts for working-day and business-hour
clocks). A due time that runs into a year the calendar has no holiday data
for is counted on plain weekends and flagged (`ClockView.calendar_note`).
A clock is `at_risk` once `desk.at_risk_fraction` of its window (in the
clock's own open time) has elapsed and `breached` once it is overdue.

The ticket stores each clock as `DeadlineClock.to_dict()` in its `sla` JSON,
with the escalation level the worker has already acted on, plus plain columns
for queries: the due times, `sla_state` (the highest level acted on) and
`sla_alert_at` (when the worker must look again).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from complydesk.deadlines import DeadlineClock, Pause, Status
from complydesk.desk.context import desk_policy
from complydesk.duration import Duration
from complydesk.obligations import start_clock
from complydesk.policy.pack import PolicyPack
from complydesk.store.models import Ticket

ClockName = Literal["first_response", "resolution"]
CLOCKS: tuple[ClockName, ...] = ("first_response", "resolution")
Level = Literal["at_risk", "breached"]
_RANK: dict[str | None, int] = {None: 0, "at_risk": 1, "breached": 2}
WAITING_REASON = "waiting for the customer"
REOPEN_REASON = "resolved until reopened"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    duration: Duration
    source: str
    """The pack key that set it, e.g. `desk.sla_rules.electronics_after_sales`."""


@dataclass(frozen=True)
class SlaPlan:
    """The targets one ticket gets, and whether its clocks may pause."""

    first_response: Target | None
    resolution: Target | None
    pausable: bool
    no_pause_reason: str


@dataclass(frozen=True)
class ClockView:
    """One clock as of a moment, for APIs and the worker."""

    name: ClockName
    state: Literal["running", "at_risk", "breached", "paused", "met"]
    due_at: datetime
    seconds_left: int
    source: str
    met_on_time: bool | None
    calendar_note: str | None = None
    """Set when the due time is approximate: see `calendar_note`."""


def calendar_note(clock: DeadlineClock, now: datetime | None = None) -> str | None:
    """Why a due time is approximate, or None when the calendar covers it.

    Beyond the years its calendar file lists, a working-day or business-hour
    clock counts plain weekends (no holidays, no adjusted working days), so the
    due time may be off by the holidays of those years.
    """
    gaps = clock.calendar_gaps(now)
    if not gaps:
        return None
    years = ", ".join(str(year) for year in gaps)
    return (
        f"approximate: calendar {clock.calendar.id} has no holiday data for "
        f"{years}; counted as plain weekends"
    )


def _start_clock(
    pack: PolicyPack, duration: Duration, at: datetime, pausable: bool = True
) -> DeadlineClock:
    """A clock in the pack's zone, working calendar and business hours."""
    return start_clock(pack, duration, at, pausable=pausable)


def plan(pack: PolicyPack, purpose: str, category: str, at: datetime) -> SlaPlan:
    """The strictest applicable targets for `purpose` in `category`."""
    desk = desk_policy(pack)
    target = desk.sla[purpose].value
    first = [(target.first_response_within, f"desk.sla.{purpose}")]
    resolution = [(target.resolution_within, f"desk.sla.{purpose}")]
    pausable = target.pause_while_waiting_customer
    reason = f"desk.sla.{purpose} does not pause"
    for name, cited in desk.sla_rules.items():
        rule = cited.value
        if purpose not in rule.purposes:
            continue
        if "*" not in rule.categories and category not in rule.categories:
            continue
        key = f"desk.sla_rules.{name}"
        res = rule.resolution_within
        if rule.resolution_from is not None:
            res = pack.cited_duration(rule.resolution_from).value
        only_pause = (
            rule.first_response_within is None
            and rule.resolution_within is None
            and rule.resolution_from is None
        )
        if not (only_pause or rule.first_response_within or res):
            continue  # its figure is null in this pack: the rule does not apply
        first.append((rule.first_response_within, key))
        resolution.append((res, key))
        if rule.pause_while_waiting_customer is False:
            pausable, reason = False, f"{key} keeps the clock running"
    return SlaPlan(
        _earliest(pack, first, at), _earliest(pack, resolution, at), pausable, reason
    )


def _earliest(
    pack: PolicyPack, candidates: list[tuple[Duration | None, str]], at: datetime
) -> Target | None:
    best: tuple[datetime, Target] | None = None
    for duration, source in candidates:
        if duration is None:
            continue
        due = _start_clock(pack, duration, at).base_due()
        if best is None or due <= best[0]:  # ties: the more specific rule
            best = (due, Target(duration, source))
    return None if best is None else best[1]


def start(ticket: Ticket, pack: PolicyPack, at: datetime) -> None:
    """Start the ticket's clocks at `at` (intake) in the pack's zone and calendar."""
    sla_plan = plan(pack, ticket.purpose, ticket.category, at)
    due_soon = round(1 - desk_policy(pack).at_risk_fraction.value, 6)
    entries: dict[str, dict[str, Any]] = {}
    for name, target in (
        ("first_response", sla_plan.first_response),
        ("resolution", sla_plan.resolution),
    ):
        if target is None:
            continue
        clock = dataclasses.replace(
            _start_clock(pack, target.duration, at, pausable=sla_plan.pausable),
            no_pause_reason=sla_plan.no_pause_reason,
            due_soon=due_soon,
        )
        note = calendar_note(clock)
        if note is not None:  # ids only: no personal data in logs
            log.warning(
                "SLA %s clock (%s, pack %s): %s", name, target.source, pack.pack, note
            )
        entries[name] = {
            "clock": clock.to_dict(),
            "level": None,
            "source": target.source,
        }
    _store(ticket, entries, at)


def clocks(ticket: Ticket) -> dict[ClockName, DeadlineClock]:
    entries = (ticket.sla or {}).get("clocks", {})
    return {
        name: DeadlineClock.from_dict(entries[name]["clock"])
        for name in CLOCKS
        if name in entries
    }


def _entries(ticket: Ticket) -> dict[str, dict[str, Any]]:
    """A deep-enough copy: JSON columns must be replaced, not mutated."""
    entries = (ticket.sla or {}).get("clocks", {})
    return {name: dict(entry) for name, entry in entries.items()}


def _update(ticket: Ticket, now: datetime, change: Any) -> None:
    entries = _entries(ticket)
    for name, entry in entries.items():
        clock = DeadlineClock.from_dict(entry["clock"])
        new = change(name, clock)
        if new is not None:
            entry["clock"] = new.to_dict()
    _store(ticket, entries, now)


def pause(ticket: Ticket, now: datetime) -> None:
    """Waiting for the customer: pause the open clocks where the policy allows."""

    def change(name: str, clock: DeadlineClock) -> DeadlineClock | None:
        if clock.completed_at is not None or not clock.pausable:
            return None
        if clock.pauses and clock.pauses[-1].ended_at is None:
            return None
        return clock.pause(now, WAITING_REASON)

    _update(ticket, now, change)


def resume(ticket: Ticket, now: datetime) -> None:
    def change(name: str, clock: DeadlineClock) -> DeadlineClock | None:
        if clock.completed_at is not None or not clock.pauses:
            return None
        return clock.resume(now) if clock.pauses[-1].ended_at is None else None

    _update(ticket, now, change)


def complete(ticket: Ticket, names: tuple[ClockName, ...], now: datetime) -> None:
    """Stop the named clocks (a first reply; a resolution stops both)."""

    def change(name: str, clock: DeadlineClock) -> DeadlineClock | None:
        if name not in names or clock.completed_at is not None:
            return None
        return clock.complete(now)

    _update(ticket, now, change)


def reopen(ticket: Ticket, now: datetime) -> None:
    """Run the resolution clock again with the time it had left when resolved.

    The time between resolution and reopening counts as a pause, whatever the
    clock's pause rule: the customer had an answer during it.
    """
    entries = _entries(ticket)
    entry = entries.get("resolution")
    if entry is None:
        return
    clock = DeadlineClock.from_dict(entry["clock"])
    done = clock.completed_at
    if done is None:
        return
    reopened = dataclasses.replace(
        clock,
        completed_at=None,
        pauses=(*clock.pauses, Pause(done, REOPEN_REASON, now)),
    )
    entry["clock"] = reopened.to_dict()
    entry["level"] = None
    _store(ticket, entries, now)


def _live(clock: DeadlineClock, now: datetime) -> str | None:
    status = clock.status(now)
    if status is Status.OVERDUE:
        return "breached"
    if status is Status.DUE_SOON:
        return "at_risk"
    return None


def _next_alert(
    clock: DeadlineClock, level: str | None, now: datetime
) -> datetime | None:
    """When the worker must look at this clock again (None: never)."""
    if clock.completed_at is not None or level == "breached":
        return None
    if clock.is_paused(now):
        return now if _RANK[_live(clock, now)] > _RANK[level] else None
    if level == "at_risk":
        return clock.due_at(now)
    return clock.due_soon_at(now)  # in open time for business-hour clocks


def _store(ticket: Ticket, entries: dict[str, dict[str, Any]], now: datetime) -> None:
    alerts: list[datetime] = []
    due: dict[str, datetime | None] = dict.fromkeys(CLOCKS)
    for name, entry in entries.items():
        clock = DeadlineClock.from_dict(entry["clock"])
        live = _live(clock, now)
        if _RANK[live] < _RANK[entry["level"]] and not clock.is_paused(now):
            entry["level"] = live  # a pause or a reopen moved the due time: rearm
        if clock.completed_at is not None:
            entry["level"] = None
        due[name] = clock.due_at(now)
        alert = _next_alert(clock, entry["level"], now)
        if alert is not None:
            alerts.append(alert)
    ticket.sla = {"clocks": entries}
    ticket.first_response_due_at = due["first_response"]
    ticket.resolution_due_at = due["resolution"]
    ticket.sla_alert_at = min(alerts) if alerts else None
    levels = [entry["level"] for entry in entries.values()]
    ticket.sla_state = max(levels, key=lambda lv: _RANK[lv], default=None)


def view(ticket: Ticket, now: datetime) -> list[ClockView]:
    """Each clock's state as of `now`."""
    entries = (ticket.sla or {}).get("clocks", {})
    out = []
    for name, clock in clocks(ticket).items():
        status = clock.status(now)
        state: Any = {
            Status.MET: "met",
            Status.OVERDUE: "breached",
            Status.PAUSED: "paused",
            Status.DUE_SOON: "at_risk",
            Status.RUNNING: "running",
        }[status]
        out.append(
            ClockView(
                name=name,
                state=state,
                due_at=clock.due_at(now),
                seconds_left=int(clock.time_left(now).total_seconds()),
                source=str(entries[name].get("source", "")),
                met_on_time=clock.met_on_time(),
                calendar_note=calendar_note(clock, now),
            )
        )
    return out


def escalations(ticket: Ticket, now: datetime) -> list[tuple[ClockName, Level]]:
    """Clocks whose level rose since the worker last acted; marks them acted on."""
    entries = _entries(ticket)
    risen: list[tuple[ClockName, Level]] = []
    for name in CLOCKS:
        entry = entries.get(name)
        if entry is None:
            continue
        clock = DeadlineClock.from_dict(entry["clock"])
        live = _live(clock, now)
        if clock.completed_at is None and _RANK[live] > _RANK[entry["level"]]:
            entry["level"] = live
            risen.append((name, live))  # type: ignore[arg-type]
    if risen:
        _store(ticket, entries, now)
    return risen


def resolution_due(ticket: Ticket, now: datetime) -> datetime | None:
    """The open resolution clock's due time as of `now` (for reply checks)."""
    clock = clocks(ticket).get("resolution")
    if clock is None or clock.completed_at is not None:
        return None
    return clock.due_at(now)


def refresh(ticket: Ticket, now: datetime) -> None:
    """Recompute the due columns and the next alert (nothing else changes)."""
    _store(ticket, _entries(ticket), now)
