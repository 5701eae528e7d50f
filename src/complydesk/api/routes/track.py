"""Public, unauthenticated: ticket tracking, the complaint process, statistics.

Tracking needs the code and the last four digits of the contact phone; an
unknown code and a wrong verification get the same 404 body, and attempts
are rate-limited per client address and per code (429 with Retry-After).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from complydesk.api.deps import AppContext, ContextDep, ReadSessionDep
from complydesk.api.problems import problem
from complydesk.api.schemas.desk import TrackResult
from complydesk.desk import stats, tracking
from complydesk.errors import InvalidInput
from complydesk.policy import PolicyPack, available_packs, load_pack

router = APIRouter(tags=["public"])

Last4 = Annotated[
    str,
    Query(
        pattern=r"^\d{4}$",
        description="The last four digits of the contact phone given at intake.",
    ),
]


def client_address(request: Request) -> str:
    """The peer address; behind a proxy, configure the proxy to pass it through."""
    return request.client.host if request.client else "unknown"


@router.get(
    "/v1/track/{code}",
    response_model=TrackResult,
    responses={404: {"description": "Unknown code or wrong digits (same answer)"}},
)
def track(
    code: Annotated[str, Path(max_length=40)],
    last4: Last4,
    request: Request,
    session: ReadSessionDep,
) -> Any:
    """A ticket's customer-visible timeline: no staff names, no internal notes."""
    guard = tracking.guard_for(request.app.state)
    outcome = tracking.attempt(guard, client_address(request), session, code, last4)
    if outcome.ticket is not None:
        return TrackResult.model_validate(outcome.ticket.to_dict())
    if outcome.retry_after is not None:
        response = problem(429, "Too many requests", "too many attempts; wait")
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    return problem(404, "Not found", tracking.NOT_FOUND)


def public_pack(ctx: AppContext, name: str | None) -> PolicyPack:
    """The pack a public page speaks for: the default unless one is named."""
    name = name or ctx.settings.default_pack
    known = available_packs(ctx.settings.policy_dir)
    if name not in known:
        raise InvalidInput(f"pack must be one of {', '.join(known)}")
    return load_pack(name, ctx.settings.policy_dir)


@router.get("/v1/public/complaint-handling")
def complaint_handling(
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    pack: Annotated[str | None, Query(max_length=32)] = None,
) -> JSONResponse:
    """How complaints are handled (from the policy pack) and anonymised outcomes."""
    data = stats.complaint_handling(
        session,
        public_pack(ctx, pack),
        ctx.clock(),
        stats.cache_for(request.app.state),
    )
    return JSONResponse(jsonable_encoder(data))
