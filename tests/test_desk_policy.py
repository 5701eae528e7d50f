"""The pack's `desk` section: shipped values, and bad overrides refused at load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from complydesk.errors import PolicyError
from complydesk.pii.labels import Label
from complydesk.policy import Confidence, iter_cited, load_pack, load_pack_file
from complydesk.policy.pack import STABLE_PURPOSES
from complydesk.store.models import Ticket
from complydesk.store.personal import personal_fields

HEADER = """\
pack: {name}
version: "2026.12.0"
title: "Test pack"
jurisdiction: cn
extends: baseline
"""


def write(directory: Path, name: str, body: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(HEADER.format(name=name) + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["baseline", "cn", "eu", "us-ca"])
def test_every_shipped_pack_defines_the_stable_purposes(name: str) -> None:
    desk = load_pack(name).desk
    assert desk is not None
    assert set(STABLE_PURPOSES) <= set(desk.intake) == set(desk.sla)
    for cited in desk.intake.values():
        assert set(cited.value.free_text_keeps) <= {label.value for label in Label}
    rows = [r for r in iter_cited(load_pack(name)) if r.key.startswith("desk.")]
    assert len(rows) >= 14
    for row in rows:
        assert row.citation.strip()
        if row.confidence is Confidence.UNCONFIRMED:
            assert row.note


def test_intake_fields_map_to_ticket_columns() -> None:
    personal = personal_fields(Ticket)
    for cited in load_pack("baseline").desk.intake.values():  # type: ignore[union-attr]
        for name in cited.value.fields:
            assert name in personal or hasattr(Ticket, name), name


def test_the_figures_live_in_one_place() -> None:
    rule = load_pack("baseline").desk.sla_rules["electronics_after_sales"]  # type: ignore[union-attr]
    assert rule.value.resolution_from == "after_sales.electronics_solution_within"
    assert load_pack("cn").cited_duration("after_sales.complaint_handling_limit").value


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            """\
            desk:
              intake:
                repair:
                  value: {fields: [order_number, id_number]}
                  citation: x
                  confidence: ok
            """,
            "unknown intake fields ['id_number']",
        ),
        (
            """\
            desk:
              sla_rules:
                broken:
                  value:
                    purposes: [repair]
                    categories: ["*"]
                    resolution_from: after_sales.nothing
                  citation: x
                  confidence: ok
            """,
            "after_sales.nothing is not a cited duration",
        ),
        (
            """\
            desk:
              sla_rules:
                broken:
                  value:
                    purposes: [gossip]
                    categories: ["*"]
                    resolution_within: 2 hours
                  citation: x
                  confidence: ok
            """,
            "unknown purposes ['gossip']",
        ),
        (
            """\
            desk:
              at_risk_fraction: {value: 1.5, citation: x, confidence: ok}
            """,
            "at_risk_fraction must be between 0 and 1",
        ),
        (
            "business_hours: null\n",
            "desk.sla.complaint.first_response_within counts business_hours but "
            "the pack sets no business_hours",
        ),
        (
            'business_hours: {value: "18:00-09:00", citation: x, confidence: ok}\n',
            "must close after they open",
        ),
        (
            'business_hours: {value: {opens: "09:00", closes: 18:00}, '
            "citation: x, confidence: ok}\n",
            "must be a quoted HH:MM time",
        ),
        (
            """\
            human_handoff:
              ai_timeout: {value: 1 working_days, citation: x, confidence: ok}
            """,
            "ai_timeout must be in minutes or hours",
        ),
    ],
)
def test_bad_desk_overrides_are_refused(
    tmp_path: Path, body: str, fragment: str
) -> None:
    with pytest.raises(PolicyError) as info:
        load_pack_file(write(tmp_path, "acme", body))
    assert fragment in info.value.detail and "\n" not in info.value.detail


def test_complaint_first_response_is_in_business_hours() -> None:
    for name in ("baseline", "cn"):
        pack = load_pack(name)
        assert pack.business_hours is not None
        assert str(pack.business_hours.value) == "09:00-18:00"
        assert pack.business_hours.confidence is Confidence.UNCONFIRMED
        complaint = pack.desk.sla["complaint"]  # type: ignore[union-attr]
        assert str(complaint.value.first_response_within) == "8 business_hours"
        # No legal figure (regulations fact sheet §3c): a marked company default.
        assert complaint.confidence is Confidence.UNCONFIRMED
        assert "no legal" in (complaint.note or "")
    assert str(load_pack("baseline").after_sales.electronics_solution_within.value) == (
        "24 hours"
    )
    assert str(load_pack("baseline").human_handoff.ai_timeout.value) == "3 minutes"


def test_a_deployment_can_add_a_purpose(tmp_path: Path) -> None:
    body = """\
    desk:
      intake:
        warranty:
          value: {fields: [order_number, product_model, description]}
          citation: "acme intake review 2026"
          confidence: ok
      sla:
        warranty:
          value: {first_response_within: 8 hours, resolution_within: 10 working_days,
                  pause_while_waiting_customer: true}
          citation: "acme SLA 2026"
          confidence: ok
    """
    pack = load_pack_file(write(tmp_path, "acme", body))
    assert pack.desk is not None and "warranty" in pack.desk.intake
    assert set(STABLE_PURPOSES) < set(pack.desk.intake)
