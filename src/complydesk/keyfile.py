"""Secret keys kept as files in the data dir (mode 0600), created on first use."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from complydesk.errors import ConfigError

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """Read a 32-byte key, or create it atomically with owner-only permissions."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    if len(data) != KEY_BYTES:
        raise ConfigError(f"key file {path} is damaged: expected {KEY_BYTES} bytes")
    return data
