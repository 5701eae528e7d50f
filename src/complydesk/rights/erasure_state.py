"""Where an erasure stands: its rows, step names and states, shared by its parts.

An erasure is one `Erasure` row per request and one `ErasureStep` per system
(complydesk.rights.erasure runs it, complydesk.rights.receipt writes its
receipt, complydesk.rights.erasure_retry resumes it). The step states and
system names live here so those modules agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.errors import NotFound
from complydesk.store.models import Erasure, ErasureStep, SubjectRequest

LOCAL: Final = "complydesk"
CONNECTOR_PREFIX: Final = "connector:"
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


def erasure_of(session: Session, request_id: int) -> Erasure | None:
    return session.scalar(select(Erasure).where(Erasure.request_id == request_id))


def steps_of(session: Session, erasure_id: int) -> list[ErasureStep]:
    return list(
        session.scalars(
            select(ErasureStep)
            .where(ErasureStep.erasure_id == erasure_id)
            .order_by(ErasureStep.id)
        )
    )


def status_of(session: Session, request: SubjectRequest) -> ErasureStatus:
    erasure = erasure_of(session, request.id)
    if erasure is None:
        raise NotFound(f"no erasure was started for request {request.ref}")
    return ErasureStatus(
        request.ref,
        erasure.completed_at is not None,
        steps_of(session, erasure.id),
        erasure.receipt,
    )


def step_of(session: Session, erasure_id: int, system: str) -> ErasureStep:
    step = session.scalar(
        select(ErasureStep).where(
            ErasureStep.erasure_id == erasure_id, ErasureStep.system == system
        )
    )
    if step is None:
        raise NotFound(f"erasure {erasure_id} has no step for {system}")
    return step
