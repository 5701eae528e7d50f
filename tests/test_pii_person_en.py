"""English person names: titles, greetings and given name + surname pairs."""

from __future__ import annotations

import pytest

from complydesk.pii import Detector

DETECT = Detector()


def names(text: str) -> list[str]:
    found = [e for e in DETECT.detect(text) if e.label == "PERSON"]
    assert all(text[e.start : e.end] == e.text for e in found)
    return [e.text for e in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi Sarah, your refund is on the way.", ["Sarah"]),
        ("Dear Mr. Johnson, thanks for waiting", ["Johnson"]),
        ("Please ask Michael Brown to call back", ["Michael Brown"]),
        ("Thank you Jessica", ["Jessica"]),
        ("Ms Li Wei called about her order", ["Li Wei"]),
        ("Dr. Emily Carter will see you", ["Emily Carter"]),
        ("订单联系人 Daniel Smith 已确认", ["Daniel Smith"]),
    ],
)
def test_when_english_name_has_a_cue_or_surname_then_found(
    text: str, expected: list[str]
) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I spoke to John yesterday",  # a bare given name: too ambiguous
        "Will Smith is an actor",  # Will is left out of the given-name list
        "Customer Service will reply",
        "Dear Customer, sorry for the delay",
        "We have Samsung Galaxy phones",
        "Hi there, how can I help?",
        "Michael Street is closed",
    ],
)
def test_when_no_english_person_then_nothing(text: str) -> None:
    assert names(text) == []
