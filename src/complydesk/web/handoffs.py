"""AI hand-offs, the human side of 转人工: the waiting queue, one chat, the reply box.

Thin views over complydesk.assistant, the same `Assistant` instance the
`/v1/ai` routes and the customer's /chat use: the queue is
`Assistant.waiting` (oldest first, as `GET /v1/ai/handoffs`), the chat is
`Assistant.view` (masked transcript, each AI message with its label and
metadata) and a reply is `Assistant.human_reply`, the call behind
`POST /v1/ai/conversations/{id}/human-replies`. After the first human reply
the bot stays silent and the customer's page shows the person's answer.

A person's reply goes to a customer like an agent's ticket reply, so it is
speech-checked first with the same checker (`check_reply`, role agent, the
deployment's capabilities file): a block is not sent and comes back with the
findings highlighted; warn and block are audited (`reply.check`, rule ids,
never the text), so the dashboard counts them with the desk's.

Forms carry the agent desk's per-session token (complydesk.web.agent); pages
are sent with Cache-Control: no-store. Like agent.py this module imports
complydesk.web.pages and .chat only inside functions (pages registers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select

from complydesk.api.deps import AppContext, ContextDep
from complydesk.assistant.conversation import Assistant, ChatView
from complydesk.assistant.human_replies import check_human_reply, send_human_reply
from complydesk.desk.replies import public_finding
from complydesk.errors import ComplydeskError, Conflict, InvalidInput, NotFound
from complydesk.identity import Permission, Principal
from complydesk.speech.finding import Verdict
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import AiConversation
from complydesk.web.agent import (
    CSRF_HEADER,
    NO_STORE,
    DraftCheck,
    csrf_ok,
    csrf_token,
    page_user,
    segments,
)

router = APIRouter(include_in_schema=False)
BASE = "/console/handoffs"
TAKEN_LIMIT = 30  # recently answered chats listed under the queue (display only)

Handler = Annotated[Principal, page_user(Permission.AI_HANDOFF)]
Checker = Annotated[Principal, page_user(Permission.SPEECH_CHECK)]


def _assistant(request: Request, ctx: AppContext) -> Assistant:
    from complydesk.web.chat import assistant_for

    return assistant_for(request, ctx)


def _render(
    request: Request, name: str, principal: Principal, status: int = 200, **data: Any
) -> HTMLResponse:
    from complydesk.web.pages import render

    response = render(
        request,
        name,
        principal,
        status=status,
        csrf=csrf_token(request),
        base=BASE,
        **data,
    )
    response.headers.update(NO_STORE)
    return response


def waited(since: datetime, now: datetime) -> str:
    """How long since `since`, as h:mm (never negative)."""
    minutes = max(0, int((now - since).total_seconds())) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass(frozen=True)
class WaitingRow:
    """One waiting chat: why it was handed off and how long it has waited."""

    view: ChatView
    waited: str
    waited_seconds: int
    overdue: bool  # waiting longer than the wait the customer was told


def _row(view: ChatView, now: datetime) -> WaitingRow:
    handoff = view.handoff
    assert handoff is not None  # waiting() lists only chats with a hand-off
    seconds = max(0, int((now - handoff.requested_at).total_seconds()))
    return WaitingRow(
        view,
        waited(handoff.requested_at, now),
        seconds,
        seconds > handoff.expected_wait_seconds,
    )


@router.get(BASE)
def queue_page(request: Request, ctx: ContextDep, principal: Handler) -> HTMLResponse:
    """Chats waiting for a person, oldest first, and those a person has taken."""
    now = ctx.clock()
    with read_transaction(ctx.sessions) as session:
        waiting = [_row(v, now) for v in _assistant(request, ctx).waiting(session)]
        taken = list(
            session.scalars(
                select(AiConversation)
                .where(AiConversation.state == "human")
                .order_by(AiConversation.last_activity_at.desc())
                .limit(TAKEN_LIMIT)
            )
        )
    return _render(
        request, "handoff_queue.html", principal, rows=waiting, taken=taken, now=now
    )


def _chat_page(
    request: Request,
    ctx: AppContext,
    principal: Principal,
    conversation_id: int,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    now = ctx.clock()
    try:
        with read_transaction(ctx.sessions) as session:
            view = _assistant(request, ctx).view(session, conversation_id)
    except NotFound as exc:
        return _render(
            request, "agent_missing.html", principal, status=404, detail=exc.detail
        )
    handoff = view.handoff
    defaults: dict[str, Any] = {
        "notice": None,
        "error": None,
        "blocked": None,
        "warnings": None,
        "draft": "",
    }
    return _render(
        request,
        "handoff_chat.html",
        principal,
        status,
        chat=view,
        waited=waited(handoff.requested_at, now) if handoff else None,
        **{**defaults, **extra},
    )


@router.get(BASE + "/{conversation_id}")
def chat_page(
    request: Request, ctx: ContextDep, principal: Handler, conversation_id: int
) -> HTMLResponse:
    """The masked transcript, every AI message labelled, and the reply box."""
    return _chat_page(request, ctx, principal, conversation_id)


def _check(
    request: Request, ctx: AppContext, text: str, lang: str | None = None
) -> Verdict:
    """The same check `send_human_reply` runs, for the live draft feedback."""
    return check_human_reply(
        _assistant(request, ctx), text, ctx.settings.capabilities_file, lang
    )


@router.post(BASE + "/{conversation_id}/replies")
def reply(
    request: Request,
    ctx: ContextDep,
    principal: Handler,
    conversation_id: int,
    text: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    """Check, then `Assistant.human_reply`; a blocked reply comes back (422)."""
    if not csrf_ok(request, csrf):
        return _chat_page(
            request, ctx, principal, conversation_id, 403, error="agent_csrf_failed",
            draft=text,
        )  # fmt: skip
    if not text.strip():
        return _chat_page(
            request, ctx, principal, conversation_id, 422, error="handoff_empty"
        )
    try:
        with transaction(ctx.sessions) as session:
            verdict = send_human_reply(
                _assistant(request, ctx),
                session,
                conversation_id,
                text,
                agent=principal.username,
                capabilities_file=ctx.settings.capabilities_file,
            ).verdict
    except (Conflict, InvalidInput, NotFound) as exc:
        return _chat_page(
            request, ctx, principal, conversation_id, exc.status, error=exc.detail,
            draft=text,
        )  # fmt: skip
    findings = list(verdict.findings)
    if verdict.verdict == "block":
        return _chat_page(
            request,
            ctx,
            principal,
            conversation_id,
            422,
            draft=text,
            blocked={"segments": segments(text, findings), "findings": findings},
        )
    return _chat_page(
        request,
        ctx,
        principal,
        conversation_id,
        notice="handoff_sent",
        warnings=[public_finding(f) for f in findings] or None,
    )


@router.post(BASE + "/{conversation_id}/check")
def check_draft(
    request: Request,
    ctx: ContextDep,
    principal: Checker,
    conversation_id: int,
    body: DraftCheck,
) -> Response:
    """Live feedback while typing (agent.js); stores and audits nothing."""
    if not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        return JSONResponse({"detail": "form token missing or stale"}, 403)
    if not body.text.strip():
        return JSONResponse({"verdict": "pass", "findings": []}, headers=NO_STORE)
    try:
        with read_transaction(ctx.sessions) as session:
            _assistant(request, ctx).view(session, conversation_id)
    except ComplydeskError as exc:
        return JSONResponse({"detail": exc.detail}, exc.status)
    verdict = _check(request, ctx, body.text, body.lang)
    return JSONResponse(
        {
            "verdict": verdict.verdict,
            "findings": [public_finding(f) for f in verdict.findings],
        },
        headers=NO_STORE,
    )
