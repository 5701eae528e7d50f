"""Everything complydesk holds about one subject, as plain JSON-ready rows.

The inventory is found, not listed: starting from the customer row, every
table whose foreign key points at a row already found is included (tickets,
conversations, their messages and attachments, requests, restrictions, and
whatever later modules add, such as automated decisions), plus every row of
a personal table carrying the subject's key ref. Personal fields are opened
through the vault; sealed, masked and blind-index columns are internal and
never exported. Tables that hold only secrets or bookkeeping are skipped,
each with the reason in `SKIPPED`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import ColumnElement, LargeBinary, Table, or_, select
from sqlalchemy.orm import Session

from complydesk.store.models import Base, Customer
from complydesk.store.personal import personal_fields
from complydesk.vault import Vault

SKIPPED: Final = {
    "rights_verifications": "hashes of one-time codes, not data about the subject",
    "rights_erasures": "bookkeeping of an erasure run",
    "rights_erasure_steps": "bookkeeping of an erasure run",
    "notification_outbox": "sealed messages in transit, erased once delivered",
    "audit_entries": "the audit trail holds ids, not the subject's data",
}
MAX_ROWS_PER_TABLE: Final = 50_000


def _model_of(table: Table) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _internal_columns(model: type[Any] | None, table: Table) -> set[str]:
    internal = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
    if model is not None and personal_fields(model):
        internal.add("key_ref")
        for spec in personal_fields(model).values():
            internal.update((spec.sealed, spec.masked, spec.bidx))
    return internal


def _row(
    row: Any, model: type[Any] | None, table: Table, vault: Vault
) -> dict[str, Any]:
    internal = _internal_columns(model, table)
    out = {
        c.name: _jsonable(getattr(row, c.key if model is not None else c.name))
        for c in table.columns
        if c.name not in internal
    }
    if model is not None and personal_fields(model):
        out.update(vault.reveal(row))
    return out


def collect(
    session: Session, vault: Vault, customer: Customer
) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the subject's rows, personal fields in plaintext."""
    found: dict[str, set[Any]] = {"customers": {customer.id}}
    out: dict[str, list[dict[str, Any]]] = {
        "customers": [_row(customer, Customer, _table_of(Customer), vault)]
    }
    for table in Base.metadata.sorted_tables:  # referenced tables come first
        if table.name in found or table.name in SKIPPED:
            continue
        conditions: list[ColumnElement[bool]] = [
            fk.parent.in_(found[fk.column.table.name])
            for fk in table.foreign_keys
            if fk.column.table.name in found and found[fk.column.table.name]
        ]
        model = _model_of(table)
        if model is not None and personal_fields(model) and customer.key_ref:
            conditions.append(table.c.key_ref == customer.key_ref)
        if not conditions:
            continue
        key = _primary_key(table)
        stmt = select(model) if model is not None else select(table)
        stmt = stmt.where(or_(*conditions)).limit(MAX_ROWS_PER_TABLE)
        if key is not None:
            stmt = stmt.order_by(key)
        rows: Iterable[Any] = (
            session.scalars(stmt) if model is not None else session.execute(stmt)
        )
        collected = [_row(r, model, table, vault) for r in rows]
        if not collected:
            continue
        out[table.name] = collected
        if key is not None:
            found[table.name] = {r[key.name] for r in collected}
    return out


def _table_of(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _primary_key(table: Table) -> Any:
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else None


def counts(data: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in data.items()}
