"""Pre-transfer assessment of a dataset: scan, count, decide, record.

`assess_file` is read-only towards the counters: it tells what a transfer of
the file to the recipient would need today, and leaves an assessment row and
an audit entry. `complydesk.transfer.export.export_file` runs the same steps,
writes the de-identified output and, when allowed, adds the individuals to
the year's counters in the same transaction as its assessment row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditEvent, AuditLog
from complydesk.clock import Clock
from complydesk.errors import InvalidInput, NotFound
from complydesk.pii.keys import load_pii_key
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models.transfer import (
    TransferAssessment,
    TransferRecipient,
)
from complydesk.transfer import registry
from complydesk.transfer.counting import SubjectHasher, SubjectIndex, YearRegister
from complydesk.transfer.gate import (
    Context,
    check_recipient,
    deployment_of,
    evaluate,
    load_context,
    safe_column,
)
from complydesk.transfer.rules import Counts, Decision
from complydesk.transfer.stream import Keys, Source, StreamSummary, stream_dataset

MAX_REPORTED_COLUMNS = 100


def keys_for(settings: Settings, recipient_ref: str) -> Keys:
    """Counting keys; a pseudonym key per recipient (two recipients cannot join
    their copies); the deployment's PII key for encryption, so values sent
    encrypted can be restored here with `complydesk pii restore`."""
    settings.ensure_data_dir()
    pii_key = load_pii_key(settings.data_dir)
    label = f"complydesk/transfer/recipient/{recipient_ref}".encode()
    return Keys(
        counting=SubjectHasher.from_data_dir(settings.data_dir).key_material,
        pseudonym=hmac.new(pii_key, label, hashlib.sha256).digest(),
        encrypt=pii_key,
    )


def report_summary(
    ctx: Context, decision: Decision, summary: StreamSummary | None
) -> dict[str, Any]:
    """What a report needs besides counts and findings: ids, labels, hashes."""
    recipient = ctx.recipient
    satisfied = decision.satisfied_by
    data: dict[str, Any] = {
        "recipient": {
            "ref": recipient.ref,
            "name": recipient.name,
            "country": recipient.country,
            "purpose": recipient.purpose,
            "exemption": recipient.exemption,
            "categories": list(recipient.data_categories),
        },
        "pack": {
            "name": ctx.pack.pack,
            "title": ctx.pack.title,
            "version": ctx.pack.version,
            "hash": ctx.pack.content_hash,
        },
        "date": ctx.today.isoformat(),
        "year": ctx.year,
        "route": decision.route.value,
        "accepted": list(decision.accepted),
        "counted": decision.counted,
        "satisfied_by": None
        if satisfied is None
        else {
            "kind": satisfied.kind,
            "reference": satisfied.reference,
            "effective_on": satisfied.effective_on.isoformat(),
        },
        "deployment": {
            "ciio": ctx.deployment.ciio,
            "sector": ctx.deployment.sector,
            "important_data": sorted(ctx.deployment.important_data),
            "localised": sorted(ctx.deployment.localised),
        },
        "profile_source": ctx.profile_source,
        "profile": {safe_column(k): v for k, v in ctx.profile.summary().items()},
    }
    if summary is not None:
        columns = sorted(summary.found.items())[:MAX_REPORTED_COLUMNS]
        data.update(
            {
                "input": {
                    "kind": summary.kind,
                    "bytes": summary.input_bytes,
                    "sha256": summary.input_sha256,
                },
                "output": None
                if summary.output_sha256 is None
                else {"bytes": summary.output_bytes, "sha256": summary.output_sha256},
                "columns": {
                    safe_column(c): dict(sorted(n.items())) for c, n in columns
                },
                "outgoing": dict(sorted(summary.outgoing.items())),
                "categories": sorted(summary.categories),
                "sensitive_labels": summary.sensitive_labels,
                "source": summary.source or {"kind": summary.kind},
                "seconds": round(summary.seconds, 3),
                "workers": summary.workers,
            }
        )
    return data


def new_ref() -> str:
    return f"TA-{secrets.token_hex(5).upper()}"


def record(
    session: Session,
    audit: AuditLog,
    ctx: Context,
    *,
    kind: str,
    actor: str,
    decision: Decision,
    counts: Counts,
    summary: StreamSummary | None,
    exported: bool = False,
) -> TransferAssessment:
    """The assessment row and its audit entry, in the caller's transaction."""
    satisfied = decision.satisfied_by
    row = TransferAssessment(
        ref=new_ref(),
        recipient_id=ctx.recipient.id,
        kind=kind,
        jurisdiction=ctx.jurisdiction,
        pack_version=ctx.pack.version,
        pack_hash=ctx.pack.content_hash,
        year=ctx.year,
        decided_at=ctx.now,
        actor=actor,
        allowed=decision.allowed,
        exported=exported,
        route=decision.route.value,
        counted=decision.counted,
        mechanism_id=satisfied.id if satisfied else None,
        agreement_id=ctx.agreement.id if ctx.agreement else None,
        counts=counts.to_dict(),
        findings=[f.to_dict() for f in decision.findings],
        summary=report_summary(ctx, decision, summary),
        input_sha256=summary.input_sha256 if summary else "",
        input_bytes=summary.input_bytes if summary else 0,
        output_sha256=summary.output_sha256 if summary and exported else None,
        output_bytes=summary.output_bytes if summary and exported else None,
    )
    session.add(row)
    session.flush()
    blocks = len(decision.blocking)
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action=f"transfer.{kind}",
            object_type="transfer_assessment",
            object_id=row.ref,
            outcome="ok" if decision.allowed else "refused",
            reason=f"route {decision.route.value}; {blocks} missing prerequisites",
            details={
                "recipient": ctx.recipient.ref,
                "jurisdiction": ctx.jurisdiction,
                "year": ctx.year,
                "route": decision.route.value,
                "allowed": decision.allowed,
                "exported": exported,
                "counted": decision.counted and exported,
                "records": counts.records,
                "individuals": counts.individuals,
                "new_individuals": counts.new_individuals,
                "sensitive": counts.sensitive,
                "output_sha256": row.output_sha256,
                "blocking": [f.code for f in decision.blocking][:10],
            },
        ),
    )
    return row


@dataclass
class Outcome:
    assessment: TransferAssessment
    decision: Decision
    counts: Counts
    summary: StreamSummary | None

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


def lookup_with(sessions: sessionmaker[Session]) -> Callable[[SubjectIndex], None]:
    def lookup(index: SubjectIndex) -> None:
        if index.pending_lookups:
            with read_transaction(sessions) as session:
                index.check(session)

    return lookup


def assess_file(
    sessions: sessionmaker[Session],
    settings: Settings,
    audit: AuditLog,
    clock: Clock,
    *,
    recipient: str,
    path: Path | Source,
    actor: str,
    jurisdiction: str | None = None,
    workers: int | None = None,
) -> Outcome:
    """Assess sending `path` (a file or a query source) to `recipient` now;
    counters are not changed."""
    now = clock()
    with read_transaction(sessions) as session:
        ctx = load_context(session, settings, recipient, now, jurisdiction)
        register = YearRegister.read(session, ctx.jurisdiction, ctx.year)
    with SubjectIndex(ctx.jurisdiction, ctx.year) as index:
        summary = stream_dataset(
            path,
            ctx.profile,
            keys_for(settings, ctx.recipient.ref),
            index,
            lookup=lookup_with(sessions),
            workers=workers,
        )
        counts = index.counts(register)
    decision = evaluate(ctx, summary, counts)
    with transaction(sessions) as session:
        ctx.recipient = registry.get_recipient(session, recipient)
        row = record(
            session,
            audit,
            ctx,
            kind="assessment",
            actor=actor,
            decision=decision,
            counts=counts,
            summary=summary,
        )
    return Outcome(row, decision, counts, summary)


def get_assessment(session: Session, ref: str) -> TransferAssessment:
    if not isinstance(ref, str) or not ref.startswith("TA-") or len(ref) > 32:
        raise InvalidInput("an assessment ref looks like TA-0123456789")
    row = session.scalars(
        select(TransferAssessment).where(TransferAssessment.ref == ref)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no transfer assessment {ref}")
    return row


def list_assessments(
    session: Session, recipient: TransferRecipient | None = None, limit: int = 50
) -> list[TransferAssessment]:
    stmt = select(TransferAssessment).order_by(
        TransferAssessment.decided_at.desc(), TransferAssessment.id.desc()
    )
    if recipient is not None:
        stmt = stmt.where(TransferAssessment.recipient_id == recipient.id)
    return list(session.scalars(stmt.limit(limit)))


__all__ = [
    "Context",
    "Outcome",
    "assess_file",
    "check_recipient",
    "deployment_of",
    "evaluate",
    "get_assessment",
    "keys_for",
    "list_assessments",
    "load_context",
    "record",
    "report_summary",
]
