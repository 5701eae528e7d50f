"""The customer chat widget: a public page over the assistant, one cookie per chat.

Customers have no account, and the `/v1/ai` routes are for the chat channel's
service token, so the widget gets its own public, narrow door:

* `POST /chat/start` creates a guest data subject (no personal fields, its
  own data key, so whatever the customer types is sealed like any message)
  and starts a conversation whose first message is the pack's disclosure.
  The answer sets an HttpOnly, SameSite=Strict cookie holding
  `<conversation id>.<expiry>.<HMAC>`, signed with a key in the data dir: it
  opens that one conversation and nothing else, until it expires.
* `GET /chat/conversation`, `POST /chat/messages` and `POST /chat/handoff`
  act on the cookie's conversation only (401 without a valid one).
* Starts are rate-limited per client address, messages and reads per
  conversation (429 with Retry-After), in memory like the tracking page.

The flow itself (labels, hand-off, the bot stepping back once a human
replied) is complydesk.assistant's; this module only translates.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from complydesk.api.deps import AppContext, ContextDep
from complydesk.api.problems import problem
from complydesk.api.routes.track import client_address
from complydesk.assistant.conversation import Assistant, ChatView
from complydesk.assistant.service import build_assistant
from complydesk.desk.customers import create_customer
from complydesk.desk.ratelimit import SlidingWindow
from complydesk.errors import NotAuthenticated
from complydesk.keyfile import load_or_create_key
from complydesk.policy import available_packs
from complydesk.store.db import read_transaction, transaction
from complydesk.web.pages import render

router: APIRouter = APIRouter(include_in_schema=False)

CHAT_COOKIE: Final = "complydesk_chat"
KEY_FILE: Final = "chat-cookie.key"
ACTOR: Final = "web-chat"
# Abuse limits (operational, not legal): (hits, window in seconds).
START_LIMIT: Final = (20, 3600.0)
MESSAGE_LIMIT: Final = (30, 60.0)
READ_LIMIT: Final = (120, 60.0)
_LOCK = threading.Lock()


class StartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$", max_length=32)


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class ChatGuard:
    """The per-app limits and the cookie key (one per app, so tests stay apart)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.starts = SlidingWindow(*START_LIMIT)
        self.messages = SlidingWindow(*MESSAGE_LIMIT)
        self.reads = SlidingWindow(*READ_LIMIT)

    def sign(self, conversation_id: int, expires: int) -> str:
        message = f"chat:{conversation_id}:{expires}".encode()
        mac = hmac.new(self.key, message, hashlib.sha256).hexdigest()
        return f"{conversation_id}.{expires}.{mac}"

    def conversation_of(self, token: str | None, now: float) -> int | None:
        """The conversation a cookie opens, or None if forged, malformed or expired."""
        if not token or len(token) > 120:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        conversation_id, expires = int(parts[0]), int(parts[1])
        if expires < now:
            return None
        expected = self.sign(conversation_id, expires)
        return conversation_id if hmac.compare_digest(expected, token) else None


def guard_for(request: Request, ctx: AppContext) -> ChatGuard:
    state = request.app.state
    with _LOCK:
        guard: ChatGuard | None = getattr(state, "chat_guard", None)
        if guard is None:
            key = load_or_create_key(ctx.settings.ensure_data_dir() / KEY_FILE)
            guard = ChatGuard(key)
            state.chat_guard = guard
        return guard


def assistant_for(request: Request, ctx: AppContext) -> Assistant:
    """The app's assistant (shared with the /v1/ai routes), built on first use."""
    assistant: Assistant | None = getattr(request.app.state, "assistant", None)
    if assistant is None:
        assistant = build_assistant(ctx.settings, ctx.vault, ctx.audit, ctx.clock)
        request.app.state.assistant = assistant
    return assistant


def chat_conversation(request: Request, ctx: ContextDep) -> int:
    """The cookie's conversation; anything else is a 401, before the body is read."""
    guard = guard_for(request, ctx)
    found = guard.conversation_of(request.cookies.get(CHAT_COOKIE), time.time())
    if found is None:
        raise NotAuthenticated("start a chat first (no valid chat cookie)")
    return found


ChatDep = Annotated[int, Depends(chat_conversation)]


def _limited(window: SlidingWindow, key: str) -> JSONResponse | None:
    now = time.monotonic()
    wait = window.retry_after(key, now)
    if wait is not None:
        response = problem(429, "Too many requests", "slow down and try again later")
        response.headers["Retry-After"] = str(wait)
        return response
    window.hit(key, now)
    return None


def public_view(view: ChatView) -> dict[str, Any]:
    """What the customer sees: masked messages, AI labels, the wait; no staff names."""
    handoff = None
    if view.handoff is not None:
        handoff = {
            "requested_at": view.handoff.requested_at,
            "expected_wait_seconds": view.handoff.expected_wait_seconds,
            "human_replied_at": view.handoff.human_replied_at,
        }
    return {
        "conversation_id": view.conversation_id,
        "state": view.state,
        "pack": view.pack,
        "pack_version": view.pack_version,
        "messages": [asdict(m) for m in view.messages],
        "handoff": handoff,
    }


@router.get("/chat")
def chat_page(
    request: Request, ctx: ContextDep, pack: str | None = None
) -> HTMLResponse:
    chosen = pack if pack in available_packs(ctx.settings.policy_dir) else None
    response = render(request, "chat.html", None, pack=chosen)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/chat/start")
def chat_start(
    request: Request,
    ctx: ContextDep,
    body: Annotated[StartBody | None, Body()] = None,
) -> Response:
    """A guest subject and a new conversation; the cookie opens only this one."""
    guard = guard_for(request, ctx)
    refused = _limited(guard.starts, client_address(request))
    if refused is not None:
        return refused
    known = available_packs(ctx.settings.policy_dir)
    pack = (body.pack if body else None) or ctx.settings.default_pack
    if pack not in known:
        return problem(422, "Invalid input", f"pack must be one of {', '.join(known)}")
    assistant = assistant_for(request, ctx)
    with transaction(ctx.sessions) as session:
        customer = create_customer(session, ctx.vault, ctx.audit, ACTOR, {}, pack)
        view = assistant.start(session, customer.id, actor=ACTOR, pack_name=pack)
    ttl = timedelta(hours=ctx.settings.session_ttl_hours)
    expires = int(time.time() + ttl.total_seconds())
    response = JSONResponse(_encode(public_view(view)))
    response.set_cookie(
        CHAT_COOKIE,
        guard.sign(view.conversation_id, expires),
        max_age=int(ttl.total_seconds()),
        path="/chat",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/chat/conversation")
def chat_show(request: Request, ctx: ContextDep, conversation: ChatDep) -> Response:
    refused = _limited(guard_for(request, ctx).reads, str(conversation))
    if refused is not None:
        return refused
    with read_transaction(ctx.sessions) as session:
        view = assistant_for(request, ctx).view(session, conversation)
    return JSONResponse(_encode(public_view(view)))


@router.post("/chat/messages")
def chat_message(
    request: Request,
    ctx: ContextDep,
    conversation: ChatDep,
    body: Annotated[MessageBody, Body()],
) -> Response:
    """The customer's message: the bot answers, hands off, or stays quiet."""
    refused = _limited(guard_for(request, ctx).messages, str(conversation))
    if refused is not None:
        return refused
    with transaction(ctx.sessions) as session:
        result = assistant_for(request, ctx).customer_message(
            session, conversation, body.text, actor=ACTOR
        )
        state = assistant_for(request, ctx).view(session, conversation).state
    return JSONResponse(
        _encode(
            {
                "state": state,
                "replies": [asdict(m) for m in result.replies],
                "handoff": None
                if result.handoff is None
                else {"expected_wait_seconds": result.handoff.expected_wait_seconds},
            }
        )
    )


@router.post("/chat/handoff")
def chat_handoff(request: Request, ctx: ContextDep, conversation: ChatDep) -> Response:
    """The 转人工 button: hand off now (idempotent) and say how long the wait is."""
    refused = _limited(guard_for(request, ctx).messages, str(conversation))
    if refused is not None:
        return refused
    with transaction(ctx.sessions) as session:
        assistant = assistant_for(request, ctx)
        handoff = assistant.request_handoff(session, conversation, actor=ACTOR)
        view = assistant.view(session, conversation)
    return JSONResponse(
        _encode(
            {
                **public_view(view),
                "expected_wait_seconds": handoff.expected_wait_seconds,
            }
        )
    )


def _encode(data: dict[str, Any]) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(data)
