"""Keyed digests of identifiers: how the transfer register knows people apart.

An identifier (phone in E.164, e-mail, ID or passport number, normalised by
the vault's blind-index normalisers) becomes its vault blind index (HMAC
under the vault's kind key), then a 64-bit HMAC of that index under a key
derived from `<data_dir>/blind-index.key` with the identifier's own label.
The second key keeps the digests from being joined with the customers' blind
indexes; the first step lets a database query be counted from its `*_bidx`
columns without decrypting (`from_index`), with the same digest a file's
plain value gives. See counting.py for how digests become counts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from complydesk.errors import InvalidInput
from complydesk.keyfile import load_or_create_key
from complydesk.store.personal import BlindKind
from complydesk.vault.blind import INDEX_HEX_CHARS, KEY_FILE, NORMALIZERS

IDENTIFIER_KINDS: dict[str, BlindKind] = {
    "PHONE": BlindKind.PHONE,
    "EMAIL": BlindKind.EMAIL,
    "CN_ID_CARD": BlindKind.ID_NUMBER,
    "PASSPORT": BlindKind.ID_NUMBER,
    "HK_MACAU_PERMIT": BlindKind.ID_NUMBER,
    "TAIWAN_PERMIT": BlindKind.ID_NUMBER,
}
# Mainland mobile numbers written plainly: their E.164 form without the
# general (slow) parser. Anything else goes through the vault's normaliser.
_PLAIN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_INDEX = re.compile(f"[0-9a-f]{{{INDEX_HEX_CHARS}}}")


class SubjectHasher:
    """Keyed digests of normalised identifiers; one instance per deployment key."""

    def __init__(self, key: bytes) -> None:
        self._keys = {
            label: hmac.new(
                key, f"complydesk/transfer/count/{label}".encode(), hashlib.sha256
            ).digest()
            for label in IDENTIFIER_KINDS
        }
        self._keys["subject"] = hmac.new(
            key, b"complydesk/transfer/count/subject", hashlib.sha256
        ).digest()
        # The vault's kind keys (complydesk.vault.blind.BlindIndexer derives
        # them the same way; tests/test_transfer_counting.py checks it).
        for kind in BlindKind:
            self._keys[f"blind/{kind}"] = hmac.new(
                key, f"blind-index/{kind}".encode(), hashlib.sha256
            ).digest()

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SubjectHasher:
        return cls(load_or_create_key(data_dir / KEY_FILE))

    @property
    def key_material(self) -> dict[str, bytes]:
        """The derived keys, for worker processes (never logged or stored)."""
        return dict(self._keys)

    @classmethod
    def from_material(cls, keys: dict[str, bytes]) -> SubjectHasher:
        hasher = cls.__new__(cls)
        hasher._keys = dict(keys)
        return hasher

    def blind_index(self, label: str, value: str) -> str | None:
        """The vault's blind index of an identifier, or None if it is not one."""
        kind = IDENTIFIER_KINDS.get(label)
        if kind is None:
            return None
        plain = _PLAIN_MOBILE.fullmatch(value) if label == "PHONE" else None
        try:
            normal = "+86" + plain[1] if plain else NORMALIZERS[kind](value)
        except InvalidInput:
            return None
        mac = hmac.digest(self._keys[f"blind/{kind}"], normal.encode(), "sha256")
        return mac.hex()[:INDEX_HEX_CHARS]

    def digest(self, label: str, value: str) -> int | None:
        """The 64-bit digest of an identifier, or None if it is not one."""
        index = self.blind_index(label, value)
        return None if index is None else self.from_index(label, index)

    def of_subject(self, key_ref: str) -> int:
        """The digest of one of our own data subjects (a customer's key ref), so
        the same customer in many live messages is one person."""
        mac = hmac.digest(self._keys["subject"], key_ref.encode(), "sha256")
        return int.from_bytes(mac[:8], "big")

    def from_index(self, label: str, index: str) -> int | None:
        """The digest of an identifier known only by its vault blind index
        (a `*_bidx` column), so a database query is counted without decrypting.

        ID-like labels share a normaliser; the per-label key keeps a passport
        number and an ID number with the same characters apart.
        """
        if label not in IDENTIFIER_KINDS or not _INDEX.fullmatch(index):
            return None
        mac = hmac.digest(self._keys[label], index.encode(), "sha256")
        return int.from_bytes(mac[:8], "big")


def hex_digest(digest: int) -> str:
    return f"{digest:016x}"


__all__ = ["IDENTIFIER_KINDS", "SubjectHasher", "hex_digest"]
