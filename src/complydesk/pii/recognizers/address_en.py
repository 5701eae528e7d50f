"""Built-in recognizers: street addresses written the English way.

"221B Baker Street", "1600 Pennsylvania Ave NW, Washington, DC 20500",
"Flat 2, 10 Downing St, London SW1A 2AA", "P.O. Box 1234". A house number,
capitalised street-name words and a street suffix make an address; a unit,
city, US state + ZIP or UK postcode after it extend the span. Lower-case
phrases ("3 lane road") are not addresses: written addresses are title case.
"""

from __future__ import annotations

import re

from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Gated, PatternRecognizer, Recognizer, has_latin
from complydesk.pii.text import Doc

_SUFFIX_WORDS = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct"
    r"|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq"
    r"|Close|Crescent|Cres|Gardens|Row|Walk|Trail|Trl|Alley|Plaza|Broadway)"
)
_SUFFIX = rf"{_SUFFIX_WORDS}\b\.?"
_NAME = r"(?:[A-Z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = (
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|#)\.?\s*#?"
    r"[A-Za-z0-9-]{1,6})"
)
# City words never run into digits: "London NW1 6XE" is city + postcode.
_WORD = r"[A-Z][A-Za-z.'’-]+(?![0-9])"
_CITY = rf"(?:,\s*{_WORD}(?:\s{_WORD}){{0,3}})"
_US_ZIP = r"(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)"
_UK_POST = r"(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"

STREET_ADDRESS = PatternRecognizer(
    name="address_en",
    label=Label.ADDRESS,
    pattern=re.compile(
        # A leading character class lets the regex engine skip non-digits fast.
        rf"\d(?<![A-Za-z0-9]\d)\d{{0,5}}[A-Za-z]?(?:-\d{{1,6}})?\s+"
        rf"(?:[NSEW]\.?\s+)?(?:{_NAME}\s+){{1,4}}?{_SUFFIX}"
        rf"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?{_UNIT}?{_CITY}?(?:{_US_ZIP}|{_UK_POST})?"
    ),
    score=0.85,
)

PO_BOX = PatternRecognizer(
    name="po_box",
    label=Label.ADDRESS,
    pattern=re.compile(
        r"[Pp](?<![A-Za-z][Pp])(?:\.?\s?[Oo]\.?\s?[Bb][Oo][Xx]|ost\s+[Oo]ffice\s+[Bb]ox)"
        r"\s+\d{1,6}(?![0-9])"
    ),
    score=0.8,
)


# A street address is a house number and, later, a street suffix word (all
# ASCII, so both are in `doc.ascii`, in that order).
_DIGIT = re.compile("[0-9]")
_SUFFIX_HINT = re.compile(_SUFFIX_WORDS)


def _may_have_street(doc: Doc) -> bool:
    """A suffix word after the first digit (searches in C, never quadratic)."""
    a = doc.ascii
    first = _DIGIT.search(a)
    return first is not None and _SUFFIX_HINT.search(a, first.end()) is not None


def _may_have_po_box(doc: Doc) -> bool:
    return "box" in doc.ascii.lower()


RECOGNIZERS: list[Recognizer] = [
    Gated(STREET_ADDRESS, _may_have_street, has_latin),
    Gated(PO_BOX, _may_have_po_box, has_latin),
]
