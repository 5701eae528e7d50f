"""Built-in recognizers: contact details (e-mail, phone numbers, QQ, WeChat).

PHONE covers personal numbers only. Service hotlines (10000, 10086, 95xxx,
12315) are 5–6 digits and never match; 400/800 numbers are company lines
("4008123456" is TCL's hotline, not a customer) and are deliberately not
reported. A mobile number must stand alone: 11 digits inside a longer digit
run are an order or waybill number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import (
    Gated,
    PatternRecognizer,
    Recognizer,
    has_ascii,
    has_at,
)
from complydesk.pii.recognizers.numbers import (
    REFERENCE_WORDS,
    digits,
    glued_to_number,
    has_digit_run,
    has_word,
)
from complydesk.pii.text import Doc

# ASCII-only boundaries: Python's \b treats Chinese characters as word
# characters, so "邮箱a@b.cn" would otherwise swallow "邮箱" into the address.
EMAIL = PatternRecognizer(
    name="email",
    label=Label.EMAIL,
    pattern=re.compile(
        r"(?<![A-Za-z0-9._%+\-])"
        r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63})@"
        r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}"
        r"(?![A-Za-z0-9\-])"
    ),
    score=0.9,
)

PHONE_WORDS = ("电话", "手机", "号码", "联系", "致电", "来电", "tel", "phone", "mobile")
# Each pattern here starts with a character class and re-checks what came
# before with look-behinds *after* it: a leading look-behind would make the
# regex engine try a full match at every position of the text instead of
# skipping to candidate characters in C.
_MOBILE = re.compile(
    r"[+018](?<![0-9A-Za-z][+018])(?<![0-9]-[+018])"
    r"(?:(?<=\+)86[ -]?1|(?<=0)086[ -]?1|(?<=8)6[ -]?1|(?<=1))"
    r"[3-9]\d[ -]?\d{4}[ -]?\d{4}"
)
# Allocated CN mobile prefixes: 13x, 145-149, 15x (not 154), 162/5/6/7, 170-178,
# 18x, 19x (not 194).
_MOBILE_PREFIX = re.compile(r"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])")
# (0571)…, 0571-…, 057164726635; 7–8 digit subscriber, maybe split 4-4.
_AREA = r"(?:[(（]0\d{2,3}[)）]|0\d{2,3})"
_LANDLINE = re.compile(
    r"[+0(（](?<![0-9A-Za-z][+0(（])(?<![0-9]-[+0(（])"
    rf"(?:(?<=\+)86[ -]?{_AREA}|(?<=0)086[ -]?{_AREA}|(?<=0)\d{{2,3}}"
    r"|(?<=[(（])0\d{2,3}[)）])(?P<s>[ -]?)"
    r"(?:\d{7,8}|\d{3,4}[ -]\d{4})"
)
_INTL = re.compile(r"\+[1-9]\d{0,3}(?:[ -]?\(?\d{1,5}\)?){1,6}")
# (415) 555-0132 / 415-555-0132 / 090-1234-5678: dashed national formats.
_DASHED = re.compile(
    r"[(（0-9](?<![0-9A-Za-z][(（0-9])(?<![0-9]-[(（0-9])"
    r"(?:(?<=[(（])\d{3}[)）] ?\d{3}-\d{4}|(?<=[0-9])\d{1,3}-\d{3,4}-\d{4})"
)
_GROUP_END = re.compile(r"\d(?!\d)")
_AMOUNT_AFTER = ("元", "块", "万", "rmb", "yuan", "%")
_AMOUNT_BEFORE = ("¥", "￥", "$", "rmb")
_ACCOUNT_WORDS = ("账号", "帐号", "账户", "宽带", "编码", "account")
_BUSINESS = re.compile(r"(?:\+?86)?[48]00\d{7}")


def _valid(number: str, region: str | None) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def _valid_cn_landline(match: str) -> bool:
    """`_valid(match, "CN")` for a `_LANDLINE` match, without phonenumbers'
    parser (two thirds of the ~30 µs): the pattern already fixes the shape
    (+86 / 0086, then 0 and the area code), so the national number is the
    digits after that 0. The same metadata decides; an unexpected shape goes
    to the parser. Agreement was checked on every landline match of the
    helpdesk dialogues and 60,000 random numbers of this shape."""
    number = digits(match)
    if match.startswith("+86"):
        number = number[2:]
    elif match.startswith("0086"):
        number = number[4:]
    if len(number) < 3 or number[0] != "0" or number[1] == "0":
        return _valid(match, "CN")
    return phonenumbers.is_valid_number(
        phonenumbers.PhoneNumber(country_code=86, national_number=int(number[1:]))
    )


@dataclass(frozen=True)
class PhoneRecognizer:
    """CN mobiles and landlines, '+' international and dashed foreign numbers."""

    name: str = "phone"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PHONE.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        # CN numbers found, so the foreign patterns skip them: a dashed CN
        # mobile (186-8183-7003) would cost three phonenumbers parses (US,
        # JP, GB) to lose the overlap anyway (its score is lower).
        taken: list[tuple[int, int]] = []
        for match in _MOBILE.finditer(folded):
            start, end = match.span()
            number = digits(match.group())[-11:]
            if not _MOBILE_PREFIX.match(number) or glued_to_number(folded, start, end):
                continue
            if self._amount(doc, start, end):
                continue
            score = self._context_score(doc, start, 0.85)
            if score is not None:
                taken.append((start, end))
                yield self._entity(doc, start, end, score)
        for match in _LANDLINE.finditer(folded):
            start, end = match.span()
            if glued_to_number(folded, start, end) or self._amount(doc, start, end):
                continue
            concatenated = not match.group("s") and "(" not in match.group()
            if concatenated and not self._plausible_concatenated(doc, match):
                continue
            if not _valid_cn_landline(match.group()):
                continue
            score = self._context_score(doc, start, 0.75 if concatenated else 0.85)
            if score is not None:
                taken.append((start, end))
                yield self._entity(doc, start, end, score)
        yield from self._foreign(doc, taken)

    def _foreign(self, doc: Doc, taken: list[tuple[int, int]]) -> Iterator[Entity]:
        folded = doc.folded
        for match in _INTL.finditer(folded):
            start = match.start()
            if folded[start + 1 : start + 3] == "86":
                continue  # CN numbers are handled (and checked) above
            end = self._longest_valid(folded, start, match.group())
            if end and not glued_to_number(folded, start, end):
                yield self._entity(doc, start, end, 0.8)
        if "-" not in doc.ascii:
            return  # every dashed format has a '-'
        for match in _DASHED.finditer(folded):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            text = match.group()
            if glued_to_number(folded, start, end) or _BUSINESS.fullmatch(digits(text)):
                continue
            if folded[start - 1 : start] == "+":
                continue
            if text.startswith("0") and _valid(text, "CN"):
                continue  # a CN landline: reported by the landline pattern
            for region in ("US", "JP", "GB"):
                if _valid(text, region):
                    yield self._entity(doc, start, end, 0.7)
                    break

    @staticmethod
    def _longest_valid(folded: str, start: int, candidate: str) -> int:
        """End of the longest digit-group prefix that is a valid number, or 0.

        The '+' pattern is greedy and may run into the next number
        ("+1 (415) 555-2671 090-…"), so shorter prefixes are tried too.
        """
        ends = [m.end() for m in _GROUP_END.finditer(candidate)]
        for cut in reversed(ends[1:]):
            text = candidate[:cut]
            if not _BUSINESS.fullmatch(digits(text)) and _valid(text, None):
                return start + cut
        return 0

    @staticmethod
    def _plausible_concatenated(doc: Doc, match: re.Match[str]) -> bool:
        """057164726635 is a landline; 051212662430 after 账号 is an account."""
        number = digits(match.group())
        if number.startswith("0086"):
            number = "0" + number[4:]
        elif number.startswith("86"):
            number = "0" + number[2:]
        local = number[3:] if number[1] in "12" else number[4:]
        if local[:1] in ("0", "1", ""):
            return False
        return not has_word(doc.before(match.start(), 10), _ACCOUNT_WORDS)

    @staticmethod
    def _amount(doc: Doc, start: int, end: int) -> bool:
        return has_word(doc.after(end, 3), _AMOUNT_AFTER) or has_word(
            doc.before(start, 2), _AMOUNT_BEFORE
        )

    @staticmethod
    def _context_score(doc: Doc, start: int, score: float) -> float | None:
        # The nearest words decide: "电话,报障号0532…" is a ticket number.
        if has_word(doc.before(start, 6), REFERENCE_WORDS):
            return None
        if has_word(doc.before(start, 12), PHONE_WORDS):
            return 0.95
        return score

    def _entity(self, doc: Doc, start: int, end: int, score: float) -> Entity:
        return Entity(Label.PHONE, start, end, doc.text[start:end], score, self.name)


PHONE = PhoneRecognizer()

_QQ_BEFORE = re.compile(
    r"[Qq扣企](?:(?<=[Qq])[Qq]|(?<=扣)扣|(?<=企)鹅)(?:号码|号|號|账号|帐号)?[^0-9\n]{0,6}?"
    r"(?<![0-9])(?P<v>[1-9]\d{4,10})(?![0-9A-Za-z@])"
)
_QQ_AFTER = re.compile(r"[1-9](?<![0-9A-Za-z][1-9])\d{4,10}(?=的?(?:[Qq][Qq]|扣扣))")


@dataclass(frozen=True)
class QQRecognizer:
    """QQ numbers: 5–11 digits, only right after (or before) QQ/扣扣/企鹅."""

    name: str = "qq_with_context"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.QQ.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        for match in _QQ_BEFORE.finditer(folded):
            if (
                match.start() > 0
                and folded[match.start() - 1].isascii()
                and folded[match.start() - 1].isalpha()
            ):
                continue  # "...qq" inside a word
            start, end = match.span("v")
            yield Entity(Label.QQ, start, end, doc.text[start:end], 0.9, self.name)
        for match in _QQ_AFTER.finditer(folded):
            start, end = match.span()
            if folded[end : end + 4].lower().startswith(("qq.", "qq邮")):
                continue
            yield Entity(Label.QQ, start, end, doc.text[start:end], 0.85, self.name)


QQ = QQRecognizer()

_WECHAT = re.compile(
    r"[微薇威WwVv](?:(?<=[微薇威])信|(?<=[Ww])ei[Xx]in|(?<=[Ww])e[Cc]hat"
    r"|(?<=[WwVv])[Xx]|(?<=[Vv])信)"
    r"(?P<k>号|號|id|ID|账号|帐号)?(?P<sep>[ \t:：是为]{0,4})"
    r"(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19}|(?:\+?86)?1[3-9]\d{9})(?![-_A-Za-z0-9@])"
)


@dataclass(frozen=True)
class WeChatRecognizer:
    """WeChat IDs (letter + 5–19 of [-_a-z0-9]) or phones after 微信/wx/vx."""

    name: str = "wechat_with_context"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.WECHAT.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        for match in _WECHAT.finditer(folded):
            s = match.start()
            if s > 0 and folded[s - 1].isascii() and folded[s - 1].isalnum():
                continue  # "wx" inside an English word or id
            value = match.group("v")
            explicit = match.group("k") or any(c in match.group("sep") for c in ":：是")
            # A bare English word after 微信 ("微信 android") is not an id.
            if value.isalpha() and not explicit:
                continue
            before_v = folded[match.start("v") - 1]
            if before_v.isascii() and before_v.isalpha() and value[0].isalpha():
                continue  # "wxyz123…": the keyword is glued to a longer word
            start, end = match.span("v")
            yield Entity(Label.WECHAT, start, end, doc.text[start:end], 0.9, self.name)


WECHAT = WeChatRecognizer()


_WECHAT_CN = ("微信", "薇信", "威信", "V信", "v信")
_WECHAT_LATIN = re.compile(r"[WwVv][Xx]|[Ww]ei[Xx]in|[Ww]e[Cc]hat")
# The character before '@' and the first one after it, as the EMAIL pattern needs.
_EMAIL_HINT = re.compile(r"[A-Za-z0-9._%+\-]@[A-Za-z0-9]")


# The _WECHAT_CN words as one pattern: a search that skips to 微/薇/威/V/v in C.
_WECHAT_CN_RX = re.compile("[微薇威Vv]信")
assert all(_WECHAT_CN_RX.fullmatch(word) for word in _WECHAT_CN)


def _may_have_wechat(doc: Doc) -> bool:
    """A WeChat keyword is there (tested on the short ASCII part for wx/vx)."""
    f = doc.folded
    if "信" in f and _WECHAT_CN_RX.search(f) is not None:
        return True
    a = doc.ascii
    if not ("x" in a or "X" in a or "hat" in a):
        return False  # every Latin keyword has an x or 'hat'
    return _WECHAT_LATIN.search(a) is not None


def _may_have_qq_word(doc: Doc) -> bool:
    """Both QQ patterns need QQ, 扣扣 or 企鹅 next to the number."""
    f = doc.folded
    return "扣扣" in f or "企鹅" in f or "qq" in doc.ascii.lower()


def _may_have_email(doc: Doc) -> bool:
    """'x@y' in ASCII: Weibo @handles (@中国电信客服) skip the e-mail regex."""
    return _EMAIL_HINT.search(doc.ascii) is not None


RECOGNIZERS: list[Recognizer] = [
    Gated(EMAIL, _may_have_email, has_at),
    Gated(PHONE, has_digit_run, has_digit_run),
    Gated(QQ, _may_have_qq_word, has_digit_run),
    Gated(WECHAT, _may_have_wechat, has_ascii),
]
