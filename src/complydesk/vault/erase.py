"""Erasure by crypto-shredding, then a background scrub of what is left.

`erase_subject` is O(1) in the subject's record count: it destroys the data
key (so every ciphertext of the subject, in this database and in every
backup, is noise from that moment) and clears the customer row. The masked
copies and blind indexes on the subject's other rows (tickets, messages,
attachments) are cleared by `scrub_erased`, which the worker runs in batches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from complydesk.store.models import Base, Customer
from complydesk.store.personal import personal_fields
from complydesk.vault.records import Vault


def personal_models() -> list[type[Any]]:
    """Every mapped table that declares personal fields."""
    models = [m.class_ for m in Base.registry.mappers if personal_fields(m.class_)]
    return sorted(models, key=lambda m: m.__tablename__)


def _cleared(model: type[Any]) -> dict[str, None]:
    values: dict[str, None] = {}
    for spec in personal_fields(model).values():
        values[spec.sealed] = None
        values[spec.masked] = None
        if spec.blind is not None:
            values[spec.bidx] = None
    return values


def erase_subject(
    session: Session, vault: Vault, customer: Customer, at: datetime
) -> bool:
    """Shred the customer's data key and clear the customer row; True if shredded."""
    shredded = False
    if customer.key_ref:
        shredded = vault.keystore.shred(customer.key_ref, at)
    for name, value in _cleared(Customer).items():
        setattr(customer, name, value)
    customer.erased_at = customer.erased_at or at
    session.flush()
    return shredded


def scrub_erased(session: Session, batch: int = 1000) -> int:
    """Clear leftover fields of erased subjects' rows; return rows cleared.

    Each call clears at most `batch` rows per table, so the worker's
    transactions stay short; call again until it returns 0.
    """
    erased = select(Customer.key_ref).where(
        Customer.erased_at.is_not(None), Customer.key_ref.is_not(None)
    )
    total = 0
    for model in personal_models():
        if model is Customer:
            continue
        fields = personal_fields(model).values()
        pending = or_(*(getattr(model, f.masked).is_not(None) for f in fields))
        ids = select(model.id).where(model.key_ref.in_(erased), pending).limit(batch)
        result = session.execute(
            update(model)
            .where(model.id.in_(ids.scalar_subquery()))
            .values(**_cleared(model))
            .execution_options(synchronize_session=False)
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total
