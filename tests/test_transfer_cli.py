"""`complydesk transfer` through the real CLI, on both databases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.transfer_helpers import PROFILE, SEEDED, write_csv
from typer.testing import CliRunner

from complydesk.cli import app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPLYDESK_DEFAULT_PACK", "cn")
    yield tmp_path


def _register(tmp_path: Path, *extra: str) -> None:
    code, out, err = run(
        "transfer", "recipient", "add", "acme-sg",
        "--name", "ACME Support Pte Ltd", "--country", "sg",
        "--purpose", "Overseas after-sales support desk",
        "--category", "contact", "--category", "identity",
        "--separate-consent", *extra,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "registered acme-sg (SG)"
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(PROFILE, allow_unicode=True), encoding="utf-8")
    code, out, err = run(
        "transfer", "agreement", "add", "acme-sg", "--signed", "2026-01-05",
        "--expires", "2028-01-04", "--retention", "36 calendar_months",
        "--measure", "AES-256 at rest", "--profile", str(profile),
    )  # fmt: skip
    assert code == 0, err


def test_a_refused_export_exits_1_with_the_reasons_and_writes_nothing(
    cli_env: Path,
) -> None:
    _register(cli_env)  # no impact assessment recorded
    source = write_csv(cli_env / "in.csv")
    out = cli_env / "out.csv"
    code, stdout, stderr = run(
        "transfer", "export", "--recipient", "acme-sg", "--in", str(source),
        "--out", str(out), "--workers", "1",
    )  # fmt: skip
    assert code == 1
    assert "refused" in stdout
    assert stderr.strip().splitlines() == [
        "refused: No personal-information impact assessment is recorded for this "
        "transfer. (PIPL Art. 55)"
    ]
    assert not out.exists()

    assert (
        run("transfer", "recipient", "set", "acme-sg", "--pia-on", "2026-01-10")[0] == 0
    )
    report = cli_env / "export.html"
    code, stdout, stderr = run(
        "transfer", "export", "--recipient", "acme-sg", "--in", str(source),
        "--out", str(out), "--report", str(report), "--lang", "en", "--workers", "1",
    )  # fmt: skip
    assert code == 0, stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in stdout
    assert "individuals 2 (0 sensitive)" in stdout
    html = report.read_text(encoding="utf-8")
    assert "allowed (exported)" in html and digest in html
    for value in SEEDED:
        assert value not in html and value not in stdout and value not in stderr

    code, stdout, _ = run("transfer", "counters", "--json")
    assert json.loads(stdout) == [
        {"jurisdiction": "cn", "year": json.loads(stdout)[0]["year"], "individuals": 2,
         "sensitive_individuals": 0}
    ]  # fmt: skip


def test_assess_writes_a_chinese_markdown_report_and_changes_no_counter(
    cli_env: Path,
) -> None:
    _register(cli_env, "--pia-on", "2026-01-10")
    report = cli_env / "assess.md"
    code, stdout, stderr = run(
        "transfer", "assess", "--recipient", "acme-sg",
        str(write_csv(cli_env / "in.csv")),
        "--report", str(report), "--workers", "1", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    result = json.loads(stdout)
    assert result["allowed"] is True and result["exported"] is False
    assert result["counts"]["individuals"] == 2
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# 数据出境评估报告")
    assert "CAC Order 16 Art. 5" in text and "身份证号" in text
    assert run("transfer", "counters", "--json")[1].strip() == "[]"

    code, stdout, _ = run("transfer", "report", result["ref"], "--lang", "en")
    assert code == 0 and stdout.startswith("# Cross-border transfer assessment")

    code, stdout, _ = run("transfer", "recipient", "show", "acme-sg", "--json")
    shown = json.loads(stdout)
    assert shown["agreement"]["profile"] is True
    assert shown["check"]["allowed"] is True
    code, stdout, _ = run("transfer", "recipient", "list")
    assert code == 0 and "acme-sg" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["transfer", "assess", "--recipient", "acme-sg", "in.csv",
             "--report", "r.txt"],
            "error: --report must end in .md or .html",
        ),
        (
            ["transfer", "assess", "--recipient", "nobody", "in.csv"],
            "error: no transfer recipient nobody",
        ),
        (
            ["transfer", "assess", "--recipient", "acme-sg", "in.xlsx"],
            "error: in.xlsx: transfers take .csv or .jsonl files",
        ),
        (
            ["transfer", "mechanism", "add", "acme-sg", "--kind", "standard_contract",
             "--effective", "1 March"],
            "error: --effective must be a date such as 2026-03-01",
        ),
        (
            ["transfer", "mechanism", "add", "acme-sg", "--kind", "scc",
             "--effective", "2026-03-01"],
            "error: kind must be one of security_assessment, standard_contract, "
            "certification, adequacy_decision, standard_contractual_clauses, "
            "binding_corporate_rules, art49_derogations",
        ),
        (
            ["transfer", "recipient", "set", "acme-sg", "--status", "paused"],
            "error: status must be one of active, suspended, ended",
        ),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    _register(cli_env, "--pia-on", "2026-01-10")
    write_csv(cli_env / "in.csv")
    (cli_env / "in.xlsx").write_bytes(b"")
    monkeypatch.chdir(cli_env)
    code, _, stderr = run(*args)
    assert code == 2
    assert stderr.strip() == message
