"""`complydesk policy list | show | validate` through Typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complydesk.cli.common import state
from complydesk.cli.policy import app
from complydesk.policy import SHIPPED_DIR, load_pack

runner = CliRunner()

ACME = """\
pack: acme
version: "2026.12.0"
title: "ACME overrides"
jurisdiction: cn
extends: cn
"""


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings from the environment only, rebuilt for this test."""
    for name in (
        "COMPLYDESK_CONFIG",
        "COMPLYDESK_POLICY_DIR",
        "COMPLYDESK_DEFAULT_PACK",
    ):
        monkeypatch.delenv(name, raising=False)
    state.settings = None
    yield
    state.settings = None


@pytest.fixture
def policy_dir(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "acme.yaml").write_text(ACME, encoding="utf-8")
    monkeypatch.setenv("COMPLYDESK_POLICY_DIR", str(tmp_path))
    return tmp_path


def one_line_error(stderr: str) -> str:
    """The error text, checked to be exactly one `error: ...` line."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_when_listing_then_every_pack_with_hash_prefix(cli_env: None) -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    for name in ("baseline", "cn", "eu", "us-ca"):
        assert name in result.output
        assert load_pack(name).content_hash[:12] in result.output


def test_when_listing_as_json_then_data_parses(cli_env: None) -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["pack"] for row in rows] == ["baseline", "cn", "eu", "us-ca"]
    cn = rows[1]
    assert cn["version"] == load_pack("cn").version
    assert cn["content_hash"] == load_pack("cn").content_hash
    assert (cn["jurisdiction"], cn["extends"]) == ("cn", "baseline")


def test_when_policy_dir_is_set_then_list_includes_its_packs(policy_dir: Path) -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert "acme" in [row["pack"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show"], ["baseline", "breach.authority_deadline", "72 hours", "GDPR"]),
        (["show", "cn"], ["cn", "cross_border", "100000", "CAC Order 16"]),
        (["show", "us-ca"], ["45 calendar_days", "unconfirmed", "secondary"]),
        (["show", "eu", "--notes"], ["no hour limit"]),
    ],
)
def test_when_showing_then_table_has_values_and_citations(
    cli_env: None, args: list[str], expected: list[str]
) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "400"})  # no cell wrapping
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output


def test_when_showing_as_json_then_values_are_data(cli_env: None) -> None:
    result = runner.invoke(app, ["show", "cn", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["content_hash"] == load_pack("cn").content_hash
    thresholds = data["values"]["cross_border"]["volume_thresholds"]
    assert thresholds["assessment_nonsensitive_at_least"]["value"] == 1_000_000
    deadline = data["values"]["data_subject_requests"]["operational_response_deadline"]
    assert deadline["value"] == {"amount": 15, "unit": "working_days"}
    assert data["values"]["breach"]["authority_deadline"]["value"] is None


def test_when_default_pack_is_set_then_show_uses_it(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLYDESK_DEFAULT_PACK", "eu")
    result = runner.invoke(app, ["show", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pack"] == "eu"


def test_when_policy_dir_is_set_then_show_reads_override(policy_dir: Path) -> None:
    result = runner.invoke(app, ["show", "acme", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["pack"], data["extends"], data["timezone"]) == (
        "acme",
        "cn",
        "Asia/Shanghai",
    )


def test_when_pack_is_unknown_then_exit_2_with_one_line(cli_env: None) -> None:
    result = runner.invoke(app, ["show", "mars"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: unknown policy pack 'mars'; valid packs: baseline, cn, eu, us-ca"
    ]


def test_when_validating_a_good_file_then_ok(cli_env: None, tmp_path: Path) -> None:
    path = tmp_path / "cn.yaml"
    shutil.copyfile(SHIPPED_DIR / "cn.yaml", path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    pack = load_pack("cn")
    assert result.stdout.splitlines() == [
        f"ok: {path} (pack cn {pack.version}, sha256 {pack.content_hash})"
    ]


def test_when_validating_a_child_then_extends_resolves_in_its_dir(
    cli_env: None, tmp_path: Path
) -> None:
    (tmp_path / "acme.yaml").write_text(ACME, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(
        ACME.replace("acme", "child").replace("extends: cn", "extends: acme"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(tmp_path / "child.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (ACME + "breach:\n  colour: blue\n", ["breach.colour", "Extra inputs"]),
        (ACME + "breach: [\n", ["line", "invalid YAML"]),
        (ACME.replace("pack: acme", "pack: other"), ["pack:", "file name"]),
        (ACME.replace("extends: cn", "extends: nowhere"), ["extends:", "nowhere"]),
    ],
)
def test_when_validating_a_bad_file_then_exit_2_with_one_error(
    cli_env: None, tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    message = one_line_error(result.stderr)
    assert f"acme.yaml: {fragments[0]}" in message.replace(str(tmp_path) + "/", "")
    for fragment in fragments:
        assert fragment in message


def test_when_validating_a_missing_file_then_exit_2(
    cli_env: None, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "no such pack file" in one_line_error(result.stderr)


def test_when_policy_dir_is_broken_then_list_fails_naming_the_file(
    policy_dir: Path,
) -> None:
    (policy_dir / "broken.yaml").write_text(ACME.replace("acme", "broken") + "x: 1\n")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2
    assert "broken.yaml: x: Extra inputs" in one_line_error(result.stderr)
