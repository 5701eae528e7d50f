"""Tamper-evident audit log: an append-only, HMAC-SHA256 hash chain.

Other modules log every write to personal data, every unmask, every
policy-relevant decision and every permission denial through `AuditLog.record`
(or `append`). Pass ids, never values: the log is kept for years and must not
become a second copy of the personal data it protects. See docs/audit.md.
"""

from __future__ import annotations

from pathlib import Path

from complydesk.audit.chain import (
    GENESIS_MAC,
    OUTCOME_DENIED,
    OUTCOME_ERROR,
    OUTCOME_OK,
    AuditEvent,
    AuditLog,
    ChainHead,
    append,
    append_many,
    build_entry_row,
    compute_entry_mac,
    compute_head_mac,
    read_head,
    recent_entries,
)
from complydesk.audit.verify import (
    Anchor,
    BreakKind,
    VerifyReport,
    current_anchor,
    read_anchor,
    verify_chain,
    write_anchor,
)
from complydesk.errors import ConfigError
from complydesk.keyfile import load_or_create_key
from complydesk.settings import Settings

KEY_FILE_NAME = "audit.key"


def audit_key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE_NAME


def load_audit_key(settings: Settings, *, create: bool = True) -> bytes:
    """The HMAC key from the data dir; created on first use unless `create=False`.

    Verification passes `create=False`: checking with a fresh key would report
    every entry as forged instead of saying the key file is missing.
    """
    path = audit_key_path(settings)
    if not create and not path.exists():
        raise ConfigError(f"audit key file {path} does not exist")
    if create:
        settings.ensure_data_dir()
    return load_or_create_key(path)


__all__ = [
    "GENESIS_MAC",
    "KEY_FILE_NAME",
    "OUTCOME_DENIED",
    "OUTCOME_ERROR",
    "OUTCOME_OK",
    "Anchor",
    "AuditEvent",
    "AuditLog",
    "BreakKind",
    "ChainHead",
    "VerifyReport",
    "append",
    "append_many",
    "audit_key_path",
    "build_entry_row",
    "compute_entry_mac",
    "compute_head_mac",
    "current_anchor",
    "load_audit_key",
    "read_anchor",
    "read_head",
    "recent_entries",
    "verify_chain",
    "write_anchor",
]
