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

Parts: complydesk.rights.erasure_state (rows, step names), .anonymise (what
is cleared inside complydesk, and the registry of extra tables), .receipt
(building and sending the receipt), .erasure_retry (the worker's retries).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.desk.customers import erase_customer
from complydesk.errors import ComplydeskError, Conflict
from complydesk.notify import Outbox
from complydesk.rights import requests as rq
from complydesk.rights.anonymise import clear_rows
from complydesk.rights.common import record
from complydesk.rights.connectors import Connector, SubjectKeys, subject_keys
from complydesk.rights.erasure_state import (
    CONNECTOR_PREFIX,
    DONE,
    FAILED,
    LOCAL,
    PENDING,
    RETAINED,
    SKIPPED,
    ErasureStatus,
    erasure_of,
    status_of,
    step_of,
    steps_of,
)
from complydesk.rights.holds import active_holds, retained_categories
from complydesk.rights.notices import contact_on_file
from complydesk.rights.receipt import build_receipt, send_receipt
from complydesk.rights.restrictions import PROCESSING_RESTRICTED
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import (
    Customer,
    CustomerRestriction,
    Erasure,
    ErasureStep,
    SubjectRequest,
)
from complydesk.vault import ERASED, Vault

log = logging.getLogger("complydesk.rights")

__all__ = ["ErasureStatus", "run_erasure", "status_of"]


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
        existing = erasure_of(session, request.id)
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
        step = step_of(session, erasure_id, LOCAL)
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
        step = step_of(session, erasure_id, system)
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
        step = step_of(session, erasure_id, system)
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


# ---- 4. finish ---------------------------------------------------------------


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
            s.status in (DONE, RETAINED, SKIPPED) for s in steps_of(session, erasure_id)
        ):
            request = session.get(SubjectRequest, erasure.request_id)
            customer = session.get(Customer, erasure.customer_id)
            assert request is not None and customer is not None
            now = audit.clock()
            receipt = build_receipt(
                session, settings, erasure, request, customer, connectors, now
            )
            lookup = _lookup(vault, erasure)
            receipt["notice"] = send_receipt(session, outbox, lookup, receipt)
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
            for s in steps_of(session, erasure_id)
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
        step = step_of(session, erasure_id, system)
        step.status = FAILED
        step.last_error = "connector_not_configured"
        step.updated_at = audit.clock()
