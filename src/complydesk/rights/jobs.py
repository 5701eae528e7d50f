"""Background jobs for privacy operations (listed in complydesk.worker).

* `rights.remind`: a staff reminder when a request's clock enters its last
  stretch (`due_soon`) and an alert when it is overdue, once each, through
  the outbox (`rights.deadline_due_soon`, `rights.deadline_overdue`: ids and
  times only, never personal data; subscribe the team's webhook to them);
* `rights.erasure`: resume erasures whose failed systems are due for a retry,
  and shred subjects whose last legal hold has ended;
* `rights.retention`: the retention plan, audited as a dry run, or applied
  when `retention_enforce` is set;
* `breach.alerts`: an alert when a breach notice is due soon and when it is
  overdue (`breach.clock_due_soon`, `breach.clock_overdue`), once each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from complydesk.breach import register
from complydesk.deadlines import Status
from complydesk.notify import Outbox
from complydesk.rights import requests as rq
from complydesk.rights import retention
from complydesk.rights.common import record
from complydesk.rights.connectors import load_connectors
from complydesk.rights.erasure_retry import finish_held, retry_due
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import SubjectRequest
from complydesk.vault import open_vault

if TYPE_CHECKING:  # the worker imports this module; no cycle at run time
    from complydesk.worker import JobContext

DUE_SOON_EVENT: Final = "rights.deadline_due_soon"
OVERDUE_EVENT: Final = "rights.deadline_overdue"


def remind(ctx: JobContext) -> str:
    """Queue one reminder per request entering due_soon, one alert when overdue."""
    outbox = Outbox.from_settings(ctx.settings, ctx.clock)
    now = ctx.clock()
    reminded = alerted = 0
    with transaction(ctx.sessions) as session:
        open_requests = session.scalars(
            select(SubjectRequest).where(
                SubjectRequest.status.not_in(rq.CLOSED_STATUSES)
            )
        )
        for request in open_requests:
            status = rq.response_status(request, now)
            if status == Status.OVERDUE.value and request.overdue_alerted_at is None:
                event = OVERDUE_EVENT
                request.overdue_alerted_at = now
                alerted += 1
            elif status == Status.DUE_SOON.value and request.reminded_at is None:
                event = DUE_SOON_EVENT
                request.reminded_at = now
                reminded += 1
            else:
                continue
            outbox.enqueue(
                session,
                event,
                {
                    "request": request.ref,
                    "type": request.type,
                    "pack": request.pack,
                    "status": request.status,
                    "due_at": request.due_at.isoformat() if request.due_at else None,
                },
            )
            record(
                session,
                ctx.audit,
                "worker",
                event,
                "rights_requests",
                request.id,
                details={"clock": status},
            )
    return f"{reminded} reminders, {alerted} overdue alerts"


def erasures(ctx: JobContext) -> str:
    vault = open_vault(ctx.settings, ctx.clock)
    resumed, completed = retry_due(
        ctx.sessions,
        vault,
        ctx.audit,
        ctx.settings,
        Outbox.from_settings(ctx.settings, ctx.clock),
        load_connectors(ctx.settings.connectors_file),
    )
    ended = finish_held(ctx.sessions, vault, ctx.audit, ctx.settings)
    return f"{resumed} erasures resumed, {completed} completed, {ended} holds ended"


def apply_retention(ctx: JobContext) -> str:
    if not ctx.settings.retention_enforce:
        with read_transaction(ctx.sessions) as session:
            report = retention.plan(session, ctx.settings, ctx.clock())
        retention.audit_plan(ctx.sessions, ctx.audit, report, "worker")
        return f"dry run: {report.total()} items past retention (not applied)"
    vault = open_vault(ctx.settings, ctx.clock)
    report = retention.apply(ctx.sessions, vault, ctx.audit, ctx.settings, "worker")
    return f"{report.total()} items past retention shredded or anonymised"


BREACH_DUE_SOON_EVENT: Final = "breach.clock_due_soon"
BREACH_OVERDUE_EVENT: Final = "breach.clock_overdue"


def breach_alerts(ctx: JobContext) -> str:
    """Alert once per owed breach notice when it is due soon and when overdue."""
    outbox = Outbox.from_settings(ctx.settings, ctx.clock)
    now = ctx.clock()
    sent = 0
    with transaction(ctx.sessions) as session:
        for incident in register.list_incidents(session, register.OPEN):
            alerts = dict(incident.alerts or {})
            for view in register.views(session, incident, now):
                if view.notified_at is not None or not view.required:
                    continue
                if view.status not in (Status.DUE_SOON.value, Status.OVERDUE.value):
                    continue
                key = f"{view.jurisdiction}:{view.obligation}:{view.status}"
                if key in alerts:
                    continue
                event = BREACH_OVERDUE_EVENT if view.overdue else BREACH_DUE_SOON_EVENT
                outbox.enqueue(
                    session,
                    event,
                    {
                        "incident": incident.ref,
                        "jurisdiction": view.jurisdiction,
                        "obligation": view.obligation,
                        "due_at": view.due_at.isoformat() if view.due_at else None,
                    },
                )
                record(
                    session,
                    ctx.audit,
                    "worker",
                    event,
                    "breach_incidents",
                    incident.id,
                    details={
                        "jurisdiction": view.jurisdiction,
                        "obligation": view.obligation,
                    },
                )
                alerts[key] = now.isoformat()
                sent += 1
            incident.alerts = alerts
    return f"{sent} breach clock alerts"
