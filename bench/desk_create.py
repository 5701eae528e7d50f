"""Benchmark ticket intake: POST /v1/desk/tickets through a real server.

    .venv/bin/python bench/desk_create.py                        # SQLite only
    .venv/bin/python bench/desk_create.py --pg-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/test --record

For each backend a scratch database is migrated (for PostgreSQL a scratch
database is created on the server named by --pg-url and dropped afterwards),
a service account gets a token, and `complydesk serve --no-worker` starts on a
free port as its own process. Several client threads then POST tickets over
HTTP for a fixed count, after a warm-up, in two shapes:

* new customer: the intake also creates the customer (a new data key in the
  keystore, sealed name and phone, blind index), as a web form would;
* known customer: `customer_id` of an existing customer.

Every request runs the whole intake path: allowlist check, PII detection and
redaction of the free text, triage, sealing, SLA clocks from the policy pack,
the timeline entry, the audit append and the outbox row, in one transaction.
Figures: requests per second over the timed part, and latency percentiles.
With --record a dated section is appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from complydesk.clock import utcnow
from complydesk.identity import Role, create_user, issue_token
from complydesk.settings import load_settings
from complydesk.store.db import make_engine, make_sessionmaker, transaction
from complydesk.store.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
BENCH_FILE = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent / "complydesk"
REASONS = [
    "耳机左边没有声音，想退货",
    "屏幕有坏点，申请退款，订单上周收到的",
    "充电器发烫，不敢用了，要求退货",
    "颜色和图片不一样，我要退",
    "The headphones stopped charging after two days, I want a refund",
]


@dataclass
class Figure:
    backend: str
    shape: str
    requests: int
    clients: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else float("inf")

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered)) - 1))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token(url: str, data_dir: Path) -> str:
    engine = make_engine(url)
    try:
        now = utcnow()
        with transaction(make_sessionmaker(engine)) as session:
            user = create_user(
                session, "bench-intake", Role.SERVICE, password=None, now=now,
                is_service=True,
            )  # fmt: skip
            return issue_token(session, user, "bench", now=now, ttl=timedelta(days=1))
    finally:
        engine.dispose()


@contextmanager
def server(url: str, data_dir: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "COMPLYDESK_DATABASE_URL": url,
        "COMPLYDESK_DATA_DIR": str(data_dir),
        "COMPLYDESK_LOG_LEVEL": "WARNING",
        "COMPLYDESK_RUN_WORKER_IN_PROCESS": "false",
    }
    port = _free_port()
    log = (data_dir.parent / "server.log").open("wb")
    proc = subprocess.Popen(
        [BIN, "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            sys.exit("server did not start; see " + log.name)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def body(i: int, customer_id: int | None) -> dict[str, Any]:
    phone = f"139{i % 100_000_000:08d}"
    fields = {
        "order_number": f"SO-{i:08d}",
        "reason": REASONS[i % len(REASONS)],
        "contact_phone": phone,
    }
    out: dict[str, Any] = {
        "purpose": "return_refund",
        "category": "electronics",
        "fields": fields,
    }
    if customer_id is None:
        out["customer"] = {"name": "测试客户", "phone": phone}
        out["jurisdiction"] = "cn"
    else:
        out["customer_id"] = customer_id
    return out


def hammer(
    base: str, token: str, count: int, clients: int, customer_id: int | None, start: int
) -> tuple[float, list[float], int]:
    """`count` POSTs from `clients` threads; (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = iter(range(start, start + count))
    gate = threading.Barrier(clients + 1)

    def worker() -> None:
        nonlocal errors
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            gate.wait()
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                began = time.perf_counter()
                response = client.post("/v1/desk/tickets", json=body(i, customer_id))
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if response.status_code != 201:
                        errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, errors


def run(backend: str, url: str, count: int, clients: int, work: Path) -> list[Figure]:
    upgrade(url)
    data_dir = work / "data"
    load_settings(database_url=url, data_dir=data_dir).ensure_data_dir()
    token = _token(url, data_dir)
    figures = []
    with server(url, data_dir) as base:
        hammer(base, token, 20, min(clients, 4), None, 0)  # warm-up; customer 1..
        for shape, customer_id in (("new customer", None), ("known customer", 1)):
            first = 1_000_000 if customer_id else 100  # distinct phone numbers
            seconds, latencies, errors = hammer(
                base, token, count, clients, customer_id, first
            )
            figure = Figure(backend, shape, count, clients, seconds, latencies, errors)
            figures.append(figure)
            _progress(figure)
    return figures


def _progress(f: Figure) -> None:
    print(
        f"{f.backend:8} {f.shape:15} {f.requests:>6} req {f.clients:>2} clients "
        f"{f.seconds:7.2f} s {f.rate:8.1f} req/s  p50 {f.pct(0.5) * 1000:6.1f} ms "
        f"p95 {f.pct(0.95) * 1000:6.1f} ms  errors {f.errors}",
        flush=True,
    )


def run_sqlite(count: int, clients: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="cd-desk-bench-") as tmp:
        work = Path(tmp)
        return run("sqlite", f"sqlite:///{work / 'bench.db'}", count, clients, work)


def run_postgres(server_url: str, count: int, clients: int) -> list[Figure]:
    name = f"cd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(False)
        with tempfile.TemporaryDirectory(prefix="cd-desk-bench-") as tmp:
            return run("postgres", url, count, clients, Path(tmp))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def record(figures: list[Figure], argv: list[str], load: float) -> None:
    """Append a dated section; never rewrite what others recorded."""
    shown = [
        make_url(a).render_as_string(hide_password=True) if "://" in a else a
        for a in argv
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Ticket intake throughput (API) ({stamp})",
        "",
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}",
        f"- Load average before the run: {load:.2f} (shared machine: noisy)",
        f"- Command: `python bench/desk_create.py {' '.join(shown)}`".rstrip(),
        "- One `complydesk serve --no-worker` process (uvicorn, one worker) on "
        "127.0.0.1; the client threads run on the same machine, so they share "
        "its cores. Each request is a full intake of a return with a free-text "
        "reason (PII scan, triage, sealing, SLA clocks, timeline, audit, outbox).",
        "",
        "| backend | customer | requests | clients | seconds | req/s | p50 ms "
        "| p95 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {f.backend} | {f.shape} | {f.requests:,} | {f.clients} | {f.seconds:.2f} "
        f"| {f.rate:.1f} | {f.pct(0.5) * 1000:.1f} | {f.pct(0.95) * 1000:.1f} "
        f"| {f.errors} |"
        for f in figures
    ]
    with BENCH_FILE.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"appended to {BENCH_FILE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="per shape")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg-url", help="PostgreSQL server for a scratch database")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1:
        parser.error("--requests and --clients must be positive")
    load = os.getloadavg()[0]
    figures: list[Figure] = []
    if not args.no_sqlite:
        figures += run_sqlite(args.requests, args.clients)
    if args.pg_url:
        figures += run_postgres(args.pg_url, args.requests, args.clients)
    if any(f.errors for f in figures):
        print("some requests failed: see the errors column", file=sys.stderr)
    if figures and args.record:
        record(figures, sys.argv[1:], load)


if __name__ == "__main__":
    main()
