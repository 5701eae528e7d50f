"""Classification: the taxonomy's content and validation, records, columns."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from complydesk.errors import ConfigError, InvalidInput
from complydesk.pii import Detector, Entity, Label, Registry
from complydesk.pii.classify import (
    classify_column,
    classify_entities,
    classify_record,
    display_name,
    label_info,
    load_taxonomy,
    reservoir,
)
from complydesk.pii.recognizers.contact import EMAIL

EMAIL_ONLY = Detector(Registry([EMAIL]))  # exact counts, whatever else lands

PIPL_SENSITIVE = {
    Label.CN_ID_CARD,
    Label.BANK_CARD,
    Label.PASSPORT,
    Label.HK_MACAU_PERMIT,
    Label.TAIWAN_PERMIT,
}


@pytest.mark.parametrize("label", list(Label))
def test_taxonomy_covers_every_label_with_citations(label: Label) -> None:
    taxonomy = load_taxonomy()
    info = taxonomy.labels[label.value]
    assert info.pipl_sensitive is (label in PIPL_SENSITIVE)
    assert info.gdpr_special is False  # none is a GDPR Art. 9 category
    assert "Art. 28" in taxonomy.citations[info.pipl_basis] or not info.pipl_sensitive
    assert "Art. 9" in taxonomy.citations["gdpr_9"]
    assert info.name_zh and info.name_en
    expected = (
        "sensitive"
        if label in PIPL_SENSITIVE
        else "organisation"
        if label is Label.CN_USCC
        else "personal"
    )
    assert info.category == expected
    assert (info.sensitivity == 4) is (label in PIPL_SENSITIVE)


def test_display_names_and_unknown_labels() -> None:
    assert display_name(Label.BANK_CARD) == "银行卡号"
    assert display_name(Label.BANK_CARD, "en") == "Bank card number"
    assert label_info("EMPLOYEE_ID").sensitivity == 2


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped_raw() -> dict[str, object]:
    text = Path("src/complydesk/pii/data/taxonomy.yaml").read_text(encoding="utf-8")
    raw: dict[str, object] = yaml.safe_load(text)
    return raw


def test_unknown_label_in_data_names_the_key(tmp_path: Path) -> None:
    raw = _shipped_raw()
    labels = raw["labels"]
    assert isinstance(labels, dict)
    labels["SOCIAL_SECURITY"] = labels["PHONE"]
    with pytest.raises(ConfigError, match="labels.SOCIAL_SECURITY: unknown label"):
        load_taxonomy(_write(tmp_path, raw))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["labels"].pop("QQ"), "missing QQ"),
        (lambda r: r["labels"]["QQ"].update(sensitivity=7), r"labels\.QQ\.sensitivity"),
        (lambda r: r["labels"]["QQ"].update(colour="red"), r"labels\.QQ\.colour"),
        (lambda r: r["labels"]["QQ"].update(pipl_basis="x"), "unknown citation"),
        (
            lambda r: r["labels"]["BANK_CARD"].update(category="personal"),
            "must match pipl_sensitive",
        ),
    ],
)
def test_invalid_taxonomy_is_a_config_error(
    tmp_path: Path, change: object, message: str
) -> None:
    raw = _shipped_raw()
    change(raw)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=message):
        load_taxonomy(_write(tmp_path, raw))


def test_unreadable_or_malformed_taxonomy(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("labels: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_taxonomy(bad)


def _e(label: str) -> Entity:
    return Entity(label, 0, 1, "x", 0.9, "t")


def test_classify_entities() -> None:
    empty = classify_entities([])
    assert empty.max_sensitivity == 0 and not empty.has_sensitive
    result = classify_entities(
        [_e(Label.PHONE), _e(Label.PHONE), _e(Label.BANK_CARD), _e(Label.CN_USCC)]
    )
    assert result.counts == {"PHONE": 2, "BANK_CARD": 1, "CN_USCC": 1}
    assert result.max_sensitivity == 4 and result.has_sensitive
    assert result.categories == ("organisation", "personal", "sensitive")
    assert result.to_dict()["labels"] == ["BANK_CARD", "CN_USCC", "PHONE"]
    plain = classify_entities([_e(Label.EMAIL), _e(Label.IP_ADDRESS)])
    assert plain.max_sensitivity == 3 and not plain.has_sensitive


def test_classify_record_per_field_paths() -> None:
    record = {
        "id": 1,
        "customer": {"email": "a@example.com", "alias": ["x", {"cc": "b@c.io c@d.io"}]},
        "note": "无",
    }
    result = classify_record(record, detector=EMAIL_ONLY)
    assert set(result.fields) == {"customer.email", "customer.alias[1].cc"}
    assert result.fields["customer.alias[1].cc"].counts == {"EMAIL": 2}
    assert result.overall.counts == {"EMAIL": 3}
    assert result.to_dict()["overall"]["max_sensitivity"] == 3
    assert classify_record({}).overall.max_sensitivity == 0
    with pytest.raises(InvalidInput):
        classify_record("x")  # type: ignore[arg-type]


def test_classify_column_small_and_large() -> None:
    small = classify_column(["a@b.com", "none", "", "c@d.org"], detector=EMAIL_ONLY)
    assert small.total == small.sampled == 4
    assert small.ratios == {"EMAIL": 0.5} and small.labels == ("EMAIL",)
    column = (
        f"user{i}@example.com" if i % 4 == 0 else f"row {i}" for i in range(20000)
    )
    big = classify_column(column, sample=400, seed=3)
    assert big.total == 20000 and big.sampled == 400
    assert 0.17 < big.ratios["EMAIL"] < 0.33
    again = classify_column(
        (f"user{i}@example.com" if i % 4 == 0 else f"row {i}" for i in range(20000)),
        sample=400,
        seed=3,
    )
    assert again == big
    assert big.to_dict()["ratios"] == {"EMAIL": round(big.ratios["EMAIL"], 4)}
    with pytest.raises(InvalidInput):
        classify_column([], sample=0)


def test_reservoir_is_deterministic_and_uniform_enough() -> None:
    a, seen = reservoir((str(i) for i in range(10000)), 100, seed=1)
    b, _ = reservoir((str(i) for i in range(10000)), 100, seed=1)
    c, _ = reservoir((str(i) for i in range(10000)), 100, seed=2)
    assert seen == 10000 and a == b and a != c and len(set(a)) == 100
    late = sum(1 for value in a if int(value) >= 5000)
    assert 30 < late < 70
