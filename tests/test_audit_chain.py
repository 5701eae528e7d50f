"""Appending to and verifying the audit chain on both backends."""

from __future__ import annotations

import math
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import (
    GENESIS_MAC,
    Anchor,
    AuditEvent,
    AuditLog,
    append,
    compute_head_mac,
    current_anchor,
    load_audit_key,
    read_head,
    recent_entries,
    verify_chain,
)
from complydesk.audit.chain import format_at
from complydesk.errors import ConfigError, InvalidInput
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models.audit import AuditEntry, AuditHead

KEY = bytes(range(32))


def event(n: int = 0, **overrides: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "actor": "user:7",
        "action": "ticket.update",
        "object_type": "ticket",
        "object_id": str(n),
        "outcome": "ok",
        "reason": "agent edit",
        "details": {"fields": ["status"], "n": n},
    }
    values.update(overrides)
    return AuditEvent(**values)


def test_append_returns_gap_free_seqs_and_verifies(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        seqs = [append(session, KEY, event(i), fixed_now) for i in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    with transaction(session_factory) as session:
        report = verify_chain(session, KEY)
        head = read_head(session)
        first = session.get(AuditEntry, 1)
    assert report.ok and report.entries_checked == 5 and report.head_seq == 5
    assert head is not None and head.seq == 5 and head.is_signed_by(KEY)
    assert first is not None and first.prev_mac == GENESIS_MAC


def test_empty_log_verifies(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        report = verify_chain(session, KEY)
        assert read_head(session) is None
    assert report.ok and report.entries_checked == 0 and report.head_seq == 0


def test_verify_pages_through_small_batches(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        for i in range(23):
            append(session, KEY, event(i), fixed_now + timedelta(seconds=i))
    with transaction(session_factory) as session:
        for batch_size in (1, 4, 23, 100):
            report = verify_chain(session, KEY, batch_size=batch_size)
            assert report.ok and report.entries_checked == 23


def test_times_and_details_round_trip_exactly(
    session_factory: sessionmaker[Session],
) -> None:
    # Non-UTC offset, microseconds, Unicode, floats, nesting: all must read
    # back to the same canonical bytes on SQLite and PostgreSQL.
    at = datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    details = {
        "ratio": 0.1,
        "big": 2**60,
        "name": "Zoë ✓",
        "flags": {"a": None, "b": True},
        "ids": [1, "x"],
    }
    with transaction(session_factory) as session:
        append(session, KEY, event(details=details), at)
    with transaction(session_factory) as session:
        stored = session.get(AuditEntry, 1)
        assert stored is not None
        assert format_at(stored.at) == "2026-03-02T09:00:00.123456+00:00"
        assert stored.details == details
        assert verify_chain(session, KEY).ok


def test_append_is_part_of_the_callers_transaction(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        append(session, KEY, event(1), fixed_now)
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        append(session, KEY, event(2), fixed_now)
        raise RuntimeError("business write failed")
    with transaction(session_factory) as session:
        assert append(session, KEY, event(3), fixed_now) == 2
        assert verify_chain(session, KEY).ok


def test_audit_log_records_with_its_clock(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    log = AuditLog(KEY, clock=lambda: fixed_now)
    with transaction(session_factory) as session:
        assert log.record(session, event(1, outcome="denied")) == 1
    with transaction(session_factory) as session:
        (entry,) = recent_entries(session)
    assert entry.at == fixed_now and entry.outcome == "denied"


def test_recent_entries_are_the_newest_oldest_first(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        for i in range(6):
            append(session, KEY, event(i), fixed_now)
    with transaction(session_factory) as session:
        assert [e.seq for e in recent_entries(session, 3)] == [4, 5, 6]
        with pytest.raises(InvalidInput):
            recent_entries(session, 0)


@pytest.mark.parametrize("threads", [4])
def test_concurrent_appends_form_one_valid_chain(
    session_factory: sessionmaker[Session], fixed_now: datetime, threads: int
) -> None:
    per_thread = 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(t: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction(session_factory) as session:
                    append(session, KEY, event(t * 100 + i), fixed_now)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    with transaction(session_factory) as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        report = verify_chain(session, KEY)
    assert list(seqs) == list(range(1, threads * per_thread + 1))
    assert report.ok and report.entries_checked == threads * per_thread


def test_racing_first_appends_on_an_empty_log_all_succeed(
    engine: Engine, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    """Before the fix, a first append that committed between another's head
    read and its entry check made that one fail with "head row is missing"
    (PostgreSQL, READ COMMITTED); it failed within a few rounds."""
    threads = 8
    for round_ in range(10):
        with engine.begin() as conn:
            conn.execute(delete(AuditEntry))
            conn.execute(delete(AuditHead))
        errors: list[BaseException] = []
        start = threading.Barrier(threads)

        def first_append(
            t: int, start: threading.Barrier, errors: list[BaseException]
        ) -> None:
            try:
                start.wait()
                with transaction(session_factory) as session:
                    append(session, KEY, event(t), fixed_now)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        pool = [
            threading.Thread(target=first_append, args=(t, start, errors))
            for t in range(threads)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        assert errors == [], f"round {round_}: {errors}"
        with transaction(session_factory) as session:
            assert verify_chain(session, KEY).entries_checked == threads


def test_anchor_round_trips_and_is_signed(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session:
        append(session, KEY, event(1), fixed_now)
        saved = current_anchor(session, KEY, fixed_now)
    parsed = Anchor.from_json(saved.to_json())
    assert parsed == saved and parsed.is_signed_by(KEY)
    assert saved.head_mac == compute_head_mac(KEY, 1, saved.mac)
    assert not parsed.is_signed_by(b"x" * 32)


def test_anchor_refuses_an_empty_log(
    session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    with transaction(session_factory) as session, pytest.raises(InvalidInput):
        current_anchor(session, KEY, fixed_now)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "other"}',
        '{"format": "complydesk-audit-anchor/1", "seq": 0}',
        '{"format": "complydesk-audit-anchor/1", "seq": 1, "mac": "zz",'
        ' "head_mac": "zz", "created_at": "2026-01-01"}',
    ],
)
def test_malformed_anchor_files_are_rejected(text: str) -> None:
    with pytest.raises(InvalidInput):
        Anchor.from_json(text)


def test_load_audit_key_creates_a_private_key_once(settings: Settings) -> None:
    with pytest.raises(ConfigError):
        load_audit_key(settings, create=False)
    key = load_audit_key(settings)
    path = settings.data_dir / "audit.key"
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_audit_key(settings, create=False) == key


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"details": {"note": "x" * 201}}, "exceeds 200"),
        ({"details": {"a": {"b": {"c": 1}}}}, "nested deeper"),
        ({"details": {"a": [[1]]}}, "nested deeper"),
        ({"details": {1: "x"}}, "key"),
        ({"details": {"x": math.nan}}, "finite"),
        ({"details": {"x": b"raw"}}, "type bytes"),
        ({"details": {"x": {1, 2}}}, "type set"),
        ({"details": ["not", "a", "dict"]}, "must be a dict"),
        ({"actor": "a" * 121}, "actor exceeds"),
        ({"reason": "r" * 501}, "reason exceeds"),
        ({"actor": ""}, "must not be empty"),
        ({"outcome": "OK!"}, "outcome"),
        ({"object_id": "a\x00b"}, "NUL"),
    ],
)
def test_details_guard_rejects_content_that_looks_wrong(
    overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        event(**overrides)


def test_details_guard_accepts_ids_and_is_copied() -> None:
    details: dict[str, Any] = {"ids": ("c1", "c2"), "rule": {"pack": "eu", "n": 2}}
    ev = event(details=details)
    details["rule"]["pack"] = "changed later"
    assert ev.details == {"ids": ["c1", "c2"], "rule": {"pack": "eu", "n": 2}}


def test_naive_time_is_rejected(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session, pytest.raises(InvalidInput):
        append(session, KEY, event(), datetime(2026, 1, 1))
    with transaction(session_factory) as session:
        assert read_head(session) is None


def test_utc_now_default_clock_is_aware(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        AuditLog(KEY).record(session, event())
        (entry,) = recent_entries(session)
    assert entry.at.tzinfo is not None
    assert abs(entry.at - datetime.now(UTC)) < timedelta(minutes=1)
