"""Appending a dated section to docs/benchmarks.md, the same way for every script."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH_FILE = ROOT / "docs" / "benchmarks.md"


def shown_argv(argv: list[str]) -> str:
    """The command line with any URL password hidden (it ends up in git)."""
    return " ".join(
        make_url(a).render_as_string(hide_password=True) if "://" in a else a
        for a in argv
    )


def machine_lines() -> list[str]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return [
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- Load average at the end of the run: {load:.2f} (shared machine: noisy)",
    ]


def append_section(title: str, script: str, argv: list[str], body: list[str]) -> None:
    """Append `## title (date)` with machine, command and `body`; never rewrite."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {title} ({stamp})",
        "",
        *machine_lines(),
        f"- Command: `python {script} {shown_argv(argv)}`".rstrip(),
        "",
        *body,
    ]
    with BENCH_FILE.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
