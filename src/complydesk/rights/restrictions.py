"""Restriction and objection flags on a customer that other modules must honour.

A fulfilled restriction or objection request sets a flag; any module that
decides about a customer asks `has_flag(session, customer_id, FLAG)` first,
e.g. the assistant before an automated decision:

>>> if has_flag(session, customer.id, NO_AUTOMATED_DECISIONS):  # doctest: +SKIP
...     route_to_human()
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.audit import AuditLog
from complydesk.errors import InvalidInput, NotFound
from complydesk.rights.common import record
from complydesk.store.models import CustomerRestriction, SubjectRequest

NO_AUTOMATED_DECISIONS: Final = "no_automated_decisions"
NO_MARKETING: Final = "no_marketing"
NO_PROFILING: Final = "no_profiling"
NO_SALE_OR_SHARING: Final = "no_sale_or_sharing"
PROCESSING_RESTRICTED: Final = "processing_restricted"
"""Restriction of processing (GDPR Art. 18): store only, use for nothing else."""

FLAG_OF_SCOPE: Final = {
    "automated_decisions": NO_AUTOMATED_DECISIONS,
    "marketing": NO_MARKETING,
    "profiling": NO_PROFILING,
    "sale_or_sharing": NO_SALE_OR_SHARING,
    "all_processing": PROCESSING_RESTRICTED,
}
FLAGS: Final = tuple(FLAG_OF_SCOPE.values())


def active_flags(session: Session, customer_id: int) -> set[str]:
    """Every flag in force for the customer."""
    rows = session.scalars(
        select(CustomerRestriction.flag).where(
            CustomerRestriction.customer_id == customer_id,
            CustomerRestriction.lifted_at.is_(None),
        )
    )
    return set(rows)


def has_flag(session: Session, customer_id: int, flag: str) -> bool:
    """True if `flag` is in force; an unknown flag is a programming error."""
    if flag not in FLAGS:
        raise InvalidInput(f"flag must be one of {', '.join(FLAGS)}")
    if flag != PROCESSING_RESTRICTED:
        # A restriction of all processing implies every narrower objection.
        return bool(active_flags(session, customer_id) & {flag, PROCESSING_RESTRICTED})
    return flag in active_flags(session, customer_id)


def apply_request_flag(
    session: Session, audit: AuditLog, actor: str, request: SubjectRequest
) -> str:
    """Set the flag a restriction or objection request asks for (idempotent)."""
    if request.type not in ("restriction", "objection") or request.scope is None:
        raise InvalidInput("only restriction and objection requests set flags")
    flag = FLAG_OF_SCOPE[request.scope]
    if flag in active_flags(session, request.customer_id):
        return flag
    session.add(
        CustomerRestriction(
            customer_id=request.customer_id,
            flag=flag,
            request_id=request.id,
            set_at=audit.clock(),
            set_by=actor,
        )
    )
    session.flush()
    record(
        session,
        audit,
        actor,
        "rights.restriction.set",
        "customers",
        request.customer_id,
        details={"flag": flag, "request": request.id},
    )
    return flag


def lift_flag(
    session: Session, audit: AuditLog, actor: str, customer_id: int, flag: str
) -> None:
    """End a restriction (e.g. the subject withdrew the objection)."""
    if flag not in FLAGS:
        raise InvalidInput(f"flag must be one of {', '.join(FLAGS)}")
    rows = list(
        session.scalars(
            select(CustomerRestriction).where(
                CustomerRestriction.customer_id == customer_id,
                CustomerRestriction.flag == flag,
                CustomerRestriction.lifted_at.is_(None),
            )
        )
    )
    if not rows:
        raise NotFound(f"customer {customer_id} has no {flag} restriction in force")
    now = audit.clock()
    for row in rows:
        row.lifted_at = now
    record(
        session,
        audit,
        actor,
        "rights.restriction.lift",
        "customers",
        customer_id,
        details={"flag": flag},
    )
