"""Demo data for the assistant: the demo chat's AI state, a decision, a review.

Called by complydesk.demo after the demo conversation exists: the chat began
with the disclosure, the customer asked for a person (转人工) and an agent
answered, so its state is `human` with one hand-off and its time to human.
The decision is DEMO-C002's earphone return, ten days after delivery: refused
under the cn pack's 7-day window, with a review the customer asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.assistant.decisions import load_policy, record_decision, request_review
from complydesk.assistant.disclosure import message_label
from complydesk.audit import AuditLog
from complydesk.policy import load_pack
from complydesk.settings import Settings
from complydesk.store.models import (
    AiConversation,
    AiHandoff,
    AiMessageLabel,
    Conversation,
    Customer,
    Message,
)
from complydesk.vault import Vault


def load_ai_demo(
    session: Session,
    settings: Settings,
    audit: AuditLog,
    vault: Vault,
    customer: Customer,
    now: datetime,
) -> None:
    pack = load_pack(
        customer.jurisdiction or settings.default_pack, settings.policy_dir
    )
    conversation = session.scalar(
        select(Conversation).where(Conversation.customer_id == customer.id).limit(1)
    )
    if conversation is not None:
        messages = list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.created_at, Message.id)
            )
        )
        state = AiConversation(
            conversation_id=conversation.id,
            customer_id=customer.id,
            pack=pack.pack,
            pack_version=pack.version,
            pack_hash=pack.content_hash,
            backend="faq",
            state="human",
            started_at=conversation.started_at,
            disclosed_at=conversation.started_at,
            last_activity_at=messages[-1].created_at if messages else now,
            nlu_failures=0,
            bot_turns=sum(m.sender == "bot" for m in messages),
        )
        session.add(state)
        session.flush()
        for index, message in enumerate(m for m in messages if m.ai_generated):
            session.add(
                AiMessageLabel(
                    message_id=message.id,
                    label=message_label(pack),
                    kind="disclosure" if index == 0 else "answer",
                    backend="faq",
                    model=None,
                    pack=pack.pack,
                    pack_version=pack.version,
                    confidence=None if index == 0 else 1.0,
                )
            )
        asked = next((m for m in messages if m.sender == "customer"), None)
        answered = next((m for m in messages if m.sender == "agent"), None)
        if asked is not None and answered is not None:
            requested = asked.created_at + timedelta(seconds=40)
            session.add(
                AiHandoff(
                    ai_conversation_id=state.id,
                    reason="explicit_request",
                    reasons=["explicit_request: asks for a human"],
                    queue="ai_handoff",
                    requested_at=requested,
                    expected_wait_seconds=120,
                    human_replied_at=answered.created_at,
                    agent="agent",
                    time_to_human_seconds=(
                        answered.created_at - requested
                    ).total_seconds(),
                )
            )
    policy = load_policy("refund_eligibility", pack)
    decision, _ = record_decision(
        session,
        vault,
        audit,
        policy=policy,
        pack=pack,
        customer_id=customer.id,
        raw_inputs={
            "delivered_on": (now - timedelta(days=10)).date().isoformat(),
            "category": "electronics",
            "condition": "opened_intact",
            "amount_cny": 299,
        },
        audit_groups={"region": "east", "tier": "standard"},
        actor="helpdesk-bot",
        now=now,
        conversation_id=conversation.id if conversation else None,
    )
    request_review(
        session,
        vault,
        audit,
        decision.id,
        statement="快递延误了三天才送到，希望从实际可用的日期算起。",
        actor="helpdesk-bot",
        now=now,
    )
