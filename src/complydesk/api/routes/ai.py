"""The AI assistant: conversations, hand-off to humans, decisions, reviews, fairness.

Thin shells over complydesk.assistant and complydesk.fairness. Customers reach
these routes only through the chat channel's service token (`ai.converse`);
agents take hand-offs (`ai.handoff`); decisions are evaluated by the channel or
staff (`ai.decide`) and reviewed by supervisors and compliance officers
(`ai.review`); fairness reports are aggregates (`ai.fairness`). Messages are
returned masked; every AI message carries its visible label and its
machine-readable AI metadata.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from complydesk.api.deps import (
    AppContext,
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.problems import problem
from complydesk.assistant import decisions as dec
from complydesk.assistant.conversation import CHANNELS, Assistant
from complydesk.assistant.human_replies import send_human_reply
from complydesk.assistant.service import build_assistant
from complydesk.desk.replies import public_finding
from complydesk.errors import InvalidInput
from complydesk.identity import Permission
from complydesk.policy import PolicyPack, available_packs, load_pack
from complydesk.store.models import AiDecision, AiDecisionReview

router = APIRouter(prefix="/v1/ai", tags=["ai"])

CONVERSE = require(Permission.AI_CONVERSE)
HANDOFF = require(Permission.AI_HANDOFF)
DECIDE = require(Permission.AI_DECIDE)
REVIEW = require(Permission.AI_REVIEW)
FAIRNESS = require(Permission.AI_FAIRNESS)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartBody(_Body):
    customer_id: int = Field(ge=1)
    pack: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$", max_length=32)
    channel: str = Field(
        default="web_chat", description=f"One of {', '.join(CHANNELS)}.", max_length=16
    )


class MessageBody(_Body):
    text: str = Field(min_length=1, max_length=4000)


class DecisionBody(_Body):
    policy: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    customer_id: int = Field(ge=1)
    inputs: dict[str, Any]
    audit_groups: dict[str, str] | None = Field(
        default=None,
        description="Coarse groups for fairness audits only (region, age band, "
        "gender, tier); the policy never sees them.",
    )
    conversation_id: int | None = Field(default=None, ge=1)
    pack: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$", max_length=32)


class ReviewRequestBody(_Body):
    statement: str | None = Field(
        default=None, max_length=2000, description="The person's point of view."
    )


class ReviewOutcomeBody(_Body):
    result: Literal["upheld", "overturned"]
    note: str = Field(min_length=8, max_length=2000)


def _pack(ctx: AppContext, name: str | None) -> PolicyPack:
    """A pack the caller named (unknown: 422), else the deployment's default."""
    chosen = name or ctx.settings.default_pack
    if chosen not in available_packs(ctx.settings.policy_dir):
        raise InvalidInput(f"unknown policy pack {chosen}")
    return load_pack(chosen, ctx.settings.policy_dir)


def _assistant(request: Request, ctx: AppContext) -> Assistant:
    """One assistant per app, built on first use (it loads the knowledge base)."""
    assistant: Assistant | None = getattr(request.app.state, "assistant", None)
    if assistant is None:
        assistant = build_assistant(ctx.settings, ctx.vault, ctx.audit, ctx.clock)
        request.app.state.assistant = assistant
    return assistant


@router.post(
    "/conversations", status_code=status.HTTP_201_CREATED, dependencies=[CONVERSE]
)
def start(
    body: StartBody,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Start a conversation; its first message is the pack's AI disclosure."""
    if body.pack is not None:
        _pack(ctx, body.pack)
    view = _assistant(request, ctx).start(
        session,
        body.customer_id,
        actor=principal.username,
        pack_name=body.pack,
        channel=body.channel,
    )
    return asdict(view)


@router.get("/conversations/{conversation_id}", dependencies=[CONVERSE])
def show(
    conversation_id: int, request: Request, session: ReadSessionDep, ctx: ContextDep
) -> dict[str, Any]:
    return asdict(_assistant(request, ctx).view(session, conversation_id))


@router.post("/conversations/{conversation_id}/messages", dependencies=[CONVERSE])
def customer_message(
    conversation_id: int,
    body: MessageBody,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """The customer's message; the bot answers, hands off, or stays quiet."""
    result = _assistant(request, ctx).customer_message(
        session, conversation_id, body.text, actor=principal.username
    )
    return {
        "replies": [asdict(m) for m in result.replies],
        "handoff": asdict(result.handoff) if result.handoff else None,
    }


@router.post("/conversations/{conversation_id}/handoff", dependencies=[CONVERSE])
def handoff(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """The customer asked for a person (a button in the channel); idempotent."""
    view = _assistant(request, ctx).request_handoff(
        session, conversation_id, actor=principal.username
    )
    return asdict(view)


@router.get("/handoffs", dependencies=[HANDOFF])
def waiting(
    request: Request,
    session: ReadSessionDep,
    ctx: ContextDep,
    queue: str | None = Query(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$"),
) -> list[dict[str, Any]]:
    """Conversations waiting for a person, oldest first, with masked transcripts."""
    return [asdict(v) for v in _assistant(request, ctx).waiting(session, queue)]


@router.post(
    "/conversations/{conversation_id}/human-replies",
    dependencies=[HANDOFF],
    responses={422: {"description": "Blocked by the speech check (findings)"}},
)
def human_reply(
    conversation_id: int,
    body: MessageBody,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> Any:
    """A person answers (speech-checked: a block is 422 with the findings).

    The bot stops and the time to reach a human is recorded.
    """
    outcome = send_human_reply(
        _assistant(request, ctx),
        session,
        conversation_id,
        body.text,
        agent=principal.username,
        capabilities_file=ctx.settings.capabilities_file,
    )
    findings = [public_finding(f) for f in outcome.verdict.findings]
    if outcome.result is None:
        # Returned, not raised: the audit entry of the block must commit.
        return problem(
            422,
            "Reply blocked",
            "the speech check blocked this reply; see findings for the rules, "
            "reasons and suggested rewrites",
            verdict=outcome.verdict.verdict,
            findings=findings,
        )
    return {
        "replies": [asdict(m) for m in outcome.result.replies],
        "handoff": asdict(outcome.result.handoff) if outcome.result.handoff else None,
        "verdict": outcome.verdict.verdict,
        "findings": findings,
    }


def _decision_public(row: AiDecision) -> dict[str, Any]:
    return {
        "id": row.id,
        "ref": row.ref,
        "customer_id": row.customer_id,
        "conversation_id": row.conversation_id,
        "policy": row.policy,
        "policy_version": row.policy_version,
        "policy_hash": row.policy_hash,
        "pack": row.pack,
        "pack_version": row.pack_version,
        "outcome": row.outcome,
        "favourable": row.favourable,
        "automated": True,
        "trace": row.trace,
        "inputs_masked": row.inputs_masked,
        "explanation": {
            "zh": row.explanation_zh_masked,
            "en": row.explanation_en_masked,
        },
        "review_state": row.review_state,
        "decided_at": row.decided_at,
        "decided_by": row.decided_by,
    }


def _review_public(row: AiDecisionReview) -> dict[str, Any]:
    return {
        "id": row.id,
        "decision_id": row.decision_id,
        "state": row.state,
        "requested_at": row.requested_at,
        "requested_by": row.requested_by,
        "statement_masked": row.statement_masked,
        "reviewed_at": row.reviewed_at,
        "reviewer": row.reviewer,
        "new_outcome": row.new_outcome,
        "reviewer_note_masked": row.reviewer_note_masked,
    }


@router.post("/decisions", status_code=status.HTTP_201_CREATED, dependencies=[DECIDE])
def decide(
    body: DecisionBody, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Evaluate a decision policy: outcome, rule trace, explanation in zh and en."""
    from complydesk.store.models import Customer

    customer = session.get(Customer, body.customer_id)
    pack_name = body.pack or (customer.jurisdiction if customer else None)
    if body.pack is None and pack_name is not None:
        if pack_name not in available_packs(ctx.settings.policy_dir):
            raise InvalidInput(
                f"customer {body.customer_id}: jurisdiction {pack_name[:32]} has "
                "no policy pack; name one as pack"
            )
    pack = _pack(ctx, pack_name)
    from complydesk.assistant.config import load_config

    config = load_config(ctx.settings.ai_config_file)
    policy = dec.load_policy(body.policy, pack, config.policy_dir)
    row, _ = dec.record_decision(
        session,
        ctx.vault,
        ctx.audit,
        policy=policy,
        pack=pack,
        customer_id=body.customer_id,
        raw_inputs=body.inputs,
        audit_groups=body.audit_groups,
        actor=principal.username,
        now=ctx.clock(),
        conversation_id=body.conversation_id,
    )
    return _decision_public(row)


@router.get("/decisions/{decision_id}", dependencies=[DECIDE])
def show_decision(decision_id: int, session: ReadSessionDep) -> dict[str, Any]:
    return _decision_public(dec.get_decision(session, decision_id))


@router.post("/decisions/{decision_id}/reviews", dependencies=[DECIDE])
def request_review(
    decision_id: int,
    body: ReviewRequestBody,
    response: Response,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """The person asks for human review (201); an open review is returned (200)."""
    review, created = dec.request_review(
        session,
        ctx.vault,
        ctx.audit,
        decision_id,
        statement=body.statement,
        actor=principal.username,
        now=ctx.clock(),
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _review_public(review)


@router.get("/reviews", dependencies=[REVIEW])
def reviews(
    session: ReadSessionDep,
    state: Literal["open", "upheld", "overturned", "all"] = "open",
) -> list[dict[str, Any]]:
    rows = dec.list_reviews(session, None if state == "all" else state)
    return [_review_public(r) for r in rows]


@router.post("/reviews/{review_id}/outcome", dependencies=[REVIEW])
def review_outcome(
    review_id: int,
    body: ReviewOutcomeBody,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """The reviewer's result; it becomes the decision's ground truth for audits."""
    review = dec.decide_review(
        session,
        ctx.vault,
        ctx.audit,
        review_id,
        result=body.result,
        note=body.note,
        reviewer=principal.username,
        now=ctx.clock(),
    )
    return _review_public(review)


@router.get("/fairness", dependencies=[FAIRNESS])
def fairness(
    session: ReadSessionDep,
    ctx: ContextDep,
    by: str = Query(
        min_length=1, max_length=200, pattern=r"^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$"
    ),
    policy: str | None = Query(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$"),
    pack: str | None = Query(default=None, pattern=r"^[a-z][a-z0-9-]*$"),
) -> dict[str, Any]:
    """Favourable rates per group, gaps, ratios, equalised odds and alerts."""
    from complydesk.fairness import audit_frame, load_decisions

    attributes = list(dict.fromkeys(by.split(",")))
    if len(attributes) > 4:
        raise InvalidInput("by names at most 4 attributes")
    chosen = _pack(ctx, pack)
    frame = load_decisions(session, attributes, policy)
    return audit_frame(frame, attributes, chosen, policy=policy).to_dict()
