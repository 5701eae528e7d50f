"""Benchmark ticket intake: POST /v1/desk/tickets through a real server.

    .venv/bin/python bench/desk_create.py                        # SQLite only
    .venv/bin/python bench/desk_create.py --pg-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/test --record
    # before/after on a noisy machine: interleave the variants, take medians
    .venv/bin/python bench/desk_create.py --rounds 3 --requests 200 \\
        --variant before=1@/tmp/old-tree/src --variant after=1 --variant w2=2

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
Figures: requests per second over the timed part, latency percentiles and
the server's CPU time per request (all its processes, from /proc; Linux).

A *variant* is `label=workers` or `label=workers@SRC`: the server runs with
`--workers` (only for 2 or more) from the source tree SRC (PYTHONPATH; for
comparing with an older checkout, whose serve may lack --workers). With
several variants and rounds, each round runs every variant once, in turn, so
all of them see the same background load; the summary gives medians.
With --record a dated section is appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
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


@dataclass(frozen=True)
class Variant:
    label: str
    workers: int = 1
    src: Path | None = None

    @classmethod
    def parse(cls, text: str) -> Variant:
        label, sep, rest = text.partition("=")
        workers, _, src = rest.partition("@")
        if not sep or not label or not workers.isdigit() or int(workers) < 1:
            raise ValueError(f"variant {text!r}: use label=workers[@SRC]")
        path = Path(src).resolve() if src else None
        if path is not None and not (path / "complydesk").is_dir():
            raise ValueError(f"variant {text!r}: {path} has no complydesk package")
        return cls(label, int(workers), path)


@dataclass
class Figure:
    backend: str
    shape: str
    requests: int
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    variant: str = "current"
    workers: int = 1
    cpu_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else float("inf")

    @property
    def cpu_ms(self) -> float | None:
        """Server CPU (user + system, all its processes) per request, in ms."""
        if self.cpu_seconds is None:
            return None
        return self.cpu_seconds * 1000 / self.requests

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered)) - 1))]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of `pid` and its live descendants (None off Linux)."""
    proc = Path("/proc")
    if not (proc / str(pid) / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += used.get(current, 0.0)
        todo += [child for child, ppid in parent.items() if ppid == current]
    return total


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
def server(url: str, data_dir: Path, variant: Variant) -> Iterator[tuple[str, int]]:
    """A `complydesk serve` process for `variant`; yields (base URL, pid)."""
    env = {
        **os.environ,
        "COMPLYDESK_DATABASE_URL": url,
        "COMPLYDESK_DATA_DIR": str(data_dir),
        "COMPLYDESK_LOG_LEVEL": "WARNING",
        "COMPLYDESK_RUN_WORKER_IN_PROCESS": "false",
    }
    if variant.src is not None:
        env["PYTHONPATH"] = str(variant.src)
    port = _free_port()
    args = [str(BIN), "serve", "--no-worker", "--port", str(port)]
    if variant.workers > 1:
        args += ["--workers", str(variant.workers)]
    log = (data_dir.parent / "server.log").open("wb")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=log)
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
        yield base, proc.pid
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


def run(
    backend: str, url: str, count: int, clients: int, work: Path, variant: Variant
) -> list[Figure]:
    upgrade(url)
    data_dir = work / "data"
    load_settings(database_url=url, data_dir=data_dir).ensure_data_dir()
    token = _token(url, data_dir)
    figures = []
    with server(url, data_dir, variant) as (base, pid):
        # Warm-up (customer 1..): with several workers, enough to reach each.
        warm = 20 * variant.workers
        hammer(base, token, warm, min(clients, 4 * variant.workers), None, 0)
        for shape, customer_id in (("new customer", None), ("known customer", 1)):
            first = 1_000_000 if customer_id else 100 + warm  # distinct phones
            cpu_before = _cpu_seconds(pid)
            seconds, latencies, errors = hammer(
                base, token, count, clients, customer_id, first
            )
            cpu_after = _cpu_seconds(pid)
            cpu = None
            if cpu_before is not None and cpu_after is not None:
                cpu = cpu_after - cpu_before
            figure = Figure(
                backend,
                shape,
                count,
                clients,
                seconds,
                latencies,
                errors,
                variant.label,
                variant.workers,
                cpu,
            )
            figures.append(figure)
            _progress(figure)
    return figures


def _progress(f: Figure) -> None:
    cpu = f"{f.cpu_ms:6.1f}" if f.cpu_ms is not None else "     ?"
    print(
        f"{f.variant:10} {f.backend:8} {f.shape:15} {f.requests:>5} req "
        f"{f.clients:>2} clients {f.seconds:6.2f} s {f.rate:7.1f} req/s  "
        f"p50 {f.pct(0.5) * 1000:6.1f} ms p95 {f.pct(0.95) * 1000:6.1f} ms  "
        f"cpu {cpu} ms/req  errors {f.errors}",
        flush=True,
    )


def run_sqlite(count: int, clients: int, variant: Variant) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="cd-desk-bench-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}"
        return run("sqlite", url, count, clients, work, variant)


def run_postgres(
    server_url: str, count: int, clients: int, variant: Variant
) -> list[Figure]:
    name = f"cd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(False)
        with tempfile.TemporaryDirectory(prefix="cd-desk-bench-") as tmp:
            return run("postgres", url, count, clients, Path(tmp), variant)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Summary:
    """The medians of one (variant, backend, shape) over the rounds."""

    variant: str
    workers: int
    backend: str
    shape: str
    rounds: int
    rate: float
    p50_ms: float
    p95_ms: float
    cpu_ms: float | None
    errors: int


def summarise(figures: list[Figure]) -> list[Summary]:
    groups: dict[tuple[str, str, str], list[Figure]] = {}
    for f in figures:
        groups.setdefault((f.variant, f.backend, f.shape), []).append(f)
    out = []
    for (variant, backend, shape), group in groups.items():
        cpus = [f.cpu_ms for f in group if f.cpu_ms is not None]
        out.append(
            Summary(
                variant,
                group[0].workers,
                backend,
                shape,
                len(group),
                statistics.median(f.rate for f in group),
                statistics.median(f.pct(0.5) for f in group) * 1000,
                statistics.median(f.pct(0.95) for f in group) * 1000,
                statistics.median(cpus) if cpus else None,
                sum(f.errors for f in group),
            )
        )
    return out


def _cpu_cell(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "n/a"


def record(
    summaries: list[Summary], count: int, clients: int, argv: list[str], load: float
) -> None:
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
        f"- {count} requests per shape from {clients} client threads, after a "
        "warm-up. `complydesk serve --no-worker` (uvicorn; `workers` processes) "
        "on 127.0.0.1; the client threads run on the same machine, so they share "
        "its cores. Each request is a full intake of a return with a free-text "
        "reason (PII scan, triage, sealing, SLA clocks, timeline, audit, outbox).",
        "- Figures are medians over the rounds (variants interleaved); cpu ms is "
        "the server's CPU time (all its processes) per request.",
        "",
        "| variant | workers | backend | customer | rounds | req/s | p50 ms "
        "| p95 ms | cpu ms/req | errors |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s.variant} | {s.workers} | {s.backend} | {s.shape} | {s.rounds} "
        f"| {s.rate:.1f} | {s.p50_ms:.1f} | {s.p95_ms:.1f} | {_cpu_cell(s.cpu_ms)} "
        f"| {s.errors} |"
        for s in summaries
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
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (default variant)"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=WORKERS[@SRC]",
        help="a server set-up to measure; repeat to compare (default: current)",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1 or args.rounds < 1 or args.workers < 1:
        parser.error("--requests, --clients, --rounds and --workers must be positive")
    try:
        variants = [Variant.parse(v) for v in args.variant] or [
            Variant("current", args.workers)
        ]
    except ValueError as exc:
        parser.error(str(exc))
    if len({v.label for v in variants}) != len(variants):
        parser.error("variant labels must differ")
    load = os.getloadavg()[0]
    figures: list[Figure] = []
    for _ in range(args.rounds):
        for variant in variants:
            if not args.no_sqlite:
                figures += run_sqlite(args.requests, args.clients, variant)
            if args.pg_url:
                figures += run_postgres(
                    args.pg_url, args.requests, args.clients, variant
                )
    summaries = summarise(figures)
    if args.rounds > 1 or len(variants) > 1:
        print("medians:")
        for s in summaries:
            print(
                f"  {s.variant:10} w{s.workers} {s.backend:8} {s.shape:15} "
                f"{s.rate:7.1f} req/s  p50 {s.p50_ms:6.1f}  p95 {s.p95_ms:6.1f}  "
                f"cpu {_cpu_cell(s.cpu_ms)} ms/req  errors {s.errors}"
            )
    if any(f.errors for f in figures):
        print("some requests failed: see the errors column", file=sys.stderr)
    if figures and args.record:
        record(summaries, args.requests, args.clients, sys.argv[1:], load)


if __name__ == "__main__":
    main()
