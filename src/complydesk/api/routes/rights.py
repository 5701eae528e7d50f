"""Data-subject requests: intake, verification, clocks, fulfilment, receipts.

Thin shells over complydesk.rights. Personal values never appear in a
response except inside the access ZIP, which only a verified request yields
and whose download is audited.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from complydesk.api.deps import (
    AppContext,
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.schemas.rights import (
    ClockPublic,
    CloseBody,
    ErasurePublic,
    ErasureStepPublic,
    ExtendBody,
    HoldCreate,
    HoldPublic,
    RectifyBody,
    RequestCreate,
    RequestPublic,
    RequestType,
    RestrictionApplied,
    RetentionItemPublic,
    RetentionReportPublic,
    SendCodeBody,
    State,
    VerificationSent,
    VerifyBody,
)
from complydesk.desk.customers import get_customer
from complydesk.errors import Conflict, InvalidInput
from complydesk.identity import Permission
from complydesk.notify import Outbox
from complydesk.rights import fulfil, retention
from complydesk.rights import requests as rq
from complydesk.rights.common import record
from complydesk.rights.connectors import load_connectors
from complydesk.rights.erasure import ErasureStatus, run_erasure, status_of
from complydesk.rights.holds import place_hold, release_hold
from complydesk.rights.notices import extend_with_notice
from complydesk.rights.package import build_package
from complydesk.rights.receipt import render_receipt
from complydesk.rights.verification import (
    MESSAGES,
    Check,
    check_code,
    code_key,
    send_code,
)
from complydesk.store.db import transaction
from complydesk.store.models import LegalHold, SubjectRequest

router = APIRouter(prefix="/v1/rights", tags=["rights"])

READ = require(Permission.RIGHTS_READ)
MANAGE = require(Permission.RIGHTS_MANAGE)


def public(request: SubjectRequest, ctx: AppContext) -> RequestPublic:
    now = ctx.clock()
    return RequestPublic(
        id=request.id,
        ref=request.ref,
        customer_id=request.customer_id,
        type=request.type,
        scope=request.scope,
        channel=request.channel,
        status=request.status,
        pack=request.pack,
        pack_version=request.pack_version,
        received_at=request.received_at,
        verified_at=request.verified_at,
        verification_method=request.verification_method,
        acknowledged_at=request.acknowledged_at,
        due_at=request.due_at,
        extended=request.extended,
        closed_at=request.closed_at,
        outcome=request.outcome,
        outcome_reason=request.outcome_reason,
        clocks=[ClockPublic(**vars(v)) for v in rq.views(request, now)],
        has_details=request.details_sealed is not None,
    )


def outbox_of(ctx: AppContext) -> Outbox:
    return Outbox.from_settings(ctx.settings, ctx.clock)


@router.post("/requests", status_code=status.HTTP_201_CREATED, dependencies=[MANAGE])
def create(
    body: RequestCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> RequestPublic:
    """Register a request received by phone, mail or another system."""
    customer = get_customer(session, body.customer_id)
    request = rq.create_request(
        session,
        ctx.vault,
        ctx.audit,
        ctx.settings,
        principal.username,
        customer,
        body.type,
        scope=body.scope,
        details=body.details,
        channel=body.channel,
        received_at=body.received_at,
    )
    return public(request, ctx)


@router.get("/requests", dependencies=[READ])
def list_requests(
    session: ReadSessionDep,
    ctx: ContextDep,
    state: State = "open",
    type: RequestType | None = None,
    customer_id: int | None = Query(default=None, ge=1),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[RequestPublic]:
    """The due / overdue list: open requests, soonest deadline first."""
    rows = rq.list_requests(
        session, ctx.clock(), state, type_=type, customer_id=customer_id, limit=limit
    )
    return [public(r, ctx) for r in rows]


@router.get("/requests/{request_id}", dependencies=[READ])
def show(request_id: int, session: ReadSessionDep, ctx: ContextDep) -> RequestPublic:
    return public(rq.get_request(session, request_id), ctx)


@router.post("/requests/{request_id}/verification", dependencies=[MANAGE])
def send_verification(
    request_id: int,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    body: SendCodeBody | None = None,
) -> VerificationSent:
    """Send a one-time code to the contact on file (never to a typed address)."""
    request = rq.get_request(session, request_id)
    customer = get_customer(session, request.customer_id)
    row = send_code(
        session,
        ctx.vault,
        ctx.audit,
        outbox_of(ctx),
        code_key(ctx.settings),
        principal.username,
        request,
        customer,
        lang=body.lang if body else "zh",
    )
    return VerificationSent(
        request=request.ref, channel=row.channel, expires_at=row.expires_at
    )


@router.post("/requests/{request_id}/verify", dependencies=[MANAGE])
def verify(
    request_id: int, body: VerifyBody, ctx: ContextDep, principal: PrincipalDep
) -> RequestPublic:
    """Check the subject's code, or record a manual check with its reason.

    Runs in its own transaction so a wrong code's attempt is counted even
    though the answer is an error.
    """
    with transaction(ctx.sessions) as session:
        request = rq.get_request(session, request_id)
        if body.code is not None:
            result = check_code(
                session,
                ctx.audit,
                code_key(ctx.settings),
                principal.username,
                request,
                body.code,
            )
        else:
            assert body.manual_reason is not None
            fulfil.verify_manually(
                session,
                ctx.audit,
                principal.username,
                request,
                body.manual_reason,
                ctx.vault.detector,
            )
            result = Check.OK
        shown = public(request, ctx)
    if result is not Check.OK:
        raise InvalidInput(MESSAGES[result])
    return shown


@router.post("/requests/{request_id}/extend", dependencies=[MANAGE])
def extend(
    request_id: int,
    body: ExtendBody,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> RequestPublic:
    """Extend by the pack's maximum with a reason; the subject is notified."""
    request = rq.get_request(session, request_id)
    customer = get_customer(session, request.customer_id)
    extend_with_notice(
        session,
        ctx.vault,
        ctx.audit,
        outbox_of(ctx),
        principal.username,
        request,
        customer,
        body.reason,
    )
    return public(request, ctx)


@router.post("/requests/{request_id}/close", dependencies=[MANAGE])
def close(
    request_id: int,
    body: CloseBody,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> RequestPublic:
    """Close with an outcome; refusals carry the reasons given to the subject."""
    request = rq.get_request(session, request_id)
    fulfil.close(
        session,
        ctx.audit,
        principal.username,
        request,
        body.outcome,
        body.reason,
        ctx.vault.detector,
    )
    return public(request, ctx)


@router.post("/requests/{request_id}/restrict", dependencies=[MANAGE])
def restrict(
    request_id: int, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> RestrictionApplied:
    """Fulfil a restriction or objection: set the flag other modules honour."""
    request = rq.get_request(session, request_id)
    flag, active = fulfil.fulfil_restriction(
        session, ctx.audit, principal.username, request
    )
    return RestrictionApplied(customer_id=request.customer_id, flag=flag, active=active)


@router.post("/requests/{request_id}/rectify", dependencies=[MANAGE])
def rectify(
    request_id: int,
    body: RectifyBody,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> RequestPublic:
    """Correct the customer's fields through the vault and close the request."""
    request = rq.get_request(session, request_id)
    fulfil.fulfil_rectification(
        session,
        ctx.vault,
        ctx.audit,
        principal.username,
        request,
        body.fields.model_dump(exclude_unset=True),
    )
    return public(request, ctx)


@router.get(
    "/requests/{request_id}/export",
    dependencies=[MANAGE],
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export(
    request_id: int,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """The subject's data as a ZIP (data.json + report.html); audited.

    Only for a verified access or portability request. External systems that
    fail are listed in the ZIP and in `X-Complydesk-Incomplete`.
    """
    request = rq.get_request(session, request_id)
    if request.type not in ("access", "portability"):
        raise Conflict(f"request {request.ref} is of type {request.type}")
    rq.require_verified(request)
    customer = get_customer(session, request.customer_id)
    package = build_package(
        session,
        ctx.vault,
        load_connectors(ctx.settings.connectors_file),
        request,
        customer,
        ctx.clock(),
        lang,
    )
    record(
        session,
        ctx.audit,
        principal.username,
        "rights.export.download",
        "rights_requests",
        request.id,
        details={
            "tables": len(package.counts),
            "rows": sum(package.counts.values()),
            "external_ok": len(package.external_ok),
            "external_failed": ",".join(sorted(package.external_failed))[:200],
        },
    )
    headers = {"Content-Disposition": f'attachment; filename="{package.filename}"'}
    if package.external_failed:
        headers["X-Complydesk-Incomplete"] = ",".join(sorted(package.external_failed))
    return Response(package.content, media_type="application/zip", headers=headers)


def _erasure_public(result: ErasureStatus) -> ErasurePublic:
    return ErasurePublic(
        request=result.request_ref,
        complete=result.complete,
        steps=[
            ErasureStepPublic(
                system=step.system,
                status=step.status,
                attempts=step.attempts,
                last_error=step.last_error,
                confirmation=step.confirmation,
                done_at=step.done_at,
            )
            for step in result.steps
        ],
        receipt=result.receipt,
    )


@router.post("/requests/{request_id}/erase", dependencies=[MANAGE])
def erase(request_id: int, ctx: ContextDep, principal: PrincipalDep) -> ErasurePublic:
    """Start or resume erasure everywhere; each system's step commits on its own.

    Answers with every step; a failed connector is retried by the worker and
    by calling this again. `complete` is true once the receipt exists.
    """
    result = run_erasure(
        ctx.sessions,
        ctx.vault,
        ctx.audit,
        ctx.settings,
        outbox_of(ctx),
        load_connectors(ctx.settings.connectors_file),
        request_id,
        principal.username,
    )
    return _erasure_public(result)


@router.get("/requests/{request_id}/erasure", dependencies=[READ])
def erasure_status(request_id: int, session: ReadSessionDep) -> ErasurePublic:
    """Where an erasure stands: each system's status, attempts and last error."""
    request = rq.get_request(session, request_id)
    return _erasure_public(status_of(session, request))


@router.get(
    "/requests/{request_id}/receipt",
    dependencies=[READ],
    response_model=None,
    responses={200: {"content": {"text/html": {}}}},
)
def receipt(
    request_id: int,
    session: ReadSessionDep,
    format: Literal["json", "html"] = "json",
    lang: Literal["zh", "en"] = "zh",
) -> dict[str, object] | HTMLResponse:
    """The erasure receipt the subject received, as JSON or HTML (zh / en)."""
    request = rq.get_request(session, request_id)
    result = status_of(session, request)
    if result.receipt is None:
        raise Conflict(f"the erasure for {request.ref} is not complete yet")
    if format == "html":
        return HTMLResponse(render_receipt(result.receipt, lang))
    return dict(result.receipt)


def _hold_public(hold: LegalHold) -> HoldPublic:
    return HoldPublic(
        id=hold.id,
        customer_id=hold.customer_id,
        exception=hold.exception,
        pack=hold.pack,
        citation=hold.citation,
        placed_at=hold.placed_at,
        expires_at=hold.expires_at,
        released_at=hold.released_at,
    )


@router.post("/holds", status_code=status.HTTP_201_CREATED, dependencies=[MANAGE])
def create_hold(
    body: HoldCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> HoldPublic:
    """Keep a subject's data under one of their pack's erasure exceptions."""
    customer = get_customer(session, body.customer_id)
    hold = place_hold(
        session, ctx.audit, ctx.settings, principal.username, customer, body.exception
    )
    return _hold_public(hold)


@router.post("/holds/{hold_id}/release", dependencies=[MANAGE])
def release(
    hold_id: int, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> HoldPublic:
    """End a hold; the worker then shreds what it kept and amends the receipt."""
    return _hold_public(release_hold(session, ctx.audit, principal.username, hold_id))


def _retention_public(report: retention.Report, pack: str) -> RetentionReportPublic:
    return RetentionReportPublic(
        pack=pack,
        dry_run=report.dry_run,
        as_of=report.as_of,
        items=[
            RetentionItemPublic(
                category=i.category,
                action=i.action,
                count=i.count,
                period=f"{i.pack}: {i.period}",
                citation=i.citation,
                held=i.held,
            )
            for i in report.items
        ],
    )


@router.get("/retention", dependencies=[READ])
def retention_report(ctx: ContextDep, principal: PrincipalDep) -> RetentionReportPublic:
    """Dry run: what is past its retention period, per pack and category."""
    with transaction(ctx.sessions) as session:
        report = retention.plan(session, ctx.settings, ctx.clock())
    retention.audit_plan(ctx.sessions, ctx.audit, report, principal.username)
    return _retention_public(report, "per subject")


@router.post("/retention/run", dependencies=[MANAGE])
def retention_run(ctx: ContextDep, principal: PrincipalDep) -> RetentionReportPublic:
    """Shred or anonymise what the dry run lists (a batch per category)."""
    report = retention.apply(
        ctx.sessions, ctx.vault, ctx.audit, ctx.settings, principal.username
    )
    return _retention_public(report, "per subject")
