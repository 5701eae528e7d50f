"""Benchmark the audit chain: append throughput and full verification.

    .venv/bin/python bench/audit_verify.py                     # 1,000,000 on SQLite
    .venv/bin/python bench/audit_verify.py --entries 100000 --pg-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/test      # also PostgreSQL

N entries end up in a scratch database: N - A are bulk-loaded (rows built and
chained with complydesk.audit's own MAC functions, inserted with executemany),
A go through the normal `append` path one transaction each (timed), then
`verify_chain` checks all N (timed). For PostgreSQL, --pg-url names a server;
a scratch database is created there and dropped afterwards.

Figures are printed and appended as a dated section to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from complydesk.audit import (
    GENESIS_MAC,
    AuditEvent,
    append,
    build_entry_row,
    compute_head_mac,
    verify_chain,
)
from complydesk.store.db import make_engine, make_sessionmaker, transaction
from complydesk.store.migrate import upgrade
from complydesk.store.models.audit import AuditEntry, AuditHead

ROOT = Path(__file__).resolve().parent.parent
BENCH_FILE = ROOT / "docs" / "benchmarks.md"
KEY = bytes(range(32))
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 10_000
ACTIONS = ("record.read", "record.update", "record.unmask", "access.denied")


@dataclass
class Figure:
    backend: str
    operation: str
    entries: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else float("inf")


def make_event(i: int) -> AuditEvent:
    action = ACTIONS[i % len(ACTIONS)]
    return AuditEvent(
        actor=f"user:{i % 50}",
        action=action,
        object_type="customer",
        object_id=f"C{i:08d}",
        outcome="denied" if action == "access.denied" else "ok",
        reason="case handling" if i % 3 else "",
        details={"field": "email", "ticket": i // 7, "policy": "eu"},
    )


def chained_rows(count: int) -> Iterator[list[dict[str, Any]]]:
    """Entries 1..count, chained exactly as `append` would, in chunks."""
    prev_mac = GENESIS_MAC
    chunk: list[dict[str, Any]] = []
    for seq in range(1, count + 1):
        at = BASE_TIME + timedelta(milliseconds=seq)
        row = build_entry_row(KEY, seq, make_event(seq), at, prev_mac)
        prev_mac = row["mac"]
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_load(engine: Engine, count: int) -> None:
    last: dict[str, Any] | None = None
    for chunk in chained_rows(count):
        with engine.begin() as conn:
            conn.execute(insert(AuditEntry), chunk)
        last = chunk[-1]
    if last is not None:
        with engine.begin() as conn:
            conn.execute(
                insert(AuditHead).values(
                    id=1,
                    seq=last["seq"],
                    mac=last["mac"],
                    head_mac=compute_head_mac(KEY, last["seq"], last["mac"]),
                )
            )


def run(backend: str, url: str, entries: int, appends: int) -> list[Figure]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    figures: list[Figure] = []
    try:
        bulk = entries - appends
        start = time.perf_counter()
        bulk_load(engine, bulk)
        figures.append(
            Figure(
                backend, "bulk load (executemany)", bulk, time.perf_counter() - start
            )
        )
        _progress(figures[-1])

        now = BASE_TIME + timedelta(days=1)
        start = time.perf_counter()
        for i in range(appends):
            with transaction(factory) as session:
                append(session, KEY, make_event(bulk + i), now)
        figures.append(
            Figure(
                backend,
                f"append via API, 1 per txn (after {bulk:,})",
                appends,
                time.perf_counter() - start,
            )
        )
        _progress(figures[-1])

        start = time.perf_counter()
        with transaction(factory) as session:
            report = verify_chain(session, KEY)
        elapsed = time.perf_counter() - start
        if not report.ok or report.entries_checked != entries:
            sys.exit(f"verification failed: {report}")
        figures.append(Figure(backend, "verify_chain (all)", entries, elapsed))
        _progress(figures[-1])
    finally:
        engine.dispose()
    return figures


def _progress(figure: Figure) -> None:
    print(
        f"{figure.backend:8} {figure.operation:45} {figure.entries:>10,} "
        f"{figure.seconds:9.2f} s {figure.rate:>12,.0f} /s",
        flush=True,
    )


def run_sqlite(entries: int, appends: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="cd-audit-bench-") as tmp:
        return run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", entries, appends)


def run_postgres(server_url: str, entries: int, appends: int) -> list[Figure]:
    name = f"cd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(False)
        return run("postgres", url, entries, appends)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def record(figures: list[Figure], argv: list[str], load: float) -> None:
    """Append a dated section; never rewrite what others recorded."""
    # A password in --pg-url must not end up in a committed file.
    shown = [
        make_url(a).render_as_string(hide_password=True) if "://" in a else a
        for a in argv
    ]
    BENCH_FILE.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Audit chain: append and verify ({stamp})",
        "",
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}",
        f"- Load average before the run: {load:.2f} (shared machine: noisy)",
        f"- Command: `python bench/audit_verify.py {' '.join(shown)}`".rstrip(),
        "",
        "| backend | operation | entries | seconds | entries/s |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {f.backend} | {f.operation} | {f.entries:,} | {f.seconds:.2f} "
        f"| {f.rate:,.0f} |"
        for f in figures
    ]
    new_file = not BENCH_FILE.exists()
    with BENCH_FILE.open("a", encoding="utf-8") as handle:
        if new_file:
            handle.write("# Benchmarks\n")
        handle.write("\n".join(lines) + "\n")
    print(f"appended to {BENCH_FILE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--appends", type=int, default=10_000, help="of those, via the API path"
    )
    parser.add_argument("--pg-url", help="PostgreSQL server for a scratch database")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.entries < 1 or args.appends < 0:
        parser.error("--entries must be positive and --appends not negative")
    appends = min(args.appends, args.entries)
    load = os.getloadavg()[0]
    figures: list[Figure] = []
    if not args.no_sqlite:
        figures += run_sqlite(args.entries, appends)
    if args.pg_url:
        figures += run_postgres(args.pg_url, args.entries, appends)
    if figures and not args.no_record:
        record(figures, sys.argv[1:], load)


if __name__ == "__main__":
    main()
