"""Console pages: thin views over the same domain functions the API uses.

Pages authenticate with the session cookie. Without one they redirect to
/login (303); with a role that lacks the page's permission they answer 403,
and the denial is audited exactly as for the API.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from complydesk.api.deps import (
    SESSION_COOKIE,
    ContextDep,
    record_denial,
    resolve_principal,
)
from complydesk.audit import AuditEvent, recent_entries, verify_chain
from complydesk.identity import (
    Permission,
    Principal,
    authenticate,
    close_session,
    open_session,
)
from complydesk.policy import iter_cited, load_pack
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import Customer, Ticket
from complydesk.web.agent import router as agent_router
from complydesk.web.i18n import pick_lang, translator
from complydesk.web.public import router as public_router

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
router.routes.extend(public_router.routes)  # /track, /complaint-handling: no login
router.routes.extend(agent_router.routes)  # /console/agent/...: the agent desk

LANG_COOKIE = "complydesk_lang"


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login."""


class PageForbidden(Exception):
    """Raised by page dependencies; answered with an HTML 403 page."""


def page_principal(request: Request, ctx: ContextDep) -> Principal:
    principal = resolve_principal(request, ctx)
    if principal is None:
        raise LoginRequired
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def require_page(permission: Permission) -> Any:
    def check(request: Request, ctx: ContextDep, principal: PagePrincipal) -> Principal:
        if not principal.can(permission):
            record_denial(ctx, principal, permission.value, request.url.path)
            raise PageForbidden
        return principal

    check.permission = permission  # type: ignore[attr-defined]
    return Depends(check)


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    status: int = 200,
    **data: Any,
) -> HTMLResponse:
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    context = {
        "t": translator(lang),
        "lang": lang,
        "me": principal,
        "P": Permission,
        **data,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), failed=False)


@router.post("/login")
def login(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    with transaction(ctx.sessions) as session:
        principal = authenticate(session, username, password)
        outcome = "ok" if principal else "denied"
        ctx.audit.record(
            session,
            AuditEvent(
                actor=principal.username if principal else "anonymous",
                action="session.login",
                object_type="console",
                object_id="login",
                outcome=outcome,
            ),
        )
        if principal is None:
            return render(
                request,
                "login.html",
                None,
                status=401,
                next=_safe_next(next),
                failed=True,
            )
        ttl = ctx.settings.session_ttl_hours
        secret = open_session(session, principal, ctx.clock(), timedelta(hours=ttl))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, secret, httponly=True, samesite="strict", max_age=ttl * 3600
    )
    return response


@router.post("/logout")
def logout(request: Request, ctx: ContextDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with transaction(ctx.sessions) as session:
            close_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, principal: PagePrincipal) -> HTMLResponse:
    return render(request, "home.html", principal)


@router.get("/console/tickets", dependencies=[require_page(Permission.TICKETS_READ)])
def tickets_page(
    request: Request, ctx: ContextDep, principal: PagePrincipal
) -> HTMLResponse:
    with read_transaction(ctx.sessions) as session:
        rows = session.execute(
            select(Ticket, Customer.ref)
            .join(Customer, Customer.id == Ticket.customer_id)
            .order_by(Ticket.created_at.desc())
            .limit(200)
        ).all()
    return render(request, "tickets.html", principal, rows=rows)


@router.get("/console/policy", dependencies=[require_page(Permission.POLICY_READ)])
def policy_page(
    request: Request, ctx: ContextDep, principal: PagePrincipal, pack: str | None = None
) -> HTMLResponse:
    chosen = load_pack(pack or ctx.settings.default_pack, ctx.settings.policy_dir)
    return render(
        request, "policy.html", principal, pack=chosen, rows=list(iter_cited(chosen))
    )


@router.get("/console/audit", dependencies=[require_page(Permission.AUDIT_VERIFY)])
def audit_page(
    request: Request, ctx: ContextDep, principal: PagePrincipal
) -> HTMLResponse:
    with read_transaction(ctx.sessions) as session:
        report = verify_chain(session, ctx.audit.key)
        entries = recent_entries(session, 20)
    return render(request, "audit.html", principal, report=report, entries=entries)


def _safe_next(target: str) -> str:
    """Only local paths: an open redirect would help phishing."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(
            f"/login?next={quote(request.url.path)}", status_code=303
        )

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        return render(request, "forbidden.html", None, status=403)


# Pages built on render/require_page above; imported last since they import this.
from complydesk.web.chat import router as chat_router  # noqa: E402
from complydesk.web.dashboard import router as dashboard_router  # noqa: E402

router.routes.extend([*dashboard_router.routes, *chat_router.routes])
from complydesk.web.handoffs import router as handoffs_router  # noqa: E402

router.routes.extend(handoffs_router.routes)  # /console/handoffs: AI hand-offs
