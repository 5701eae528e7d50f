"""Key-encryption keys (KEKs): they wrap the per-subject data keys.

A provider wraps and unwraps 32-byte data keys; it never sees personal data.
The local provider keeps its KEKs as files (mode 0600) under `<data_dir>/kek/`,
one file per KEK id plus a `current` pointer, so a rotation can add a new KEK
while the old one still opens keys that are not re-wrapped yet. HashiCorp
Vault's transit engine is the other provider (complydesk.vault.transit).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complydesk.errors import ConfigError, IntegrityError
from complydesk.keyfile import load_or_create_key

NONCE_BYTES = 12
_KEK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class KekProvider(Protocol):
    """Wraps data keys under the current KEK; unwraps under any known KEK."""

    def current_id(self) -> str:
        """Id of the KEK that new wraps use."""
        ...

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        """(kek id, wrapped key); `context` is bound as associated data."""
        ...

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        """The data key; raises IntegrityError if it does not authenticate."""
        ...

    def rotate(self) -> str:
        """Make a new KEK current; return its id. Old KEKs keep unwrapping."""
        ...


class LocalKek:
    """KEK files in a directory; AES-256-GCM wrapping with the context as AAD."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # KEK files never change once written, so their bytes are cached; the
        # pointer is re-read whenever its mtime changes (another process may
        # have rotated), which costs one stat per wrap.
        self._keys: dict[str, bytes] = {}
        self._current: tuple[int, str] | None = None

    def _pointer(self) -> Path:
        return self.directory / "current"

    def _key(self, kek_id: str) -> bytes:
        cached = self._keys.get(kek_id)
        if cached is not None:
            return cached
        if not _KEK_ID.match(kek_id):
            raise IntegrityError("stored KEK id is malformed")
        path = self.directory / f"{kek_id}.key"
        if not path.exists():
            raise ConfigError(
                f"KEK {kek_id} is missing from {self.directory}; "
                "restore it from the key backup"
            )
        key = self._keys[kek_id] = load_or_create_key(path)
        return key

    def current_id(self) -> str:
        try:
            mtime = self._pointer().stat().st_mtime_ns
        except FileNotFoundError:
            return self._create("kek-1")
        if self._current is not None and self._current[0] == mtime:
            return self._current[1]
        kek_id = self._pointer().read_text(encoding="ascii").strip()
        if not _KEK_ID.match(kek_id):
            raise ConfigError(f"{self._pointer()} is damaged")
        self._current = (mtime, kek_id)
        return kek_id

    def _create(self, kek_id: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        load_or_create_key(self.directory / f"{kek_id}.key")
        tmp = self.directory / f".current-{secrets.token_hex(4)}"
        tmp.write_text(kek_id + "\n", encoding="ascii")
        os.replace(tmp, self._pointer())  # atomic: readers see old or new
        return kek_id

    def known_ids(self) -> list[str]:
        """Every KEK present on disk, oldest first."""
        ids = [p.stem for p in self.directory.glob("kek-*.key")]
        return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        kek_id = self.current_id()
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._key(kek_id)).encrypt(nonce, data_key, context)
        return kek_id, nonce + sealed

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        key = self._key(kek_id)
        try:
            return AESGCM(key).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context
            )
        except InvalidTag:
            raise IntegrityError(
                "a wrapped data key failed authentication (tampered or moved)"
            ) from None

    def rotate(self) -> str:
        current = self.current_id()
        number = int(current.rsplit("-", 1)[1]) + 1
        while (self.directory / f"kek-{number}.key").exists():
            number += 1
        return self._create(f"kek-{number}")

    def retire(self, kek_id: str) -> None:
        """Delete an old KEK file once nothing is wrapped under it any more."""
        if kek_id == self.current_id():
            raise ConfigError("the current KEK cannot be retired")
        (self.directory / f"{kek_id}.key").unlink(missing_ok=True)
        self._keys.pop(kek_id, None)
