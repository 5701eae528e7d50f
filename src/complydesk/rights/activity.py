"""When a subject's data was last used, found from the schema, not a hand list.

Storage limitation counts an inactive profile's period from its last use. A
hand-kept list of "tables with activity" goes stale the day a module adds a
table (AI conversations, ticket replies and notes did), and a stale list
expires customers who are still active. So the tables are found the way the
access export finds them (complydesk.rights.access): every table reachable
from `customers` through foreign keys, plus personal tables carrying the
subject's key ref; and every timestamp column of those tables counts, except
columns that hold a plan rather than an event (deadlines, expiries, next
attempts, alert and reminder bookkeeping, the erasure time itself). Times in
the future (a deadline under another name) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Column, ForeignKey, Table, func, select
from sqlalchemy.orm import Session

from complydesk.rights.access import SKIPPED
from complydesk.store.models import Base, Customer
from complydesk.store.models.base import UTCDateTime

# Timestamp columns that are not something that happened.
NOT_ACTIVITY: Final = re.compile(
    r"(due|expires|^next_|alert|remind|^erased_at$|^lifted_at$|^released_at$)"
)


@dataclass(frozen=True)
class Source:
    """One table's activity columns and how its rows reach a customer id."""

    table: Table
    columns: tuple[Column[Any], ...]
    hops: tuple[ForeignKey, ...]  # child -> parent, ending at customers
    by_key_ref: bool = False


def activity_columns(table: Table) -> tuple[Column[Any], ...]:
    return tuple(
        c
        for c in table.columns
        if isinstance(c.type, UTCDateTime) and not NOT_ACTIVITY.search(c.name)
    )


def sources() -> list[Source]:
    """Every table that records something about a subject, with its path to them."""
    customers = Customer.__table__
    assert isinstance(customers, Table)
    paths: dict[str, tuple[ForeignKey, ...]] = {"customers": ()}
    out = [Source(customers, activity_columns(customers), ())]
    for table in Base.metadata.sorted_tables:  # referenced tables come first
        if table.name in paths or table.name in SKIPPED:
            continue
        fks = sorted(
            (fk for fk in table.foreign_keys if fk.column.table.name in paths),
            key=lambda fk: (  # a required link, on the shortest path
                fk.parent.nullable,
                len(paths[fk.column.table.name]),
                fk.parent.name,
            ),
        )
        columns = activity_columns(table)
        if fks:
            hop = fks[0]
            paths[table.name] = (hop, *paths[hop.column.table.name])
            if columns:
                out.append(Source(table, columns, paths[table.name]))
        elif "key_ref" in table.c and columns:
            out.append(Source(table, columns, (), by_key_ref=True))
    return out


def _latest(session: Session, source: Source, ids: list[int]) -> Iterable[Any]:
    maxes = [func.max(c) for c in source.columns]
    customers = Customer.__table__
    if source.by_key_ref:
        stmt = (
            select(customers.c.id, *maxes)
            .select_from(source.table)
            .join(customers, customers.c.key_ref == source.table.c.key_ref)
            .where(customers.c.id.in_(ids))
            .group_by(customers.c.id)
        )
        return session.execute(stmt)
    if not source.hops:
        root = source.table.c.id
        stmt = select(root, *maxes).where(root.in_(ids)).group_by(root)
        return session.execute(stmt)
    root = source.hops[-1].parent  # the column that holds the customer id
    stmt = select(root, *maxes).select_from(source.table)
    for hop in source.hops[:-1]:
        stmt = stmt.join(hop.column.table, hop.parent == hop.column)
    return session.execute(stmt.where(root.in_(ids)).group_by(root))


def last_activity(
    session: Session, ids: list[int], now: datetime
) -> dict[int, datetime]:
    """Customer id -> the newest past event in any table about them."""
    last: dict[int, datetime] = {}
    for source in sources():
        for row in _latest(session, source, ids):
            customer_id, *times = row
            for at in times:
                if at is None or at > now:
                    continue
                if customer_id not in last or at > last[customer_id]:
                    last[int(customer_id)] = at
    return last
