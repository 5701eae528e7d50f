"""The breach register: incidents, notice clocks, drafts, notices sent."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session

from complydesk.api.deps import (
    AppContext,
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.schemas.breach import (
    AffectedSource,
    BreachClockPublic,
    IncidentCreate,
    IncidentPublic,
    NotificationCreate,
    NotificationPublic,
)
from complydesk.breach import register
from complydesk.breach.drafts import draft
from complydesk.identity import Permission
from complydesk.rights.connectors import load_connectors
from complydesk.store.models import BreachIncident

router = APIRouter(prefix="/v1/breach", tags=["breach"])

READ = require(Permission.BREACH_READ)
MANAGE = require(Permission.BREACH_MANAGE)


def public(
    session: Session, incident: BreachIncident, ctx: AppContext
) -> IncidentPublic:
    clocks = [
        BreachClockPublic(**vars(v), overdue=v.overdue)
        for v in register.views(session, incident, ctx.clock())
    ]
    return IncidentPublic(
        id=incident.id,
        ref=incident.ref,
        title=incident.title,
        description=incident.description,
        detected_at=incident.detected_at,
        aware_at=incident.aware_at,
        systems=incident.systems,
        categories=incident.categories,
        risk=incident.risk,
        consequences=incident.consequences,
        measures=incident.measures,
        contact_point=incident.contact_point,
        operator_kind=incident.operator_kind,
        public_interest=incident.public_interest,
        affected=incident.affected,
        status=incident.status,
        closed_at=incident.closed_at,
        overdue=any(c.overdue for c in clocks),
        clocks=clocks,
    )


@router.post("/incidents", status_code=status.HTTP_201_CREATED, dependencies=[MANAGE])
def create(
    body: IncidentCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> IncidentPublic:
    """Record an incident; affected subjects and clocks are computed at once.

    SQL connectors named in `systems` are counted; every other named system
    needs an entry in `external_estimates` (422 otherwise).
    """
    incident, sources = register.record_incident(
        session,
        ctx.audit,
        ctx.settings,
        ctx.vault.detector,
        principal.username,
        **body.model_dump(),
        vault=ctx.vault,
        connectors=load_connectors(ctx.settings.connectors_file),
    )
    shown = public(session, incident, ctx)
    shown.sources = [AffectedSource(**vars(c)) for c in sources]
    return shown


@router.get("/incidents", dependencies=[READ])
def list_incidents(
    session: ReadSessionDep,
    ctx: ContextDep,
    state: Literal["open", "closed", "all"] = "open",
) -> list[IncidentPublic]:
    """The register, newest first; `overdue` marks incidents with a late notice."""
    return [public(session, i, ctx) for i in register.list_incidents(session, state)]


@router.get("/incidents/{incident_id}", dependencies=[READ])
def show(incident_id: int, session: ReadSessionDep, ctx: ContextDep) -> IncidentPublic:
    return public(session, register.get_incident(session, incident_id), ctx)


@router.post(
    "/incidents/{incident_id}/notifications",
    status_code=status.HTTP_201_CREATED,
    dependencies=[MANAGE],
)
def notified(
    incident_id: int,
    body: NotificationCreate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> NotificationPublic:
    """Record that a notice went out (late ones need reasons where the law says)."""
    incident = register.get_incident(session, incident_id)
    row = register.record_notification(
        session,
        ctx.audit,
        ctx.settings,
        principal.username,
        incident,
        **body.model_dump(),
    )
    return NotificationPublic(
        id=row.id,
        jurisdiction=row.jurisdiction,
        obligation=row.obligation,
        sent_at=row.sent_at,
        on_time=row.on_time,
    )


@router.get(
    "/incidents/{incident_id}/draft",
    dependencies=[READ],
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
def draft_notice(
    incident_id: int,
    session: ReadSessionDep,
    ctx: ContextDep,
    recipient: Literal["authority", "individuals", "attorney_general"],
    jurisdiction: str,
    lang: Literal["zh", "en"] = "zh",
    format: Literal["md", "html"] = "md",
) -> Response:
    """A notice draft from counts and categories; never personal values."""
    incident = register.get_incident(session, incident_id)
    late = any(
        v.overdue and v.jurisdiction == jurisdiction
        for v in register.views(session, incident, ctx.clock())
    )
    text = draft(
        incident,
        ctx.settings,
        recipient=recipient,
        jurisdiction=jurisdiction,
        lang=lang,
        fmt=format,
        late=late,
    )
    if format == "html":
        return HTMLResponse(text)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


@router.post("/incidents/{incident_id}/close", dependencies=[MANAGE])
def close(
    incident_id: int, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> IncidentPublic:
    """Close once every notice the packs require has been recorded."""
    incident = register.get_incident(session, incident_id)
    register.close_incident(session, ctx.audit, principal.username, incident)
    return public(session, incident, ctx)
