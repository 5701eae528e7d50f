"""The public data-request form: server-rendered, no account, zh by default.

A subject names the request and one identifier (phone or e-mail). If exactly
one customer matches on the blind index, a request is registered and a code
goes to the contact on that record; the page says the same thing whether or
not anything matched, so the form cannot be used to find out who is a
customer. Limits: one open web request per customer and type per day is
reused, and at most `MAX_CODES_PER_DAY` codes go to one customer a day.
Per network address, `SUBMITS_PER_ADDRESS` requests and `VERIFIES_PER_ADDRESS`
code checks are allowed per window (the desk's sliding-window limiter, per
process); beyond that the page answers 429 with Retry-After, before any
lookup, so a flood neither sends codes nor fills the audit trail. The address
is kept in memory only, never stored or logged.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from complydesk.api.deps import AppContext, ContextDep
from complydesk.api.routes.track import client_address
from complydesk.desk.customers import find_customers
from complydesk.desk.ratelimit import SlidingWindow
from complydesk.errors import ComplydeskError, InvalidInput
from complydesk.notify import Outbox
from complydesk.rights import requests as rq
from complydesk.rights.common import new_ref, record
from complydesk.rights.verification import (
    Check,
    check_code,
    code_key,
    codes_sent_today,
    send_code,
)
from complydesk.store.db import transaction
from complydesk.store.models import SubjectRequest
from complydesk.vault import BlindKind
from complydesk.web.i18n import pick_lang
from complydesk.web.privacy_strings import strings

log = logging.getLogger("complydesk.rights")
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(
    directory=Path(__file__).resolve().parents[2] / "web" / "templates"
)

MAX_CODES_PER_DAY: Final = 5
# Operational limits (not legal figures): attempts per address per window.
SUBMITS_PER_ADDRESS: Final = (10, 3600.0)
VERIFIES_PER_ADDRESS: Final = (20, 600.0)
ACTOR: Final = "public"
FORM_TYPES: Final = (
    "access",
    "portability",
    "erasure",
    "rectification",
    "restriction",
    "objection",
)


class PortalGuard:
    """Per-address limits of the public form, one instance per app."""

    def __init__(
        self,
        submits: tuple[int, float] = SUBMITS_PER_ADDRESS,
        verifies: tuple[int, float] = VERIFIES_PER_ADDRESS,
    ) -> None:
        self.windows = {
            "submit": SlidingWindow(*submits),
            "verify": SlidingWindow(*verifies),
        }

    def admit(self, action: str, address: str) -> int | None:
        """Count an attempt; seconds to wait if it must be refused, else None."""
        window = self.windows[action]
        now = time.monotonic()
        wait = window.retry_after(address, now)
        if wait is None:
            window.hit(address, now)
        return wait


_GUARD_LOCK = threading.Lock()


def guard_for(state: Any) -> PortalGuard:
    """The guard kept on the app's state (one per app, so tests stay apart)."""
    with _GUARD_LOCK:
        guard = getattr(state, "privacy_guard", None)
        if guard is None:
            guard = PortalGuard()
            state.privacy_guard = guard
        return guard


def _throttled(
    request: Request, name: str, lang: str, wait: int, **data: Any
) -> HTMLResponse:
    log.info("privacy form rate-limited", extra={"page": name})
    response = _render(request, name, lang, status=429, too_many=True, **data)
    response.headers["Retry-After"] = str(wait)
    return response


def _render(
    request: Request, name: str, lang: str, status: int = 200, **data: Any
) -> HTMLResponse:
    context = {"s": strings(lang), "lang": lang, **data}
    return templates.TemplateResponse(request, name, context, status_code=status)


def _lang(value: str | None) -> str:
    return pick_lang(value, None)


@router.get("/privacy")
def form(request: Request, lang: str | None = None) -> HTMLResponse:
    return _render(
        request,
        "privacy_form.html",
        _lang(lang),
        types=FORM_TYPES,
        scopes=rq.SCOPES,
        error=None,
    )


@router.post("/privacy/requests")
def submit(
    request: Request,
    ctx: ContextDep,
    type: Annotated[str, Form(max_length=16)],
    kind: Annotated[str, Form(max_length=8)],
    identifier: Annotated[str, Form(max_length=254)],
    scope: Annotated[str, Form(max_length=32)] = "",
    details: Annotated[str, Form(max_length=2000)] = "",
    lang: Annotated[str, Form(max_length=4)] = "zh",
) -> HTMLResponse:
    """Register the request if one record matches; always the same answer."""
    lang = _lang(lang)
    wait = guard_for(request.app.state).admit("submit", client_address(request))
    if wait is not None:
        return _throttled(
            request,
            "privacy_form.html",
            lang,
            wait,
            types=FORM_TYPES,
            scopes=rq.SCOPES,
            error=None,
        )
    try:
        if type not in FORM_TYPES:
            raise InvalidInput("choose a request type from the list")
        if kind not in ("phone", "email"):
            raise InvalidInput("choose phone or e-mail")
        chosen_scope = scope or None
        if type in ("restriction", "objection") and chosen_scope not in rq.SCOPES:
            raise InvalidInput("choose which use of your data this is about")
        if type not in ("restriction", "objection"):
            chosen_scope = None
        ctx.vault.lookup_index(BlindKind(kind), identifier)  # validates the format
    except InvalidInput as exc:
        return _render(
            request,
            "privacy_form.html",
            lang,
            status=422,
            types=FORM_TYPES,
            scopes=rq.SCOPES,
            error=exc.detail,
        )
    ref = _intake(
        ctx, type, chosen_scope, BlindKind(kind), identifier, details.strip(), lang
    )
    return _render(request, "privacy_verify.html", lang, ref=ref, failed=False)


def _intake(
    ctx: AppContext,
    type_: str,
    scope: str | None,
    kind: BlindKind,
    identifier: str,
    details: str,
    lang: str,
) -> str:
    """The ref to show: a real request's, or a decoy when nothing matched."""
    decoy = new_ref("R")
    try:
        with transaction(ctx.sessions) as session:
            found = [
                c
                for c in find_customers(session, ctx.vault, kind, identifier)
                if c.erased_at is None
            ]
            if len(found) != 1:
                record(
                    session,
                    ctx.audit,
                    ACTOR,
                    "rights.intake.unmatched",
                    "rights_requests",
                    "-",
                    details={"type": type_, "matches": len(found)},
                )
                return decoy
            customer = found[0]
            now = ctx.clock()
            if codes_sent_today(session, customer.id, now) >= MAX_CODES_PER_DAY:
                record(
                    session,
                    ctx.audit,
                    ACTOR,
                    "rights.intake.throttled",
                    "customers",
                    customer.id,
                    outcome="denied",
                )
                return decoy
            existing = session.scalar(
                select(SubjectRequest).where(
                    SubjectRequest.customer_id == customer.id,
                    SubjectRequest.type == type_,
                    SubjectRequest.scope.is_(None)
                    if scope is None
                    else SubjectRequest.scope == scope,
                    SubjectRequest.channel == "web",
                    SubjectRequest.status == rq.PENDING,
                    SubjectRequest.received_at > now - timedelta(days=1),
                )
            )
            subject_request = existing or rq.create_request(
                session,
                ctx.vault,
                ctx.audit,
                ctx.settings,
                ACTOR,
                customer,
                type_,
                scope=scope,
                details=details or None,
                channel="web",
            )
            if subject_request.status == rq.PENDING:
                send_code(
                    session,
                    ctx.vault,
                    ctx.audit,
                    Outbox.from_settings(ctx.settings, ctx.clock),
                    code_key(ctx.settings),
                    ACTOR,
                    subject_request,
                    customer,
                    lang=lang,
                )
            return subject_request.ref
    except ComplydeskError as exc:
        # Same page either way; staff see the failure in the log (type only).
        log.warning("privacy intake failed", extra={"error": type(exc).__name__})
        return decoy


@router.post("/privacy/verify")
def verify(
    request: Request,
    ctx: ContextDep,
    ref: Annotated[str, Form(max_length=32)],
    code: Annotated[str, Form(max_length=12)],
    lang: Annotated[str, Form(max_length=4)] = "zh",
) -> HTMLResponse:
    """Check the code; every failure reads the same, attempts are counted."""
    lang = _lang(lang)
    wait = guard_for(request.app.state).admit("verify", client_address(request))
    if wait is not None:
        return _throttled(
            request, "privacy_verify.html", lang, wait, ref=ref, failed=True
        )
    due: str | None = None
    result = Check.WRONG
    try:
        with transaction(ctx.sessions) as session:
            subject_request = rq.find_request(session, ref)
            result = check_code(
                session,
                ctx.audit,
                code_key(ctx.settings),
                ACTOR,
                subject_request,
                code,
            )
            clock = rq.clock_of(subject_request)
            if result is Check.OK and clock is not None:
                local = clock.due_at().astimezone(clock.tz)
                due = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
    except ComplydeskError:  # unknown ref, malformed code: the same answer
        result = Check.WRONG
    if result is not Check.OK:
        return _render(
            request, "privacy_verify.html", lang, status=401, ref=ref, failed=True
        )
    return _render(request, "privacy_done.html", lang, ref=ref, due=due)
