"""`AuditLog.batch` and `append_many`: fewer round trips, the very same chain."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import (
    GENESIS_MAC,
    AuditEvent,
    AuditLog,
    append,
    append_many,
    compute_entry_mac,
    read_head,
    verify_chain,
)
from complydesk.store.db import transaction
from complydesk.store.models.audit import AuditEntry

KEY = bytes(range(32))


def _event(n: int) -> AuditEvent:
    return AuditEvent(
        "user:7", "ticket.update", "ticket", str(n), "ok", details={"n": n}
    )


def _entries(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_append_many_writes_what_single_appends_would(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        append(session, KEY, _event(0), fixed_now)
    times = [fixed_now + timedelta(seconds=i) for i in range(1, 4)]
    with transaction(session_factory) as session:
        seqs = append_many(
            session, KEY, [(_event(i), at) for i, at in enumerate(times, 1)]
        )
    assert seqs == [2, 3, 4]
    with transaction(session_factory) as session:
        rows = _entries(session)
        assert verify_chain(session, KEY).ok
        head = read_head(session)
    # Each MAC is the one a lone append would compute, chained to the previous.
    prev = GENESIS_MAC
    for row, n in zip(rows, range(4), strict=True):
        at = fixed_now + timedelta(seconds=n)
        assert row.prev_mac == prev
        assert row.mac == compute_entry_mac(KEY, row.seq, _event(n), at, prev)
        prev = row.mac
    assert head is not None and (head.seq, head.mac) == (4, prev)
    assert head.is_signed_by(KEY)


def test_batch_appends_at_the_end_in_order_with_each_events_time(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    ticks = iter(fixed_now + timedelta(minutes=i) for i in range(10))
    log = AuditLog(KEY, lambda: next(ticks))
    with transaction(session_factory) as session:
        with log.batch(session):
            assert log.record(session, _event(1)) == 0  # seq not known yet
            with log.batch(session):  # a nested block joins the outer one
                log.record(session, _event(2))
            assert _entries(session) == []  # nothing written inside the block
        rows = _entries(session)
        assert [r.object_id for r in rows] == ["1", "2"]
        assert [r.at for r in rows] == [fixed_now, fixed_now + timedelta(minutes=1)]
        assert log.record(session, _event(3)) == 3  # outside: appended at once
    with transaction(session_factory) as session:
        assert verify_chain(session, KEY).ok


def test_an_error_in_the_block_drops_its_entries_with_the_transaction(
    session_factory: sessionmaker[Session],
) -> None:
    log = AuditLog(KEY)
    with pytest.raises(RuntimeError):
        with transaction(session_factory) as session:
            with log.batch(session):
                log.record(session, _event(1))
                raise RuntimeError("the change failed")
    with transaction(session_factory) as session:
        assert _entries(session) == []
        log.record(session, _event(2))  # the session's batch state is gone
    with transaction(session_factory) as session:
        assert [r.seq for r in _entries(session)] == [1]
        assert verify_chain(session, KEY).ok


def test_an_empty_batch_touches_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        with AuditLog(KEY).batch(session):
            pass
        assert read_head(session) is None
