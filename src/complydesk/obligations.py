"""Legal clocks named in a policy pack, started from an event.

The bridge between policy data and the deadline engine: it knows which pack
fields are clocks (a data-subject request's response, a breach's notices) and
starts a DeadlineClock in the pack's time zone and working calendar. The
figures and citations stay in the pack; nothing here is a legal number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complydesk.deadlines import DeadlineClock
from complydesk.duration import Duration
from complydesk.policy import Cited, PolicyPack


@dataclass(frozen=True)
class Obligation:
    """One duty with its clock, or without one where the law sets no figure."""

    key: str
    clock: DeadlineClock | None
    citation: str
    confidence: str
    note: str | None

    def due_at(self) -> datetime | None:
        return self.clock.due_at() if self.clock else None


def start_clock(
    pack: PolicyPack,
    duration: Duration,
    started_at: datetime,
    *,
    pausable: bool = True,
    max_extension: Duration | None = None,
) -> DeadlineClock:
    """A clock in the pack's own time zone, working calendar and business hours."""
    hours = pack.business_hours.value if pack.business_hours is not None else None
    return DeadlineClock.start(
        started_at,
        duration,
        pack.working_calendar,
        pack.timezone,
        pausable=pausable,
        max_extension=max_extension,
        business_hours=hours,
    )


def _obligation(
    pack: PolicyPack,
    key: str,
    cited: Cited[Duration | None] | Cited[Duration] | None,
    started_at: datetime,
    **options: object,
) -> Obligation | None:
    if cited is None:
        return None
    clock = (
        start_clock(pack, cited.value, started_at, **options)  # type: ignore[arg-type]
        if cited.value is not None
        else None
    )
    return Obligation(key, clock, cited.citation, cited.confidence.value, cited.note)


def request_obligations(pack: PolicyPack, received_at: datetime) -> list[Obligation]:
    """Clocks a data-subject request starts: acknowledgement and response."""
    dsr = pack.data_subject_requests
    response: Cited[Duration | None] | Cited[Duration] = dsr.response_deadline
    if response.value is None and dsr.operational_response_deadline is not None:
        response = dsr.operational_response_deadline
    found = [
        _obligation(
            pack,
            "data_subject_requests.acknowledgement_deadline",
            dsr.acknowledgement_deadline,
            received_at,
        ),
        _obligation(
            pack,
            "data_subject_requests.response_deadline",
            response,
            received_at,
            pausable=dsr.clock_pauses_for_identity_verification.value,
            max_extension=dsr.max_extension.value,
        ),
    ]
    return [o for o in found if o is not None]


def breach_obligations(pack: PolicyPack, aware_at: datetime) -> list[Obligation]:
    """Clocks that becoming aware of a breach starts, per the pack."""
    breach = pack.breach
    found = [
        _obligation(
            pack, "breach.authority_deadline", breach.authority_deadline, aware_at
        ),
        _obligation(
            pack, "breach.individuals_deadline", breach.individuals_deadline, aware_at
        ),
        _obligation(
            pack,
            "breach.public_interest_report_deadline",
            breach.public_interest_report_deadline,
            aware_at,
        ),
    ]
    if breach.incident_reporting is not None:
        reporting = breach.incident_reporting
        for name in ("ciio", "state_organs", "other_operators"):
            found.append(
                _obligation(
                    pack,
                    f"breach.incident_reporting.{name}",
                    getattr(reporting, name),
                    aware_at,
                )
            )
    return [o for o in found if o is not None]
