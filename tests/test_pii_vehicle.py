"""LICENSE_PLATE: regular, new-energy (8 chars) and suffix plates."""

from __future__ import annotations

import pytest
from tests.pii_structured_helpers import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("车牌京A12345", ["京A12345"]),
        ("粤B·D12345停在楼下", ["粤B·D12345"]),
        ("沪AD12345", ["沪AD12345"]),
        ("苏E12345F", ["苏E12345F"]),
        ("苏A1234挂", ["苏A1234挂"]),
        ("浙Ａ１２３４５", ["浙Ａ１２３４５"]),
        ("川A 12345", ["川A 12345"]),
        ("😀鲁B12AB3😀", ["鲁B12AB3"]),
    ],
)
def test_when_plate_then_found(text: str, expected: list[str]) -> None:
    assert found(text, "LICENSE_PLATE") == expected


@pytest.mark.parametrize(
    "text", ["新iPhone6", "京AIO123", "云MBABC", "京A1234567", "新A12"]
)
def test_when_not_a_plate_then_not_found(text: str) -> None:
    assert found(text, "LICENSE_PLATE") == []
