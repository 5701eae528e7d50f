"""Per-type masks: hide most of a value but keep enough for a human to match it.

Masks are for screens and exports read by agents, so they keep the shape of
the value (separators, length, full-width characters) and the parts people use
to confirm an identity over the phone (last 4 digits, surname, division).

Rules, by label (code points, never bytes):

* PHONE: country code (+86 / 0086) and separators kept; of the national
  number, first 3 and last 4 digits kept (138****5678); shorter numbers
  (service lines) keep only their last 2 digits.
* CN_ID_CARD: first 6 (region) and last 4 kept: 110101********123X.
* PERSON: Chinese 2 chars 张*, 3 chars 张*明, compound surname kept with the
  given name masked (欧阳**), other 4+ names first and last kept (爱**罗);
  names joined by '·' mask each part; Latin names keep each word's initial
  (J*** S****).
* EMAIL: first character of the local part, then always three asterisks (so
  the length is hidden), domain kept: z***@example.com.
* BANK_CARD: last 4 digits, separators as given (**** **** **** 1234).
* ADDRESS: the division prefix (province / city / district) kept, the rest
  masked character by character; no recognised division → fully masked.
* IP_ADDRESS: IPv4 keeps the first two octets (10.2.*.*), IPv6 the first two
  groups.
* LICENSE_PLATE: province character and issuing letter plus the last
  character (京A****5).
* anything else: last 4 letters/digits kept when at least 8, else all masked.

A masked full-width character becomes '＊' so the text keeps its width.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from complydesk.pii.labels import Label
from complydesk.pii.text import fold

MASK = "*"
MASK_WIDE = "＊"

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 夏侯 轩辕 "
    "端木 司徒 西门 南宫 独孤 澹台 百里 呼延 万俟 闻人 申屠 赫连 太史 钟离".split()
)

# Province (or autonomous region), prefecture, county: each level optional, in
# order. Municipalities (北京市) match the city level.
_DIVISION = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区|特别行政区))?"
    r"(?:[\u4e00-\u9fff]{1,9}?(?:自治州|地区|盟|市))?"
    r"(?:[\u4e00-\u9fff]{1,7}?(?:区|县|旗|市))?"
)


def split_division(address: str) -> tuple[str, str]:
    """(division prefix, rest) of a Chinese address; prefix may be ''."""
    match = _DIVISION.match(fold(address))
    end = match.end() if match else 0
    return address[:end], address[end:]


def _star(char: str) -> str:
    return MASK_WIDE if 0xFF01 <= ord(char) <= 0xFF5E else MASK


def _is_alnum(char: str) -> bool:
    folded = fold(char)
    return folded.isascii() and folded.isalnum()


def mask_positions(value: str, keep: Callable[[int, int], bool]) -> str:
    """Mask ASCII letters/digits (folded) unless `keep(index, count)` says so.

    `index` counts only letters/digits, so separators never shift what is kept.
    """
    total = sum(1 for char in value if _is_alnum(char))
    out: list[str] = []
    seen = 0
    for char in value:
        if _is_alnum(char):
            out.append(char if keep(seen, total) else _star(char))
            seen += 1
        else:
            out.append(char)
    return "".join(out)


def _keep_ends(first: int, last: int) -> Callable[[int, int], bool]:
    return lambda i, n: i < first or i >= n - last


def mask_phone(value: str) -> str:
    folded = fold(value)
    digits = [i for i, char in enumerate(folded) if char.isdigit()]
    prefix = 0
    stripped = folded.lstrip()
    if stripped.startswith("+") or stripped.startswith("00"):
        # International form: keep the country code (+86, 0086) as written.
        code = "".join(folded[i] for i in digits[:4])
        prefix = 4 if code.startswith("0086") else 2 if code.startswith("86") else 0
    national = len(digits) - prefix
    if national >= 8:
        return mask_positions(value, lambda i, n: i < prefix + 3 or i >= n - 4)
    return mask_positions(value, lambda i, n: i < prefix or i >= n - 2)


def mask_id_card(value: str) -> str:
    return mask_positions(value, _keep_ends(6, 4))


def mask_bank_card(value: str) -> str:
    return mask_positions(value, _keep_ends(0, 4))


def _mask_chinese_name(name: str) -> str:
    if len(name) <= 1:
        return MASK * len(name)
    if len(name) == 2:
        return name[0] + MASK
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2] + MASK * (len(name) - 2)
    return name[0] + MASK * (len(name) - 2) + name[-1]


def _mask_latin_word(word: str) -> str:
    out: list[str] = []
    for i, char in enumerate(word):
        out.append(char if i == 0 or not char.isalpha() else _star(char))
    return "".join(out)


def mask_person(value: str) -> str:
    if any("\u4e00" <= char <= "\u9fff" for char in value):
        parts = re.split(r"([·•・\s])", value)
        if len(parts) > 1:
            return "".join(
                p if i % 2 else (p[:1] + MASK * (len(p) - 1))
                for i, p in enumerate(parts)
            )
        return _mask_chinese_name(value)
    return "".join(_mask_latin_word(w) for w in re.split(r"(\s+)", value))


def mask_email(value: str) -> str:
    at = fold(value).rfind("@")  # folding keeps offsets, so ＠ counts too
    if at < 0:
        return mask_default(value)
    local, domain = value[:at], value[at + 1 :]
    head = local[:1] if len(local) > 1 else ""
    return f"{head}{_star(local[:1] or '*') * 3}{value[at]}{domain}"


def mask_address(value: str) -> str:
    prefix, rest = split_division(value)
    if not prefix:
        return "".join(char if char.isspace() else _star(char) for char in value)
    return prefix + "".join(char if char.isspace() else _star(char) for char in rest)


def mask_ip(value: str) -> str:
    folded = fold(value)
    if ":" in folded:
        groups = folded.split(":")
        return ":".join(
            g if i < 2 else re.sub(r"[0-9A-Fa-f]", MASK, g)
            for i, g in enumerate(groups)
        )
    octets = folded.split(".")
    return ".".join(o if i < 2 else MASK for i, o in enumerate(octets))


def mask_plate(value: str) -> str:
    # The province character is CJK, which mask_positions never masks.
    return mask_positions(value, lambda i, n: i == 0 or i == n - 1)


def mask_default(value: str) -> str:
    total = sum(1 for char in value if _is_alnum(char))
    if total == 0:
        return "".join(char if char.isspace() else _star(char) for char in value)
    return mask_positions(value, lambda i, n: n >= 8 and i >= n - 4)


MASKERS: dict[str, Callable[[str], str]] = {
    Label.PHONE: mask_phone,
    Label.CN_ID_CARD: mask_id_card,
    Label.BANK_CARD: mask_bank_card,
    Label.PERSON: mask_person,
    Label.EMAIL: mask_email,
    Label.ADDRESS: mask_address,
    Label.IP_ADDRESS: mask_ip,
    Label.LICENSE_PLATE: mask_plate,
}


def mask_value(value: str, label: str) -> str:
    """The masked form of one value of type `label` (unknown labels: default)."""
    return MASKERS.get(label, mask_default)(value)
