"""Customers: created, found and erased through the vault, never in plaintext.

A customer is a data subject: it gets its own data key at creation, its
personal fields are sealed and masked by the vault, and it is found by phone,
email or ID number through blind indexes. Every function takes the caller's
session, so the customer row, its fields and its audit entry commit together.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.errors import Conflict, InvalidInput, NotFound
from complydesk.policy import available_packs
from complydesk.store.models import Customer
from complydesk.vault import BlindKind, Vault
from complydesk.vault.erase import erase_subject
from complydesk.vault.records import MIN_REASON_CHARS

FIELDS = ("name", "phone", "email", "id_number", "address")


def new_customer_ref() -> str:
    return f"C-{secrets.token_hex(5).upper()}"


def create_customer(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    actor: str,
    values: Mapping[str, str | None],
    jurisdiction: str | None = None,
) -> Customer:
    """A new data subject with its own data key; fields sealed and masked."""
    if jurisdiction is not None and jurisdiction not in available_packs():
        raise InvalidInput(f"jurisdiction must be one of {sorted(available_packs())}")
    present = {k: v for k, v in values.items() if v is not None}
    prepared = vault.check(Customer, present)  # before a key is made for nothing
    key = vault.new_subject()
    customer = Customer(
        ref=new_customer_ref(),
        jurisdiction=jurisdiction,
        created_at=audit.clock(),
        key_ref=key.key_ref,
    )
    vault.put(session, customer, prepared, key)
    session.add(customer)
    session.flush()
    _audit(session, audit, actor, "customer.create", customer, sorted(present))
    return customer


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return customer


def find_customers(
    session: Session, vault: Vault, kind: BlindKind, value: str
) -> list[Customer]:
    """Customers whose `kind` equals `value`, matched on blind indexes only."""
    index = vault.lookup_index(kind, value)
    column = getattr(Customer, f"{kind.value}_bidx")
    return list(session.scalars(select(Customer).where(column == index)))


def update_customer(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    actor: str,
    customer: Customer,
    values: Mapping[str, str | None],
) -> Customer:
    """Rectify fields (None clears one); erased customers cannot be changed."""
    if customer.erased_at is not None:
        raise Conflict("this customer was erased; create a new record instead")
    vault.put(session, customer, values)
    _audit(session, audit, actor, "customer.update", customer, sorted(values))
    return customer


def erase_customer(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    actor: str,
    customer: Customer,
    reason: str,
) -> datetime:
    """Crypto-shred the customer's key; the worker scrubs the remaining copies."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_CHARS:
        raise InvalidInput(
            f"reason must say why, in at least {MIN_REASON_CHARS} characters"
        )
    if customer.erased_at is not None:
        return customer.erased_at
    now = audit.clock()
    erase_subject(session, vault, customer, now)
    _audit(session, audit, actor, "customer.erase", customer, [], reason)
    return now


def _audit(
    session: Session,
    audit: AuditLog,
    actor: str,
    action: str,
    customer: Customer,
    fields: list[str],
    reason: str = "",
) -> None:
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action=action,
            object_type="customers",
            object_id=str(customer.id),
            outcome="ok",
            reason=reason[:500],
            details={"fields": ",".join(fields)} if fields else {},
        ),
    )
