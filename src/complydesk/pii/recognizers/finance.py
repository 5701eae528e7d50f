"""Built-in recognizers: bank and payment card numbers.

Helpdesk text carries many 16–19 digit order, waybill and ticket numbers, and
one in ten of them passes Luhn by chance. So a card needs more than Luhn:

* a reference word nearby (订单号, 运单, 工单, order, …) vetoes it outright;
* a card word (卡号, 银行卡, 尾号, card, …) makes it 0.95;
* a non-payment card word (会员卡, 积分, 购物卡, …) vetoes it too;
* without either, only a known brand prefix (BIN) is reported, and below the
  default threshold (0.5) unless grouped in fours the way people write cards.

UnionPay (62…) cards are accepted without Luhn *only* next to a card word:
some older UnionPay debit cards do not carry a Luhn check digit, and with
卡号/银行卡 right before the number the context is already decisive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Gated, Recognizer
from complydesk.pii.recognizers.numbers import (
    CARD_WORDS,
    NON_PAYMENT_CARD_WORDS,
    REFERENCE_WORDS,
    digits,
    glued_to_number,
    has_digit_run,
    has_word,
)
from complydesk.pii.text import Doc
from complydesk.pii.validators import is_luhn

# 4-4-4-4(+1..3) or Amex 4-6-5 groups with one space/dash, or 14–19 digits.
_CARD = re.compile(
    r"[1-9](?<![0-9A-Za-z][1-9])(?:"
    r"\d{3}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{4}(?:(?P=s)\d{1,3})?"
    r"|\d{3}(?P<a>[ -])\d{6}(?P=a)\d{5}"
    r"|\d{13,18})(?![0-9A-Za-z])"
)
# Brand prefixes and lengths people actually type in chat.
_MAJOR = re.compile(
    r"4\d{15}(?:\d{3})?"  # Visa
    r"|5[1-5]\d{14}"  # Mastercard
    r"|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}"  # Mastercard 2-series
    r"|3[47]\d{13}"  # Amex
    r"|35(?:2[89]|[3-8]\d)\d{12,15}"  # JCB
    r"|6(?:011|4[4-9]\d|5\d\d)\d{12,15}"  # Discover
    r"|62\d{14,17}"  # UnionPay
    r"|3(?:0[0-5]|[68]\d)\d{11}"  # Diners 14
)
_MINOR = re.compile(r"(?:50|5[6-8]|6\d)\d{14,17}")  # Maestro, Chinese bank BINs
_AFTER_CARD = ("开户", "银行", "储蓄卡", "信用卡", "借记卡")

_YYMMDD = re.compile(r"(?:1[2-9]|2\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")


def _dated_reference(number: str) -> bool:
    """Order numbers embed their date: 5150713686247086 is 5 + 150713 + serial.

    A card has one of these by chance only rarely; without card context a
    YYMMDD (2012+) at offset 0-2 or a 20YYMMDD at offset 0-1 means reference.
    """
    for offset in (0, 1, 2):
        if _YYMMDD.match(number, offset):
            return True
    return number.startswith("20", 0) or number.startswith("20", 1)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _cjk_near(doc: Doc, start: int, end: int) -> bool:
    return _CJK.search(doc.folded, max(0, start - 12), end + 12) is not None


@dataclass(frozen=True)
class BankCardRecognizer:
    """Card numbers: Luhn + brand prefix + context (see module docstring)."""

    name: str = "bank_card"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.BANK_CARD.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        for match in _CARD.finditer(folded):
            start, end = match.span()
            if glued_to_number(folded, start, end):
                continue
            score = self.score(doc, start, end, digits(match.group()))
            if score is not None:
                text = doc.text[start:end]
                yield Entity(Label.BANK_CARD, start, end, text, score, self.name)

    @staticmethod
    def score(doc: Doc, start: int, end: int, number: str) -> float | None:
        if not 14 <= len(number) <= 19:
            return None
        near = doc.before(start, 16)
        if has_word(near, REFERENCE_WORDS) or has_word(near, NON_PAYMENT_CARD_WORDS):
            return None
        luhn = is_luhn(number)
        if has_word(near, CARD_WORDS) or has_word(doc.after(end, 6), _AFTER_CARD):
            if luhn and len(number) >= 15:
                return 0.95
            if number.startswith("62") and len(number) >= 16:
                return 0.8
            return None
        if not luhn:
            return None
        if _dated_reference(number):
            return None
        grouped = end - start != len(number)
        if _MAJOR.fullmatch(number):
            if grouped:
                return 0.75
            # Chinese helpdesk text is full of long order numbers; English
            # support text rarely writes those as bare 16-digit runs.
            return 0.45 if _cjk_near(doc, start, end) else 0.6
        if _MINOR.fullmatch(number):
            if grouped:
                return 0.6
            return 0.4 if _cjk_near(doc, start, end) else 0.55
        return None


BANK_CARD = BankCardRecognizer()

RECOGNIZERS: list[Recognizer] = [Gated(BANK_CARD, has_digit_run, has_digit_run)]
