"""Field ciphertext: AES-256-GCM under the subject's data key, bound to its place.

Layout: format byte (1) | key version (4, big-endian) | nonce (12) | ciphertext
and tag. The associated data names the table, column, row id and key ref, so
a ciphertext copied into another row, column or subject fails to decrypt
instead of showing someone else's data. The key version lets a subject's key
be rotated while old ciphertexts are still being re-encrypted.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complydesk.errors import IntegrityError
from complydesk.vault.keystore import DataKey

FORMAT = 1
_HEADER = struct.Struct(">BI")
NONCE_BYTES = 12
MIN_BYTES = _HEADER.size + NONCE_BYTES + 16


@dataclass(frozen=True)
class Place:
    """Where a ciphertext belongs: the associated data of its encryption."""

    table: str
    column: str
    row_id: int
    key_ref: str

    def aad(self) -> bytes:
        return (
            f"complydesk-vault-field-v1\0{self.table}\0{self.column}\0"
            f"{self.row_id}\0{self.key_ref}"
        ).encode()


def seal(value: str, key: DataKey, place: Place) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(key.key).encrypt(nonce, value.encode("utf-8"), place.aad())
    return _HEADER.pack(FORMAT, key.version) + nonce + body


def key_version(blob: bytes) -> int:
    """The data-key version a ciphertext needs (read before fetching the key)."""
    if len(blob) < MIN_BYTES:
        raise IntegrityError("a sealed field is truncated")
    fmt, version = _HEADER.unpack_from(blob)
    if fmt != FORMAT:
        raise IntegrityError(f"a sealed field has unknown format {fmt}")
    return int(version)


def open_sealed(blob: bytes, key: DataKey, place: Place) -> str:
    if key_version(blob) != key.version:
        raise IntegrityError("a sealed field needs another key version")
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        plain = AESGCM(key.key).decrypt(
            nonce, blob[_HEADER.size + NONCE_BYTES :], place.aad()
        )
    except InvalidTag:
        raise IntegrityError(
            f"sealed field {place.table}.{place.column} of row {place.row_id} "
            "failed authentication (tampered or moved between rows)"
        ) from None
    return plain.decode("utf-8")
