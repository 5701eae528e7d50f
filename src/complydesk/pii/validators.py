"""Validators by name, so YAML-defined recognizers can reuse the built-in checks."""

from __future__ import annotations

from stdnum import luhn
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from complydesk.pii.recognizer import Validator


def is_luhn(value: str) -> bool:
    return value.isdigit() and luhn.is_valid(value)


def is_uscc(value: str) -> bool:
    try:
        uscc.validate(value)
    except ValidationError:
        return False
    return True


VALIDATORS: dict[str, Validator] = {
    "luhn": is_luhn,
    "cn_uscc": is_uscc,
}
