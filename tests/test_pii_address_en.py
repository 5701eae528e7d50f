"""English street addresses and P.O. boxes."""

from __future__ import annotations

import pytest

from complydesk.pii import Detector

DETECT = Detector()


def addresses(text: str) -> list[str]:
    found = [e for e in DETECT.detect(text) if e.label == "ADDRESS"]
    assert all(text[e.start : e.end] == e.text for e in found)
    return [e.text for e in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ship it to 221B Baker Street, London NW1 6XE.",
            "221B Baker Street, London NW1 6XE",
        ),
        (
            "My address is 1600 Pennsylvania Ave NW, Washington, DC 20500",
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
        ),
        (
            "Flat 2, 10 Downing St, London SW1A 2AA",
            "10 Downing St, London SW1A 2AA",
        ),
        (
            "123 Main St Apt 4B, Springfield, IL 62704",
            "123 Main St Apt 4B, Springfield, IL 62704",
        ),
        ("Send it to P.O. Box 1234 please", "P.O. Box 1234"),
        ("mail: PO Box 77, Reno", "PO Box 77"),
        ("寄到 500 5th Avenue, New York 谢谢", "500 5th Avenue, New York"),
    ],
)
def test_when_street_address_then_whole_span(text: str, expected: str) -> None:
    assert addresses(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I waited 3 days for the Lane Road bus",
        "the 3 lane road was closed",
        "Order 12345 shipped on 2024-01-15",
        "Your box of 12 arrives Monday",
    ],
)
def test_when_no_street_address_then_nothing(text: str) -> None:
    assert addresses(text) == []


def test_street_gate_needs_a_suffix_word_after_a_digit() -> None:
    from complydesk.pii.recognizers.address_en import _may_have_street
    from complydesk.pii.text import Doc

    assert _may_have_street(Doc("寄到 221B Baker Street 谢谢"))
    assert _may_have_street(Doc("寄到221B\u2003Baker\u2003St，谢谢"))  # em spaces
    assert not _may_have_street(Doc("Street 没有门牌号"))
    assert not _may_have_street(Doc("订单 12345 已发 SF Express"))


def test_address_with_non_ascii_spaces_is_still_found() -> None:
    assert addresses("寄到221B\u2003Baker\u2003Street，谢谢") == [
        "221B\u2003Baker\u2003Street"
    ]
