"""An injectable clock: domain code asks a Clock for the time; tests fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The system clock, timezone-aware UTC."""
    return datetime.now(UTC)
