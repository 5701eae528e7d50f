"""Replies to the customer and internal notes, and the reply-path compliance hook.

Both are free text: sealed by the vault under the customer's key, with a
masked copy for display. A reply first goes through
`complydesk.speech.reply.check_reply` with the ticket's facts (the SLA due
time), so a promise the case cannot keep is caught:

* `pass`: stored;
* `warn`: stored, findings returned to the agent;
* `block`: not stored, findings returned, unless someone holding
  `replies.override` gives a reason; the override is audited with the rule ids.

Every warn or block is audited with rule ids, never the reply's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent
from complydesk.desk import sla, timeline
from complydesk.desk.context import DeskContext
from complydesk.errors import Conflict, InvalidInput
from complydesk.notify import Outbox
from complydesk.speech.capabilities import load_capabilities
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.promises import CaseFacts
from complydesk.speech.reply import check_reply
from complydesk.store.models import Ticket, TicketMessage
from complydesk.vault import KeyErased
from complydesk.vault.records import MIN_REASON_CHARS

MAX_CHARS = 5000


@dataclass(frozen=True)
class ReplyOutcome:
    """What happened to a reply: stored (maybe with warnings) or blocked."""

    message: TicketMessage | None
    verdict: Verdict
    overridden: bool = False

    @property
    def blocked(self) -> bool:
        return self.message is None

    def findings(self) -> list[dict[str, Any]]:
        """Findings without the quoted text (offsets point into the reply)."""
        return [public_finding(f) for f in self.verdict.findings]


def public_finding(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data.pop("text", None)
    return data


def _text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text must not be empty")
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"text is longer than {MAX_CHARS} characters")
    return text


def _message(
    session: Session, ctx: DeskContext, ticket: Ticket, kind: str, actor: str, text: str
) -> TicketMessage:
    if not ticket.key_ref:
        raise Conflict("the customer of this ticket was erased; nothing can be added")
    message = TicketMessage(
        ticket_id=ticket.id,
        kind=kind,
        author=actor[:64],
        created_at=ctx.clock(),
        key_ref=ticket.key_ref,
    )
    try:
        ctx.vault.put(session, message, {"body": text})
    except KeyErased:
        raise Conflict(
            "the customer of this ticket was erased; nothing can be added"
        ) from None
    session.add(message)
    session.flush()
    return message


def add_note(
    session: Session, ctx: DeskContext, actor: str, ticket: Ticket, text: str
) -> TicketMessage:
    """An internal note: never shown to the customer, never checked."""
    message = _message(session, ctx, ticket, "note", actor, _text(text))
    timeline.record(
        session, ticket, message.created_at, actor, "note", "internal",
        message_id=message.id,
    )  # fmt: skip
    session.flush()
    return message


def add_reply(
    session: Session,
    ctx: DeskContext,
    actor: str,
    ticket: Ticket,
    text: str,
    *,
    lang: str | None = None,
    may_override: bool = False,
    override_reason: str | None = None,
    outbox: Outbox | None = None,
) -> ReplyOutcome:
    """Check a reply and store it unless the check blocks it (see module doc)."""
    text = _text(text)
    if ticket.status == "closed":
        raise Conflict("the ticket is closed; reopen it before replying")
    override = None
    if override_reason is not None:
        if not may_override:
            raise InvalidInput("an override needs the permission replies.override")
        override = " ".join(override_reason.split())
        if len(override) < MIN_REASON_CHARS:
            raise InvalidInput(
                f"override reason must say why, in at least {MIN_REASON_CHARS} "
                "characters"
            )
    now = ctx.clock()
    verdict = check_reply(
        text,
        role="agent",
        facts=CaseFacts(sla_due_at=sla.resolution_due(ticket, now)),
        now=now,
        lang=lang,
        capabilities=load_capabilities(ctx.settings.capabilities_file),
    )
    rules = ",".join(sorted({f.rule for f in verdict.findings}))[:200]
    overridden = verdict.verdict == "block" and override is not None
    if verdict.verdict == "block" and not overridden:
        _audit(session, ctx, actor, ticket, verdict, rules, None)
        return ReplyOutcome(None, verdict)
    message = _message(session, ctx, ticket, "reply", actor, text)
    message.verdict = verdict.verdict
    message.rules = rules or None
    message.overridden_by = actor if overridden else None
    timeline.record(
        session, ticket, now, actor, "reply", "customer", message_id=message.id
    )
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        sla.complete(ticket, ("first_response",), now)
    ticket.updated_at = now
    # Flush the ticket before the outbox does: a stale version must surface
    # as a Conflict (409) from timeline.save, not as a raw StaleDataError.
    timeline.save(session)
    (outbox or ctx.outbox()).enqueue(
        session,
        "ticket.replied",
        {"ticket_id": ticket.id, "tracking_code": ticket.tracking_code},
    )
    # Last: on PostgreSQL the audit append locks the chain head until commit.
    _audit(
        session, ctx, actor, ticket, verdict, rules, override if overridden else None
    )
    return ReplyOutcome(message, verdict, overridden)


def _audit(
    session: Session,
    ctx: DeskContext,
    actor: str,
    ticket: Ticket,
    verdict: Verdict,
    rules: str,
    override: str | None,
) -> None:
    """Warn, block and override are policy decisions: rule ids, never the text."""
    if not verdict.findings:
        return
    ctx.audit.record(
        session,
        AuditEvent(
            actor=actor,
            action="reply.override" if override else "reply.check",
            object_type="tickets",
            object_id=str(ticket.id),
            outcome=verdict.verdict,
            reason=(override or "")[:500],
            details={"rules": rules},
        ),
    )
