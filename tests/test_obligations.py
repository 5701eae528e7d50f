"""Legal clocks from the packs: figures and zones come from data, not code."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from complydesk.cli import app
from complydesk.obligations import breach_obligations, request_obligations
from complydesk.policy import load_pack


def _due(items: list, key: str) -> datetime | None:  # type: ignore[type-arg]
    return next(o.due_at() for o in items if o.key == key)


def test_gdpr_one_month_from_january_31_ends_february_28() -> None:
    received = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    items = request_obligations(load_pack("eu"), received)
    assert _due(items, "data_subject_requests.response_deadline") == datetime(
        2026, 2, 28, 9, 0, tzinfo=UTC
    )


def test_ccpa_clock_cannot_pause_for_identity_verification() -> None:
    items = request_obligations(
        load_pack("us-ca"), datetime(2026, 3, 2, 17, tzinfo=UTC)
    )
    response = next(o for o in items if o.key.endswith("response_deadline"))
    assert response.clock is not None and response.clock.pausable is False


def test_cn_fifteen_working_days_skip_spring_festival_and_count_makeup_saturdays() -> (
    None
):
    received = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # Fri 10:00 Beijing
    items = request_obligations(load_pack("cn"), received)
    assert _due(items, "data_subject_requests.response_deadline") == datetime(
        2026, 3, 12, 2, 0, tzinfo=UTC
    )


def test_baseline_breach_is_72_hours_and_eu_individuals_have_no_hour_figure() -> None:
    aware = datetime(2026, 5, 1, 12, tzinfo=UTC)
    baseline = breach_obligations(load_pack("baseline"), aware)
    assert _due(baseline, "breach.authority_deadline") == datetime(
        2026, 5, 4, 12, tzinfo=UTC
    )
    eu = {o.key: o for o in breach_obligations(load_pack("eu"), aware)}
    assert eu["breach.individuals_deadline"].clock is None
    assert eu["breach.individuals_deadline"].note


def test_breach_clock_cli_json_carries_pack_hash_and_citations() -> None:
    result = CliRunner().invoke(
        app,
        [
            "breach",
            "clock",
            "--pack",
            "cn",
            "--aware-at",
            "2026-02-14T10:00:00+08:00",
            "--now",
            "2026-02-14T11:30:00+08:00",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["content_hash"]) == 64
    by_key = {o["obligation"]: o for o in data["obligations"]}
    ciio = by_key["breach.incident_reporting.ciio"]
    assert ciio["due_at"] == "2026-02-14T03:00:00+00:00" and ciio["status"] == "overdue"
    assert by_key["breach.incident_reporting.other_operators"]["status"] != "overdue"
    assert all(o["citation"] for o in data["obligations"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--received", "2026-02-13T10:00:00"], "UTC offset"),
        (["--received", "soon"], "ISO-8601"),
        (["--received", "2026-02-13T10:00:00Z", "--pack", "mars"], "mars"),
    ],
)
def test_rights_deadline_rejects_bad_input_in_one_line(
    args: list[str], needle: str
) -> None:
    result = CliRunner().invoke(app, ["rights", "deadline", *args])
    assert result.exit_code == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
