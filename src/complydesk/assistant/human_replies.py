"""A person's reply in a handed-off chat, speech-checked like every agent reply.

The API (`POST /v1/ai/conversations/{id}/human-replies`) and the console's
hand-off page both send through `send_human_reply`, so neither path can skip
the check: a `block` stops the reply, warn and block are audited by rule id
(`reply.check`, never the reply's text) and the compliance dashboard counts
them with the desk's own reply checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from complydesk.assistant.conversation import Assistant, TurnResult
from complydesk.audit import AuditEvent
from complydesk.speech.capabilities import load_capabilities
from complydesk.speech.finding import Verdict
from complydesk.speech.reply import check_reply


@dataclass(frozen=True)
class HumanReplyOutcome:
    """`result` is None when the check blocked the reply (nothing was sent)."""

    result: TurnResult | None
    verdict: Verdict


def check_human_reply(
    assistant: Assistant,
    text: str,
    capabilities_file: Path | None,
    lang: str | None = None,
) -> Verdict:
    """The agent reply check; a chat has no SLA clock, so no case facts."""
    return check_reply(
        text,
        role="agent",
        now=assistant.clock(),
        lang=lang,
        capabilities=load_capabilities(capabilities_file),
    )


def send_human_reply(
    assistant: Assistant,
    session: Session,
    conversation_id: int,
    text: str,
    *,
    agent: str,
    capabilities_file: Path | None,
) -> HumanReplyOutcome:
    """Check, then `Assistant.human_reply` unless blocked; audit the verdict."""
    verdict = check_human_reply(assistant, text, capabilities_file)
    result = None
    if verdict.verdict == "block":
        assistant.view(session, conversation_id)  # an unknown chat is a 404 first
    else:
        result = assistant.human_reply(session, conversation_id, text, agent=agent)
    if verdict.findings:
        # Last: on PostgreSQL the audit append holds the chain head to commit.
        assistant.audit.record(
            session,
            AuditEvent(
                actor=agent,
                action="reply.check",
                object_type="conversation",
                object_id=str(conversation_id),
                outcome=verdict.verdict,
                details={
                    "rules": ",".join(sorted({f.rule for f in verdict.findings}))[:200]
                },
            ),
        )
    return HumanReplyOutcome(result, verdict)
