"""`complydesk pii mask | restore | scan` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complydesk.cli import app

TEXT = "邮箱 zhang.san@example.com 谢谢"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'cd.db'}")
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path / "data"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("mask", "z***@example.com"), ("redact", "[邮箱]"), ("hash", "EMAIL:")],
)
def test_mask_operators(data_dir: Path, operator: str, expected: str) -> None:
    code, out, err = run("pii", "mask", TEXT, "--operator", operator)
    assert code == 0, err
    assert expected in out and "zhang.san@example.com" not in out


def test_encrypt_then_restore_is_audited(data_dir: Path) -> None:
    code, token_text, _ = run("pii", "mask", TEXT, "-o", "encrypt")
    assert code == 0 and "zhang.san" not in token_text
    code, out, _ = run("pii", "restore", token_text.strip(), "--reason", "DSAR copy")
    assert code == 0 and out.strip() == TEXT
    code, out, _ = run("audit", "tail", "--json")
    [entry] = json.loads(out)
    assert entry["action"] == "pii.unmask" and entry["reason"] == "DSAR copy"
    assert "zhang" not in out


def test_mask_jsonl_keeps_lines_aligned(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": TEXT}) + "\n\n", encoding="utf-8")
    code, out, _ = run("pii", "mask", "--jsonl", str(source), "-o", "redact")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"text": "邮箱 [邮箱] 谢谢"},
        {"text": ""},
    ]


def test_unknown_operator_is_one_line_error(data_dir: Path) -> None:
    code, _, err = run("pii", "mask", TEXT, "-o", "shred")
    assert code == 2 and "unknown operator" in err


def test_scan_json_report_and_fail_on(tmp_path: Path, data_dir: Path) -> None:
    table = tmp_path / "export.csv"
    table.write_text("note,contact\nhello,a@b.cn\n", encoding="utf-8")
    code, out, _ = run("pii", "scan", str(table), "--json", "--workers", "1")
    assert code == 0
    report = json.loads(out)
    assert report["labels"] == {"EMAIL": 1}
    assert report["files"][0]["columns"]["contact"]["labels"] == {"EMAIL": 1}
    assert report["has_sensitive"] is False
    assert run("pii", "scan", str(table), "--fail-on", "any")[0] == 1
    assert run("pii", "scan", str(table), "--fail-on", "sensitive")[0] == 0


def test_scan_rejects_unsupported_files(tmp_path: Path, data_dir: Path) -> None:
    code, _, err = run("pii", "scan", str(tmp_path / "x.pdf"))
    assert code == 2 and "unsupported file type" in err
