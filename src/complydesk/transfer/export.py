"""`transfer export`: assess, de-identify, write, and record the transfer.

The output is written to a private temporary file next to the target while
the input streams through (`stream.py`). Then, in one transaction holding the
year's counter row lock, the digests are matched again against the register
(a concurrent export may have sent some of the same people), the rules decide
on the fresh counts, the assessment row and audit entry are written and, if
the transfer is allowed, the new individuals are added to the counters and the
file is moved into place. A refused export leaves no output file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.clock import Clock
from complydesk.errors import Conflict, InvalidInput
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.transfer import registry
from complydesk.transfer.assessment import Outcome, keys_for, lookup_with, record
from complydesk.transfer.counting import SubjectIndex, YearRegister
from complydesk.transfer.gate import Context, evaluate, load_context
from complydesk.transfer.query import QuerySource
from complydesk.transfer.rules import Counts, Decision, Finding, Severity
from complydesk.transfer.stream import Source, kind_of, stream_dataset

PROFILE_CITATION = "agreement with the recipient: de-identification profile"


def precheck(ctx: Context) -> list[Finding]:
    """Refusals known before reading a byte: no profile, dead recipient or agreement."""
    found: list[Finding] = []
    if ctx.agreement is None or ctx.profile_source != "agreement":
        found.append(Finding("agreement.no_profile", Severity.BLOCK, PROFILE_CITATION))
    early = evaluate(ctx, None, Counts())
    found.extend(
        f
        for f in early.blocking
        if f.code in ("recipient.inactive", "agreement.expired")
    )
    return found


def _check_paths(source: Path | Source, out: Path) -> None:
    if isinstance(source, Path):
        kind = kind_of(source)
        if kind_of(out) != kind:
            raise InvalidInput(
                f"{out.name}: the output must be a .{kind} file like the input"
            )
        if not source.is_file():
            raise InvalidInput(f"{source.name}: not a readable file")
    else:
        source.out_kind = kind_of(out)
        if isinstance(source, QuerySource):
            source.exporting = True
    if out.exists():
        raise Conflict(f"{out.name} already exists; choose a new output file")
    if not out.parent.is_dir():
        raise InvalidInput(f"{out.name}: its directory does not exist")


def export_file(
    sessions: sessionmaker[Session],
    settings: Settings,
    audit: AuditLog,
    clock: Clock,
    *,
    recipient: str,
    source: Path | Source,
    out: Path,
    actor: str,
    jurisdiction: str | None = None,
    workers: int | None = None,
) -> Outcome:
    """Export `source` (a file or a query) to `out` for `recipient` if the rules
    allow it today."""
    _check_paths(source, out)
    now = clock()
    with read_transaction(sessions) as session:
        ctx = load_context(session, settings, recipient, now, jurisdiction)
        before = YearRegister.read(session, ctx.jurisdiction, ctx.year)
    early = precheck(ctx)
    if early:
        decision = Decision(
            False, evaluate(ctx, None, Counts()).route, (), None, False, tuple(early)
        )
        with transaction(sessions) as session:
            row = record(
                session,
                audit,
                ctx,
                kind="export",
                actor=actor,
                decision=decision,
                counts=Counts(),
                summary=None,
            )
        return Outcome(row, decision, Counts(), None)

    temp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.partial")
    index = SubjectIndex(ctx.jurisdiction, ctx.year)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    moved = False
    try:
        with os.fdopen(fd, "wb") as handle:
            summary = stream_dataset(
                source,
                ctx.profile,
                keys_for(settings, ctx.recipient.ref),
                index,
                lookup=lookup_with(sessions),
                out=handle,
                workers=workers,
            )
            handle.flush()
            os.fsync(handle.fileno())
        with transaction(sessions) as session:
            YearRegister.ensure(session, ctx.jurisdiction, ctx.year, now)
        with transaction(sessions) as session:
            register = YearRegister.read(session, ctx.jurisdiction, ctx.year, lock=True)
            if not register.unchanged_since(before):
                index.recheck(session)
            ctx.recipient = registry.get_recipient(session, recipient)
            counts = index.counts(register)
            decision = evaluate(ctx, summary, counts)
            row = record(
                session,
                audit,
                ctx,
                kind="export",
                actor=actor,
                decision=decision,
                counts=counts,
                summary=summary,
                exported=decision.allowed,
            )
            if decision.allowed and decision.counted:
                index.store(session, register, row.id, row.ref, now)
            if decision.allowed:
                os.replace(temp, out)
                moved = True
    except BaseException:
        # Nothing may stay behind unless the transfer was recorded.
        _remove(out if moved else temp)
        raise
    finally:
        index.close()
    if not decision.allowed:
        _remove(temp)
    return Outcome(row, decision, counts, summary)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


__all__ = ["export_file", "precheck"]
