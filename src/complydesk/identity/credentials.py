"""Password hashing (argon2id) and opaque bearer secrets stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when a username is unknown, so timing does not reveal users.
_DUMMY_HASH = _hasher.hash("complydesk-dummy-password")

TOKEN_PREFIX = "cdk_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    """A 256-bit random bearer secret; high entropy, so SHA-256 suffices to store it."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
