"""A deployment's capabilities file changes what the promise check allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complydesk.cli import app


def test_capabilities_file_from_settings_relaxes_a_promise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = "我们保证24小时内发货"
    code = CliRunner().invoke(app, ["speech", "check", reply, "--json"])
    shipped = json.loads(code.stdout)
    assert any(f["rule"] == "promise.beyond_capability" for f in shipped["findings"])

    faster = tmp_path / "capabilities.yaml"
    faster.write_text(
        "version: 1\ncapabilities:\n"
        "  ship:\n    within: 12 hours\n    note: 仓配一体\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COMPLYDESK_CAPABILITIES_FILE", str(faster))
    result = CliRunner().invoke(app, ["speech", "check", reply, "--json"])
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "promise.beyond_capability" not in rules
