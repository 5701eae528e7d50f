"""BANK_CARD: Luhn + brand prefix + context; order numbers must not leak in."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from tests.pii_structured_helpers import found

from complydesk.pii.validators import is_luhn

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "vectors"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("卡号4111111111111111", ["4111111111111111"]),
        ("银行卡 6222 0205 1100 9268 521", ["6222 0205 1100 9268 521"]),
        ("邮费退到6222020511009268521 何士庞开户", ["6222020511009268521"]),
        ("card 5555-5555-5555-4444.", ["5555-5555-5555-4444"]),
        ("4012 8888 8888 1881", ["4012 8888 8888 1881"]),
        ("信用卡３７１４４９６３５３９８４３１", ["３７１４４９６３５３９８４３１"]),
        ("储蓄卡6212345678901234567", ["6212345678901234567"]),  # 62, no Luhn
        ("😀卡号4111111111111111😀", ["4111111111111111"]),
    ],
)
def test_when_card_then_found(text: str, expected: list[str]) -> None:
    assert found(text, "BANK_CARD") == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单号4111111111111111",
        "运单号：6222020511009268521",
        "order 4111111111111111",
        "卡号4111111111111112",  # Luhn fails, not UnionPay
        "6212345678901234567",  # 62 without Luhn and without context
        "5150713686247086",  # 5 + YYMMDD + serial: an order number
        "1234567812345670",  # Luhn-valid, no known brand
        "855005361-4111111111111111",
    ],
)
def test_when_order_number_passes_luhn_then_no_bank_card(text: str) -> None:
    assert found(text, "BANK_CARD") == []


def test_when_random_luhn_order_numbers_then_precision_high() -> None:
    rng = random.Random(7)
    numbers: list[str] = []
    while len(numbers) < 2000:
        n = str(rng.randrange(10**15, 10**19))
        if is_luhn(n):
            numbers.append(n)
    # With order context: always vetoed.
    assert not any(found(f"订单号：{n}", "BANK_CARD") for n in numbers)
    # Bare in Chinese text: only brand-prefixed ones survive, below the default
    # threshold of 0.5.
    from tests.pii_structured_helpers import DETECTOR

    scores = [
        e.score
        for n in numbers
        for e in DETECTOR.detect(f"这个是{n}吗")
        if e.label == "BANK_CARD"
    ]
    assert all(s < 0.5 for s in scores)


@pytest.mark.skipif(not VECTORS.exists(), reason="shared eval vectors not present")
def test_presidio_card_vectors() -> None:
    lines = (VECTORS / "presidio_credit_card.jsonl").read_text().splitlines()
    ok = 0
    for case in map(json.loads, lines):
        spans = [case["text"][s:e] for s, e in case["expected_spans"]]
        ok += found(case["text"], "BANK_CARD") == spans
    assert ok >= 18  # UATP 1xxx cards are out of scope
