"""Keyed, consistent, format-preserving fakes: same value and key, same fake.

A pseudonym lets analysts join and count records without seeing the person:
the same phone number always becomes the same fake phone number under one
key, a different key gives unrelated fakes, and the fake passes the checks the
original passes (mobile prefix, MOD 11-2, Luhn, USCC check digit), so
downstream validation and tests keep working.

Every choice is drawn from HMAC-SHA256(pseudonym key, label NUL normalised
value) expanded in counter mode: no global random state, no clock. The value
is normalised first (width folded, separators stripped, e-mail lower-cased),
so formatting variants of one value get the same fake; the fake then takes the
original's shape (separators, full-width digits) where the types allow it.

Choices worth knowing:

* EMAIL: a fake local part at a reserved domain (example.com/.net/.org,
  RFC 2606); the original domain is dropped because it can identify an
  employer or a small mail host.
* BANK_CARD: same length and the first two digits (card network family,
  e.g. 62 UnionPay), not the full BIN, which would name the bank.
* CN_ID_CARD: a real region code from a small list, a real date; decade of
  birth and gender parity only with `preserve_demographics=True`.
* ADDRESS: the division prefix (province/city/district) is kept, the street
  part is fake (an address with no recognised division gets a fake one).
* IP addresses come from the documentation ranges (RFC 5737, RFC 3849).
* Pseudonyms are not guaranteed unique: two values may share a fake.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from stdnum.cn import uscc

from complydesk.pii.keys import PSEUDONYM, derive_key
from complydesk.pii.labels import Label
from complydesk.pii.masking import split_division
from complydesk.pii.text import fold

T = TypeVar("T")

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O on plates

MOBILE_PREFIXES = tuple(
    [f"13{d}" for d in DIGITS]
    + ["145", "147", "149", "150", "151", "152", "153", "155", "156", "157"]
    + ["158", "159", "162", "165", "166", "167", "170", "171", "172", "173"]
    + ["175", "176", "177", "178", "180", "181", "182", "183", "184", "185"]
    + ["186", "187", "188", "189", "190", "191", "192", "193", "195", "196"]
    + ["197", "198", "199"]
)
# Real county-level division codes (GB/T 2260), used for fake ID cards/USCCs.
REGION_CODES = (
    "110101 110105 120101 130102 140105 210102 220102 230102 310101 310115 "
    "320102 330106 340104 350203 360102 370102 410105 420106 430104 440106 "
    "440305 450103 500103 510107 520102 530102 610113 620102"
).split()
DIVISIONS = (
    "北京市朝阳区 上海市浦东新区 广东省深圳市南山区 浙江省杭州市西湖区 "
    "四川省成都市武侯区 湖北省武汉市武昌区 江苏省南京市玄武区 陕西省西安市雁塔区"
).split()
ROADS = "建设 人民 解放 中山 和平 文化 新华 长江 黄河 光明 幸福 朝阳 青年 胜利".split()
ROAD_KINDS = ("路", "街", "大道")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑"
    "梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建文辉玲鹏宇浩然欣怡子轩晨雪琳博"
)
LATIN_FIRST = (
    "Alex Sam Jordan Taylor Morgan Casey Robin Jamie Avery Riley Quinn Drew".split()
)
LATIN_LAST = (
    "Smith Jones Brown Miller Wilson Moore Clark Lewis Walker Hall Young King".split()
)
SYLLABLES = (
    "zhang wang li liu chen yang zhao huang zhou wu xu sun ma hu lin guo".split()
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
IPV4_NETS = ("192.0.2", "198.51.100", "203.0.113")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_SEPARATORS = re.compile(r"[\s\-·.()（）/]")


class Draw:
    """Deterministic choices from HMAC-SHA256 in counter mode."""

    def __init__(self, key: bytes, label: str, normalized: str) -> None:
        message = label.encode() + b"\0" + normalized.encode()
        self._seed = hmac.new(derive_key(key, PSEUDONYM), message, "sha256").digest()
        self._counter = 0

    def below(self, n: int) -> int:
        """An int in [0, n); 64 bits per draw, so the modulo bias is negligible."""
        block = hmac.new(
            self._seed, self._counter.to_bytes(8, "big"), hashlib.sha256
        ).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big") % n

    def choice(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def text(self, alphabet: str, n: int) -> str:
        return "".join(self.choice(alphabet) for _ in range(n))


def normalize(label: str, value: str) -> str:
    """One canonical form per value, so formatting variants are treated alike."""
    folded = fold(value).strip()
    if label == Label.EMAIL:
        return folded.lower()
    if label == Label.PHONE:
        digits = re.sub(r"\D", "", folded)
        if digits.startswith("0086"):
            return digits[4:]
        if digits.startswith("86") and len(digits) == 13:
            return digits[2:]
        return digits
    if label == Label.IP_ADDRESS:
        try:
            return ipaddress.ip_address(folded).compressed
        except ValueError:
            return folded.lower()
    if label == Label.PERSON and folded.isascii():
        return " ".join(folded.casefold().split())
    if label in (Label.PERSON, Label.ADDRESS):
        return re.sub(r"\s+", "", folded)
    if label == Label.WECHAT:
        return folded
    return _SEPARATORS.sub("", folded).upper()


def _widen(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


def reshape(original: str, fake: str) -> str:
    """Lay `fake` letters/digits into the original's shape (separators, width).

    Only used when both have the same count of ASCII letters/digits (folded).
    """
    out: list[str] = []
    chars = iter(fake)
    for char in original:
        folded = fold(char)
        if folded.isascii() and folded.isalnum():
            new = next(chars)
            out.append(_widen(new) if folded != char else new)
        else:
            out.append(char)
    return "".join(out)


def _alnum(value: str) -> str:
    return "".join(c for c in fold(value) if c.isascii() and c.isalnum())


def luhn_digit(payload: str) -> str:
    """The Luhn check digit that completes `payload`."""
    total = 0
    for i, char in enumerate(reversed(payload)):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def id_check_digit(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 17-digit ID card body."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _class_preserving(value: str, draw: Draw, keep_first_letter: bool) -> str:
    """Each letter → a letter (case kept), each digit → a digit."""
    out: list[str] = []
    for i, char in enumerate(_alnum(value)):
        if char.isdigit():
            out.append(draw.choice(DIGITS))
        elif i == 0 and keep_first_letter:
            out.append(char)
        else:
            new = draw.choice(LETTERS)
            out.append(new if char.isupper() else new.lower())
    return reshape(value, "".join(out))


def fake_phone(value: str, draw: Draw) -> str:
    digits = _alnum(value)
    national = normalize(Label.PHONE, value)
    prefix = digits[: len(digits) - len(national)]
    if len(national) == 11 and national.startswith("1"):
        fake = draw.choice(MOBILE_PREFIXES) + draw.text(DIGITS, 8)
    elif national.startswith("0") and len(national) >= 10:
        area = 3 if national[1] in "12" else 4  # 010, 02x vs 0755 …
        rest = len(national) - area
        fake = national[:area] + draw.choice("2345678") + draw.text(DIGITS, rest - 1)
    else:
        fake = draw.choice("123456789") + draw.text(DIGITS, max(len(national) - 1, 0))
    return reshape(value, prefix + fake[: len(national)])


def _birth(draw: Draw, decade: int | None) -> tuple[int, int, int]:
    year = (decade + draw.below(10)) if decade else 1950 + draw.below(56)
    year = min(year, 2019)
    month = 1 + draw.below(12)
    day = 1 + draw.below(calendar.monthrange(year, month)[1])
    return year, month, day


def fake_id_card(value: str, draw: Draw, preserve_demographics: bool = False) -> str:
    number = normalize(Label.CN_ID_CARD, value)
    if len(number) not in (15, 18) or not number[:15].isdigit():
        return _class_preserving(value, draw, keep_first_letter=False)
    long = len(number) == 18
    decade = parity = None
    if preserve_demographics:
        year = int(number[6:10]) if long else 1900 + int(number[6:8])
        decade = year // 10 * 10 if 1900 <= year <= 2019 else None
        parity = int(number[16 if long else 14]) % 2
    y, m, d = _birth(draw, decade)
    seq = draw.text(DIGITS, 2)
    last = draw.below(5) * 2 + (parity if parity is not None else draw.below(2))
    region = draw.choice(REGION_CODES)
    if not long:
        return reshape(value, f"{region}{y % 100:02d}{m:02d}{d:02d}{seq}{last}")
    body = f"{region}{y:04d}{m:02d}{d:02d}{seq}{last}"
    return reshape(value, body + id_check_digit(body))


def fake_bank_card(value: str, draw: Draw) -> str:
    number = _alnum(value)
    if not number.isdigit() or len(number) < 12:
        return _class_preserving(value, draw, keep_first_letter=False)
    payload = number[:2] + draw.text(DIGITS, len(number) - 3)
    return reshape(value, payload + luhn_digit(payload))


def fake_uscc(value: str, draw: Draw) -> str:
    number = normalize(Label.CN_USCC, value)
    if len(number) != 18:
        return _class_preserving(value, draw, keep_first_letter=False)
    head = number[:2] if number[:2].isdigit() else "91"
    org = draw.text(DIGITS, 8)
    check = 11 - sum(int(c) * w for c, w in zip(org, ORG_WEIGHTS, strict=True)) % 11
    org += "X" if check == 10 else "0" if check == 11 else str(check)
    body = head + draw.choice(REGION_CODES) + org
    return reshape(value, body + uscc.calc_check_digit(body))


def fake_email(value: str, draw: Draw) -> str:
    local = draw.choice(SYLLABLES) + "." + draw.choice(SYLLABLES)
    local += draw.text(DIGITS, 2 + draw.below(3))
    return f"{local}@{draw.choice(EMAIL_DOMAINS)}"


def fake_person(value: str, draw: Draw) -> str:
    name = normalize(Label.PERSON, value)
    if name.isascii():
        if len(value.split()) < 2:
            return draw.choice(LATIN_FIRST)
        return f"{draw.choice(LATIN_FIRST)} {draw.choice(LATIN_LAST)}"
    given = min(max(len(name) - 1, 1), 2)
    return draw.choice(SURNAMES) + draw.text(GIVEN, given)


def fake_address(value: str, draw: Draw) -> str:
    prefix, rest = split_division(value)
    prefix = prefix or draw.choice(DIVISIONS)
    street = f"{draw.choice(ROADS)}{draw.choice(ROAD_KINDS)}{1 + draw.below(300)}号"
    if any(word in rest for word in ("栋", "楼", "室", "单元")):
        street += f"{1 + draw.below(30)}栋{1 + draw.below(25)}0{1 + draw.below(6)}室"
    return prefix + street


def fake_ip(value: str, draw: Draw) -> str:
    if ":" in fold(value):
        host = draw.below(1 << 96)
        return ipaddress.IPv6Address((0x20010DB8 << 96) | host).compressed
    return f"{draw.choice(IPV4_NETS)}.{1 + draw.below(254)}"


def fake_plate(value: str, draw: Draw) -> str:
    chars = _alnum(value)
    out: list[str] = []
    for i, char in enumerate(chars):
        energy_mark = len(chars) == 7 and i in (1, 6) and char in "DF"
        if energy_mark:
            out.append(char)  # new-energy plates: keep the D/F marker
        elif char.isdigit():
            out.append(draw.choice(DIGITS))
        else:
            out.append(draw.choice(PLATE_LETTERS))
    return reshape(value, "".join(out))


def fake_qq(value: str, draw: Draw) -> str:
    n = len(_alnum(value))
    return reshape(value, draw.choice("123456789") + draw.text(DIGITS, n - 1))


def _keep_prefix(value: str, draw: Draw) -> str:
    return _class_preserving(value, draw, keep_first_letter=True)


def _any(value: str, draw: Draw) -> str:
    return _class_preserving(value, draw, keep_first_letter=False)


FAKERS: dict[str, Callable[[str, Draw], str]] = {
    Label.PHONE: fake_phone,
    Label.BANK_CARD: fake_bank_card,
    Label.CN_USCC: fake_uscc,
    Label.EMAIL: fake_email,
    Label.PERSON: fake_person,
    Label.ADDRESS: fake_address,
    Label.IP_ADDRESS: fake_ip,
    Label.LICENSE_PLATE: fake_plate,
    Label.QQ: fake_qq,
    Label.PASSPORT: _keep_prefix,
    Label.HK_MACAU_PERMIT: _keep_prefix,
    Label.TAIWAN_PERMIT: _keep_prefix,
    Label.WECHAT: _any,
}


# Labels whose fakes do not reuse the original's letters/digits.
_FREE_FORM = (Label.PERSON, Label.ADDRESS, Label.IP_ADDRESS, Label.EMAIL)


def pseudonymize_value(
    value: str, label: str, key: bytes, *, preserve_demographics: bool = False
) -> str:
    """The fake for `value` of type `label` under `key` (unknown labels: same
    letter/digit classes, separators kept)."""
    draw = Draw(key, label, normalize(label, value))
    if label == Label.CN_ID_CARD:
        return fake_id_card(value, draw, preserve_demographics)
    if not _alnum(value) and label not in _FREE_FORM:
        return value  # nothing identifying to replace
    return FAKERS.get(label, _any)(value, draw)
