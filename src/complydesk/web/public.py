"""Public pages (no login): ticket tracking and the complaint-handling page.

Chinese by default, English with ?lang=en, like the console. The tracking form
posts the code and digits, so neither lands in a URL or an access log; the
answer follows the API's rules (same page for an unknown code and wrong
digits, 429 when rate-limited).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from complydesk.api.deps import ContextDep, ReadSessionDep
from complydesk.api.routes.track import client_address, public_pack
from complydesk.desk import stats, tracking
from complydesk.web.i18n import pick_lang, translator

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)

LANG_COOKIE = "complydesk_lang"
WORDS: dict[str, dict[str, str]] = {
    "track_title": {"zh": "工单进度查询", "en": "Track your request"},
    "code": {"zh": "查询码", "en": "Tracking code"},
    "last4": {"zh": "联系电话后四位", "en": "Last four digits of your phone"},
    "query": {"zh": "查询", "en": "Track"},
    "not_found": {
        "zh": "未找到与该查询码和验证信息匹配的工单。",
        "en": "No request matches this tracking code and verification.",
    },
    "too_many": {
        "zh": "尝试次数过多，请稍后再试。",
        "en": "Too many attempts; please try again later.",
    },
    "timeline": {"zh": "处理进度", "en": "Progress"},
    "due_first": {"zh": "首次答复时限", "en": "First response due"},
    "due_resolution": {"zh": "解决时限", "en": "Resolution due"},
    "handling_title": {"zh": "投诉处理流程与统计", "en": "Complaint handling"},
    "process": {"zh": "处理流程", "en": "How we handle requests"},
    "targets": {"zh": "时限", "en": "Time limits"},
    "first_response": {"zh": "首次答复", "en": "First response"},
    "resolution": {"zh": "解决", "en": "Resolution"},
    "pauses": {"zh": "等待客户回复时暂停", "en": "Paused while we wait for you"},
    "legal_limit": {"zh": "法定投诉处理时限", "en": "Legal complaint limit"},
    "statistics": {
        "zh": "统计（近一年，匿名）",
        "en": "Statistics (last year, anonymised)",
    },
    "total": {"zh": "合计", "en": "Total"},
    "suppressed": {
        "zh": "“—”表示样本过少，为保护个人信息不予公布（少于 {k} 件）。",
        "en": "“—” means too few requests to publish without singling anyone "
        "out (fewer than {k}).",
    },
    "hours_first": {"zh": "首次答复用时（小时）", "en": "Hours to first response"},
    "hours_resolution": {"zh": "解决用时（小时）", "en": "Hours to resolution"},
    "median": {"zh": "中位数", "en": "Median"},
    "p90": {"zh": "90 分位", "en": "90th percentile"},
    "category": {"zh": "产品类别", "en": "Category"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
}
NAMES: dict[str, dict[str, str]] = {
    "submitted": {"zh": "已提交", "en": "Submitted"},
    "accepted": {"zh": "已受理", "en": "Accepted"},
    "in_progress": {"zh": "处理中", "en": "In progress"},
    "waiting_customer": {"zh": "待您回复", "en": "Waiting for you"},
    "resolved": {"zh": "已解决", "en": "Resolved"},
    "closed": {"zh": "已关闭", "en": "Closed"},
    "complaint": {"zh": "投诉", "en": "Complaint"},
    "return_refund": {"zh": "退货退款", "en": "Return or refund"},
    "repair": {"zh": "维修", "en": "Repair"},
    "delivery": {"zh": "物流配送", "en": "Delivery"},
    "billing": {"zh": "账单费用", "en": "Billing"},
    "inquiry": {"zh": "咨询", "en": "Inquiry"},
    "created": {"zh": "工单已提交", "en": "Request received"},
    "status": {"zh": "状态更新", "en": "Status changed"},
    "reopen": {"zh": "工单已重新打开", "en": "Request reopened"},
    "reply": {"zh": "客服答复", "en": "Reply from customer service"},
    "other": {"zh": "其他", "en": "Other"},
}


def _render(
    request: Request, name: str, status: int = 200, **data: Any
) -> HTMLResponse:
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    words = {key: texts[lang] for key, texts in WORDS.items()}

    def label(key: str | None) -> str:
        if key is None:
            return "—"
        return NAMES.get(key, {}).get(lang, key)

    context = {
        "t": {**translator(lang), **words},
        "lang": lang,
        "me": None,
        "label": label,
        **data,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/track")
def track_form(request: Request) -> HTMLResponse:
    return _render(request, "track.html", found=None, failed=None)


@router.post("/track")
def track_result(
    request: Request,
    session: ReadSessionDep,
    code: Annotated[str, Form(max_length=40)],
    last4: Annotated[str, Form(max_length=4)],
) -> HTMLResponse:
    guard = tracking.guard_for(request.app.state)
    outcome = tracking.attempt(guard, client_address(request), session, code, last4)
    if outcome.ticket is not None:
        return _render(request, "track.html", found=outcome.ticket, failed=None)
    if outcome.retry_after is not None:
        response = _render(request, "track.html", 429, found=None, failed="too_many")
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    return _render(request, "track.html", 404, found=None, failed="not_found")


@router.get("/complaint-handling")
def complaint_handling_page(
    request: Request, ctx: ContextDep, session: ReadSessionDep, pack: str | None = None
) -> HTMLResponse:
    data = stats.complaint_handling(
        session,
        public_pack(ctx, pack),
        ctx.clock(),
        stats.cache_for(request.app.state),
    )
    return _render(request, "complaint_handling.html", **data)
