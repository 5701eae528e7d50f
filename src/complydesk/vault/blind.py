"""Blind indexes: find a customer by phone, email or ID number without decrypting.

An index value is HMAC-SHA256(kind key, normalised value), truncated to 64
bits (16 hex characters). The kind keys derive from `<data_dir>/blind-index.key`,
which is neither in the database nor in its backups.

Trade-off (docs/vault.md): equal values give equal indexes, so whoever reads
the table learns which rows share a phone number, but nothing about the number
itself without the key; phone numbers are a small space, so the key is what
stops offline guessing. 64 bits keep false matches negligible (about 3 in a
million lookups at ten million customers), so a lookup never has to decrypt
candidates to confirm; we chose that over the deliberate collisions of shorter
indexes because confirming would mean decrypting other people's data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import phonenumbers

from complydesk.errors import InvalidInput
from complydesk.keyfile import load_or_create_key
from complydesk.store.personal import BlindKind

KEY_FILE = "blind-index.key"
INDEX_HEX_CHARS = 16


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]{5,30}$")


def normalize_phone(value: str, region: str = "CN") -> str:
    """E.164, so 138 1234 5678, +86-138-1234-5678 and 8613812345678 agree."""
    text = _nfkc(value)
    if not _PHONE_CHARS.match(text):
        raise InvalidInput("phone may hold only digits, spaces, +, -, ( and )")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("phone is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("phone is not a possible phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    text = _nfkc(value).lower()
    if not _EMAIL.match(text):
        raise InvalidInput("email is not an email address")
    return text


_SEPARATORS = re.compile(r"[\s\-]")


def normalize_id_number(value: str) -> str:
    text = _SEPARATORS.sub("", _nfkc(value)).upper()
    if not text.isalnum() or not 5 <= len(text) <= 32:
        raise InvalidInput("id_number must be 5-32 letters or digits")
    return text


NORMALIZERS: dict[BlindKind, Callable[[str], str]] = {
    BlindKind.PHONE: normalize_phone,
    BlindKind.EMAIL: normalize_email,
    BlindKind.ID_NUMBER: normalize_id_number,
}


class BlindIndexer:
    """Computes index values; one instance per deployment key."""

    def __init__(self, key: bytes) -> None:
        self._keys = {
            kind: hmac.new(key, f"blind-index/{kind}".encode(), hashlib.sha256).digest()
            for kind in BlindKind
        }

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> BlindIndexer:
        return cls(load_or_create_key(data_dir / KEY_FILE))

    def index(self, kind: BlindKind, value: str) -> str:
        """The index of `value` (raises InvalidInput if it does not normalise)."""
        normal = NORMALIZERS[kind](value)
        digest = hmac.new(self._keys[kind], normal.encode(), hashlib.sha256)
        return digest.hexdigest()[:INDEX_HEX_CHARS]
