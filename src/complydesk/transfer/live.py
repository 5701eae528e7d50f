"""Live flows are counted too: every transfer adds its people to the year's count.

The CAC thresholds count everyone whose personal information left this year,
whatever the channel (Order 16 Arts. 4-8), so a webhook delivered to a
receiver abroad and a message the AI assistant sent to a model endpoint
abroad add their individuals to the same counters as batch exports, once the
gated call has succeeded:

* webhooks: the payload is one record; identifiers the PII engine finds in it
  become digests like a file's (`cells.Worker.subjects`); personal data
  without an identifier counts as one more individual each time (upwards);
* the assistant: the conversation's customer, by the digests of their blind
  indexes (never decrypted) and of their key ref, so every message of one
  customer is one person. Message text leaves with placeholder tokens, not
  values, so the subject is counted as non-sensitive.

A person already counted this year (by any flow) is not counted again; a
flow the rules do not count (purpose exemption, a pack without thresholds,
a recipient at home) adds nothing. Each recipient has one `live` assessment
row per jurisdiction and year that owns the subjects its flows added.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.clock import Clock
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models.transfer import (
    TransferAssessment,
    TransferSubject,
    TransferSubjectDigest,
)
from complydesk.transfer import cells
from complydesk.transfer.counting import SubjectHasher, YearRegister, bump, hex_digest
from complydesk.transfer.gate import (
    Context,
    check_flow,
    evaluate,
    load_context,
    webhook_gate,
)
from complydesk.transfer.profile import DEFAULT_PROFILE
from complydesk.transfer.rules import Counts, Decision

log = logging.getLogger("complydesk.transfer")
LIVE = "live"


def _live_row(session: Session, ctx: Context, decision: Decision) -> TransferAssessment:
    """The recipient's `live` row for this jurisdiction and year (made once)."""
    row = session.scalars(
        select(TransferAssessment).where(
            TransferAssessment.kind == LIVE,
            TransferAssessment.recipient_id == ctx.recipient.id,
            TransferAssessment.jurisdiction == ctx.jurisdiction,
            TransferAssessment.year == ctx.year,
        )
    ).first()
    if row is not None:
        return row
    row = TransferAssessment(
        ref=f"TL-{secrets.token_hex(5).upper()}",
        recipient_id=ctx.recipient.id,
        kind=LIVE,
        jurisdiction=ctx.jurisdiction,
        pack_version=ctx.pack.version,
        pack_hash=ctx.pack.content_hash,
        year=ctx.year,
        decided_at=ctx.now,
        actor="system",
        allowed=True,
        exported=True,
        route=decision.route.value,
        counted=True,
        counts={"individuals": 0, "sensitive": 0, "records": 0},
        findings=[f.to_dict() for f in decision.findings],
        summary={"source": {"kind": LIVE}},
        input_sha256="",
        input_bytes=0,
    )
    session.add(row)
    session.flush()
    return row


def count_live(
    session: Session,
    settings: Settings,
    *,
    recipient: str,
    country: str | None,
    digests: Sequence[int],
    sensitive: bool,
    now: datetime,
    jurisdiction: str | None = None,
) -> bool:
    """Add one individual of a delivered live flow; True if the flow counts.

    Runs in the caller's transaction and takes the year's counter lock, like
    an export, so concurrent flows and exports cannot both miss each other.
    """
    if country is None or country == settings.country:
        return False
    ctx = load_context(session, settings, recipient, now, jurisdiction)
    before = YearRegister.read(session, ctx.jurisdiction, ctx.year)
    decision = evaluate(
        ctx,
        None,
        Counts(prior_individuals=before.individuals, prior_sensitive=before.sensitive),
    )
    if not (decision.allowed and decision.counted):
        return False
    scope = {"jurisdiction": ctx.jurisdiction, "year": ctx.year}
    YearRegister.ensure(session, ctx.jurisdiction, ctx.year, now)
    register = YearRegister.read(session, ctx.jurisdiction, ctx.year, lock=True)
    hexes = list(dict.fromkeys(hex_digest(d) for d in digests))
    known: dict[str, str] = {}
    if hexes:
        rows = session.execute(
            select(
                TransferSubjectDigest.digest, TransferSubjectDigest.subject_key
            ).where(
                TransferSubjectDigest.jurisdiction == ctx.jurisdiction,
                TransferSubjectDigest.year == ctx.year,
                TransferSubjectDigest.digest.in_(hexes),
            )
        )
        known = {str(digest): str(key) for digest, key in rows}
    new_people = new_sensitive = 0
    live = _live_row(session, ctx, decision)
    if known:
        # The first identifier already counted decides who this is; two
        # counted people are never merged (counts err upwards only).
        key = next(known[h] for h in hexes if h in known)
        subject = session.scalars(
            select(TransferSubject).where(
                TransferSubject.jurisdiction == ctx.jurisdiction,
                TransferSubject.year == ctx.year,
                TransferSubject.key == key,
            )
        ).one()
        if sensitive and not subject.sensitive:
            subject.sensitive = True
            new_sensitive = 1
    else:
        key = "d" + hexes[0] if hexes else f"u-{live.ref}-{secrets.token_hex(6)}"
        session.add(
            TransferSubject(
                key=key, sensitive=sensitive, assessment_id=live.id, **scope
            )
        )
        new_people, new_sensitive = 1, int(sensitive)
    for digest in hexes:
        if digest not in known:
            session.add(TransferSubjectDigest(digest=digest, subject_key=key, **scope))
    if new_people or new_sensitive:
        counts = Counts(
            prior_individuals=register.individuals,
            prior_sensitive=register.sensitive,
            new_individuals=new_people,
            new_sensitive=new_sensitive,
        )
        bump(session, register, counts, now)
    tally = dict(live.counts)
    tally["records"] = tally.get("records", 0) + 1
    tally["individuals"] = tally.get("individuals", 0) + new_people
    tally["sensitive"] = tally.get("sensitive", 0) + new_sensitive
    live.counts = tally
    session.flush()
    return True


def customer_digests(hasher: SubjectHasher, customer: Any) -> list[int]:
    """A customer's counting digests from their blind indexes and key ref."""
    found: list[int] = []
    for column, label in (
        ("phone_bidx", "PHONE"),
        ("email_bidx", "EMAIL"),
        ("id_number_bidx", "CN_ID_CARD"),
    ):
        index = getattr(customer, column, None)
        if index and (digest := hasher.from_index(label, index)) is not None:
            found.append(digest)
    key_ref = getattr(customer, "key_ref", None)
    if key_ref:
        found.append(hasher.of_subject(str(key_ref)))
    return found


class AssistantGate:
    """The assistant's gate to its model endpoint (assistant.service builds it):
    checks before a message goes, counts the customer once it went."""

    def __init__(self, settings: Settings, endpoint: Any, clock: Clock) -> None:
        self.settings = settings
        self.country = str(endpoint.country).upper()
        self.recipient = endpoint.transfer_recipient
        self.clock = clock
        self._hasher: SubjectHasher | None = None

    def __call__(self, session: Session, jurisdiction: str) -> str | None:
        result = check_flow(
            session,
            self.settings,
            country=self.country,
            recipient=self.recipient,
            now=self.clock(),
            jurisdiction=jurisdiction,
        )
        return None if result.allowed else (result.reason or "transfer_blocked")

    def delivered(self, session: Session, jurisdiction: str, customer: Any) -> None:
        """The model answered: its customer counts (in the caller's transaction)."""
        if self.recipient is None:
            return
        if self._hasher is None:
            self._hasher = SubjectHasher.from_data_dir(self.settings.ensure_data_dir())
        count_live(
            session,
            self.settings,
            recipient=self.recipient,
            country=self.country,
            digests=customer_digests(self._hasher, customer),
            sensitive=False,
            now=self.clock(),
            jurisdiction=jurisdiction,
        )


class WebhookGate:
    """`notify.deliver`'s gate: holds deliveries abroad until their recipient
    passes (`gate.webhook_gate`) and counts who was in a delivered payload."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        audit: AuditLog | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self._check: Callable[[Any], str | None] = webhook_gate(
            settings, sessions, clock, audit
        )
        self._worker: cells.Worker | None = None

    def __call__(self, endpoint: Any) -> str | None:
        return self._check(endpoint)

    def delivered(self, endpoint: Any, data: bytes) -> None:
        """A delivery abroad succeeded: count the individual in its payload."""
        country = getattr(endpoint, "country", None)
        recipient = getattr(endpoint, "transfer_recipient", None)
        if country is None or country == self.settings.country or recipient is None:
            return
        try:
            if self._worker is None:
                hasher = SubjectHasher.from_data_dir(self.settings.ensure_data_dir())
                keys = cells.Keys(hasher.key_material, b"", b"")
                self._worker = cells.Worker(DEFAULT_PROFILE.to_json(), keys, False)
            found = self._worker.subjects(json.loads(data))
            if not found.people:
                return
            digests, sensitive = found.people[0]
            with transaction(self.sessions) as session:
                count_live(
                    session,
                    self.settings,
                    recipient=str(recipient),
                    country=str(country),
                    digests=digests,
                    sensitive=sensitive,
                    now=self.clock(),
                )
        except Exception as exc:  # noqa: BLE001 - the delivery itself succeeded
            # Never undo a delivery; the error names no value.
            log.error("live transfer not counted", extra={"error": type(exc).__name__})


__all__ = [
    "AssistantGate",
    "WebhookGate",
    "count_live",
    "customer_digests",
]
