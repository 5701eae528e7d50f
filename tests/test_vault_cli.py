"""`complydesk vault` and `complydesk backup` through the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from complydesk.cli import app
from complydesk.clock import utcnow
from complydesk.settings import load_settings
from complydesk.store.db import make_engine, make_sessionmaker, read_transaction
from complydesk.store.models import AuditEntry, Customer
from complydesk.vault import ERASED, open_vault


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    assert run("db", "demo")[0] == 0
    yield tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _customer(db_url: str, ref: str) -> tuple[Customer, list[str]]:
    engine = make_engine(db_url)
    try:
        with read_transaction(make_sessionmaker(engine)) as session:
            customer = session.scalars(
                select(Customer).where(Customer.ref == ref)
            ).one()
            actions = list(session.scalars(select(AuditEntry.action)))
            return customer, actions
    finally:
        engine.dispose()


def test_status_and_kek_rotation_with_retirement(cli_env: Path, db_url: str) -> None:
    code, out, _ = run("vault", "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["current_kek"] == "kek-1" and status["data_keys_by_kek"] == {
        "kek-1": 4
    }
    code, out, err = run("vault", "rotate-kek", "--retire-old")
    assert code == 0, err
    assert "4 data keys re-wrapped" in out and "retired kek-1" in out
    assert not (cli_env / "data" / "kek" / "kek-1.key").exists()
    assert json.loads(run("vault", "status", "--json")[1])["data_keys_by_kek"] == {
        "kek-2": 4
    }
    settings = load_settings(database_url=db_url, data_dir=cli_env / "data")
    customer, actions = _customer(db_url, "DEMO-C001")
    assert open_vault(settings, utcnow).reveal(customer, ["name"]) == {"name": "林晓雨"}
    assert "vault.kek.rotate" in actions


def test_rotate_subject_and_erase(cli_env: Path, db_url: str) -> None:
    settings = load_settings(database_url=db_url, data_dir=cli_env / "data")
    before, _ = _customer(db_url, "DEMO-C002")
    code, out, err = run("vault", "rotate-subject", "DEMO-C002")
    assert code == 0, err
    assert "fields re-encrypted" in out
    after, _ = _customer(db_url, "DEMO-C002")
    assert after.phone_sealed != before.phone_sealed
    vault = open_vault(settings, utcnow)
    assert vault.reveal(after, ["phone"]) == {"phone": "13900139002"}
    assert run("vault", "erase", "DEMO-C002", "--reason", "x")[0] == 2
    code, _, err = run("vault", "erase", "DEMO-C002", "--reason", "erasure request 99")
    assert code == 0, err
    erased, actions = _customer(db_url, "DEMO-C002")
    assert erased.erased_at is not None and "customer.erase" in actions
    assert vault.reveal(erased, ["phone"])["phone"] in (None, ERASED)
    code, out, _ = run("vault", "scrub")
    assert code == 0 and int(out.split()[0]) >= 5  # the demo chat has 5 messages
    assert run("vault", "scrub")[1].startswith("0 rows scrubbed")
    # Nothing was restored, so the ledger replay finds no revived key.
    code, out, err = run("vault", "replay-erasures")
    assert code == 0, err
    assert out.startswith("0 erased keys destroyed again")


def test_unknown_customer_and_bad_format_fail_in_one_line(cli_env: Path) -> None:
    code, _, err = run("vault", "rotate-subject", "C-NOPE")
    assert code == 2 and err.strip().count("\n") == 0 and "C-NOPE" in err
    code, _, err = run(
        "vault", "export-deidentified", str(cli_env / "x"), "--format", "xml"
    )
    assert code == 2 and "--format" in err


def test_export_and_backup_round_trip(
    cli_env: Path, db_url: str, empty_db_url: str
) -> None:
    code, out, err = run(
        "vault", "export-deidentified", str(cli_env / "copy"), "--format", "csv"
    )
    assert code == 0, err
    assert (cli_env / "copy" / "customers.csv").read_text(encoding="utf-8").count(
        "\n"
    ) == 5
    backup = cli_env / "db.backup"
    code, out, err = run("backup", "create", str(backup))
    assert code == 0 and "keystore is not in it" in out, err
    code, _, err = run("backup", "create", str(backup))
    assert code == 2 and "already exists" in err
    code, _, err = run("backup", "restore", str(backup), "--to", empty_db_url)
    assert code == 0, err
    restored, _ = _customer(empty_db_url, "DEMO-C003")
    settings = load_settings(database_url=db_url, data_dir=cli_env / "data")
    assert open_vault(settings, utcnow).reveal(restored, ["email"]) == {
        "email": "marie.dupont@example.com"
    }
    code, _, err = run("backup", "restore", str(backup), "--to", db_url)
    assert code == 2 and "not empty" in err
