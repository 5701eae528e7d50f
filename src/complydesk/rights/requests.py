"""Data-subject requests: intake, legal clocks, extension, closing, due lists.

A request's clocks come from the subject's jurisdiction pack through
`complydesk.obligations.request_obligations`, so every figure (1 calendar
month, 45 + 45 days, 15 working days) and whether the clock stands still
while identity is verified is policy data. The clocks are stored as
`DeadlineClock` dicts with the pack's citation beside them and snapshots of
the extension rules, so a request keeps the rules it was received under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.deadlines import DeadlineClock, Status, add
from complydesk.duration import Duration
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.obligations import request_obligations, start_clock
from complydesk.pii.detect import Detector
from complydesk.policy import PolicyPack
from complydesk.rights.common import aware, clean_text, new_ref, pack_for, record
from complydesk.settings import Settings
from complydesk.store.models import Customer, SubjectRequest
from complydesk.store.models.privacy import REQUEST_TYPES
from complydesk.vault import Vault

PENDING: Final = "pending_verification"
IN_PROGRESS: Final = "in_progress"
COMPLETED: Final = "completed"
REFUSED: Final = "refused"
CLOSED_STATUSES: Final = (COMPLETED, REFUSED)

TYPES: Final = REQUEST_TYPES
CHANNELS: Final = ("api", "web", "cli", "phone", "mail")
# What a restriction or objection covers; each maps to a customer flag
# (complydesk.rights.restrictions) that other modules read.
SCOPES: Final = (
    "all_processing",
    "automated_decisions",
    "marketing",
    "profiling",
    "sale_or_sharing",
)
OUTCOMES: Final = ("fulfilled", "partially_fulfilled", "refused", "withdrawn")
STATES: Final = ("open", "due_soon", "overdue", "closed", "all")
IDENTITY_PAUSE: Final = "identity verification"
MAX_REASON_CHARS: Final = 500

RESPONSE: Final = "response"
ACK: Final = "acknowledgement"


@dataclass(frozen=True)
class ClockView:
    """One stored clock as of `now`, ready to show."""

    name: str
    due_at: datetime | None
    status: str
    seconds_left: int | None
    citation: str
    confidence: str
    note: str | None
    paused: bool


def _stored(
    clock: DeadlineClock | None, citation: str, confidence: str, note: str | None
) -> dict[str, Any]:
    return {
        "clock": clock.to_dict() if clock else None,
        "citation": citation,
        "confidence": confidence,
        "note": note,
    }


def _opt_out_clock(
    pack: PolicyPack, received_at: datetime
) -> tuple[dict[str, Any], bool] | None:
    """CCPA-style opt-out of sale/sharing: its own deadline, maybe no verification."""
    dsr = pack.data_subject_requests
    cited = dsr.opt_out_of_sale_deadline
    if cited.value is None:
        return None
    clock = start_clock(pack, cited.value, received_at, pausable=False)
    no_verification = (
        dsr.opt_out_identity_verification_allowed is not None
        and not dsr.opt_out_identity_verification_allowed.value
    )
    return _stored(
        clock, cited.citation, cited.confidence.value, cited.note
    ), no_verification


def start_clocks(
    pack: PolicyPack, received_at: datetime, type_: str, scope: str | None
) -> tuple[dict[str, Any], bool]:
    """The stored clocks of a new request; True if identity must be verified."""
    dsr = pack.data_subject_requests
    clocks: dict[str, Any] = {
        "extension_allowed": dsr.extension_allowed.value,
        "max_extension": _dur(dsr.max_extension.value),
        "extension_notice_within": _dur(dsr.extension_notice_within.value),
        "extension_citation": dsr.max_extension.citation,
    }
    needs_verification = True
    for item in request_obligations(pack, received_at):
        name = RESPONSE if item.key.endswith("response_deadline") else ACK
        clocks[name] = _stored(item.clock, item.citation, item.confidence, item.note)
    if RESPONSE not in clocks:  # no figure and no operational default
        cited = dsr.response_deadline
        clocks[RESPONSE] = _stored(
            None, cited.citation, cited.confidence.value, cited.note
        )
    if type_ == "objection" and scope == "sale_or_sharing":
        opt_out = _opt_out_clock(pack, received_at)
        if opt_out is not None:
            clocks[RESPONSE], no_verification = opt_out
            clocks["extension_allowed"] = False
            needs_verification = not no_verification
    response = clocks[RESPONSE]["clock"]
    if needs_verification and response is not None:
        clock = DeadlineClock.from_dict(response)
        if clock.pausable:
            clocks[RESPONSE]["clock"] = clock.pause(
                received_at, IDENTITY_PAUSE
            ).to_dict()
    return clocks, needs_verification


def _dur(value: Duration | None) -> dict[str, Any] | None:
    return None if value is None else value.model_dump(mode="json")


def clock_of(request: SubjectRequest, name: str = RESPONSE) -> DeadlineClock | None:
    stored = (request.clocks or {}).get(name) or {}
    data = stored.get("clock")
    return None if data is None else DeadlineClock.from_dict(data)


def _set_clock(request: SubjectRequest, name: str, clock: DeadlineClock) -> None:
    clocks = dict(request.clocks or {})
    entry = dict(clocks[name])
    entry["clock"] = clock.to_dict()
    clocks[name] = entry
    request.clocks = clocks  # a new dict, so the JSON column is marked dirty
    if name == RESPONSE:
        request.due_at = clock.due_at()


def views(request: SubjectRequest, now: datetime) -> list[ClockView]:
    out = []
    for name in (RESPONSE, ACK):
        stored = (request.clocks or {}).get(name)
        if stored is None:
            continue
        clock = clock_of(request, name)
        out.append(
            ClockView(
                name=name,
                due_at=clock.due_at(now) if clock else None,
                status=clock.status(now).value if clock else "no_fixed_deadline",
                seconds_left=int(clock.time_left(now).total_seconds())
                if clock
                else None,
                citation=stored["citation"],
                confidence=stored["confidence"],
                note=stored.get("note"),
                paused=clock.is_paused(now) if clock else False,
            )
        )
    return out


def response_status(request: SubjectRequest, now: datetime) -> str:
    clock = clock_of(request)
    if clock is None:
        return "met" if request.closed_at else "no_fixed_deadline"
    return clock.status(now).value


def create_request(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    actor: str,
    customer: Customer,
    type_: str,
    *,
    scope: str | None = None,
    details: str | None = None,
    channel: str = "api",
    received_at: datetime | None = None,
) -> SubjectRequest:
    """Register a request and start its clocks in the subject's jurisdiction."""
    if type_ not in TYPES:
        raise InvalidInput(f"type must be one of {', '.join(TYPES)}")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
    if type_ in ("restriction", "objection"):
        if scope not in SCOPES:
            raise InvalidInput(
                f"scope is required for {type_}: one of {', '.join(SCOPES)}"
            )
    elif scope is not None:
        raise InvalidInput(
            f"scope applies only to restriction and objection, not {type_}"
        )
    if customer.erased_at is not None:
        raise Conflict("this customer was erased; there is no data left to act on")
    now = audit.clock()
    received = now if received_at is None else aware(received_at, "received_at")
    if received > now:
        raise InvalidInput("received_at must not be in the future")
    if details is not None:
        vault.check(SubjectRequest, {"details": details})
    pack = pack_for(customer, settings)
    clocks, needs_verification = start_clocks(pack, received, type_, scope)
    request = SubjectRequest(
        ref=new_ref("R"),
        customer_id=customer.id,
        type=type_,
        scope=scope,
        channel=channel,
        status=PENDING if needs_verification else IN_PROGRESS,
        verification_method=None if needs_verification else "not_required",
        pack=pack.pack,
        pack_version=pack.version,
        pack_hash=pack.content_hash,
        received_at=received,
        extended=False,
        clocks=clocks,
        created_by=actor,
        key_ref=customer.key_ref,
    )
    response = clock_of(request)
    request.due_at = response.due_at() if response else None
    if details:
        vault.put(session, request, {"details": details})
    session.add(request)
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.request.create",
        "rights_requests",
        request.id,
        details={
            "customer": customer.id,
            "type": type_,
            "pack": pack.pack,
            "channel": channel,
            "verification": "required" if needs_verification else "not_required",
        },
    )
    return request


def get_request(session: Session, request_id: int) -> SubjectRequest:
    request = session.get(SubjectRequest, request_id)
    if request is None:
        raise NotFound(f"request {request_id} does not exist")
    return request


def find_request(session: Session, ref: str) -> SubjectRequest:
    request = session.scalar(select(SubjectRequest).where(SubjectRequest.ref == ref))
    if request is None:
        raise NotFound("no request with this reference")
    return request


def require_open(request: SubjectRequest) -> None:
    if request.status in CLOSED_STATUSES:
        raise Conflict(f"request {request.ref} is closed ({request.status})")


def require_verified(request: SubjectRequest) -> None:
    require_open(request)
    if request.status == PENDING:
        raise Conflict(
            f"request {request.ref} is waiting for identity verification; "
            "nothing is disclosed or changed before that"
        )


def mark_verified(
    session: Session,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    method: str,
    reason: str = "",
) -> None:
    """Identity confirmed: resume a paused clock, acknowledge, start the work."""
    require_open(request)
    if request.status != PENDING:
        raise Conflict(f"request {request.ref} is already verified")
    now = audit.clock()
    clock = clock_of(request)
    if clock is not None and clock.is_paused(now):
        _set_clock(request, RESPONSE, clock.resume(now))
    acknowledge(request, now)
    request.status = IN_PROGRESS
    request.verified_at = now
    request.verification_method = method
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.request.verified",
        "rights_requests",
        request.id,
        reason=reason,
        details={"method": method},
    )


def acknowledge(request: SubjectRequest, now: datetime) -> None:
    """Confirming receipt (a code sent, or verification) meets the ack clock."""
    if request.acknowledged_at is not None:
        return
    request.acknowledged_at = now
    ack = clock_of(request, ACK)
    if ack is not None and ack.completed_at is None:
        _set_clock(request, ACK, ack.complete(now))


@dataclass(frozen=True)
class ExtensionPlan:
    by: Duration
    notice_by: datetime | None


def extension_plan(request: SubjectRequest, clock: DeadlineClock) -> ExtensionPlan:
    """The extension the rules in force at receipt allow, and its notice limit."""
    clocks = request.clocks or {}
    if not clocks.get("extension_allowed"):
        raise Conflict(
            f"the {request.pack} rules in force at receipt allow no extension"
        )
    if request.extended:
        raise Conflict(f"request {request.ref} was already extended")
    by = Duration.model_validate(clocks["max_extension"])
    within = clocks.get("extension_notice_within")
    notice_by = None
    if within is not None:
        notice_by = add(
            clock.started_at, Duration.model_validate(within), clock.calendar, clock.tz
        )
    return ExtensionPlan(by, notice_by)


def extend_request(
    session: Session,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    reason: str,
    *,
    notice_sent_at: datetime,
) -> DeadlineClock:
    """Extend by the pack's maximum, with a reason; the caller sends the notice.

    Refused when the rules allow none, after the notice period (GDPR: within
    the first month; CCPA: within the first 45 days) or after the due time.
    """
    require_open(request)
    reason = clean_text(reason, "reason", max_chars=MAX_REASON_CHARS, min_chars=8)
    clock = clock_of(request)
    if clock is None:
        raise Conflict("this request has no fixed deadline to extend")
    plan = extension_plan(request, clock)
    now = audit.clock()
    if plan.notice_by is not None and now > plan.notice_by:
        raise Conflict(
            "too late to extend: the subject had to be told by "
            f"{plan.notice_by.isoformat()}"
        )
    extended = clock.extend(plan.by, reason, now, notice_sent_at=notice_sent_at)
    _set_clock(request, RESPONSE, extended)
    request.extended = True
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.request.extend",
        "rights_requests",
        request.id,
        reason=reason,
        details={"by": str(plan.by), "due_at": extended.due_at().isoformat()},
    )
    return extended


def close_request(
    session: Session,
    audit: AuditLog,
    actor: str,
    request: SubjectRequest,
    outcome: str,
    reason: str | None = None,
    detector: Detector | None = None,
) -> SubjectRequest:
    """Close with an outcome; a refusal needs reasons (GDPR 12(4), PIPL 50)."""
    require_open(request)
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}")
    text = None
    if reason is not None and reason.strip():
        text = clean_text(
            reason, "reason", max_chars=MAX_REASON_CHARS, detector=detector
        )
    if outcome == "refused" and not text:
        raise InvalidInput("a refusal needs the reasons the subject will be given")
    now = audit.clock()
    for name in (RESPONSE, ACK):
        clock = clock_of(request, name)
        if clock is not None and clock.completed_at is None:
            _set_clock(request, name, clock.complete(now))
    request.status = REFUSED if outcome == "refused" else COMPLETED
    request.outcome = outcome
    request.outcome_reason = text
    request.closed_at = now
    session.flush()
    response = clock_of(request)
    record(
        session,
        audit,
        actor,
        "rights.request.close",
        "rights_requests",
        request.id,
        details={
            "outcome": outcome,
            "on_time": response.met_on_time() if response else None,
        },
    )
    return request


def list_requests(
    session: Session,
    now: datetime,
    state: str = "open",
    *,
    type_: str | None = None,
    customer_id: int | None = None,
    limit: int = 200,
) -> list[SubjectRequest]:
    """Requests by state as of `now`; due_soon/overdue read the live clocks."""
    if state not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}")
    if type_ is not None and type_ not in TYPES:
        raise InvalidInput(f"type must be one of {', '.join(TYPES)}")
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    stmt = select(SubjectRequest).order_by(
        SubjectRequest.due_at.is_(None), SubjectRequest.due_at, SubjectRequest.id
    )
    if state == "closed":
        stmt = stmt.where(SubjectRequest.status.in_(CLOSED_STATUSES))
    elif state != "all":
        stmt = stmt.where(SubjectRequest.status.not_in(CLOSED_STATUSES))
    if type_ is not None:
        stmt = stmt.where(SubjectRequest.type == type_)
    if customer_id is not None:
        stmt = stmt.where(SubjectRequest.customer_id == customer_id)
    rows = list(session.scalars(stmt))
    if state in ("due_soon", "overdue"):
        wanted = Status.DUE_SOON.value if state == "due_soon" else Status.OVERDUE.value
        rows = [r for r in rows if response_status(r, now) == wanted]
    return rows[:limit]
