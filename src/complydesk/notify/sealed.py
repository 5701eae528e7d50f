"""Outbox payload sealing: AES-256-GCM under `<data_dir>/outbox.key`.

A payload may need a contact value (the phone number an SMS gateway texts), so
it is never stored in clear. Blob = version (1 byte) | key id (4) | nonce (12)
| ciphertext+tag. The associated data binds the row's delivery id, event and
endpoint: a blob copied onto another row fails to open instead of being sent
to a different receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complydesk.errors import IntegrityError
from complydesk.keyfile import load_or_create_key
from complydesk.settings import Settings

KEY_FILE_NAME: Final = "outbox.key"
VERSION: Final = b"\x01"
KID_BYTES: Final = 4
NONCE_BYTES: Final = 12
_AAD_PREFIX: Final = b"complydesk-outbox-v1"


class SealError(IntegrityError):
    """A sealed payload cannot be opened (other key, damaged or moved)."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason  # short, for the outbox row's last_error


def outbox_key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE_NAME


def load_outbox_key(settings: Settings) -> bytes:
    """The outbox key from the data dir, created (mode 0600) on first use."""
    settings.ensure_data_dir()
    return load_or_create_key(outbox_key_path(settings))


def _key_id(key: bytes) -> bytes:
    return hmac.new(key, b"complydesk-outbox-key-id", hashlib.sha256).digest()[
        :KID_BYTES
    ]


def _aad(delivery_id: str, event: str, endpoint: str) -> bytes:
    return b"\0".join(
        [_AAD_PREFIX, delivery_id.encode(), event.encode(), endpoint.encode()]
    )


def seal(
    key: bytes, plaintext: bytes, delivery_id: str, event: str, endpoint: str
) -> bytes:
    """Encrypt `plaintext` for one outbox row (fresh random nonce each time)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, _aad(delivery_id, event, endpoint))
    return VERSION + _key_id(key) + nonce + sealed


def open_sealed(
    key: bytes, blob: bytes, delivery_id: str, event: str, endpoint: str
) -> bytes:
    """Decrypt a row's payload; SealError says why without showing any of it."""
    header = len(VERSION) + KID_BYTES + NONCE_BYTES
    if len(blob) <= header or blob[:1] != VERSION:
        raise SealError("outbox payload has an unknown format", "payload_format")
    if not hmac.compare_digest(blob[1 : 1 + KID_BYTES], _key_id(key)):
        raise SealError(
            "outbox payload was sealed under a different outbox key",
            "payload_key_mismatch",
        )
    nonce = blob[1 + KID_BYTES : header]
    try:
        return AESGCM(key).decrypt(
            nonce, blob[header:], _aad(delivery_id, event, endpoint)
        )
    except InvalidTag:
        raise SealError(
            "outbox payload failed authentication (damaged or moved)",
            "payload_tampered",
        ) from None
