"""Speech compliance: check one agent or bot reply before it is sent."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from complydesk.api.deps import ContextDep, PrincipalDep, SessionDep, require
from complydesk.audit import AuditEvent
from complydesk.identity import Permission
from complydesk.speech.capabilities import load_capabilities
from complydesk.speech.promises import CaseFacts
from complydesk.speech.reply import check_reply

router = APIRouter(prefix="/v1/speech", tags=["speech"])


class SpeechCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    role: Literal["agent", "bot"] = "agent"
    lang: Literal["zh", "en"] | None = Field(
        default=None, description="Detected from the text when omitted."
    )
    facts: CaseFacts | None = Field(
        default=None, description="The case's facts promises are checked against."
    )


@router.post("/check", dependencies=[require(Permission.SPEECH_CHECK)])
def check(
    body: SpeechCheckRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Verdict pass | warn | block with findings, reasons and compliant rewrites.

    A warn or block is a policy-relevant decision and is audited with its rule
    ids (never the reply's text).
    """
    verdict = check_reply(
        body.text,
        role=body.role,
        facts=body.facts,
        now=ctx.clock(),
        lang=body.lang,
        capabilities=load_capabilities(ctx.settings.capabilities_file),
    )
    if verdict.findings:
        rules = ",".join(sorted({f.rule for f in verdict.findings}))
        ctx.audit.record(
            session,
            AuditEvent(
                actor=principal.username,
                action="speech.check",
                object_type="reply",
                object_id=body.role,
                outcome=verdict.verdict,
                details={"rules": rules[:200]},
            ),
        )
    return verdict.to_dict()
