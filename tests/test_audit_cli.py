"""`complydesk audit verify | tail | anchor` through Typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from complydesk.audit import AuditEvent, append, load_audit_key, read_head
from complydesk.cli.audit import app
from complydesk.cli.common import state
from complydesk.settings import Settings
from complydesk.store.db import transaction

runner = CliRunner()


@pytest.fixture
def cli_env(
    settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("COMPLYDESK_CONFIG", raising=False)
    state.settings = None
    yield settings
    state.settings = None


def fill(
    settings: Settings, factory: sessionmaker[Session], now: datetime, count: int
) -> None:
    key = load_audit_key(settings)
    with transaction(factory) as session:
        start = (head.seq if (head := read_head(session)) else 0) + 1
        for i in range(start, start + count):
            ev = AuditEvent("user:1", "record.unmask", "customer", f"c{i}", "ok")
            append(session, key, ev, now + timedelta(seconds=i))


def test_verify_ok(
    cli_env: Settings, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    fill(cli_env, session_factory, fixed_now, 3)
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "chain OK: 3 entries, head seq 3" in result.output
    result = runner.invoke(app, ["verify", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "ok": True,
        "entries_checked": 3,
        "head_seq": 3,
        "first_broken_seq": None,
        "kind": None,
        "message": "",
    }


def test_verify_names_the_first_broken_entry(
    cli_env: Settings,
    session_factory: sessionmaker[Session],
    engine: Engine,
    fixed_now: datetime,
) -> None:
    fill(cli_env, session_factory, fixed_now, 4)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'x' WHERE seq = 2"))
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert "chain BROKEN at seq 2: mac mismatch" in result.output
    result = runner.invoke(app, ["verify", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["first_broken_seq"] == 2 and report["kind"] == "mac mismatch"


def test_verify_reports_a_cut_tail(
    cli_env: Settings,
    session_factory: sessionmaker[Session],
    engine: Engine,
    fixed_now: datetime,
) -> None:
    fill(cli_env, session_factory, fixed_now, 4)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq = 4"))
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert "seq 4: truncated tail" in result.output


def test_verify_empty_log_without_key(cli_env: Settings) -> None:
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "chain OK: 0 entries, head seq 0" in result.output
    assert not (cli_env.data_dir / "audit.key").exists()


def test_verify_without_key_but_with_entries_fails(
    cli_env: Settings, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    fill(cli_env, session_factory, fixed_now, 1)
    (cli_env.data_dir / "audit.key").unlink()
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2
    assert "audit key file" in result.output


def test_tail_table_and_json(
    cli_env: Settings, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    fill(cli_env, session_factory, fixed_now, 5)
    result = runner.invoke(app, ["tail", "-n", "2"])
    assert result.exit_code == 0, result.output
    assert "c5" in result.output and "c4" in result.output
    assert "c3" not in result.output
    result = runner.invoke(app, ["tail", "-n", "1", "--json"])
    assert result.exit_code == 0
    (entry,) = json.loads(result.output)
    assert entry["seq"] == 5 and entry["object_id"] == "c5"


def test_anchor_then_verify_against_it(
    cli_env: Settings,
    session_factory: sessionmaker[Session],
    engine: Engine,
    fixed_now: datetime,
    tmp_path: Path,
) -> None:
    fill(cli_env, session_factory, fixed_now, 3)
    with transaction(session_factory) as session:
        old = read_head(session)
    assert old is not None
    fill(cli_env, session_factory, fixed_now, 3)
    out = tmp_path / "off-host" / "anchor.json"
    result = runner.invoke(app, ["anchor", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["seq"] == 6
    result = runner.invoke(app, ["verify", "--anchor", str(out)])
    assert result.exit_code == 0, result.output

    # Replay the genuine old head after cutting the tail: only the anchor sees it.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq > 3"))
        conn.execute(
            text("UPDATE audit_head SET seq = :s, mac = :m, head_mac = :h"),
            {"s": old.seq, "m": old.mac, "h": old.head_mac},
        )
    assert runner.invoke(app, ["verify"]).exit_code == 0
    result = runner.invoke(app, ["verify", "--anchor", str(out)])
    assert result.exit_code == 1
    assert "chain BROKEN at seq 4: anchor mismatch" in result.output


def test_anchor_default_path_is_in_the_data_dir(
    cli_env: Settings, session_factory: sessionmaker[Session], fixed_now: datetime
) -> None:
    fill(cli_env, session_factory, fixed_now, 2)
    result = runner.invoke(app, ["anchor"])
    assert result.exit_code == 0, result.output
    assert (cli_env.data_dir / "audit-anchor.json").exists()


def test_anchor_of_an_empty_log_fails(cli_env: Settings) -> None:
    load_audit_key(cli_env)
    result = runner.invoke(app, ["anchor"])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_bad_anchor_file_is_a_clean_error(cli_env: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = runner.invoke(app, ["verify", "--anchor", str(bad)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output
    missing = runner.invoke(app, ["verify", "--anchor", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
