"""Audit-only group labels: coded, kept apart from the customer, erased with them.

Why this shape (docs/assistant.md, "Group labels and erasure"):

* A label such as gender=f is personal data about the customer. It is kept
  in `ai_audit_facts`, one row per decision holding only what an audit
  counts (policy, favourable, ground truth, label codes): no customer id, no
  key ref, no time, no text. A read-only audit role can be granted these
  tables and the code book alone and learns group statistics, not people.
* Labels are integer codes in the attribute's slot column (`g1`…`g8`,
  assigned on first use; `ai_audit_attributes`, `ai_audit_labels`), so an
  audit over a million decisions is one GROUP BY over narrow integer columns
  instead of parsing JSON per row.
* The row is keyed to the decision because review outcomes (ground truth)
  and erasure must find it; `forget_subject` deletes the subject's rows (and
  codes no other decision uses) in the erasure step (`rights.erasure`), and
  `forget_erased` catches subjects erased by any other path (worker job).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Integer, cast, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complydesk.errors import InvalidInput
from complydesk.store.models import Customer
from complydesk.store.models.assistant import (
    AUDIT_SLOTS,
    AiAuditAttribute,
    AiAuditFact,
    AiAuditLabel,
    AiDecision,
)

if TYPE_CHECKING:  # pandas loads only when an audit runs
    import pandas as pd

UNKNOWN: Final = "(unknown)"
MAX_GROUPS: Final = 8
MAX_LABELS_PER_ATTRIBUTE: Final = 64
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Coarse categories only: a long run of digits or an @ is an identifier.
_NOT_COARSE = re.compile(r"\d{5,}|@")


def check_groups(raw: Any) -> dict[str, str]:
    """Audit-only group labels: a few short, coarse categories (never free text)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_GROUPS:
        raise InvalidInput(f"audit_groups must be an object of at most {MAX_GROUPS}")
    out = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _ID.match(key):
            raise InvalidInput("audit_groups keys must be ids such as region, gender")
        if not isinstance(value, str) or not 0 < len(value.strip()) <= 32:
            raise InvalidInput(f"audit_groups.{key} must be a label of 1-32 characters")
        if _NOT_COARSE.search(value):
            raise InvalidInput(
                f"audit_groups.{key} must be a coarse category, not an identifier"
            )
        out[key] = value.strip()
    return out


def _slot(session: Session, attribute: str) -> int:
    """The attribute's slot, assigned on first use (safe under concurrency)."""
    for _ in range(3):
        slot = session.scalar(
            select(AiAuditAttribute.slot).where(AiAuditAttribute.name == attribute)
        )
        if slot is not None:
            return slot
        used = set(session.scalars(select(AiAuditAttribute.slot)))
        free = [s for s in range(1, AUDIT_SLOTS + 1) if s not in used]
        if not free:
            raise InvalidInput(
                f"audit_groups: {AUDIT_SLOTS} audit attributes are already in use; "
                "use one of them"
            )
        try:
            with session.begin_nested():
                session.execute(
                    insert(AiAuditAttribute).values(name=attribute, slot=free[0])
                )
        except IntegrityError:  # a concurrent writer took the name or the slot
            continue
    raise InvalidInput("audit_groups: attribute slots are contended; retry")


def _code(session: Session, attribute: str, label: str) -> int:
    query = select(AiAuditLabel.id).where(
        AiAuditLabel.attribute == attribute, AiAuditLabel.label == label
    )
    for _ in range(3):
        code = session.scalar(query)
        if code is not None:
            return code
        count = session.scalar(
            select(func.count()).where(AiAuditLabel.attribute == attribute)
        )
        if (count or 0) >= MAX_LABELS_PER_ATTRIBUTE:
            raise InvalidInput(
                f"audit_groups.{attribute} already has {MAX_LABELS_PER_ATTRIBUTE} "
                "labels; audit groups must be coarse"
            )
        try:
            with session.begin_nested():
                session.execute(
                    insert(AiAuditLabel).values(attribute=attribute, label=label)
                )
        except IntegrityError:
            continue
    raise InvalidInput("audit_groups: labels are contended; retry")


def record_facts(
    session: Session,
    decision: AiDecision,
    groups: dict[str, str],
) -> None:
    """The decision's audit row: outcome, ground truth and coded labels."""
    values: dict[str, Any] = {}
    for attribute, label in sorted(groups.items()):
        slot = _slot(session, attribute)
        values[f"g{slot}"] = _code(session, attribute, label)
    session.execute(
        insert(AiAuditFact).values(
            decision_id=decision.id,
            policy=decision.policy,
            favourable=decision.favourable,
            ground_truth=decision.ground_truth,
            **values,
        )
    )


def set_ground_truth(session: Session, decision_id: int, truth: bool | None) -> None:
    session.execute(
        update(AiAuditFact)
        .where(AiAuditFact.decision_id == decision_id)
        .values(ground_truth=truth)
    )


def labels_of(session: Session, decision_id: int) -> dict[str, str]:
    """The decision's labels, decoded (for the subject's access and for tests)."""
    fact = session.get(AiAuditFact, decision_id)
    if fact is None:
        return {}
    slots = dict(
        session.execute(select(AiAuditAttribute.slot, AiAuditAttribute.name)).all()
    )
    out = {}
    for slot, name in slots.items():
        code = getattr(fact, f"g{slot}")
        if code is not None:
            label = session.get(AiAuditLabel, code)
            if label is not None:
                out[name] = label.label
    return out


def _forget(session: Session, decisions: Any) -> int:
    """Delete the facts of `decisions` (a subquery of ids) and orphaned codes."""
    slots = list(session.scalars(select(AiAuditAttribute.slot)))
    used: set[tuple[int, int]] = set()
    for slot in slots:
        column = getattr(AiAuditFact, f"g{slot}")
        for code in session.scalars(
            select(column)
            .where(AiAuditFact.decision_id.in_(decisions), column.is_not(None))
            .distinct()
        ):
            used.add((slot, int(code)))
    result = session.execute(
        delete(AiAuditFact)
        .where(AiAuditFact.decision_id.in_(decisions))
        .execution_options(synchronize_session=False)
    )
    for slot, code in sorted(used):
        column = getattr(AiAuditFact, f"g{slot}")
        if not session.scalar(select(exists().where(column == code))):
            # A label no remaining decision carries would single the subject out.
            session.execute(delete(AiAuditLabel).where(AiAuditLabel.id == code))
    return int(getattr(result, "rowcount", 0) or 0)


def forget_subject(session: Session, key_ref: str) -> int:
    """Erasure step: delete the subject's audit rows; returns rows deleted."""
    ids = select(AiDecision.id).where(AiDecision.key_ref == key_ref)
    return _forget(session, ids.scalar_subquery())


def forget_erased(session: Session) -> int:
    """Delete audit rows of every erased customer (whatever path erased them)."""
    erased = select(Customer.id).where(Customer.erased_at.is_not(None))
    ids = select(AiDecision.id).where(AiDecision.customer_id.in_(erased))
    return _forget(session, ids.scalar_subquery())


def load_counts(
    session: Session, by: list[str], policy: str | None = None
) -> pd.DataFrame:
    """The audit log for `by`, counted per (labels, outcome, ground truth).

    One GROUP BY over `ai_audit_facts`' narrow integer columns: the database
    counts (no ORM rows, no JSON, nothing per decision crosses into Python)
    and a million decisions come back as a few dozen rows with their count in
    `w`, which `audit_frame` takes as weights. Attributes never recorded are
    all `(unknown)`. Measured against fetching the rows through the driver's
    cursor into numpy: less CPU on SQLite, and on PostgreSQL 0.3-0.6 s
    instead of 5 s (bench/ai_bench.py).
    """
    import pandas as pd

    slots = dict(
        session.execute(select(AiAuditAttribute.name, AiAuditAttribute.slot)).all()
    )
    known = [a for a in by if a in slots]
    keys: list[Any] = [
        cast(AiAuditFact.favourable, Integer).label("f"),
        func.coalesce(cast(AiAuditFact.ground_truth, Integer), -1).label("t"),
        *[
            func.coalesce(getattr(AiAuditFact, f"g{slots[a]}"), 0).label(f"c{i}")
            for i, a in enumerate(known)
        ],
    ]
    query = select(*keys, func.count().label("w")).group_by(*keys)
    if policy is not None:
        query = query.where(AiAuditFact.policy == policy)
    rows = session.execute(query).all()
    codes = dict(session.execute(select(AiAuditLabel.id, AiAuditLabel.label)).all())
    frame = pd.DataFrame(
        {
            "favourable": [bool(r[0]) for r in rows],
            "ground_truth": [math.nan if r[1] < 0 else float(r[1]) for r in rows],
            "w": [int(r[-1]) for r in rows],
        }
    )
    for attribute in by:
        if attribute in slots:
            i = 2 + known.index(attribute)
            values = [codes.get(int(r[i]), UNKNOWN) if r[i] else UNKNOWN for r in rows]
        else:
            values = [UNKNOWN] * len(rows)
        frame[attribute] = pd.Categorical(values)
    return frame


def forget_erased_job(ctx: Any) -> str:
    """Worker job (complydesk.worker): `forget_erased` in one short transaction."""
    from complydesk.store.db import transaction

    with transaction(ctx.sessions) as session:
        done = forget_erased(session)
    return f"{done} fairness audit rows of erased customers deleted"
