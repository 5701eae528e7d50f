"""Validators by name, so YAML-defined recognizers can reuse the built-in checks.

Each takes the candidate with separators already stripped and answers only
"is this well formed"; scoring and context live in the recognizers.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress

from stdnum import luhn
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from complydesk.pii.recognizer import Validator

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Province-level prefixes of GB/T 2260 (11 Beijing … 82 Macau). Only a soft
# signal: counties are re-districted, old numbers keep their old codes.
CN_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def is_luhn(value: str) -> bool:
    return value.isdigit() and luhn.is_valid(value)


def is_uscc(value: str) -> bool:
    try:
        uscc.validate(value)
    except ValidationError:
        return False
    return True


def id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643)."""
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_birth_date(yyyymmdd: str, today: _dt.date | None = None) -> bool:
    """A real calendar date from 1900 up to today."""
    try:
        born = _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= 1900 and born <= (today or _dt.date.today())


def is_cn_id_card(value: str) -> bool:
    """18-digit (check digit + birth date) or 15-digit legacy (19YYMMDD) ID.

    The region code is not checked here (see recognizers/ids.py for why).
    """
    value = value.upper()
    if len(value) == 18:
        body = value[:17]
        if not body.isdigit() or not (value[17].isdigit() or value[17] == "X"):
            return False
        return id_check_char(body) == value[17] and is_birth_date(value[6:14])
    if len(value) == 15 and value.isdigit():
        return is_birth_date("19" + value[6:12])
    return False


def is_ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value.split("%", 1)[0])
    except ValueError:
        return False
    return True


VALIDATORS: dict[str, Validator] = {
    "luhn": is_luhn,
    "cn_uscc": is_uscc,
    "cn_id_card": is_cn_id_card,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
}
