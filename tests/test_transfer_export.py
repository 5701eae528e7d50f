"""Assessments and exports on real files, on SQLite and PostgreSQL.

Nothing of ours is mocked: the register, the counters, the audit chain and
the PII engine are the real ones; time is a fixed clock.
"""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.transfer_helpers import (
    NOW,
    ROWS,
    SEEDED,
    add_contract,
    fixed,
    people_csv,
    register,
    write_csv,
    write_jsonl,
)

from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.errors import Conflict, InvalidInput
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models import (
    AuditEntry,
    TransferAssessment,
    TransferCounter,
    TransferSubject,
    TransferSubjectDigest,
)
from complydesk.transfer.assessment import assess_file
from complydesk.transfer.counting import SubjectIndex, YearRegister
from complydesk.transfer.export import export_file


@pytest.fixture
def cn(settings: Settings) -> Settings:
    return settings.model_copy(update={"default_pack": "cn"})


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(load_audit_key(settings))


def _export(
    sessions: sessionmaker[Session],
    settings: Settings,
    audit: AuditLog,
    source: Path,
    out: Path,
    now: datetime = NOW,
    workers: int = 1,
):  # type: ignore[no-untyped-def]
    return export_file(
        sessions,
        settings,
        audit,
        fixed(now),
        recipient="acme-sg",
        source=source,
        out=out,
        actor="test",
        workers=workers,
    )


def _counter(sessions: sessionmaker[Session], year: int = 2026) -> tuple[int, int]:
    with sessions() as session:
        row = session.scalars(
            select(TransferCounter).where(
                TransferCounter.jurisdiction == "cn", TransferCounter.year == year
            )
        ).one_or_none()
        return (0, 0) if row is None else (row.individuals, row.sensitive_individuals)


def test_export_applies_the_profile_counts_people_and_records_the_hash(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    source = write_csv(tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    outcome = _export(session_factory, cn, audit, source, out)

    assert outcome.allowed, outcome.decision.findings
    data = out.read_bytes()
    text_out = data.decode("utf-8")
    assert text_out.splitlines()[0] == "name,phone,email,order_no,note"
    for value in SEEDED:
        assert value not in text_out
    assert "A1001" in text_out and "no personal data" in text_out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # Two people (the phone is written two ways), none sensitive: the ID
    # number column is dropped and the bank card in the note too.
    counts = outcome.counts
    assert (counts.records, counts.individuals, counts.sensitive) == (3, 2, 0)
    assert _counter(session_factory) == (2, 0)
    digest = hashlib.sha256(data).hexdigest()
    assert outcome.assessment.output_sha256 == digest
    with session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "transfer.export")
        ).one()
        assert entry.outcome == "ok"
        assert entry.details["output_sha256"] == digest
        assert entry.details["individuals"] == 2
        stored = session.scalars(select(TransferSubjectDigest.digest)).all()
        # Person 1: phone, e-mail and the dropped ID number (it still links
        # them); person 2: phone and e-mail.
        assert len(stored) == 5
        assert verify_chain(session, load_audit_key(cn)).ok


def test_nothing_personal_lands_in_the_database(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
    db_url: str,
) -> None:
    register(session_factory, audit)
    _export(
        session_factory, cn, audit, write_csv(tmp_path / "in.csv"), tmp_path / "o.csv"
    )
    with session_factory() as session:
        tables = [
            "transfer_assessments",
            "transfer_subjects",
            "transfer_subject_digests",
            "audit_entries",
        ]
        dump = "".join(
            str(row)
            for table in tables
            for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
        )
    for value in SEEDED:
        assert value not in dump
    assert "+8613812345678" not in dump


def test_sending_the_same_people_again_adds_no_one(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    source = write_csv(tmp_path / "in.csv")
    first = _export(session_factory, cn, audit, source, tmp_path / "a.csv")
    again = _export(session_factory, cn, audit, source, tmp_path / "b.csv")
    assert first.counts.new_individuals == 2
    assert again.counts.new_individuals == 0
    assert again.counts.prior_individuals == 2
    assert _counter(session_factory) == (2, 0)
    # Same key per recipient, no encryption: the same bytes each time.
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_two_workers_write_exactly_what_one_writes(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    rows = ROWS * 1500  # several batches
    source = write_csv(tmp_path / "in.csv", rows)
    one = _export(session_factory, cn, audit, source, tmp_path / "one.csv")
    two = _export(session_factory, cn, audit, source, tmp_path / "two.csv", workers=2)
    assert one.assessment.output_sha256 == two.assessment.output_sha256
    assert two.counts.records == 3 * 1500
    assert two.counts.individuals == 2


def test_the_100000th_person_is_refused_without_a_contract_and_leaves_no_file(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    with transaction(session_factory) as session:
        session.add(
            TransferCounter(
                jurisdiction="cn",
                year=2026,
                individuals=99_998,
                sensitive_individuals=0,
                updated_at=NOW,
            )
        )
    fits = people_csv(tmp_path / "one.csv", 0, 1)
    assert _export(session_factory, cn, audit, fits, tmp_path / "o1.csv").allowed
    assert _counter(session_factory) == (99_999, 0)

    over = people_csv(tmp_path / "next.csv", 1, 1)
    out = tmp_path / "o2.csv"
    refused = _export(session_factory, cn, audit, over, out)
    assert not refused.allowed
    assert refused.decision.route.value == "standard_contract_or_certification"
    assert [f.code for f in refused.decision.blocking] == ["mechanism.missing"]
    assert not out.exists()
    assert list(tmp_path.glob(".*partial")) == []
    assert _counter(session_factory) == (99_999, 0)
    assert not refused.assessment.exported

    add_contract(session_factory, audit)
    allowed = _export(session_factory, cn, audit, over, out)
    assert allowed.allowed and out.exists()
    assert _counter(session_factory) == (100_000, 0)


def test_a_sensitive_column_kept_masked_makes_every_subject_sensitive(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    profile = {"columns": {"id_number": {"action": "mask", "label": "CN_ID_CARD"}}}
    register(
        session_factory,
        audit,
        profile=profile,
        categories=("contact", "identity", "identity_document"),
    )
    add_contract(session_factory, audit)
    source = people_csv(tmp_path / "ids.csv", 0, 3, with_id=True)
    outcome = _export(session_factory, cn, audit, source, tmp_path / "o.csv")
    assert outcome.allowed
    assert outcome.decision.route.value == "standard_contract_or_certification"
    assert (outcome.counts.individuals, outcome.counts.sensitive) == (3, 3)
    assert _counter(session_factory) == (3, 3)
    with session_factory() as session:
        flags = session.scalars(select(TransferSubject.sensitive)).all()
    assert flags == [True, True, True]


def test_counts_start_again_on_1_january_beijing_time(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    source = write_csv(tmp_path / "in.csv")
    before = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
    after = datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC)
    first = _export(session_factory, cn, audit, source, tmp_path / "a.csv", now=before)
    second = _export(session_factory, cn, audit, source, tmp_path / "b.csv", now=after)
    assert first.assessment.year == 2026 and second.assessment.year == 2027
    assert second.counts.new_individuals == 2 and second.counts.prior_individuals == 0
    assert _counter(session_factory, 2026) == (2, 0)
    assert _counter(session_factory, 2027) == (2, 0)


def test_assessment_reports_without_touching_the_counters(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    outcome = assess_file(
        session_factory,
        cn,
        audit,
        fixed(NOW),
        recipient="acme-sg",
        path=write_csv(tmp_path / "in.csv"),
        actor="test",
        workers=1,
    )
    assert outcome.allowed and outcome.counts.new_individuals == 2
    assert _counter(session_factory) == (0, 0)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TransferSubject)) == 0
        row = session.scalars(select(TransferAssessment)).one()
    assert row.kind == "assessment" and not row.exported
    assert row.summary["columns"]["id_number"] == {"CN_ID_CARD": 1}
    assert row.summary["categories"] == ["contact", "identity"]


def test_export_without_a_profile_is_refused_before_reading(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit, profile=None)
    out = tmp_path / "o.csv"
    outcome = _export(session_factory, cn, audit, write_csv(tmp_path / "i.csv"), out)
    assert [f.code for f in outcome.decision.blocking] == ["agreement.no_profile"]
    assert outcome.summary is None and not out.exists()
    with session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "transfer.export")
        ).one()
    assert entry.outcome == "refused"


def test_jsonl_export_walks_nested_values(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(
        session_factory,
        audit,
        profile={"columns": {"phone": {"action": "hash", "label": "PHONE"}}},
    )
    records = [
        {
            "phone": "13812345678",
            "ticket": {"text": "我叫王小明，邮箱 wxm@example.com"},
        },
        {"phone": 13812345678, "tags": ["vip"], "amount": 12.5},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    outcome = _export(session_factory, cn, audit, source, out)
    assert outcome.allowed
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (
        lines[0]["phone"].startswith("PHONE:")
        and lines[0]["phone"] == lines[1]["phone"]
    )
    assert "wxm@example.com" not in lines[0]["ticket"]["text"]
    assert "王小明" not in lines[0]["ticket"]["text"]
    assert lines[1]["tags"] == ["vip"] and lines[1]["amount"] == 12.5
    assert outcome.counts.individuals == 1


def test_bad_input_is_named_without_its_content(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"phone": "13812345678"}\n{"phone": 13912345678\n', encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as caught:
        _export(session_factory, cn, audit, bad, tmp_path / "o.jsonl")
    assert caught.value.detail == "bad.jsonl: line 2 is not JSON"
    assert list(tmp_path.glob("*o.jsonl*")) == []
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name\nJos\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        _export(session_factory, cn, audit, latin, tmp_path / "o.csv")
    with pytest.raises(InvalidInput, match="must be a .csv"):
        _export(
            session_factory,
            cn,
            audit,
            write_csv(tmp_path / "i.csv"),
            tmp_path / "o.jsonl",
        )
    existing = write_csv(tmp_path / "exists.csv")
    with pytest.raises(Conflict):
        _export(session_factory, cn, audit, write_csv(tmp_path / "j.csv"), existing)


def test_a_concurrent_export_of_the_same_people_is_matched_under_the_lock(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    """Two exports scan the same people before either stores: the second one
    notices the first under the counter lock and adds no one twice."""
    register(session_factory, audit)
    source = people_csv(tmp_path / "p.csv", 90, 1)
    seed = _export(session_factory, cn, audit, source, tmp_path / "o.csv")
    first, second = SubjectIndex("cn", 2026), SubjectIndex("cn", 2026)
    with session_factory() as session:
        before = YearRegister.read(session, "cn", 2026)
        for index in (first, second):
            index.add([11, 12], sensitive=False)
            index.add([13], sensitive=True)
            index.check(session)
    for index in (first, second):
        with transaction(session_factory) as session:
            locked = YearRegister.read(session, "cn", 2026, lock=True)
            if not locked.unchanged_since(before):
                index.recheck(session)
            index.store(session, locked, seed.assessment.id, "TA-TEST", NOW)
    assert second.counts(YearRegister("cn", 2026)).new_individuals == 0
    first.close()
    second.close()
    assert _counter(session_factory) == (3, 1)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TransferSubject)) == 3
