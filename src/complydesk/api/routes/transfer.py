"""Cross-border transfers: the recipient register, counters, assessments, reports.

Thin shells over complydesk.transfer. Files are assessed and exported with
the CLI (`complydesk transfer assess|export`), which streams multi-GB inputs;
the API manages the register and reads what was decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from complydesk.api.deps import (
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.schemas.transfer import (
    AgreementCreate,
    AgreementPublic,
    AssessmentPublic,
    CheckPublic,
    CounterPublic,
    FindingPublic,
    Lang,
    MechanismCreate,
    MechanismPublic,
    RecipientCreate,
    RecipientDetail,
    RecipientPublic,
    RecipientUpdate,
    ReportFormat,
)
from complydesk.identity import Permission
from complydesk.store.models.transfer import (
    TransferAgreement,
    TransferAssessment,
    TransferMechanism,
    TransferRecipient,
)
from complydesk.transfer import registry
from complydesk.transfer.assessment import get_assessment, list_assessments
from complydesk.transfer.counting import year_counters
from complydesk.transfer.gate import check_recipient
from complydesk.transfer.report import message, render

router = APIRouter(prefix="/v1/transfer", tags=["transfer"])
READ = [require(Permission.TRANSFER_READ)]
MANAGE = [require(Permission.TRANSFER_MANAGE)]


def _finding(data: Mapping[str, Any]) -> FindingPublic:
    return FindingPublic(
        code=data["code"],
        severity=data["severity"],
        citation=data["citation"],
        params=dict(data.get("params") or {}),
        message_zh=message(data, "zh"),
        message_en=message(data, "en"),
    )


def _recipient(row: TransferRecipient) -> RecipientPublic:
    return RecipientPublic.model_validate(row, from_attributes=True)


def _mechanism(row: TransferMechanism) -> MechanismPublic:
    return MechanismPublic.model_validate(row, from_attributes=True)


def _agreement(row: TransferAgreement) -> AgreementPublic:
    return AgreementPublic.model_validate(row, from_attributes=True)


def _assessment(row: TransferAssessment, session: Session) -> AssessmentPublic:
    recipient = session.get(TransferRecipient, row.recipient_id)
    return AssessmentPublic(
        ref=row.ref,
        recipient=recipient.ref if recipient else "",
        kind=row.kind,
        jurisdiction=row.jurisdiction,
        pack_version=row.pack_version,
        year=row.year,
        decided_at=row.decided_at,
        actor=row.actor,
        allowed=row.allowed,
        exported=row.exported,
        route=row.route,
        counted=row.counted,
        counts=row.counts,
        findings=[_finding(f) for f in row.findings],
        input_sha256=row.input_sha256,
        output_sha256=row.output_sha256,
    )


@router.get("/recipients", dependencies=READ)
def list_recipients(session: ReadSessionDep) -> list[RecipientPublic]:
    return [_recipient(r) for r in registry.list_recipients(session)]


@router.post("/recipients", status_code=status.HTTP_201_CREATED, dependencies=MANAGE)
def create_recipient(
    body: RecipientCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> RecipientPublic:
    row = registry.create_recipient(
        session,
        ctx.audit,
        principal.username,
        now=ctx.clock(),
        **body.model_dump(),
    )
    return _recipient(row)


@router.get("/recipients/{recipient_ref}", dependencies=READ)
def show_recipient(
    recipient_ref: str,
    session: ReadSessionDep,
    ctx: ContextDep,
    jurisdiction: str | None = Query(default=None, pattern=r"^[a-z][a-z0-9-]*$"),
) -> RecipientDetail:
    """The recipient, its documents, and whether a live flow passes today."""
    context, decision = check_recipient(
        session, ctx.settings, recipient_ref, ctx.clock(), jurisdiction
    )
    row = context.recipient
    agreement = registry.current_agreement(session, row)
    return RecipientDetail(
        **_recipient(row).model_dump(),
        mechanisms=[_mechanism(m) for m in registry.mechanisms_of(session, row)],
        agreement=None if agreement is None else _agreement(agreement),
        check=CheckPublic(
            jurisdiction=context.jurisdiction,
            allowed=decision.allowed,
            route=decision.route.value,
            accepted=list(decision.accepted),
            findings=[_finding(f.to_dict()) for f in decision.findings],
        ),
    )


@router.patch("/recipients/{recipient_ref}", dependencies=MANAGE)
def update_recipient(
    recipient_ref: str,
    body: RecipientUpdate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> RecipientPublic:
    row = registry.get_recipient(session, recipient_ref)
    changes = body.model_dump(exclude_unset=True)
    registry.update_recipient(
        session, ctx.audit, principal.username, row, changes, ctx.clock()
    )
    return _recipient(row)


@router.post(
    "/recipients/{recipient_ref}/mechanisms",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
)
def add_mechanism(
    recipient_ref: str,
    body: MechanismCreate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> MechanismPublic:
    row = registry.add_mechanism(
        session,
        ctx.audit,
        principal.username,
        registry.get_recipient(session, recipient_ref),
        now=ctx.clock(),
        **body.model_dump(),
    )
    return _mechanism(row)


@router.post(
    "/recipients/{recipient_ref}/agreements",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
)
def add_agreement(
    recipient_ref: str,
    body: AgreementCreate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> AgreementPublic:
    row = registry.add_agreement(
        session,
        ctx.audit,
        principal.username,
        registry.get_recipient(session, recipient_ref),
        now=ctx.clock(),
        **body.model_dump(),
    )
    return _agreement(row)


@router.get("/counters", dependencies=READ)
def counters(session: ReadSessionDep) -> list[CounterPublic]:
    """Distinct individuals sent abroad per jurisdiction and calendar year."""
    return [
        CounterPublic.model_validate(r, from_attributes=True)
        for r in year_counters(session)
    ]


@router.get("/assessments", dependencies=READ)
def assessments(
    session: ReadSessionDep,
    recipient: str | None = Query(default=None, max_length=40),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[AssessmentPublic]:
    row = None if recipient is None else registry.get_recipient(session, recipient)
    return [_assessment(a, session) for a in list_assessments(session, row, limit)]


@router.get("/assessments/{assessment_ref}", dependencies=READ)
def show_assessment(assessment_ref: str, session: ReadSessionDep) -> AssessmentPublic:
    return _assessment(get_assessment(session, assessment_ref), session)


@router.get("/assessments/{assessment_ref}/report", dependencies=READ)
def report(
    assessment_ref: str,
    session: ReadSessionDep,
    lang: Lang = "zh",
    format: ReportFormat = "html",  # noqa: A002 - the query parameter's name
) -> Response:
    """The assessment report, Markdown or HTML, in Chinese or English."""
    text = render(get_assessment(session, assessment_ref), lang, format)
    media = "text/html" if format == "html" else "text/markdown"
    return Response(text, media_type=f"{media}; charset=utf-8")
