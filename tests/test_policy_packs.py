"""Policy packs: shipped figures, inheritance, hashing and overrides.

Everything runs on real YAML files: the shipped packs, or packs written to a
temporary directory. Bad-input cases live in test_policy_errors.py.
"""

from __future__ import annotations

import importlib.resources
import re
import shutil
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import complydesk.policy
from complydesk.deadlines import calendar_ids
from complydesk.duration import Duration
from complydesk.errors import PolicyError
from complydesk.policy import (
    SHIPPED_DIR,
    Cited,
    Confidence,
    PolicyPack,
    available_packs,
    iter_cited,
    load_pack,
    load_pack_file,
)

SHIPPED = ["baseline", "cn", "eu", "us-ca"]
SEED_DISCLOSURE = "您好，我是AI助手，将为您服务。如果您需要人工服务，请说‘转人工’。"


def d(text: str) -> Duration:
    return Duration.model_validate(text)


def cited(pack: PolicyPack, dotted: str) -> Cited[Any]:
    node: Any = pack
    for part in dotted.split("."):
        node = getattr(node, part)
    assert isinstance(node, Cited), dotted
    return node


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def header(name: str, extends: str = "baseline", jurisdiction: str = "cn") -> str:
    return textwrap.dedent(
        f"""\
        pack: {name}
        version: "2026.12.0"
        title: "Test pack {name}"
        jurisdiction: {jurisdiction}
        extends: {extends}
        """
    )


def test_when_listing_shipped_packs_then_exactly_the_four_jurisdictions() -> None:
    assert available_packs() == SHIPPED


@pytest.mark.parametrize(
    ("name", "timezone", "calendar", "extends"),
    [
        ("baseline", "UTC", "weekends", None),
        ("cn", "Asia/Shanghai", "cn", "baseline"),
        ("eu", "Europe/Brussels", "eu", "baseline"),
        ("us-ca", "America/Los_Angeles", "us-ca", "baseline"),
    ],
)
def test_when_shipped_pack_loads_then_header_is_complete(
    name: str, timezone: str, calendar: str, extends: str | None
) -> None:
    pack = load_pack(name)
    assert pack.pack == name
    assert pack.jurisdiction == name
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", pack.version)
    assert re.fullmatch(r"[0-9a-f]{64}", pack.content_hash)
    assert (pack.timezone, pack.working_calendar, pack.extends) == (
        timezone,
        calendar,
        extends,
    )


@pytest.mark.parametrize("name", SHIPPED)
def test_when_shipped_pack_loads_then_its_calendar_exists(name: str) -> None:
    assert load_pack(name).working_calendar in calendar_ids()


@pytest.mark.parametrize("name", SHIPPED)
def test_every_cited_value_has_citation_and_explains_gaps(name: str) -> None:
    rows = list(iter_cited(load_pack(name)))
    assert len(rows) >= 25
    assert len({row.key for row in rows}) == len(rows)
    for row in rows:
        assert row.citation.strip(), row.key
        if row.value is None or row.confidence is Confidence.UNCONFIRMED:
            assert row.note and row.note.strip(), row.key
        if row.source_url is not None:
            assert row.source_url.startswith(("http://", "https://")), row.key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("data_subject_requests.response_deadline", d("30 calendar_days")),
        ("breach.authority_deadline", d("72 hours")),
        ("breach.individuals_deadline", d("72 hours")),
        ("after_sales.electronics_solution_within", d("24 hours")),
        ("ai_disclosure.wording", SEED_DISCLOSURE),
        ("ai_disclosure.required", True),
        ("fairness.flag_ratio_below", 0.8),
        ("fairness.flag_is_screening_only", True),
    ],
)
def test_baseline_carries_the_seed_figures(key: str, expected: object) -> None:
    assert cited(load_pack("baseline"), key).value == expected


def test_when_figure_is_not_law_then_it_is_unconfirmed_with_a_note() -> None:
    sla = load_pack("baseline").after_sales.electronics_solution_within
    assert sla.confidence is Confidence.UNCONFIRMED
    assert sla.note is not None and "SLA" in sla.note


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("eu", "data_subject_requests.response_deadline", d("1 calendar_months")),
        ("eu", "data_subject_requests.extension_allowed", True),
        ("eu", "data_subject_requests.max_extension", d("2 calendar_months")),
        ("eu", "data_subject_requests.extension_notice_within", d("1 calendar_months")),
        ("eu", "breach.authority_deadline", d("72 hours")),
        ("eu", "breach.authority_notice_requires_risk", True),
        ("eu", "breach.individuals_deadline", None),
        ("eu", "breach.individuals_notice_requires_high_risk", True),
        ("eu", "cross_border.localisation_applies_to", ()),
        ("eu", "ai_disclosure.timing", "first_interaction"),
        ("eu", "ai_disclosure.effective_from", date(2026, 8, 2)),
        ("us-ca", "data_subject_requests.response_deadline", d("45 calendar_days")),
        ("us-ca", "data_subject_requests.max_extension", d("45 calendar_days")),
        (
            "us-ca",
            "data_subject_requests.acknowledgement_deadline",
            d("10 working_days"),
        ),
        (
            "us-ca",
            "data_subject_requests.opt_out_of_sale_deadline",
            d("15 working_days"),
        ),
        (
            "us-ca",
            "data_subject_requests.clock_pauses_for_identity_verification",
            False,
        ),
        ("us-ca", "breach.individuals_deadline", d("30 calendar_days")),
        ("us-ca", "breach.attorney_general.residents_over", 500),
        (
            "us-ca",
            "breach.attorney_general.within_after_individual_notice",
            d("15 calendar_days"),
        ),
        ("us-ca", "automated_decisions.effective_from", date(2027, 1, 1)),
        ("cn", "data_subject_requests.response_deadline", None),
        (
            "cn",
            "data_subject_requests.operational_response_deadline",
            d("15 working_days"),
        ),
        ("cn", "breach.authority_deadline", None),
        ("cn", "breach.individuals_deadline", None),
        ("cn", "breach.public_interest_report_deadline", d("24 hours")),
        ("cn", "breach.incident_reporting.ciio", d("1 hours")),
        ("cn", "breach.incident_reporting.state_organs", d("2 hours")),
        ("cn", "breach.incident_reporting.other_operators", d("4 hours")),
        ("cn", "after_sales.complaint_handling_limit", d("15 working_days")),
        ("cn", "after_sales.no_reason_return_period", d("7 calendar_days")),
        ("cn", "cross_border.volume_thresholds.exempt_nonsensitive_below", 100_000),
        (
            "cn",
            "cross_border.volume_thresholds.assessment_nonsensitive_at_least",
            1_000_000,
        ),
        ("cn", "cross_border.volume_thresholds.assessment_sensitive_at_least", 10_000),
        ("cn", "cross_border.volume_thresholds.sensitive_free_allowance", 0),
        ("cn", "cross_border.volume_thresholds.counting_period", "calendar_year"),
        ("cn", "cross_border.security_assessment_validity", d("36 calendar_months")),
        ("cn", "cross_border.certification_validity", d("36 calendar_months")),
        ("cn", "cross_border.standard_contract_filing_within", d("10 working_days")),
        ("cn", "cross_border.separate_consent_required", True),
        ("cn", "ai_disclosure.required_label_elements", ("AI|人工智能", "生成|合成")),
        ("cn", "consumer.fraud_damages_multiplier", 3),
        ("cn", "consumer.fraud_damages_minimum_cny", 500),
        ("cn", "pia.record_retention", d("36 calendar_months")),
    ],
)
def test_jurisdiction_packs_carry_the_sheet_figures(
    name: str, key: str, expected: object
) -> None:
    assert cited(load_pack(name), key).value == expected


@pytest.mark.parametrize(
    ("name", "key", "words"),
    [
        ("cn", "data_subject_requests.response_deadline", "及时"),
        ("cn", "breach.authority_deadline", "立即"),
        ("eu", "breach.individuals_deadline", "Without undue delay"),
        ("us-ca", "breach.authority_deadline", "Attorney General"),
    ],
)
def test_when_law_sets_no_figure_then_note_quotes_the_law(
    name: str, key: str, words: str
) -> None:
    value = cited(load_pack(name), key)
    assert value.value is None
    assert value.note is not None and words in value.note


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("baseline", d("30 calendar_days")),
        ("cn", d("15 working_days")),
        ("eu", d("1 calendar_months")),
        ("us-ca", d("45 calendar_days")),
    ],
)
def test_effective_response_deadline_falls_back_to_operational_default(
    name: str, expected: Duration
) -> None:
    requests = load_pack(name).data_subject_requests
    assert requests.effective_response_deadline == expected


def test_cn_overrides_baseline_and_inherits_the_rest() -> None:
    base, cn = load_pack("baseline"), load_pack("cn")
    assert cn.breach.authority_deadline != base.breach.authority_deadline
    assert cn.after_sales.electronics_solution_within == (
        base.after_sales.electronics_solution_within
    )
    assert cn.human_handoff == base.human_handoff
    assert cn.fairness == base.fairness
    assert base.cross_border is None and cn.cross_border is not None


def test_cn_wording_has_both_label_elements() -> None:
    wording = load_pack("cn").ai_disclosure.wording.value
    assert "AI" in wording or "人工智能" in wording
    assert "生成" in wording or "合成" in wording


def test_when_child_overrides_a_value_then_parent_note_is_not_kept(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "acme",
        header("acme")
        + textwrap.dedent(
            """\
        breach:
          individuals_deadline:
            value: 48 hours
            citation: "ACME contract §4"
            confidence: ok
        """
        ),
    )
    pack = load_pack("acme", tmp_path)
    assert pack.breach.individuals_deadline.value == d("48 hours")
    assert pack.breach.individuals_deadline.note is None
    assert (
        pack.breach.authority_deadline
        == load_pack("baseline").breach.authority_deadline
    )


def test_content_hash_is_stable_and_independent_of_location(tmp_path: Path) -> None:
    copy = tmp_path / "cn.yaml"
    shutil.copyfile(SHIPPED_DIR / "cn.yaml", copy)
    assert load_pack("cn").content_hash == load_pack("cn").content_hash
    assert load_pack_file(copy).content_hash == load_pack("cn").content_hash


def test_content_hash_ignores_how_a_duration_is_spelled(tmp_path: Path) -> None:
    original = (SHIPPED_DIR / "cn.yaml").read_text(encoding="utf-8")
    spelled = original.replace(
        "value: 15 working_days", "value: {amount: 15, unit: working_days}"
    )
    assert spelled != original
    copy = write(tmp_path, "cn", spelled)
    assert load_pack_file(copy).content_hash == load_pack("cn").content_hash


def test_content_hash_changes_when_a_value_changes(tmp_path: Path) -> None:
    original = (SHIPPED_DIR / "cn.yaml").read_text(encoding="utf-8")
    copy = write(tmp_path, "cn", original.replace("value: 500", "value: 501"))
    assert load_pack_file(copy).content_hash != load_pack("cn").content_hash


def test_when_policy_dir_extends_same_name_then_shipped_values_are_overridden(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "cn",
        header("cn", extends="cn")
        + textwrap.dedent(
            """\
        data_subject_requests:
          operational_response_deadline:
            value: 10 working_days
            citation: "ACME privacy policy §7"
            confidence: ok
        """
        ),
    )
    shipped, override = load_pack("cn"), load_pack("cn", tmp_path)
    assert override.data_subject_requests.operational_response_deadline == Cited[
        Duration
    ](value=d("10 working_days"), citation="ACME privacy policy §7", confidence="ok")
    assert override.cross_border == shipped.cross_border
    assert override.timezone == "Asia/Shanghai"
    assert override.version == "2026.12.0"
    assert override.content_hash != shipped.content_hash
    assert load_pack("cn").content_hash == shipped.content_hash


def test_when_policy_dir_has_a_pack_then_it_is_available_and_replaces_shipped(
    tmp_path: Path,
) -> None:
    eu = (SHIPPED_DIR / "eu.yaml").read_text(encoding="utf-8")
    write(tmp_path, "eu", eu.replace('title: "European Union', 'title: "EU (ours)'))
    write(tmp_path, "acme", header("acme"))
    assert available_packs(tmp_path) == ["acme", "baseline", "cn", "eu", "us-ca"]
    assert load_pack("eu", tmp_path).title.startswith("EU (ours)")
    assert load_pack("acme", tmp_path).extends == "baseline"


def test_when_pack_file_changes_then_cache_is_refreshed(tmp_path: Path) -> None:
    write(tmp_path, "acme", header("acme"))
    assert load_pack("acme", tmp_path).title == "Test pack acme"
    write(tmp_path, "acme", header("acme").replace("Test pack", "Changed test pack"))
    assert load_pack("acme", tmp_path).title == "Changed test pack acme"


def test_when_policy_dir_is_missing_then_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a directory"):
        load_pack("cn", tmp_path / "nowhere")


def test_iter_cited_walks_nested_blocks() -> None:
    keys = [row.key for row in iter_cited(load_pack("us-ca"))]
    assert "breach.attorney_general.residents_over" in keys
    assert "data_subject_requests.response_deadline" in keys
    assert not any(key.endswith((".amount", ".unit")) for key in keys)


def test_shipped_packs_are_package_data() -> None:
    packs = importlib.resources.files("complydesk.policy") / "packs"
    for name in SHIPPED:
        assert (packs / f"{name}.yaml").is_file()
    assert SHIPPED_DIR.is_dir()


def test_public_api_is_sorted_and_complete() -> None:
    public = [n for n in vars(complydesk.policy) if not n.startswith("_")]
    modules = {"load", "pack"}
    assert complydesk.policy.__all__ == sorted(complydesk.policy.__all__)
    assert set(complydesk.policy.__all__) == set(public) - modules
