"""Built-in recognizers: identity documents (ID card, passports, permits, USCC).

CN_ID_CARD is validated with our own GB 11643 check (MOD 11-2 check digit plus
a real, past birth date), not python-stdnum's `cn.ric`: stdnum also rejects
numbers whose county code is no longer in its table, but counties are
re-districted all the time and people keep their numbers, so that check would
miss real IDs. The province prefix is only a soft signal for the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Context, Gated, PatternRecognizer, Recognizer
from complydesk.pii.recognizers.numbers import (
    REFERENCE_WORDS,
    digits,
    glued_to_number,
    has_digit_run,
    has_run6,
    has_run7,
    has_word,
)
from complydesk.pii.text import Doc
from complydesk.pii.validators import CN_PROVINCES, is_cn_id_card, is_uscc

ID_WORDS = ("身份证", "证件", "身份號", "id card", "id no", "id number", "identity")

# 6-8-4 digits, optionally split by one space or dash; the leading literal
# digit keeps the regex engine's fast prefix scan (a lookbehind first would not).
_ID_18 = re.compile(
    r"[1-9](?<![0-9A-Za-z][1-9])\d{5}(?P<s1>[ -]?)(?:18|19|20)\d{2}"
    r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?P=s1)\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_ID_15 = re.compile(
    r"[1-9](?<![0-9A-Za-z][1-9])\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class IdCardRecognizer:
    """Resident ID numbers: 18-digit with check digit, 15-digit legacy."""

    name: str = "cn_id_card"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.CN_ID_CARD.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        for match in _ID_18.finditer(folded):
            start, end = match.span()
            value = digits(match.group())
            if not is_cn_id_card(value) or glued_to_number(folded, start, end):
                continue
            near = doc.before(start, 12)
            if has_word(near, REFERENCE_WORDS) and not has_word(near, ID_WORDS):
                continue
            score = 0.85 if value[:2] in CN_PROVINCES else 0.6
            if has_word(near, ID_WORDS):
                score += 0.13
            yield Entity(
                Label.CN_ID_CARD, start, end, doc.text[start:end], score, self.name
            )
        for match in _ID_15.finditer(folded):
            start, end = match.span()
            value = match.group()
            if value[:2] not in CN_PROVINCES or not is_cn_id_card(value):
                continue
            if glued_to_number(folded, start, end):
                continue
            near = doc.before(start, 12)
            if has_word(near, REFERENCE_WORDS):
                continue
            # No check digit: without an ID word this is as likely an order number.
            if has_word(near, ID_WORDS):
                yield Entity(
                    Label.CN_ID_CARD, start, end, doc.text[start:end], 0.85, self.name
                )


CN_ID_CARD = IdCardRecognizer()

_USCC = re.compile(
    r"[0-9](?<![0-9A-Za-z][0-9])\d(?: ?)\d{6}(?: ?)[0-9A-HJ-NPQRTUWXY]{9}"
    r"[0-9A-HJ-NPQRTUWXY](?![0-9A-Za-z])"
)
_USCC_WORDS = ("信用代码", "社会信用", "税号", "纳税人识别号", "营业执照", "uscc")


# GB 32100: registration authority + entity category, then the region code.
_USCC_KINDS = frozenset(
    "11 12 13 19 21 29 31 32 33 34 35 39 41 49 51 52 53 59 61 62 69 71 72 79"
    " 81 89 91 92 93".split()
)


def _plausible_numeric_uscc(value: str) -> bool:
    """An all-digit code whose authority, category and province all exist."""
    return value[:2] in _USCC_KINDS and value[2:4] in CN_PROVINCES


@dataclass(frozen=True)
class UsccRecognizer:
    """Unified Social Credit Codes (GB 32100, python-stdnum check digit)."""

    name: str = "cn_uscc"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.CN_USCC.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        for match in _USCC.finditer(folded):
            start, end = match.span()
            value = match.group().replace(" ", "")
            if not is_uscc(value) or glued_to_number(folded, start, end):
                continue
            near = doc.before(start, 16)
            if has_word(near, _USCC_WORDS):
                score = 0.95
            elif value.isdigit():
                # 1 in 31 of any 18-digit run passes; IDs and orders are likelier.
                if has_word(near, REFERENCE_WORDS) or is_cn_id_card(value):
                    continue
                score = 0.5 if _plausible_numeric_uscc(value) else 0.4
            else:
                score = 0.85
            yield Entity(
                Label.CN_USCC, start, end, doc.text[start:end], score, self.name
            )


CN_USCC = UsccRecognizer()

_PASSPORT_WORDS = ("护照", "passport", "護照")
PASSPORT = PatternRecognizer(
    name="cn_passport",
    label=Label.PASSPORT,
    # E/G/P/S/D + 8 digits, or E + letter (no I/O) + 7 digits (2012+ e-passport).
    pattern=re.compile(
        r"[EGPSD](?<![0-9A-Za-z][EGPSD])(?:\d{8}|(?<=E)[A-HJ-NP-Z]\d{7})(?![0-9A-Za-z])"
    ),
    score=0.4,
    context=Context(boost=_PASSPORT_WORDS, window=16, boost_by=0.55),
)

HK_MACAU_PERMIT = PatternRecognizer(
    name="hk_macau_permit",
    label=Label.HK_MACAU_PERMIT,
    # C/W + 8 digits (2014+ card and the older book), or C + letter + 7 digits.
    pattern=re.compile(
        r"[CW](?<![0-9A-Za-z][CW])(?:\d{8}|(?<=C)[A-HJ-NP-Z]\d{7})(?![0-9A-Za-z])"
    ),
    score=0.4,
    context=Context(
        boost=("港澳", "通行证", "回乡证", "hk/macau", "exit-entry permit"),
        window=16,
        boost_by=0.5,
    ),
)

TAIWAN_PERMIT = PatternRecognizer(
    name="taiwan_permit",
    label=Label.TAIWAN_PERMIT,
    # 台胞证 (8 digits, older 10 digits) and mainland 往来台湾通行证 (T/L + 8
    # digits). Bare digits are everything, so a Taiwan word is required.
    pattern=re.compile(
        r"[TL0-9](?<![0-9A-Za-z][TL0-9])(?:(?<=[TL])\d{8}|(?<=\d)(?:\d{9}|\d{7}))"
        r"(?![0-9A-Za-z])"
    ),
    score=0.85,
    context=Context(
        boost=("台胞证", "台湾通行证", "往来台湾", "台湾居民", "赴台", "台胞", "mtp"),
        window=16,
        boost_by=0.1,
        required=True,
    ),
)


def _may_have_taiwan_word(doc: Doc) -> bool:
    """TAIWAN_PERMIT needs a context word: every one has 台, or is 'mtp'."""
    return "台" in doc.folded or "mtp" in doc.ascii.lower()


# Every one of these has at least four digits in a row (the group's `needs`);
# IDs and USCCs six, passports and permits seven.
RECOGNIZERS: list[Recognizer] = [
    Gated(CN_ID_CARD, has_run6, has_digit_run),
    Gated(CN_USCC, has_run6, has_digit_run),
    Gated(PASSPORT, has_run7, has_digit_run),
    Gated(HK_MACAU_PERMIT, has_run7, has_digit_run),
    Gated(TAIWAN_PERMIT, _may_have_taiwan_word, has_digit_run),
]
