"""Someone with database access but not the key edits the log: verify says where.

Tampering goes through raw SQL on the engine, the way an attacker with a
database client would, never through complydesk.audit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import (
    Anchor,
    AuditEvent,
    BreakKind,
    VerifyReport,
    append,
    compute_head_mac,
    current_anchor,
    read_head,
    verify_chain,
)
from complydesk.errors import IntegrityError
from complydesk.store.db import transaction
from complydesk.store.models.audit import AuditEntry

KEY = bytes(range(32))
N = 10


def fill(factory: sessionmaker[Session], now: datetime, start: int, stop: int) -> None:
    with transaction(factory) as session:
        for i in range(start, stop + 1):
            ev = AuditEvent(
                actor=f"user:{i % 3}",
                action="record.unmask",
                object_type="customer",
                object_id=f"c{i}",
                outcome="ok" if i % 4 else "denied",
                reason="case 42",
                details={"field": "email", "i": i},
            )
            append(session, KEY, ev, now + timedelta(seconds=i))


@pytest.fixture
def chain(
    engine: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> Engine:
    """N genuine entries; returns the engine to tamper through."""
    fill(session_factory, fixed_now, 1, N)
    return engine


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def verify(
    factory: sessionmaker[Session], anchor: Anchor | None = None, key: bytes = KEY
) -> VerifyReport:
    with transaction(factory) as session:
        return verify_chain(session, key, anchor, batch_size=3)


def assert_broken(report: VerifyReport, seq: int, *kinds: BreakKind) -> None:
    assert not report.ok
    assert report.first_broken_seq == seq, report
    assert report.kind in kinds, report
    assert report.message


def test_untouched_chain_is_ok(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    report = verify(session_factory)
    assert report.ok and report.entries_checked == N


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET reason = 'nothing to see' WHERE seq = 4",
        "UPDATE audit_entries SET actor = 'user:0' WHERE seq = 4",
        "UPDATE audit_entries SET outcome = 'ok' WHERE seq = 4",
        "UPDATE audit_entries SET object_id = 'c99' WHERE seq = 4",
    ],
)
def test_modified_field_is_a_mac_mismatch(
    chain: Engine, session_factory: sessionmaker[Session], statement: str
) -> None:
    sql(chain, statement)
    assert_broken(verify(session_factory), 4, BreakKind.MAC_MISMATCH)


def test_modified_time_and_details_are_mac_mismatches(
    chain: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with chain.begin() as conn:
        conn.execute(
            update(AuditEntry).where(AuditEntry.seq == 6).values(details={"i": 0})
        )
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 8).values(at=fixed_now))
    assert_broken(verify(session_factory), 6, BreakKind.MAC_MISMATCH)


def test_recomputed_plain_hash_does_not_help(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    forged = hashlib.sha256(b"forged").hexdigest()
    sql(
        chain, "UPDATE audit_entries SET reason = 'x', mac = :m WHERE seq = 3", m=forged
    )
    sql(chain, "UPDATE audit_entries SET prev_mac = :m WHERE seq = 4", m=forged)
    assert_broken(verify(session_factory), 3, BreakKind.MAC_MISMATCH)


def test_deleted_middle_entry_is_a_gap(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "DELETE FROM audit_entries WHERE seq = 5")
    report = verify(session_factory)
    assert_broken(report, 5, BreakKind.SEQ_GAP)
    assert report.entries_checked == 4


def test_deleted_entry_with_renumbering_is_detected(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "DELETE FROM audit_entries WHERE seq = 5")
    for seq in range(6, N + 1):
        sql(chain, "UPDATE audit_entries SET seq = :s WHERE seq = :o", s=seq - 1, o=seq)
    assert_broken(verify(session_factory), 5, BreakKind.MAC_MISMATCH)


def test_swapped_entries_are_detected_at_the_first(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    columns = [c for c in AuditEntry.__table__.columns if c.name != "seq"]
    with chain.begin() as conn:
        rows = {
            r.seq: r._mapping
            for r in conn.execute(
                select(AuditEntry.__table__).where(AuditEntry.seq.in_([3, 7]))
            )
        }
        for here, there in ((3, 7), (7, 3)):
            values = {c.name: rows[there][c.name] for c in columns}
            conn.execute(
                update(AuditEntry).where(AuditEntry.seq == here).values(values)
            )
    assert_broken(
        verify(session_factory), 3, BreakKind.MAC_MISMATCH, BreakKind.BROKEN_LINK
    )


def test_cut_tail_is_truncation(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "DELETE FROM audit_entries WHERE seq > 7")
    assert_broken(verify(session_factory), 8, BreakKind.TRUNCATED_TAIL)


def test_cut_tail_with_rewritten_head_fails_the_head_mac(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "DELETE FROM audit_entries WHERE seq > 7")
    # Point the head at the new last entry; the attacker has no key, so keeps
    # the old head_mac or makes one up with another key.
    sql(
        chain,
        "UPDATE audit_head SET seq = 7, "
        "mac = (SELECT mac FROM audit_entries WHERE seq = 7)",
    )
    assert_broken(verify(session_factory), 8, BreakKind.HEAD_MISMATCH)
    with transaction(session_factory) as session:
        head = read_head(session)
    assert head is not None
    sql(
        chain,
        "UPDATE audit_head SET head_mac = :h",
        h=compute_head_mac(b"k" * 32, 7, head.mac),
    )
    assert_broken(verify(session_factory), 8, BreakKind.HEAD_MISMATCH)


def test_deleted_head_row_is_detected(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "DELETE FROM audit_head")
    assert_broken(verify(session_factory), N + 1, BreakKind.HEAD_MISMATCH)
    sql(chain, "DELETE FROM audit_entries WHERE seq > 6")
    assert_broken(verify(session_factory), 7, BreakKind.HEAD_MISMATCH)


def test_append_refuses_to_fork_a_chain_without_head(
    chain: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    sql(chain, "DELETE FROM audit_head")
    ev = AuditEvent("user:1", "record.read", "customer", "c1", "ok")
    with pytest.raises(IntegrityError, match="head row is missing"):
        with transaction(session_factory) as session:
            append(session, KEY, ev, fixed_now)


def test_forged_head_row_is_detected(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    sql(chain, "UPDATE audit_head SET head_mac = :h", h="0" * 64)
    assert_broken(verify(session_factory), N + 1, BreakKind.HEAD_MISMATCH)


def test_replayed_head_after_cut_needs_an_anchor(
    session_factory: sessionmaker[Session], engine: Engine, fixed_now: datetime
) -> None:
    fill(session_factory, fixed_now, 1, 5)
    with transaction(session_factory) as session:
        old = read_head(session)
    assert old is not None
    fill(session_factory, fixed_now, 6, N)
    with transaction(session_factory) as session:
        anchor = current_anchor(session, KEY, fixed_now)
    assert verify(session_factory, anchor).ok

    sql(engine, "DELETE FROM audit_entries WHERE seq > 5")
    sql(
        engine,
        "UPDATE audit_head SET seq = :s, mac = :m, head_mac = :h",
        s=old.seq,
        m=old.mac,
        h=old.head_mac,
    )
    # The replayed head is genuinely signed: without an anchor this is
    # indistinguishable from a log that stopped at 5 (see docs/audit.md).
    assert verify(session_factory).ok
    assert_broken(verify(session_factory, anchor), 6, BreakKind.ANCHOR_MISMATCH)


def test_rolled_back_head_with_tail_left_in_place_is_detected(
    session_factory: sessionmaker[Session], engine: Engine, fixed_now: datetime
) -> None:
    fill(session_factory, fixed_now, 1, 5)
    with transaction(session_factory) as session:
        old = read_head(session)
    assert old is not None
    fill(session_factory, fixed_now, 6, N)
    sql(
        engine,
        "UPDATE audit_head SET seq = :s, mac = :m, head_mac = :h",
        s=old.seq,
        m=old.mac,
        h=old.head_mac,
    )
    assert_broken(verify(session_factory), 6, BreakKind.HEAD_MISMATCH)


def test_entry_inserted_past_the_head_is_detected(
    chain: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with chain.begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                seq=N + 1,
                at=fixed_now,
                actor="x",
                action="x",
                object_type="x",
                object_id="x",
                outcome="ok",
                reason="",
                details={},
                prev_mac="0" * 64,
                mac="0" * 64,
            )
        )
    assert_broken(verify(session_factory), N + 1, BreakKind.HEAD_MISMATCH)
    # Appending now fails closed with a reason, not a raw primary-key error.
    ev = AuditEvent("user:1", "record.read", "customer", "c1", "ok")
    with pytest.raises(IntegrityError, match="already exists past the head"):
        with transaction(session_factory) as session:
            append(session, KEY, ev, fixed_now)


def test_anchor_from_another_key_or_chain_is_a_mismatch(
    chain: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        good = current_anchor(session, KEY, fixed_now)
    unsigned = Anchor(good.seq, good.mac, "1" * 64, fixed_now)
    assert_broken(verify(session_factory, unsigned), N, BreakKind.ANCHOR_MISMATCH)
    # Signed with our key but naming a different entry 4 (a rebuilt chain).
    other_mac = "ab" * 32
    other = Anchor(4, other_mac, compute_head_mac(KEY, 4, other_mac), fixed_now)
    assert_broken(verify(session_factory, other), 4, BreakKind.ANCHOR_MISMATCH)


def test_wrong_key_fails_at_the_first_entry(
    chain: Engine, session_factory: sessionmaker[Session]
) -> None:
    assert_broken(verify(session_factory, key=b"w" * 32), 1, BreakKind.MAC_MISMATCH)
