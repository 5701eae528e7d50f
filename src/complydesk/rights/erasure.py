"""Erasure that reaches every system, survives crashes, and ends with a receipt.

One `Erasure` row per request and one `ErasureStep` per system (complydesk
itself, then each connector that erases). Every step commits on its own, so
a crash or a failing connector loses nothing already done, and calling
`run_erasure` again resumes where it stopped:

1. start: the identifiers connectors need (and the contact for the receipt)
   are sealed under a key of the run's own, so they outlive step 2;
2. complydesk: without a legal hold, the subject's data key is shredded
   (every copy, backups included, becomes noise) and the subject's rows are
   cleared; with holds, only the categories no hold retains are cleared,
   processing of the rest is restricted and the key is kept;
3. each connector: called outside any transaction (idempotent by contract),
   its confirmation or short error recorded; failures are retried by the
   worker (`retry_due`) and shown in the status;
4. finish: the receipt (every system, its outcome, what is retained and why)
   is stored, sent to the subject, the request closed, and the run's own key
   shredded.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.desk.customers import erase_customer
from complydesk.errors import ComplydeskError, Conflict, NotFound
from complydesk.notify import Outbox
from complydesk.policy import load_pack
from complydesk.rights import requests as rq
from complydesk.rights.common import record
from complydesk.rights.connectors import Connector, SubjectKeys, subject_keys
from complydesk.rights.holds import (
    active_holds,
    category_of,
    exceptions,
    retained_categories,
)
from complydesk.rights.notices import (
    RECEIPT_EVENT,
    Contact,
    contact_on_file,
    notify_contact,
)
from complydesk.rights.restrictions import PROCESSING_RESTRICTED
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import (
    Customer,
    CustomerRestriction,
    Erasure,
    ErasureStep,
    LegalHold,
    SubjectRequest,
)
from complydesk.store.personal import personal_fields
from complydesk.vault import ERASED, Vault
from complydesk.vault.erase import personal_models

log = logging.getLogger("complydesk.rights")

LOCAL: Final = "complydesk"
CONNECTOR_PREFIX: Final = "connector:"
RECEIPT_FORMAT: Final = "complydesk-erasure-receipt/1"
MAX_AUTO_ATTEMPTS: Final = 10
DONE: Final = "done"
FAILED: Final = "failed"
PENDING: Final = "pending"
RETAINED: Final = "retained"
SKIPPED: Final = "skipped"


@dataclass
class ErasureStatus:
    request_ref: str
    complete: bool
    steps: list[ErasureStep]
    receipt: dict[str, Any] | None


def _erasure_of(session: Session, request_id: int) -> Erasure | None:
    return session.scalar(select(Erasure).where(Erasure.request_id == request_id))


def _steps(session: Session, erasure_id: int) -> list[ErasureStep]:
    return list(
        session.scalars(
            select(ErasureStep)
            .where(ErasureStep.erasure_id == erasure_id)
            .order_by(ErasureStep.id)
        )
    )


def status_of(session: Session, request: SubjectRequest) -> ErasureStatus:
    erasure = _erasure_of(session, request.id)
    if erasure is None:
        raise NotFound(f"no erasure was started for request {request.ref}")
    return ErasureStatus(
        request.ref,
        erasure.completed_at is not None,
        _steps(session, erasure.id),
        erasure.receipt,
    )


# ---- 1. start ----------------------------------------------------------------


def _start(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    actor: str,
    request_id: int,
    connectors: list[Connector],
) -> int:
    with transaction(sessions) as session:
        request = rq.get_request(session, request_id)
        if request.type != "erasure":
            raise Conflict(f"request {request.ref} is of type {request.type}")
        existing = _erasure_of(session, request.id)
        if existing is not None:
            return existing.id
        rq.require_verified(request)
        customer = session.get(Customer, request.customer_id)
        assert customer is not None  # a foreign key
        keys, contact = SubjectKeys(), None
        if customer.erased_at is None:
            keys = subject_keys(vault, customer)
            contact = contact_on_file(vault, customer)
        work = vault.new_subject()
        erasure = Erasure(
            request_id=request.id,
            customer_id=customer.id,
            started_at=audit.clock(),
            key_ref=work.key_ref,
        )
        lookup = {
            "keys": json.loads(keys.to_json()),
            "contact": None if contact is None else vars(contact),
        }
        vault.put(session, erasure, {"lookup": json.dumps(lookup)}, work)
        session.add(erasure)
        session.flush()
        systems = [LOCAL] + [CONNECTOR_PREFIX + c.name for c in connectors if c.erases]
        for system in systems:
            session.add(
                ErasureStep(
                    erasure_id=erasure.id,
                    system=system,
                    status=PENDING,
                    attempts=0,
                    updated_at=erasure.started_at,
                )
            )
        record(
            session,
            audit,
            actor,
            "rights.erasure.start",
            "rights_requests",
            request.id,
            details={"erasure": erasure.id, "systems": len(systems)},
        )
        return erasure.id


# ---- 2. complydesk itself ----------------------------------------------------


def clear_rows(session: Session, key_ref: str, keep: set[str]) -> int:
    """Clear the personal fields of the subject's rows outside `keep` categories."""
    total = 0
    for model in personal_models():
        if category_of(model.__tablename__) in keep or model is Erasure:
            continue
        values: dict[str, None] = {}
        for spec in personal_fields(model).values():
            values[spec.sealed] = None
            values[spec.masked] = None
            if spec.blind is not None:
                values[spec.bidx] = None
        result = session.execute(
            update(model)
            .where(model.key_ref == key_ref)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


def _local(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    actor: str,
    erasure_id: int,
) -> None:
    with transaction(sessions) as session:
        erasure = session.get(Erasure, erasure_id)
        assert erasure is not None
        step = _step(session, erasure_id, LOCAL)
        if step.status in (DONE, RETAINED):
            return
        request = session.get(SubjectRequest, erasure.request_id)
        customer = session.get(Customer, erasure.customer_id)
        assert request is not None and customer is not None
        now = audit.clock()
        holds = active_holds(session, customer.id, now)
        if not holds:
            erase_customer(
                session, vault, audit, actor, customer, f"erasure request {request.ref}"
            )
            cleared = (
                clear_rows(session, customer.key_ref, set()) if customer.key_ref else 0
            )
            step.status = DONE
            step.confirmation = f"data key destroyed; {cleared} records cleared"
            step.done_at = now
        else:
            retained = retained_categories(holds, settings)
            cleared = clear_rows(session, str(customer.key_ref), set(retained))
            _restrict(session, customer.id, request.id, actor, now)
            step.status = RETAINED
            step.confirmation = (
                f"{cleared} records cleared; kept: {', '.join(sorted(retained))} "
                f"(holds {', '.join(str(h.id) for h in holds)})"
            )[:200]
        step.updated_at = now
        step.attempts += 1
        record(
            session,
            audit,
            actor,
            "rights.erasure.local",
            "rights_requests",
            request.id,
            details={"status": step.status, "holds": len(holds)},
        )


def _restrict(
    session: Session, customer_id: int, request_id: int, actor: str, now: datetime
) -> None:
    """Data kept under a hold may be stored, not used (GDPR Art. 18, PIPL 47)."""
    exists = session.scalar(
        select(CustomerRestriction.id).where(
            CustomerRestriction.customer_id == customer_id,
            CustomerRestriction.flag == PROCESSING_RESTRICTED,
            CustomerRestriction.lifted_at.is_(None),
        )
    )
    if exists is None:
        session.add(
            CustomerRestriction(
                customer_id=customer_id,
                flag=PROCESSING_RESTRICTED,
                request_id=request_id,
                set_at=now,
                set_by=actor,
            )
        )


def _step(session: Session, erasure_id: int, system: str) -> ErasureStep:
    step = session.scalar(
        select(ErasureStep).where(
            ErasureStep.erasure_id == erasure_id, ErasureStep.system == system
        )
    )
    if step is None:
        raise NotFound(f"erasure {erasure_id} has no step for {system}")
    return step


# ---- 3. connectors -----------------------------------------------------------


def _lookup(vault: Vault, erasure: Erasure) -> dict[str, Any] | None:
    value = vault.reveal(erasure, ["lookup"]).get("lookup")
    if value is None or value == ERASED:
        return None
    loaded: dict[str, Any] = json.loads(value)
    return loaded


def _connector(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    actor: str,
    erasure_id: int,
    connector: Connector,
) -> bool:
    system = CONNECTOR_PREFIX + connector.name
    with read_transaction(sessions) as session:
        erasure = session.get(Erasure, erasure_id)
        assert erasure is not None
        step = _step(session, erasure_id, system)
        if step.status in (DONE, SKIPPED):
            return True
        request = session.get(SubjectRequest, erasure.request_id)
        assert request is not None
        ref = request.ref
        lookup = _lookup(vault, erasure)
    error: str | None = None
    confirmation = ""
    skipped = False
    keys = SubjectKeys.from_json(json.dumps(lookup["keys"])) if lookup else None
    if keys is None:
        error = "identifiers_unavailable"  # the run's key is gone: cannot resume
    elif not keys.values:
        # The record held no phone, e-mail or ID number (or was erased before
        # this request): nothing to search other systems by. Said in the receipt.
        skipped = True
        confirmation = "no identifier on file to search this system by"
    else:
        try:
            confirmation = connector.erase(keys, ref)
        except ComplydeskError as exc:
            error = exc.detail[:200]
        except Exception as exc:  # noqa: BLE001 - a connector must not stop the run
            error = f"{connector.name}: {type(exc).__name__}"
    with transaction(sessions) as session:
        step = _step(session, erasure_id, system)
        now = audit.clock()
        step.attempts += 1
        step.updated_at = now
        if error is None:
            step.status = SKIPPED if skipped else DONE
            step.confirmation = confirmation[:200]
            step.last_error = None
            step.done_at = now
        else:
            step.status = FAILED
            step.last_error = error
        erasure = session.get(Erasure, erasure_id)
        assert erasure is not None
        record(
            session,
            audit,
            actor,
            "rights.erasure.system",
            "rights_requests",
            erasure.request_id,
            outcome="ok" if error is None else "error",
            details={"system": system, "attempts": step.attempts},
        )
    return error is None


# ---- 4. finish and receipt ---------------------------------------------------


def build_receipt(
    session: Session,
    settings: Settings,
    erasure: Erasure,
    request: SubjectRequest,
    customer: Customer,
    connectors: list[Connector],
    now: datetime,
) -> dict[str, Any]:
    """What was erased where and when, and what is kept and why: no personal values."""
    steps = _steps(session, erasure.id)
    systems: list[dict[str, Any]] = []
    retained: list[dict[str, Any]] = []
    shredded = False
    for step in steps:
        name = step.system.removeprefix(CONNECTOR_PREFIX)
        outcome = {
            DONE: "erased",
            RETAINED: "partly_retained",
            SKIPPED: "not_searchable",
        }.get(step.status, step.status)
        systems.append(
            {
                "system": name,
                "outcome": outcome,
                "at": step.done_at.isoformat() if step.done_at else None,
                "confirmation": step.confirmation,
            }
        )
        if step.system == LOCAL and step.status == DONE:
            shredded = True
    systems.append(
        {
            "system": "backups",
            "outcome": "unreadable" if shredded else "retained_encrypted",
            "at": None,
            "confirmation": "backups hold only ciphertext under the destroyed key"
            if shredded
            else "backups follow the data kept under the legal hold",
        }
    )
    by_connector = {c.name: c for c in connectors}
    for step in steps:
        connector = by_connector.get(step.system.removeprefix(CONNECTOR_PREFIX))
        if connector is not None and step.status == DONE:
            for table, reason in connector.kept():
                retained.append(
                    {"system": connector.name, "what": table, "reason": reason}
                )
    holds = list(
        session.scalars(
            select(LegalHold)
            .where(
                LegalHold.customer_id == customer.id, LegalHold.released_at.is_(None)
            )
            .order_by(LegalHold.id)
        )
    )
    local = next((s for s in steps if s.system == LOCAL), None)
    if local is not None and local.status == RETAINED:
        for hold in holds:
            spec = exceptions(load_pack(hold.pack, settings.policy_dir)).get(
                hold.exception
            )
            retained.append(
                {
                    "system": LOCAL,
                    "what": ", ".join(spec.retains) if spec else "all",
                    "exception": hold.exception,
                    "citation": hold.citation,
                    "until": hold.expires_at.isoformat() if hold.expires_at else None,
                    "explanation": {
                        "zh": spec.explanation_zh if spec else "",
                        "en": spec.explanation_en if spec else "",
                    },
                }
            )
    return {
        "format": RECEIPT_FORMAT,
        "request": request.ref,
        "customer": customer.ref,
        "pack": request.pack,
        "received_at": request.received_at.isoformat(),
        "completed_at": now.isoformat(),
        "systems": systems,
        "retained": retained,
    }


def _finish(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    outbox: Outbox | None,
    actor: str,
    erasure_id: int,
    connectors: list[Connector],
) -> None:
    work_key: str | None = None
    with transaction(sessions) as session:
        erasure = session.get(Erasure, erasure_id)
        assert erasure is not None
        if erasure.completed_at is not None:
            work_key = erasure.key_ref
        elif all(
            s.status in (DONE, RETAINED, SKIPPED) for s in _steps(session, erasure_id)
        ):
            request = session.get(SubjectRequest, erasure.request_id)
            customer = session.get(Customer, erasure.customer_id)
            assert request is not None and customer is not None
            now = audit.clock()
            receipt = build_receipt(
                session, settings, erasure, request, customer, connectors, now
            )
            lookup = _lookup(vault, erasure)
            receipt["notice"] = _send_receipt(session, outbox, lookup, receipt)
            erasure.receipt = receipt
            erasure.completed_at = now
            if erasure.key_ref:
                vault.put(session, erasure, {"lookup": None})
            work_key = erasure.key_ref
            if request.status not in rq.CLOSED_STATUSES:
                partial = any(r["system"] == LOCAL for r in receipt["retained"])
                rq.close_request(
                    session,
                    audit,
                    actor,
                    request,
                    "partially_fulfilled" if partial else "fulfilled",
                    "data kept under a legal retention exception" if partial else None,
                )
            record(
                session,
                audit,
                actor,
                "rights.erasure.complete",
                "rights_requests",
                request.id,
                details={
                    "systems": len(receipt["systems"]),
                    "retained": len(receipt["retained"]),
                },
            )
    if work_key and not vault.keystore.is_shredded(work_key):
        vault.keystore.shred(work_key, audit.clock())


def _send_receipt(
    session: Session,
    outbox: Outbox | None,
    lookup: dict[str, Any] | None,
    receipt: dict[str, Any],
) -> str:
    contact = (lookup or {}).get("contact")
    if outbox is None or not contact:
        return "no_contact" if outbox is not None else "not_sent"
    sent = notify_contact(
        session,
        outbox,
        Contact(**contact),
        RECEIPT_EVENT,
        {
            "request": receipt["request"],
            "completed_at": receipt["completed_at"],
            "systems": [
                {"system": s["system"], "outcome": s["outcome"]}
                for s in receipt["systems"]
            ],
            "retained": [
                {"system": r["system"], "exception": r.get("exception", "kept")}
                for r in receipt["retained"]
            ],
        },
    )
    return "queued" if sent else "no_endpoint"


# ---- the whole run -----------------------------------------------------------


def run_erasure(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    outbox: Outbox | None,
    connectors: list[Connector],
    request_id: int,
    actor: str,
) -> ErasureStatus:
    """Start or resume the erasure of a verified erasure request."""
    erasure_id = _start(sessions, vault, audit, actor, request_id, connectors)
    _local(sessions, vault, audit, settings, actor, erasure_id)
    by_name = {c.name: c for c in connectors}
    with read_transaction(sessions) as session:
        open_steps = [
            s.system
            for s in _steps(session, erasure_id)
            if s.system.startswith(CONNECTOR_PREFIX) and s.status not in (DONE, SKIPPED)
        ]
    for system in open_steps:
        connector = by_name.get(system.removeprefix(CONNECTOR_PREFIX))
        if connector is None:
            _mark_missing(sessions, audit, erasure_id, system)
            continue
        _connector(sessions, vault, audit, actor, erasure_id, connector)
    _finish(sessions, vault, audit, settings, outbox, actor, erasure_id, connectors)
    with read_transaction(sessions) as session:
        request = rq.get_request(session, request_id)
        return status_of(session, request)


def _mark_missing(
    sessions: sessionmaker[Session], audit: AuditLog, erasure_id: int, system: str
) -> None:
    with transaction(sessions) as session:
        step = _step(session, erasure_id, system)
        step.status = FAILED
        step.last_error = "connector_not_configured"
        step.updated_at = audit.clock()


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
            steps = _steps(session, run.id)
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
            step = _step(session, erasure_id, LOCAL)
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
