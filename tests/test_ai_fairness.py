"""Fairness audits: fairlearn's numbers, small groups, alerts, CLI and report."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    equalized_odds_difference,
    selection_rate,
)
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from complydesk.cli import app as cli
from complydesk.cli.common import state
from complydesk.fairness import audit_frame, load_decisions, render_html
from complydesk.fairness.groups import record_facts
from complydesk.policy import load_pack
from complydesk.store.db import transaction
from complydesk.store.models import AiDecision, Customer


def _frame(seed: int = 1, n: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["east", "west", "north"], n)
    gender = rng.choice(["f", "m"], n)
    favourable = rng.random(n) < np.where(region == "west", 0.4, 0.7)
    truth = np.where(rng.random(n) < 0.3, (rng.random(n) < 0.6).astype(float), np.nan)
    frame = pd.DataFrame({"favourable": favourable, "ground_truth": truth})
    frame["region"] = pd.Categorical(region)
    frame["gender"] = pd.Categorical(gender)
    # a tiny group with a terrible rate must not raise an alarm
    tiny = pd.DataFrame(
        {
            "favourable": [False] * 5,
            "ground_truth": [np.nan] * 5,
            "region": ["isle"] * 5,
            "gender": ["f"] * 5,
        }
    )
    return pd.concat([frame, tiny], ignore_index=True).astype(
        {"region": "category", "gender": "category"}
    )


def test_rates_gaps_and_equalised_odds_equal_fairlearn_on_the_raw_rows() -> None:
    frame = _frame()
    report = audit_frame(frame, ["region", "gender"], load_pack("cn"))
    region = report.sections[0]
    raw = MetricFrame(
        metrics=selection_rate,
        y_true=frame["favourable"],
        y_pred=frame["favourable"],
        sensitive_features=frame["region"],
    )
    for group in region.groups:
        assert group.rate == pytest.approx(raw.by_group[group.group])
    assert region.dp_difference == pytest.approx(raw.difference())
    assert region.dp_ratio == pytest.approx(raw.ratio())
    known = frame["ground_truth"].notna()
    expected_eo = equalized_odds_difference(
        frame.loc[known, "ground_truth"].astype(int),
        frame.loc[known, "favourable"].astype(int),
        sensitive_features=frame.loc[known, "region"],
    )
    assert region.eo_difference == pytest.approx(expected_eo)
    assert [s.attribute for s in report.sections] == [
        "region",
        "gender",
        "region × gender",
    ]


def test_four_fifths_flags_large_groups_only_with_intervals() -> None:
    report = audit_frame(_frame(), ["region"], load_pack("baseline"))
    groups = {g.group: g for g in report.sections[0].groups}
    assert groups["west"].flagged and groups["west"].ratio_to_reference < 0.8
    assert groups["isle"].small and not groups["isle"].flagged  # n=5 < 30
    assert groups["isle"].rate == 0.0
    assert not groups["east"].flagged
    assert groups["west"].ci_low < groups["west"].rate < groups["west"].ci_high
    assert [(a.attribute, a.group) for a in report.alerts] == [("region", "west")]
    alert = report.alerts[0]
    assert alert.significant and alert.screening_only
    assert "0.8" not in alert.message() or "west" in alert.message()
    html = render_html(report)
    assert "<svg" in html and "west" in html and "<script" not in html


def test_attribute_count_is_checked() -> None:
    from complydesk.errors import InvalidInput

    with pytest.raises(InvalidInput):
        audit_frame(_frame(), [], load_pack("cn"))


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> int:
    """Decisions in the real log: west refused more often."""
    rng = random.Random(7)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    rows = 0
    with transaction(session_factory) as session:
        customer = Customer(ref="C-F1", jurisdiction="cn", created_at=now, key_ref="k1")
        session.add(customer)
        session.flush()
        for i in range(600):
            region = ("east", "west", "north")[i % 3]
            favourable = rng.random() < (0.35 if region == "west" else 0.75)
            decision = AiDecision(
                ref=f"D-{i:06d}",
                customer_id=customer.id,
                policy="refund_eligibility",
                policy_version="1.0.0",
                policy_hash="h",
                pack="cn",
                pack_version="1",
                outcome="eligible" if favourable else "refused",
                favourable=favourable,
                trace=[],
                ground_truth=None if i % 4 else favourable,
                decided_at=now,
                decided_by="t",
                key_ref="k1",
            )
            session.add(decision)
            session.flush()
            groups = {"region": region, "tier": "gold" if i % 2 else "basic"}
            record_facts(session, decision, groups)
            rows += 1
    return rows


@pytest.fixture
def cli_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(state, "settings", None)
    yield


def test_log_is_read_and_cli_prints_table_writes_report_and_records(
    seeded: int, session_factory: sessionmaker[Session], cli_env: None, tmp_path: Path
) -> None:
    with session_factory() as session:
        frame = load_decisions(session, ["region", "gender"])
    # counted in the database: one row per (groups, outcome, ground truth)
    assert frame["w"].sum() == seeded and len(frame) <= 3 * 2 * 3
    assert set(frame["gender"]) == {"(unknown)"}
    html = tmp_path / "fairness.html"
    result = CliRunner().invoke(
        cli, ["ai", "fairness", "--by", "region,tier", "--html", str(html), "--record"]
    )
    assert result.exit_code == 0, result.stderr
    assert "region=west" in result.stdout and "alerts: " in result.stdout
    assert "<svg" in html.read_text("utf-8")
    as_json = CliRunner().invoke(cli, ["ai", "fairness", "--by", "region", "--json"])
    data = json.loads(as_json.stdout)
    assert data["decisions"] == seeded and data["alerts"][0]["group"] == "west"
    from complydesk.store.models import AiFairnessRun, AuditEntry

    with session_factory() as session:
        runs = session.query(AiFairnessRun).all()
        assert len(runs) == 1 and runs[0].alerts >= 1
        assert (
            session.query(AuditEntry).filter_by(action="ai.fairness.audit").count() == 1
        )
    bad = CliRunner().invoke(cli, ["ai", "fairness", "--by", "Region;drop"])
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1
