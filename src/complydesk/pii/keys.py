"""The PII key: one 32-byte secret per deployment, split into per-purpose keys.

Hashing, pseudonymisation and encryption each use their own key derived with
HMAC-SHA256(master, purpose), so a hash published in a report can never be
used to attack the encryption key, and rotating one purpose means changing its
label. The master key lives in `<data_dir>/pii.key` (mode 0600).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from complydesk.errors import ConfigError
from complydesk.keyfile import KEY_BYTES, load_or_create_key

KEY_FILE = "pii.key"

HASH = b"complydesk/pii/hash/v1"
PSEUDONYM = b"complydesk/pii/pseudonym/v1"
ENCRYPT = b"complydesk/pii/encrypt/v1"


def load_pii_key(data_dir: Path) -> bytes:
    """The deployment's PII master key, created on first use."""
    return load_or_create_key(data_dir / KEY_FILE)


def check_key(key: object) -> bytes:
    """Reject keys that would silently weaken every operator (never shown)."""
    if not isinstance(key, bytes) or len(key) < KEY_BYTES:
        raise ConfigError(f"the PII key must be at least {KEY_BYTES} bytes")
    return key


def derive_key(key: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, independent of the others."""
    return hmac.new(check_key(key), purpose, hashlib.sha256).digest()
