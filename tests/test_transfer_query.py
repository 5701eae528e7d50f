"""Datasets given as a database query: read-only, counted by blind index.

Our own database on SQLite and PostgreSQL (customers created through the real
vault), an external SQLite file, and the CLI. Sealed columns are never
decrypted: the counts come from the blind indexes and link with files.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from tests.transfer_helpers import NOW, fixed, register, write_csv
from typer.testing import CliRunner

from complydesk.audit import AuditLog, load_audit_key
from complydesk.cli import app
from complydesk.desk.customers import create_customer
from complydesk.errors import InvalidInput
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models import TransferAssessment, TransferCounter
from complydesk.transfer.assessment import assess_file
from complydesk.transfer.export import export_file
from complydesk.transfer.query import QuerySource, check_query, read_only_engine
from complydesk.vault import open_vault

PEOPLE = [
    {"name": "张伟", "phone": "13812345678", "email": "zhang.wei@example.com"},
    {"name": "李娜", "phone": "13987654321", "id_number": "110101199003074578"},
    {"name": "王芳"},  # no identifier: counted as one more individual
]
PLAIN = ["张伟", "李娜", "王芳", "13812345678", "13987654321", "zhang.wei@example.com",
         "110101199003074578"]  # fmt: skip
QUERY = (
    "SELECT id, name_sealed, name_masked, phone_bidx, email_bidx, id_number_bidx, "
    "phone_masked FROM customers ORDER BY id"
)
QUERY_PROFILE = {
    "columns": {
        "name_sealed": "redact",
        "name_masked": "keep",
        "phone_masked": "keep",
        "id": "keep",
        "id_number": {"action": "mask", "label": "CN_ID_CARD"},  # files
    },
}


@pytest.fixture
def cn(settings: Settings) -> Settings:
    return settings.model_copy(update={"default_pack": "cn"})


@pytest.fixture
def audit(cn: Settings) -> AuditLog:
    return AuditLog(load_audit_key(cn))


def _customers(sessions: sessionmaker[Session], cn: Settings, audit: AuditLog) -> None:
    vault = open_vault(cn, fixed(NOW))
    with transaction(sessions) as session:
        for values in PEOPLE:
            create_customer(session, vault, audit, "test", values, "cn")


def _own(cn: Settings, sql: str = QUERY) -> QuerySource:
    return QuerySource(cn.sqlalchemy_url, sql, own=True)


def _counter(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        row = session.scalars(select(TransferCounter)).one_or_none()
        return (0, 0) if row is None else (row.individuals, row.sensitive_individuals)


def test_own_database_is_counted_by_blind_index_and_links_with_files(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    _customers(session_factory, cn, audit)
    register(
        session_factory,
        audit,
        profile=QUERY_PROFILE,
        categories=("contact", "identity", "identity_document"),
    )
    out = tmp_path / "customers.jsonl"
    outcome = export_file(
        session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
        source=_own(cn), out=out, actor="test", workers=1,
    )  # fmt: skip
    assert outcome.allowed, outcome.decision.findings
    # Three people: two by their blind indexes, one without an identifier.
    # The ID number's index is not part of the output, so no one is sensitive.
    assert (outcome.counts.records, outcome.counts.individuals) == (3, 3)
    assert outcome.counts.sensitive == 0
    assert _counter(session_factory) == (3, 0)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    keys = ["id", "name_masked", "name_sealed", "phone_masked"]
    assert [sorted(x) for x in lines] == [keys] * 3
    assert lines[0]["name_sealed"] == "[姓名]"
    assert lines[2]["phone_masked"] is None
    body = out.read_text(encoding="utf-8")
    for value in PLAIN:
        assert value not in body
    with session_factory() as session:
        row = session.scalars(select(TransferAssessment)).one()
    assert row.summary["source"]["database"] == "own"
    assert "phone_bidx" not in row.summary["columns"]  # an index, not data
    assert row.summary["columns"]["name_sealed"] == {"PERSON": 3}
    assert QUERY not in json.dumps(row.summary)

    # The same people in a file: the phone of the first, the ID number of the
    # second (now leaving, masked: a sensitive subject), and one newcomer.
    source = write_csv(
        tmp_path / "crm.csv",
        [["+86 138-1234-5678", ""], ["", "110101199003074578"], ["13700001111", ""]],
        header=["phone", "id_number"],
    )
    again = assess_file(
        session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
        path=source, actor="test", workers=1,
    )  # fmt: skip
    assert again.counts.individuals == 3
    assert (again.counts.new_individuals, again.counts.prior_individuals) == (1, 3)
    assert again.counts.new_sensitive == 1


def test_sealed_columns_are_never_decrypted_for_an_export(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    _customers(session_factory, cn, audit)
    register(session_factory, audit, profile={"columns": {"name_sealed": "mask"}})
    out = tmp_path / "o.csv"
    with pytest.raises(InvalidInput, match="name_sealed is sealed: a query export"):
        export_file(
            session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
            source=_own(cn), out=out, actor="test", workers=1,
        )  # fmt: skip
    assert not out.exists() and list(tmp_path.glob(".*partial")) == []
    assert _counter(session_factory) == (0, 0)
    # An assessment may ask what masking it would need: nothing is decrypted.
    outcome = assess_file(
        session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
        path=_own(cn), actor="test", workers=1,
    )  # fmt: skip
    assert outcome.counts.individuals == 3
    assert outcome.summary is not None and "PERSON" in outcome.summary.outgoing
    with pytest.raises(InvalidInput, match="sealed free text"):
        assess_file(
            session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
            path=_own(cn, "SELECT body_sealed FROM messages"), actor="test",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("", "the query is empty"),
        ("DELETE FROM customers", "must be a SELECT"),
        ("SELECT 1; DELETE FROM customers", "a single statement"),
        (
            "WITH x AS (DELETE FROM customers RETURNING id) SELECT * FROM x",
            "it names DELETE",
        ),
        ("SELECT * INTO copy FROM customers", "it names INTO"),
        ("-- fine\nselect 1 as n;\n", None),
        ("SELECT ';' AS semicolon, 'drop' AS word", None),
    ],
)
def test_only_one_select_is_accepted(sql: str, message: str | None) -> None:
    if message is None:
        assert check_query(sql)
    else:
        with pytest.raises(InvalidInput, match=message):
            check_query(sql)


def test_the_connection_itself_cannot_write(db_url: str) -> None:
    engine = read_only_engine(db_url)
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError):
            connection.exec_driver_sql("CREATE TABLE sneaky (x INTEGER)")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
    with pytest.raises(InvalidInput, match="not mysql"):
        read_only_engine("mysql://u@h/db")
    with pytest.raises(InvalidInput, match="not a valid SQLAlchemy URL"):
        read_only_engine("not a url")


def _external(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE crm (name TEXT, phone TEXT, amount NUMERIC, seen DATE, "
            "photo BLOB)"
        )
        db.executemany(
            "INSERT INTO crm VALUES (?, ?, ?, ?, NULL)",
            [("张伟", "13812345678", 12.5, "2026-03-01"),
             ("张伟", "+86 138 1234 5678", 3, "2026-03-02"),
             ("", "13987654321", 1, None)],
        )  # fmt: skip
    return f"sqlite:///{path}"


def test_an_external_database_streams_like_a_file(
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
    tmp_path: Path,
) -> None:
    register(session_factory, audit)  # PROFILE: name and phone pseudonymised
    url = _external(tmp_path / "crm.db")
    out = tmp_path / "crm.csv"
    sql = "SELECT name, phone, amount, seen FROM crm"
    outcome = export_file(
        session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
        source=QuerySource(url, sql, own=False), out=out, actor="test", workers=2,
    )  # fmt: skip
    assert outcome.allowed and outcome.counts.individuals == 2
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "name,phone,amount,seen"
    assert "13812345678" not in out.read_text(encoding="utf-8")
    assert rows[1].endswith(",12.5,2026-03-01") and rows[3].endswith(",1,")
    with pytest.raises(InvalidInput, match="photo holds binary data"):
        assess_file(
            session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
            path=QuerySource(url, "SELECT photo FROM crm WHERE photo IS NULL "
                             "UNION ALL SELECT x'00'", own=False),
            actor="test", workers=1,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match=r"query: the query failed \("):
        assess_file(
            session_factory, cn, audit, fixed(NOW), recipient="acme-sg",
            path=QuerySource(url, "SELECT nothing FROM nowhere", own=False),
            actor="test", workers=1,
        )  # fmt: skip


def test_cli_assesses_a_query_and_refuses_ambiguous_input(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    cn: Settings,
    audit: AuditLog,
) -> None:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(cn.data_dir))
    monkeypatch.setenv("COMPLYDESK_DEFAULT_PACK", "cn")
    _customers(session_factory, cn, audit)
    register(session_factory, audit, profile=QUERY_PROFILE)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["transfer", "assess", "--recipient", "acme-sg", "--query", QUERY,
         "--workers", "1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["individuals"] == 3
    for args, message in [
        (["--query", QUERY, str(tmp_path / "x.csv")], "give either FILE or --query"),
        (["--db-url", db_url, str(tmp_path / "x.csv")], "--db-url goes with --query"),
        (["--query", "UPDATE customers SET ref = 'x'"], "must be a SELECT"),
    ]:
        bad = runner.invoke(
            app, ["transfer", "assess", "--recipient", "acme-sg", *args]
        )
        assert bad.exit_code == 2 and message in bad.stderr
