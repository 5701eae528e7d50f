"""CN_ID_CARD, CN_USCC, PASSPORT and the HK/Macau and Taiwan permits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.pii_structured_helpers import found

from complydesk.pii.validators import id_check_char, is_birth_date, is_cn_id_card

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "vectors"
VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号：{VALID_ID}", [VALID_ID]),
        (VALID_ID, [VALID_ID]),
        (VALID_ID.lower(), [VALID_ID.lower()]),
        ("身份证 110105 19491231 002X", ["110105 19491231 002X"]),
        ("110105-19491231-002X。", ["110105-19491231-002X"]),
        (
            "身份证号１１０１０５１９４９１２３１００２Ｘ",
            ["１１０１０５１９４９１２３１００２Ｘ"],
        ),
        ("😀510112198606284229😀", ["510112198606284229"]),
        ("身份证号610104620927690", ["610104620927690"]),  # legacy 15 digits
        ("990426199112010074", ["990426199112010074"]),  # unknown region: soft
    ],
)
def test_when_valid_id_card_then_found(text: str, expected: list[str]) -> None:
    assert found(text, "CN_ID_CARD") == expected


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",  # wrong check digit
        "440308199902301512",  # 30 February
        "110105299912310026",  # born in the future (and bad check)
        "订单号11010519491231002X",
        "610104620927690",  # 15 digits without an ID word: could be anything
        "211010519491231002X",  # inside a longer run
        "11010519491231002X1",
    ],
)
def test_when_invalid_or_reference_then_no_id_card(text: str) -> None:
    assert found(text, "CN_ID_CARD") == []


def test_when_check_char_computed_then_matches_gb11643() -> None:
    assert id_check_char(VALID_ID[:17]) == "X"
    assert is_cn_id_card(VALID_ID)
    assert not is_birth_date("18991231")
    assert is_birth_date("19000101")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("统一社会信用代码：91110000600037341L", ["91110000600037341L"]),
        ("91110000600037341L", ["91110000600037341L"]),
        ("税号91 110000 600037341L", ["91 110000 600037341L"]),
    ],
)
def test_when_uscc_then_found(text: str, expected: list[str]) -> None:
    assert found(text, "CN_USCC") == expected


@pytest.mark.parametrize("text", ["91110000600037341N", "A1110000600037341L"])
def test_when_uscc_bad_then_not_found(text: str) -> None:
    assert found(text, "CN_USCC") == []


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("护照号E12345678", "PASSPORT", ["E12345678"]),
        ("passport: EA1234567", "PASSPORT", ["EA1234567"]),
        ("港澳通行证C12345678", "HK_MACAU_PERMIT", ["C12345678"]),
        ("港澳通行证CA1234567", "HK_MACAU_PERMIT", ["CA1234567"]),
        ("台胞证12345678", "TAIWAN_PERMIT", ["12345678"]),
        ("往来台湾通行证T12345678", "TAIWAN_PERMIT", ["T12345678"]),
    ],
)
def test_when_travel_document_with_context_then_found(
    text: str, label: str, expected: list[str]
) -> None:
    assert found(text, label) == expected


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("型号E123456789", "PASSPORT"),
        ("E1234567X", "PASSPORT"),
        ("12345678", "TAIWAN_PERMIT"),
        ("ABC12345678", "HK_MACAU_PERMIT"),
    ],
)
def test_when_code_without_context_then_no_document(text: str, label: str) -> None:
    assert found(text, label) == []


def test_when_passport_without_context_then_low_score() -> None:
    from tests.pii_structured_helpers import DETECTOR

    (entity,) = DETECTOR.detect("E12345678")
    assert entity.score <= 0.4


def _vectors(name: str) -> list[dict[str, object]]:
    text = (VECTORS / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.skipif(not VECTORS.exists(), reason="shared eval vectors not present")
def test_ric_vectors_checksum_and_date_agree() -> None:
    for case in _vectors("cn_ric_id_validator.jsonl") + _vectors("cn_ric_stdnum.jsonl"):
        value, valid = str(case["value"]), bool(case["valid"])
        note = str(case.get("note") or "")
        if case.get("strict_mode") or "地址码" in note or "birth place" in note:
            continue  # region checks are deliberately soft
        assert is_cn_id_card(value) == valid, value


@pytest.mark.skipif(not VECTORS.exists(), reason="shared eval vectors not present")
def test_uscc_vectors_in_text() -> None:
    for case in _vectors("cn_uscc_stdnum.jsonl"):
        value = str(case["value"])
        hits = found(f"信用代码：{value}。", "CN_USCC")
        assert (hits == [value]) == bool(case["valid"]), value
