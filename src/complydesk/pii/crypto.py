"""Reversible tokens: AES-256-GCM ciphertext embedded in the text it replaces.

A token looks like ``⟦enc:PHONE:<base64url>⟧``. The brackets are U+27E6/U+27E7
(mathematical white square brackets): they never occur in the tokens' own
alphabet (labels are ``[A-Z][A-Z0-9_]*``, payloads base64url without padding),
so `restore` finds tokens unambiguously. Texts that already contain a
look-alike token fail to restore loudly instead of being silently changed.

Payload = key id (4 bytes) | nonce (12 random bytes) | ciphertext+tag. The
associated data binds the format version and the label, so a token moved to
another label fails to decrypt. The key id (a truncated HMAC of the key) lets
`restore` say "different key" rather than "tampered". Encryption is
randomised: the same value gives different tokens; use `hash` for joins.
Errors never contain the plaintext, only the token's offset and the reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complydesk.errors import InvalidInput
from complydesk.pii.keys import ENCRYPT, derive_key

OPEN = "\u27e6"
CLOSE = "\u27e7"
VERSION = b"complydesk-pii-enc-v1"
NONCE_BYTES = 12
KID_BYTES = 4
TAG_BYTES = 16
LABEL_PATTERN = r"[A-Z][A-Z0-9_]{0,63}"
TOKEN = re.compile(
    rf"{OPEN}enc:(?P<label>{LABEL_PATTERN}):(?P<payload>[A-Za-z0-9_-]+){CLOSE}"
)
_LABEL = re.compile(rf"^{LABEL_PATTERN}$")
# Anything that starts like a token, to reject damaged ones instead of leaving
# them in the restored text.
_TOKEN_START = re.compile(rf"{OPEN}enc:")


class TokenError(InvalidInput):
    """An encrypted token cannot be restored (damaged, tampered, other key)."""

    title = "Cannot restore encrypted token"


def _key_id(enc_key: bytes) -> bytes:
    return hmac.new(enc_key, b"key-id", hashlib.sha256).digest()[:KID_BYTES]


def _aad(label: str) -> bytes:
    return VERSION + b"\0" + label.encode("ascii")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt_value(value: str, label: str, key: bytes) -> str:
    """A token for `value` that only `key` can turn back into it."""
    if not _LABEL.match(label):
        raise InvalidInput("label must be upper-case letters, digits and '_'")
    enc_key = derive_key(key, ENCRYPT)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(enc_key).encrypt(nonce, value.encode("utf-8"), _aad(label))
    payload = _b64encode(_key_id(enc_key) + nonce + sealed)
    return f"{OPEN}enc:{label}:{payload}{CLOSE}"


def decrypt_token(token: str, key: bytes) -> tuple[str, str]:
    """(label, plaintext) of one whole token."""
    match = TOKEN.fullmatch(token)
    if not match:
        raise TokenError("not an encrypted token")
    return match["label"], _open(match["label"], match["payload"], key, 0)


def _open(label: str, payload: str, key: bytes, offset: int) -> str:
    enc_key = derive_key(key, ENCRYPT)
    where = f"encrypted token at offset {offset}"
    try:
        raw = _b64decode(payload)
    except (binascii.Error, ValueError):
        raise TokenError(f"{where} is not valid base64url") from None
    if len(raw) < KID_BYTES + NONCE_BYTES + TAG_BYTES:
        raise TokenError(f"{where} is truncated")
    if not hmac.compare_digest(raw[:KID_BYTES], _key_id(enc_key)):
        raise TokenError(f"{where} was made with a different key")
    nonce = raw[KID_BYTES : KID_BYTES + NONCE_BYTES]
    try:
        plain = AESGCM(enc_key).decrypt(
            nonce, raw[KID_BYTES + NONCE_BYTES :], _aad(label)
        )
        return plain.decode("utf-8")
    except InvalidTag:
        raise TokenError(f"{where} failed authentication (tampered)") from None
    except UnicodeDecodeError:  # pragma: no cover - needs a forged valid tag
        raise TokenError(f"{where} does not hold text") from None


def find_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each well-formed token in `text`."""
    return [(m.start(), m.end(), m["label"]) for m in TOKEN.finditer(text)]


def restore(text: str, key: bytes) -> str:
    """`text` with every token decrypted back to the exact original value.

    Raises TokenError on the first token that cannot be restored, including
    damaged ones that no longer parse as tokens.
    """
    parts: list[str] = []
    last = 0
    for match in TOKEN.finditer(text):
        _reject_damaged(text, last, match.start())
        parts.append(text[last : match.start()])
        parts.append(_open(match["label"], match["payload"], key, match.start()))
        last = match.end()
    _reject_damaged(text, last, len(text))
    parts.append(text[last:])
    return "".join(parts)


def _reject_damaged(text: str, start: int, end: int) -> None:
    damaged = _TOKEN_START.search(text, start, end)
    if damaged:
        raise TokenError(f"encrypted token at offset {damaged.start()} is damaged")
