"""The `complydesk` command: groups, migrations, demo data, users, config."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complydesk.cli import GROUPS, app
from complydesk.worker import take_jobs_lock

GROUP_NAMES = [
    "pii",
    "speech",
    "desk",
    "rights",
    "breach",
    "transfer",
    "ai",
    "vault",
    "backup",
    "audit",
    "policy",
    "db",
    "user",
    "config",
    "notify",
]


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(data_dir))
    yield data_dir


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_domain_group_and_serve() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for name in [*GROUP_NAMES, "serve", "worker"]:
        assert name in out
    assert [name for name, _ in GROUPS] == GROUP_NAMES


def test_demo_loads_once_and_writes_private_credentials(cli_env: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    code, out, _ = run("db", "demo")
    assert code == 0 and "loaded" in out
    creds = cli_env / "demo-credentials.txt"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert run("db", "demo")[1].strip().endswith("nothing changed")
    code, out, _ = run("desk", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 5


def test_user_add_reads_password_from_stdin_and_lists(cli_env: Path) -> None:
    code, _, err = run(
        "user",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert code == 0, err
    code, out, _ = run("user", "list", "--json")
    assert {
        "username": "carol",
        "role": "supervisor",
        "service": False,
        "active": True,
    } in (json.loads(out))
    code, token, _ = run("user", "token", "carol", "--name", "laptop")
    assert code == 0 and token.strip().startswith("cdk_")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["user", "add", "dave", "--role", "king", "--password-stdin"], "unknown role"),
        (["user", "token", "ghost"], "does not exist"),
        (["user", "add", "Dave!", "--role", "service"], "username"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(
    cli_env: Path, args: list[str], needle: str
) -> None:
    code, _, err = run(*args, input="a long enough password\n")
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1


def test_config_show_hides_the_database_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", "postgresql://app:hunter2-pw@db/cd")
    code, out, _ = run("config", "show", "--json")
    assert code == 0
    assert "hunter2-pw" not in out
    assert json.loads(out)["database_url"] == "postgresql://app:***@db/cd"


def test_worker_refuses_while_another_process_runs_the_jobs(cli_env: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    cli_env.mkdir(parents=True, exist_ok=True)
    held = take_jobs_lock(cli_env)  # as a running `serve` holds it
    assert held is not None
    try:
        assert take_jobs_lock(cli_env) is None
        code, _, err = run("worker", "--once")
        assert code == 2 and err.count("\n") == 1
        assert "already run in another process" in err
    finally:
        held.close()
    assert run("worker", "--once")[0] == 0  # released: it runs


def test_bad_config_file_is_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("port = 'eighty'\n")
    code, _, err = run("--config", str(config), "config", "show")
    assert code == 2 and "port" in err


def test_worker_once_runs_every_job(cli_env: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    code, out, _ = run("worker", "--once")
    assert code == 0
    assert "sessions.purge: 0 expired sessions removed" in out
    assert "audit.anchor: audit log is empty" in out
    assert run("db", "demo")[0] == 0
    code, out, _ = run("worker", "--once")
    assert re.search(r"audit\.anchor: audit head seq \d+ anchored", out)
    assert (cli_env / "audit-anchor.json").exists()
    code, out, _ = run(
        "audit", "verify", "--anchor", str(cli_env / "audit-anchor.json")
    )
    assert code == 0, out
