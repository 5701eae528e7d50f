"""The chat flow: disclose, answer, hand off to a human, step back once a human replied.

A conversation is a desk conversation (`conversations` + `messages`, every
message sealed through the vault under the customer's data key) plus one
`ai_conversations` row with the assistant's state:

    bot ──trigger, request, agent joins──▶ waiting_human ──first human reply──▶ human

* `start` writes the pack's disclosure as the first message (it cannot be
  switched off where the pack requires it).
* `customer_message` stores the message, runs the hand-off detector, and, in
  state `bot`, asks the backend; every bot reply passes the speech check as a
  bot (a reply claiming to be human is replaced) and carries the visible label
  and the machine-readable AI metadata. In `waiting_human` the bot only
  repeats the expected wait; in `human` it says nothing.
* A hand-off records the reason, the queue and the expected wait, tells the
  customer, and is audited; the masked transcript is what the agent sees.
* The first human reply records the time to reach a human, an audited,
  reportable compliance event (`ai.handoff.human_reached`).

Audit entries and hand-off records carry ids, triggers and cue names, never
the customer's words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complydesk.assistant.backends import Backend, BackendError, language_of
from complydesk.assistant.backends.openai_compat import TransferRefused
from complydesk.assistant.config import AssistantConfig
from complydesk.assistant.disclosure import (
    ai_metadata,
    disclosure_for,
    guard_reply,
    message_label,
)
from complydesk.assistant.handoff import HandoffDecision, HandoffDetector, Turn
from complydesk.audit import AuditEvent, AuditLog
from complydesk.clock import Clock
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.policy import available_packs, load_pack
from complydesk.policy.pack import PolicyPack
from complydesk.store.models import (
    AiConversation,
    AiHandoff,
    AiMessageLabel,
    Conversation,
    Customer,
    Message,
)
from complydesk.vault import ERASED, Vault

MAX_MESSAGE_CHARS = 4000
CHANNELS = ("web_chat", "app_chat", "wechat", "sms", "email", "api")
# System reasons a conversation goes to a human besides the pack's triggers.
CUSTOMER_REQUEST = "explicit_request"
AGENT_TAKEOVER = "agent_takeover"
BACKEND_UNAVAILABLE = "backend_unavailable"
TRANSFER_REFUSED = "transfer_refused"
NOTICE = {
    "zh": "正在为您转接人工客服，您前面还有{ahead}位，预计等待约{minutes}分钟。",
    "en": "Connecting you to a human agent: {ahead} ahead of you, about {minutes} "
    "min wait.",
}
HOLDING = {
    "zh": "人工客服马上就来，预计还需等待约{minutes}分钟。",
    "en": "A human agent will be with you shortly, about {minutes} min.",
}


TransferGate = Callable[[Session, str], str | None]
"""(session, data jurisdiction) -> None when the model call may go, else a reason."""


@dataclass(frozen=True)
class MessageView:
    """One message as the API shows it: masked body, and the AI label if any."""

    id: int
    sender: str
    body: str
    created_at: datetime
    ai_generated: bool
    label: str | None
    ai: dict[str, Any] | None


@dataclass(frozen=True)
class HandoffView:
    id: int
    reason: str
    reasons: list[str]
    queue: str
    requested_at: datetime
    expected_wait_seconds: int
    human_replied_at: datetime | None
    agent: str | None
    time_to_human_seconds: float | None


@dataclass
class ChatView:
    conversation_id: int
    customer_id: int
    state: str
    pack: str
    pack_version: str
    backend: str
    started_at: datetime
    messages: list[MessageView] = field(default_factory=list)
    handoff: HandoffView | None = None


@dataclass(frozen=True)
class TurnResult:
    """What one customer message caused: new messages and any hand-off."""

    replies: list[MessageView]
    handoff: HandoffView | None
    detected: HandoffDecision


class Assistant:
    """The assistant over one database session at a time; holds no data itself."""

    def __init__(
        self,
        vault: Vault,
        audit: AuditLog,
        clock: Clock,
        config: AssistantConfig,
        backend: Backend,
        *,
        default_pack: str = "baseline",
        policy_dir: Any = None,
        transfer_gate: TransferGate | None = None,
    ) -> None:
        self.vault = vault
        self.audit = audit
        self.clock = clock
        self.config = config
        self.backend = backend
        self.default_pack = default_pack
        self.policy_dir = policy_dir
        self.transfer_gate = transfer_gate
        self._detectors: dict[str, HandoffDetector] = {}

    # --- helpers --------------------------------------------------------------------
    def pack(self, name: str) -> PolicyPack:
        """A conversation's stored pack; gone from the deployment: 409, not 500."""
        if name not in available_packs(self.policy_dir):
            raise Conflict(
                f"policy pack {name} of this conversation is no longer installed"
            )
        return load_pack(name, self.policy_dir)

    def _start_pack(self, named: str | None, customer: Customer) -> PolicyPack:
        """The pack named by the caller, else the customer's jurisdiction's."""
        known = available_packs(self.policy_dir)
        if named is not None and named not in known:
            raise InvalidInput(f"unknown policy pack {named[:32]}")
        name = named or customer.jurisdiction or self.default_pack
        if name not in known:
            raise InvalidInput(
                f"customer {customer.id}: jurisdiction {name[:32]} has no policy "
                f"pack; name one as pack (one of {', '.join(sorted(known))})"
            )
        return load_pack(name, self.policy_dir)

    def detector(self, pack: PolicyPack) -> HandoffDetector:
        key = f"{pack.pack}:{pack.content_hash}"
        if key not in self._detectors:
            self._detectors[key] = HandoffDetector(
                pack.human_handoff, self.vault.detector
            )
        return self._detectors[key]

    def _state(self, session: Session, conversation_id: int) -> AiConversation:
        row = session.scalar(
            select(AiConversation)
            .where(AiConversation.conversation_id == conversation_id)
            .with_for_update()
        )
        if row is None:
            raise NotFound(f"AI conversation {conversation_id} does not exist")
        return row

    def _customer(self, session: Session, customer_id: int) -> Customer:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} does not exist")
        if customer.erased_at is not None or not customer.key_ref:
            raise Conflict(f"customer {customer_id} has been erased")
        return customer

    def _add(
        self,
        session: Session,
        state: AiConversation,
        key_ref: str,
        sender: str,
        text: str,
        *,
        ai: dict[str, Any] | None = None,
    ) -> Message:
        message = Message(
            conversation_id=state.conversation_id,
            sender=sender,
            ai_generated=ai is not None,
            created_at=self.clock(),
            key_ref=key_ref,
        )
        self.vault.put(session, message, {"body": text})
        session.add(message)
        session.flush()
        if ai is not None:
            session.add(
                AiMessageLabel(
                    message_id=message.id,
                    label=ai["label"],
                    kind=ai["kind"],
                    backend=ai["backend"],
                    model=ai["model"],
                    pack=ai["pack"],
                    pack_version=ai["pack_version"],
                    confidence=ai["confidence"],
                )
            )
        state.last_activity_at = self.clock()
        return message

    def _bot(
        self,
        session: Session,
        state: AiConversation,
        key_ref: str,
        text: str,
        kind: str,
        *,
        confidence: float | None = None,
        lang: str = "zh",
    ) -> Message:
        guarded = guard_reply(text, lang)
        if guarded.blocked:
            self.audit.record(
                session,
                AuditEvent(
                    actor="assistant",
                    action="ai.reply.blocked",
                    object_type="conversation",
                    object_id=str(state.conversation_id),
                    outcome="denied",
                    reason="the speech check blocked a bot reply",
                    details={"rules": ",".join(guarded.rules)[:200]},
                ),
            )
            kind = "replaced"
        pack = self.pack(state.pack)
        meta = ai_metadata(
            pack,
            kind=kind,
            backend=state.backend,
            model=self.backend.model if kind == "answer" else None,
            confidence=confidence,
        )
        state.bot_turns += 1
        return self._add(session, state, key_ref, "bot", guarded.text, ai=meta)

    # --- the flow -------------------------------------------------------------------
    def start(
        self,
        session: Session,
        customer_id: int,
        *,
        actor: str,
        pack_name: str | None = None,
        channel: str = "web_chat",
    ) -> ChatView:
        """A new conversation whose first message is the pack's AI disclosure."""
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        customer = self._customer(session, customer_id)
        pack = self._start_pack(pack_name, customer)
        disclosure = disclosure_for(pack, enabled=self.config.disclosure_enabled)
        now = self.clock()
        conversation = Conversation(
            customer_id=customer.id, channel=channel, started_at=now
        )
        session.add(conversation)
        session.flush()
        state = AiConversation(
            conversation_id=conversation.id,
            customer_id=customer.id,
            pack=pack.pack,
            pack_version=pack.version,
            pack_hash=pack.content_hash,
            backend=self.backend.name,
            state="bot",
            started_at=now,
            disclosed_at=now,
            last_activity_at=now,
            nlu_failures=0,
            bot_turns=0,
        )
        session.add(state)
        session.flush()
        assert customer.key_ref is not None
        self._bot(
            session,
            state,
            customer.key_ref,
            disclosure.text,
            "disclosure",
            lang=language_of(disclosure.text),
        )
        self.audit.record(
            session,
            AuditEvent(
                actor=actor,
                action="ai.conversation.start",
                object_type="conversation",
                object_id=str(conversation.id),
                outcome="ok",
                details={
                    "pack": pack.pack,
                    "pack_version": pack.version,
                    "backend": state.backend,
                    "disclosed": True,
                },
            ),
        )
        return self.view(session, conversation.id)

    def customer_message(
        self, session: Session, conversation_id: int, text: str, *, actor: str
    ) -> TurnResult:
        """Store the customer's message and answer it, or hand off, or stay quiet."""
        text = _checked_text(text)
        state = self._state(session, conversation_id)
        if state.state == "closed":
            raise Conflict(f"conversation {conversation_id} is closed")
        customer = self._customer(session, state.customer_id)
        assert customer.key_ref is not None
        history = self._history(session, conversation_id)
        self._add(session, state, customer.key_ref, "customer", text)
        pack = self.pack(state.pack)
        lang = language_of(text)
        replies: list[Message] = []
        handoff: AiHandoff | None = None
        detected = HandoffDecision()
        if state.state == "bot":
            elapsed = (self.clock() - state.started_at).total_seconds()
            detected = self.detector(pack).detect(
                text, history, elapsed_seconds=elapsed, nlu_failures=None
            )
            if detected.handoff:
                reason = detected.reason
                assert reason is not None
                handoff = self._hand_off(
                    session,
                    state,
                    customer.key_ref,
                    reason,
                    [str(r) for r in detected.reasons],
                    actor,
                    lang,
                    replies,
                )
            else:
                self._answer(
                    session, state, customer, text, history, lang, actor, replies
                )
                handoff = self._open_handoff(session, state)
        elif state.state == "waiting_human":
            handoff = self._open_handoff(session, state)
            wait = self._wait(session, handoff) if handoff else 0
            replies.append(
                self._bot(
                    session,
                    state,
                    customer.key_ref,
                    HOLDING[lang].format(minutes=_minutes(wait)),
                    "handoff_notice",
                    lang=lang,
                )
            )
        session.flush()
        return TurnResult(
            [self._message_view(session, m) for m in replies],
            _handoff_view(handoff) if handoff else None,
            detected,
        )

    def _answer(
        self,
        session: Session,
        state: AiConversation,
        customer: Customer,
        text: str,
        history: list[Turn],
        lang: str,
        actor: str,
        replies: list[Message],
    ) -> None:
        assert customer.key_ref is not None
        if self.transfer_gate is not None:
            refused = self.transfer_gate(session, state.pack)
            if refused is not None:
                self.audit.record(
                    session,
                    AuditEvent(
                        actor=actor,
                        action="ai.transfer.refused",
                        object_type="conversation",
                        object_id=str(state.conversation_id),
                        outcome="refused",
                        reason=refused[:200],
                        details={"backend": state.backend},
                    ),
                )
                reasons = [f"{TRANSFER_REFUSED}: {refused}"[:120]]
                self._hand_off(
                    session,
                    state,
                    customer.key_ref,
                    TRANSFER_REFUSED,
                    reasons,
                    actor,
                    lang,
                    replies,
                )
                return
        try:
            answer = self.backend.answer(
                str(state.conversation_id),
                text,
                history,
                lang=lang,
                jurisdiction=state.pack,
            )
        except TransferRefused:
            self._hand_off(
                session,
                state,
                customer.key_ref,
                TRANSFER_REFUSED,
                [TRANSFER_REFUSED],
                actor,
                lang,
                replies,
            )
            return
        except BackendError:
            self._hand_off(
                session,
                state,
                customer.key_ref,
                BACKEND_UNAVAILABLE,
                [BACKEND_UNAVAILABLE],
                actor,
                lang,
                replies,
            )
            return
        delivered = getattr(self.transfer_gate, "delivered", None)
        if delivered is not None:  # complydesk.transfer.live counts the customer
            delivered(session, state.pack, customer)
        state.nlu_failures = 0 if answer.understood else state.nlu_failures + 1
        replies.append(
            self._bot(
                session,
                state,
                customer.key_ref,
                answer.text,
                "answer" if answer.understood else "fallback",
                confidence=answer.confidence,
                lang=lang,
            )
        )
        pack = self.pack(state.pack)
        limit = pack.human_handoff.nlu_failure_limit.value
        if (
            "nlu_failures" in pack.human_handoff.triggers.value
            and state.nlu_failures >= limit
        ):
            self._hand_off(
                session,
                state,
                customer.key_ref,
                "nlu_failures",
                [f"nlu_failures: {state.nlu_failures} failures to understand"],
                actor,
                lang,
                replies,
            )

    def request_handoff(
        self,
        session: Session,
        conversation_id: int,
        *,
        actor: str,
        reason: str = CUSTOMER_REQUEST,
    ) -> HandoffView:
        """Hand off now (the customer pressed "human"); idempotent while open."""
        state = self._state(session, conversation_id)
        existing = self._open_handoff(session, state)
        if existing is None and state.state == "human":
            existing = self._last_handoff(session, state)  # a person is here already
        if existing is not None:
            return _handoff_view(existing)
        if state.state == "closed":
            raise Conflict(f"conversation {conversation_id} is closed")
        customer = self._customer(session, state.customer_id)
        assert customer.key_ref is not None
        replies: list[Message] = []
        lang = language_of(self.pack(state.pack).ai_disclosure.wording.value)
        handoff = self._hand_off(
            session,
            state,
            customer.key_ref,
            reason,
            [f"{reason}: asked through the channel"],
            actor,
            lang,
            replies,
        )
        return _handoff_view(handoff)

    def _hand_off(
        self,
        session: Session,
        state: AiConversation,
        key_ref: str,
        reason: str,
        reasons: list[str],
        actor: str,
        lang: str,
        replies: list[Message],
    ) -> AiHandoff:
        now = self.clock()
        handoff = AiHandoff(
            ai_conversation_id=state.id,
            reason=reason,
            reasons=reasons[:10],
            queue=self.config.handoff_queue,
            requested_at=now,
            expected_wait_seconds=0,
        )
        session.add(handoff)
        session.flush()
        ahead = self._ahead(session, handoff)
        handoff.expected_wait_seconds = self._wait_for(ahead + 1)
        state.state = "waiting_human"
        notice = NOTICE[lang].format(
            ahead=ahead, minutes=_minutes(handoff.expected_wait_seconds)
        )
        replies.append(
            self._bot(session, state, key_ref, notice, "handoff_notice", lang=lang)
        )
        self.audit.record(
            session,
            AuditEvent(
                actor=actor,
                action="ai.handoff",
                object_type="conversation",
                object_id=str(state.conversation_id),
                outcome="ok",
                reason=f"hand-off trigger {reason}",
                details={
                    "handoff": handoff.id,
                    "queue": handoff.queue,
                    "expected_wait_seconds": handoff.expected_wait_seconds,
                },
            ),
        )
        return handoff

    def _ahead(self, session: Session, handoff: AiHandoff) -> int:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AiHandoff)
                .where(
                    AiHandoff.queue == handoff.queue,
                    AiHandoff.human_replied_at.is_(None),
                    AiHandoff.id < handoff.id,
                )
            )
            or 0
        )

    def _wait_for(self, position: int) -> int:
        per = self.config.average_handle_seconds / self.config.agents_on_duty
        return int(math.ceil(position * per))

    def _wait(self, session: Session, handoff: AiHandoff) -> int:
        return self._wait_for(self._ahead(session, handoff) + 1)

    def human_reply(
        self, session: Session, conversation_id: int, text: str, *, agent: str
    ) -> TurnResult:
        """A person answers; the bot falls silent and the time to human is recorded."""
        text = _checked_text(text)
        state = self._state(session, conversation_id)
        if state.state == "closed":
            raise Conflict(f"conversation {conversation_id} is closed")
        customer = self._customer(session, state.customer_id)
        assert customer.key_ref is not None
        handoff = self._open_handoff(session, state)
        if handoff is None and state.state == "bot":
            handoff = AiHandoff(
                ai_conversation_id=state.id,
                reason=AGENT_TAKEOVER,
                reasons=[f"{AGENT_TAKEOVER}: an agent joined"],
                queue=self.config.handoff_queue,
                requested_at=self.clock(),
                expected_wait_seconds=0,
            )
            session.add(handoff)
            session.flush()
        message = self._add(session, state, customer.key_ref, "agent", text)
        if handoff is not None:
            now = self.clock()
            handoff.human_replied_at = now
            handoff.agent = agent[:120]
            handoff.time_to_human_seconds = round(
                (now - handoff.requested_at).total_seconds(), 3
            )
            self.audit.record(
                session,
                AuditEvent(
                    actor=agent,
                    action="ai.handoff.human_reached",
                    object_type="conversation",
                    object_id=str(conversation_id),
                    outcome="ok",
                    reason=f"hand-off trigger {handoff.reason}",
                    details={
                        "handoff": handoff.id,
                        "time_to_human_seconds": handoff.time_to_human_seconds,
                        "expected_wait_seconds": handoff.expected_wait_seconds,
                    },
                ),
            )
        state.state = "human"
        session.flush()
        last = handoff or self._last_handoff(session, state)
        return TurnResult(
            [self._message_view(session, message)],
            _handoff_view(last) if last else None,
            HandoffDecision(),
        )

    def _open_handoff(
        self, session: Session, state: AiConversation
    ) -> AiHandoff | None:
        return session.scalar(
            select(AiHandoff)
            .where(
                AiHandoff.ai_conversation_id == state.id,
                AiHandoff.human_replied_at.is_(None),
            )
            .order_by(AiHandoff.id.desc())
            .limit(1)
        )

    def _last_handoff(
        self, session: Session, state: AiConversation
    ) -> AiHandoff | None:
        return session.scalar(
            select(AiHandoff)
            .where(AiHandoff.ai_conversation_id == state.id)
            .order_by(AiHandoff.id.desc())
            .limit(1)
        )

    def _history(self, session: Session, conversation_id: int) -> list[Turn]:
        """Earlier turns in plaintext, for the detector and the backend only."""
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at, Message.id)
        )
        turns = []
        for row in rows:
            body = self.vault.reveal(row, ["body"])["body"]
            if body is None or body == ERASED:
                continue
            role = row.sender if row.sender in ("customer", "bot", "agent") else "bot"
            turns.append(Turn(role, body))  # type: ignore[arg-type]
        return turns

    # --- read side ------------------------------------------------------------------
    def _message_view(self, session: Session, message: Message) -> MessageView:
        label = session.scalar(
            select(AiMessageLabel).where(AiMessageLabel.message_id == message.id)
        )
        return _to_view(message, label)

    def view(self, session: Session, conversation_id: int) -> ChatView:
        """The conversation with masked messages and each AI message's labels."""
        state = session.scalar(
            select(AiConversation).where(
                AiConversation.conversation_id == conversation_id
            )
        )
        if state is None:
            raise NotFound(f"AI conversation {conversation_id} does not exist")
        rows = session.execute(
            select(Message, AiMessageLabel)
            .outerjoin(AiMessageLabel, AiMessageLabel.message_id == Message.id)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at, Message.id)
        ).all()
        last = self._last_handoff(session, state)
        return ChatView(
            conversation_id=conversation_id,
            customer_id=state.customer_id,
            state=state.state,
            pack=state.pack,
            pack_version=state.pack_version,
            backend=state.backend,
            started_at=state.started_at,
            messages=[_to_view(m, label) for m, label in rows],
            handoff=_handoff_view(last) if last else None,
        )

    def waiting(self, session: Session, queue: str | None = None) -> list[ChatView]:
        """Conversations waiting for a human, oldest first, with masked transcripts."""
        query = (
            select(AiConversation.conversation_id)
            .join(AiHandoff, AiHandoff.ai_conversation_id == AiConversation.id)
            .where(AiHandoff.human_replied_at.is_(None))
            .order_by(AiHandoff.requested_at, AiHandoff.id)
        )
        if queue is not None:
            query = query.where(AiHandoff.queue == queue)
        ids = list(dict.fromkeys(session.scalars(query)))
        return [self.view(session, cid) for cid in ids]


def _to_view(message: Message, label: AiMessageLabel | None) -> MessageView:
    ai = None
    if label is not None:
        ai = {
            "ai_generated": True,
            "label": label.label,
            "kind": label.kind,
            "backend": label.backend,
            "model": label.model,
            "confidence": label.confidence,
            "pack": label.pack,
            "pack_version": label.pack_version,
        }
    return MessageView(
        id=message.id,
        sender=message.sender,
        body=message.body_masked if message.body_masked is not None else ERASED,
        created_at=message.created_at,
        ai_generated=message.ai_generated,
        label=label.label if label is not None else None,
        ai=ai,
    )


def _handoff_view(row: AiHandoff) -> HandoffView:
    return HandoffView(
        id=row.id,
        reason=row.reason,
        reasons=list(row.reasons or []),
        queue=row.queue,
        requested_at=row.requested_at,
        expected_wait_seconds=row.expected_wait_seconds,
        human_replied_at=row.human_replied_at,
        agent=row.agent,
        time_to_human_seconds=row.time_to_human_seconds,
    )


def _checked_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text must not be empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"text is longer than {MAX_MESSAGE_CHARS} characters")
    return text


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


__all__ = [
    "Assistant",
    "ChatView",
    "HandoffView",
    "MessageView",
    "TurnResult",
    "message_label",
]
