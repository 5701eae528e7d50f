"""Resuming erasures: failed systems with backoff, and holds that ended.

The worker's `rights.erasure` job calls `retry_due` (a failed connector is
tried again after 1, 2, 4 … 60 minutes, up to MAX_AUTO_ATTEMPTS) and
`finish_held` (a subject whose last legal hold ended is shredded and the
receipt amended).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.desk.customers import erase_customer
from complydesk.errors import ComplydeskError
from complydesk.notify import Outbox
from complydesk.rights.anonymise import clear_rows
from complydesk.rights.common import record
from complydesk.rights.connectors import Connector
from complydesk.rights.erasure import run_erasure
from complydesk.rights.erasure_state import (
    DONE,
    FAILED,
    LOCAL,
    MAX_AUTO_ATTEMPTS,
    PENDING,
    RETAINED,
    step_of,
    steps_of,
)
from complydesk.rights.holds import active_holds
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import Customer, Erasure, ErasureStep, SubjectRequest
from complydesk.vault import Vault

log = logging.getLogger("complydesk.rights")


def backoff(attempts: int) -> timedelta:
    """Wait before the worker retries a failed system: 1, 2, 4 … 60 minutes."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def retry_due(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    outbox: Outbox | None,
    connectors: list[Connector],
) -> tuple[int, int]:
    """Resume unfinished runs whose failed systems are due; (resumed, completed)."""
    now = audit.clock()
    with read_transaction(sessions) as session:
        runs = list(
            session.scalars(
                select(Erasure)
                .where(Erasure.completed_at.is_(None))
                .order_by(Erasure.id)
            )
        )
        due = []
        for run in runs:
            steps = steps_of(session, run.id)
            waiting = [
                s
                for s in steps
                if s.status in (PENDING, FAILED)
                and s.attempts < MAX_AUTO_ATTEMPTS
                and (s.status == PENDING or now >= s.updated_at + backoff(s.attempts))
            ]
            if waiting:
                due.append(run.request_id)
    resumed = completed = 0
    for request_id in due:
        resumed += 1
        try:
            result = run_erasure(
                sessions,
                vault,
                audit,
                settings,
                outbox,
                connectors,
                request_id,
                "worker",
            )
        except ComplydeskError as exc:
            log.warning("erasure retry failed", extra={"error": type(exc).__name__})
            continue
        completed += int(result.complete)
    return resumed, completed


def finish_held(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
) -> int:
    """Shred subjects whose last legal hold ended; amend their receipts."""
    now = audit.clock()
    done = 0
    with read_transaction(sessions) as session:
        candidates = [
            (step.erasure_id, erasure.customer_id)
            for step, erasure in session.execute(
                select(ErasureStep, Erasure)
                .join(Erasure, Erasure.id == ErasureStep.erasure_id)
                .where(ErasureStep.system == LOCAL, ErasureStep.status == RETAINED)
            )
        ]
    for erasure_id, customer_id in candidates:
        with transaction(sessions) as session:
            if active_holds(session, customer_id, now):
                continue
            erasure = session.get(Erasure, erasure_id)
            customer = session.get(Customer, customer_id)
            request = (
                session.get(SubjectRequest, erasure.request_id) if erasure else None
            )
            assert erasure is not None and customer is not None and request is not None
            erase_customer(
                session,
                vault,
                audit,
                "worker",
                customer,
                f"legal hold ended for erasure request {request.ref}",
            )
            cleared = clear_rows(session, str(customer.key_ref), set())
            step = step_of(session, erasure_id, LOCAL)
            step.status = DONE
            step.done_at = now
            step.updated_at = now
            step.confirmation = (
                f"hold ended; data key destroyed; {cleared} records cleared"
            )
            if erasure.receipt is not None:
                receipt = dict(erasure.receipt)
                receipt["systems"] = [
                    {**s, "outcome": "erased", "at": now.isoformat()}
                    if s["system"] in (LOCAL, "backups")
                    else s
                    for s in receipt["systems"]
                ]
                receipt["retained"] = [
                    {**r, "ended_at": now.isoformat()} if r["system"] == LOCAL else r
                    for r in receipt["retained"]
                ]
                erasure.receipt = receipt
            record(
                session,
                audit,
                "worker",
                "rights.erasure.hold_ended",
                "rights_requests",
                request.id,
            )
            done += 1
    return done
