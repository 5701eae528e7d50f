"""Cross-border transfers: the register, counters, assessments, reports, exports.

Thin shells over complydesk.transfer. The API takes datasets up to
`transfer_upload_max_bytes` (a streamed CSV / JSON-lines body or a multipart
file, see complydesk.transfer.uploads) or a read-only query on our own
database, runs in one process per request, and answers with the assessment
(JSON, or the report as Markdown / HTML by `?format=` or `Accept`). A refused
export is 409 with the reasons; an allowed one gives a download link. The CLI
streams multi-GB files on all cores.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from complydesk.api.deps import (
    AppContext,
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.problems import problem
from complydesk.api.schemas.transfer import (
    AgreementCreate,
    AgreementPublic,
    AssessmentPublic,
    CheckPublic,
    CounterPublic,
    ExportPublic,
    FindingPublic,
    Lang,
    MechanismCreate,
    MechanismPublic,
    QueryAssess,
    QueryExport,
    RecipientCreate,
    RecipientDetail,
    RecipientPublic,
    RecipientUpdate,
    ReportFormat,
    ResultFormat,
)
from complydesk.audit import AuditEvent
from complydesk.errors import InvalidInput, NotFound
from complydesk.identity import Permission
from complydesk.store.models.transfer import (
    TransferAgreement,
    TransferAssessment,
    TransferMechanism,
    TransferRecipient,
)
from complydesk.transfer import registry, uploads
from complydesk.transfer.assessment import (
    Outcome,
    assess_file,
    get_assessment,
    list_assessments,
)
from complydesk.transfer.counting import year_counters
from complydesk.transfer.export import export_file
from complydesk.transfer.gate import check_recipient
from complydesk.transfer.query import QuerySource
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
    return _public(row, recipient.ref if recipient else "")


def _public(row: TransferAssessment, recipient: str) -> AssessmentPublic:
    return AssessmentPublic(
        ref=row.ref,
        recipient=recipient,
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


# --- datasets: upload or query, assess or export --------------------------------

RecipientQuery = Query(min_length=2, max_length=40)
JurisdictionQuery = Query(default=None, max_length=32, pattern=r"^[a-z][a-z0-9-]*$")


def _result_format(request: Request, chosen: ResultFormat | None) -> ResultFormat:
    """`?format=` wins; else the Accept header; else JSON."""
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return "html"
    if "text/markdown" in accept:
        return "md"
    return "json"


async def _receive(request: Request, ctx: AppContext) -> uploads.Upload:
    """The request's dataset in a private file, within the size limit."""
    settings = ctx.settings
    limit = settings.transfer_upload_max_bytes
    content_type = request.headers.get("content-type", "")
    length = request.headers.get("content-length")
    if content_type.lower().startswith("multipart/form-data"):
        if length is not None and length.isdigit() and int(length) > limit + 65_536:
            raise uploads.TooLarge(f"the dataset is larger than {limit:,} bytes")
        form = await request.form(max_files=1, max_fields=1)
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise InvalidInput("a multipart upload needs a file field named file")
            upload = uploads.Upload(
                settings.ensure_data_dir(),
                uploads.kind_of_filename(file.filename),
                limit,
            )
            try:
                await upload.receive(_chunks(file))
            except BaseException:
                upload.close()
                raise
        finally:
            await form.close()
        return upload
    upload = uploads.Upload(
        settings.ensure_data_dir(), uploads.kind_of_media(content_type), limit
    )
    try:
        upload.declared(length)
        await upload.receive(request.stream())
    except BaseException:
        upload.close()
        raise
    return upload


async def _chunks(file: UploadFile) -> Any:
    while data := await file.read(1 << 20):
        yield data


def _respond(
    row: TransferAssessment,
    recipient: str,
    fmt: ResultFormat,
    lang: Lang,
    headers: dict[str, str],
    body: AssessmentPublic | None = None,
) -> Response:
    headers = {"Location": f"/v1/transfer/assessments/{row.ref}", **headers}
    if fmt == "json":
        shown = body or _public(row, recipient)
        return JSONResponse(
            shown.model_dump(mode="json"), status_code=201, headers=headers
        )
    media = "text/html" if fmt == "html" else "text/markdown"
    return Response(
        render(row, lang, fmt),
        status_code=201,
        media_type=f"{media}; charset=utf-8",
        headers=headers,
    )


def _refused(outcome: Outcome) -> JSONResponse:
    row = outcome.assessment
    reasons = [
        {
            "code": f.code,
            "citation": f.citation,
            "message_en": message(f.to_dict(), "en"),
            "message_zh": message(f.to_dict(), "zh"),
        }
        for f in outcome.decision.blocking
    ]
    return problem(
        409,
        "Transfer refused",
        "; ".join(r["message_en"] for r in reasons) or "the transfer is refused",
        assessment=row.ref,
        report=f"/v1/transfer/assessments/{row.ref}/report",
        reasons=reasons,
    )


async def _assess(
    ctx: AppContext,
    principal: Any,
    recipient: str,
    source: Any,
    jurisdiction: str | None,
) -> Outcome:
    return await run_in_threadpool(
        lambda: assess_file(
            ctx.sessions,
            ctx.settings,
            ctx.audit,
            ctx.clock,
            recipient=recipient,
            path=source,
            actor=principal.username,
            jurisdiction=jurisdiction,
            workers=1,
        )
    )


async def _export(
    ctx: AppContext,
    principal: Any,
    recipient: str,
    source: Any,
    kind: str,
    jurisdiction: str | None,
    fmt: ResultFormat,
    lang: Lang,
) -> Response:
    """Export into a private directory; move the output where downloads find it."""
    data_dir = ctx.settings.ensure_data_dir()
    staging = uploads.Upload(data_dir, "csv" if kind == "csv" else "jsonl", 0)
    out = staging.directory / f"output.{kind}"
    try:
        outcome = await run_in_threadpool(
            lambda: export_file(
                ctx.sessions,
                ctx.settings,
                ctx.audit,
                ctx.clock,
                recipient=recipient,
                source=source,
                out=out,
                actor=principal.username,
                jurisdiction=jurisdiction,
                workers=1,
            )
        )
        if outcome.allowed:
            os.replace(out, uploads.export_path(data_dir, outcome.assessment.ref, kind))
    finally:
        staging.close()
    if not outcome.allowed:
        return _refused(outcome)
    row = outcome.assessment
    download = f"/v1/transfer/exports/{row.ref}/download"
    body = ExportPublic(
        **_public(row, recipient).model_dump(),
        download=download,
        output_bytes=row.output_bytes,
    )
    headers = {"Link": f'<{download}>; rel="enclosure"'}
    return _respond(row, recipient, fmt, lang, headers, body)


@router.post(
    "/assessments",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
    response_model=None,
)
async def assess_upload(
    request: Request,
    ctx: ContextDep,
    principal: PrincipalDep,
    recipient: str = RecipientQuery,
    jurisdiction: str | None = JurisdictionQuery,
    lang: Lang = "zh",
    format: ResultFormat | None = None,  # noqa: A002 - the query parameter's name
) -> Response:
    """Assess a dataset sent as CSV / JSON lines (body or multipart `file`)."""
    fmt = _result_format(request, format)
    upload = await _receive(request, ctx)
    try:
        outcome = await _assess(ctx, principal, recipient, upload.path, jurisdiction)
    finally:
        upload.close()
    return _respond(outcome.assessment, recipient, fmt, lang, {})


@router.post(
    "/assessments/query",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
    response_model=None,
)
async def assess_query(
    body: QueryAssess,
    request: Request,
    ctx: ContextDep,
    principal: PrincipalDep,
    lang: Lang = "zh",
    format: ResultFormat | None = None,  # noqa: A002 - the query parameter's name
) -> Response:
    """Assess the rows of a read-only SELECT on complydesk's own database
    (counted by blind index, never decrypted; other databases: the CLI)."""
    source = QuerySource(ctx.settings.sqlalchemy_url, body.query, own=True)
    outcome = await _assess(ctx, principal, body.recipient, source, body.jurisdiction)
    fmt = _result_format(request, format)
    return _respond(outcome.assessment, body.recipient, fmt, lang, {})


@router.post(
    "/exports",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
    response_model=None,
)
async def export_upload(
    request: Request,
    ctx: ContextDep,
    principal: PrincipalDep,
    recipient: str = RecipientQuery,
    jurisdiction: str | None = JurisdictionQuery,
    lang: Lang = "zh",
    format: ResultFormat | None = None,  # noqa: A002 - the query parameter's name
) -> Response:
    """Export a dataset de-identified under the agreement; 409 with the reasons
    when refused, else the assessment and a download link."""
    fmt = _result_format(request, format)
    upload = await _receive(request, ctx)
    try:
        return await _export(
            ctx, principal, recipient, upload.path, upload.kind, jurisdiction, fmt, lang
        )
    finally:
        upload.close()


@router.post(
    "/exports/query",
    status_code=status.HTTP_201_CREATED,
    dependencies=MANAGE,
    response_model=None,
)
async def export_query(
    body: QueryExport,
    request: Request,
    ctx: ContextDep,
    principal: PrincipalDep,
    lang: Lang = "zh",
    format: ResultFormat | None = None,  # noqa: A002 - the query parameter's name
) -> Response:
    """Export the rows of a read-only SELECT on our own database (sealed
    columns only dropped or redacted: they are never decrypted)."""
    source = QuerySource(ctx.settings.sqlalchemy_url, body.query, own=True)
    fmt = _result_format(request, format)
    return await _export(
        ctx,
        principal,
        body.recipient,
        source,
        body.format,
        body.jurisdiction,
        fmt,
        lang,
    )


@router.get("/exports/{assessment_ref}/download", dependencies=MANAGE)
def download_export(
    assessment_ref: str, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> FileResponse:
    """The de-identified output of an allowed export (the fetch is audited)."""
    row = get_assessment(session, assessment_ref)
    if not row.exported:
        raise NotFound(f"{row.ref} exported nothing")
    path, media = uploads.find_export(ctx.settings.data_dir, row.ref)
    ctx.audit.record(
        session,
        AuditEvent(
            actor=principal.username,
            action="transfer.download",
            object_type="transfer_assessment",
            object_id=row.ref,
            outcome="ok",
            reason="de-identified export output fetched",
            details={"output_sha256": row.output_sha256},
        ),
    )
    return FileResponse(
        path,
        media_type=media,
        filename=path.name,
        headers={"X-Content-SHA256": row.output_sha256 or ""},
    )
