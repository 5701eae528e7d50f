"""AI assistant figures: a fairness audit over 1,000,000 decisions, latency p99s.

Pinned to one core (os.sched_setaffinity) with BLAS threads at 1.

1. Fairness audit (`complydesk.fairness.audit_frame`, fairlearn MetricFrame)
   over N synthetic decisions grouped by region and gender plus their
   intersection, 5% with a review ground truth (equalised odds). Target:
   under 5 s for 1,000,000 on one core, the read included. Measured on a
   frame already in memory, then read from a migrated SQLite (and, with
   --pg-url, PostgreSQL) log through `load_decisions`: the coded audit rows
   (`ai_audit_facts`), counted by the database. Wall and process CPU time;
   PostgreSQL limited to one worker (max_parallel_workers_per_gather = 0).
2. Hand-off detection latency per customer turn (the labelled set's turns,
   history included), p50 / p99 / max.
3. Decision evaluation latency (refund_eligibility, cn pack): the rules alone,
   and stored (vault sealing + audit entry, one transaction each) on SQLite.

    .venv/bin/python bench/ai_bench.py
    .venv/bin/python bench/ai_bench.py --decisions 1000000 --record \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

REGIONS = ["east", "west", "north", "south", "central"]
GENDERS = ["f", "m", "x"]
ONE_WORKER = "SET LOCAL max_parallel_workers_per_gather = 0"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    region = rng.choice(REGIONS, n)
    gender = rng.choice(GENDERS, n, p=[0.49, 0.49, 0.02])
    favourable = rng.random(n) < np.where(region == "west", 0.5, 0.7)
    truth = np.where(rng.random(n) < 0.05, (rng.random(n) < 0.7).astype(float), np.nan)
    return region, gender, favourable, truth


def timed(fn: Any, repeat: int) -> tuple[Any, list[float], list[float]]:
    """fn() `repeat` times: its last result, wall seconds, process CPU seconds."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, walls, cpus


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[len(ordered) // 2]:.2f} (min {ordered[0]:.2f})"


def fill(url: str, region: Any, gender: Any, favourable: Any, truth: Any) -> float:
    """Write N decisions the way record_decision does (a decision row, its coded
    audit row, the code book), through the driver: setup, not measured."""
    from sqlalchemy import insert

    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.store.models import (
        AiAuditAttribute,
        AiAuditLabel,
        Customer,
    )

    n = len(region)
    start = time.perf_counter()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with sessions.begin() as session:
        session.add(Customer(ref="B", created_at=now, key_ref="bench"))
        session.execute(
            insert(AiAuditAttribute),
            [{"name": "region", "slot": 1}, {"name": "gender", "slot": 2}],
        )
        labels = [("region", r) for r in REGIONS] + [("gender", g) for g in GENDERS]
        session.execute(
            insert(AiAuditLabel),
            [
                {"id": i + 1, "attribute": a, "label": lb}
                for i, (a, lb) in enumerate(labels)
            ],
        )
        code = {lb: i + 1 for i, (_, lb) in enumerate(labels)}
        region_code = np.vectorize(code.get)(region)
        gender_code = np.vectorize(code.get)(gender)
        cursor = session.connection().connection.cursor()
        postgres = engine.dialect.name == "postgresql"
        decision_cols = (
            "id, ref, customer_id, policy, policy_version, policy_hash, pack, "
            "pack_version, outcome, favourable, trace, ground_truth, decided_at, "
            "decided_by, key_ref"
        )
        fact_cols = "decision_id, policy, favourable, ground_truth, g1, g2"
        stamp = now.isoformat() if postgres else "2026-01-01 00:00:00.000000"
        for lo in range(0, n, 100_000):
            hi = min(n, lo + 100_000)
            decisions, facts = [], []
            for i in range(lo, hi):
                fav = bool(favourable[i])
                gt = None if np.isnan(truth[i]) else bool(truth[i])
                decisions.append(
                    (
                        i + 1,
                        f"D{i:09d}",
                        1,
                        "refund_eligibility",
                        "2026.12.0",
                        "h",
                        "cn",
                        "1",
                        "eligible" if fav else "refused",
                        fav,
                        "[]",
                        gt,
                        stamp,
                        "bench",
                        "bench",
                    )
                )
                facts.append(
                    (
                        i + 1,
                        "refund_eligibility",
                        fav,
                        gt,
                        int(region_code[i]),
                        int(gender_code[i]),
                    )
                )
            if postgres:
                with cursor.copy(
                    f"COPY ai_decisions ({decision_cols}) FROM STDIN"
                ) as cp:
                    for row in decisions:
                        cp.write_row(row)
                with cursor.copy(f"COPY ai_audit_facts ({fact_cols}) FROM STDIN") as cp:
                    for row in facts:
                        cp.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO ai_decisions ({decision_cols}) "
                    f"VALUES ({', '.join('?' * 15)})",
                    decisions,
                )
                cursor.executemany(
                    f"INSERT INTO ai_audit_facts ({fact_cols}) VALUES (?,?,?,?,?,?)",
                    facts,
                )
        cursor.close()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE ai_audit_facts")
    engine.dispose()
    return time.perf_counter() - start


def bench_fairness(n: int, pg_url: str | None, repeat: int) -> list[str]:
    from sqlalchemy import text

    from complydesk.fairness import audit_frame, load_decisions
    from complydesk.policy import load_pack
    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.store.migrate import upgrade

    pack = load_pack("cn")
    by = ["region", "gender"]
    region, gender, favourable, truth = synthetic(n)
    frame = pd.DataFrame({"favourable": favourable, "ground_truth": truth})
    frame["region"] = pd.Categorical(region)
    frame["gender"] = pd.Categorical(gender)
    audit_frame(frame.head(1000), by, pack)  # imports, warm-up
    report, walls, cpus = timed(lambda: audit_frame(frame, by, pack), repeat)
    lines = [
        "| path | decisions | wall s, median (min) | process CPU s, median (min) |",
        "|---|---:|---:|---:|",
        f"| audit_frame on a frame in memory (region, gender, region × gender) "
        f"| {n:,} | {spread(walls)} | {spread(cpus)} |",
    ]
    print(
        f"in memory: wall {spread(walls)}, cpu {spread(cpus)}, "
        f"{len(report.alerts)} alerts"
    )

    def measure(label: str, url: str) -> None:
        upgrade(url)
        filled = fill(url, region, gender, favourable, truth)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)

        def load() -> Any:
            with sessions() as session:
                if engine.dialect.name == "postgresql":  # one core on the server too
                    session.execute(
                        text("SET LOCAL max_parallel_workers_per_gather = 0")
                    )
                return load_decisions(session, by)

        def whole() -> Any:
            return audit_frame(load(), by, pack)

        load()  # warm the page cache once, as a deployment's would be
        loaded, lw, lc = timed(load, repeat)
        assert int(loaded["w"].sum()) == n
        result, ww, wc = timed(whole, repeat)
        assert [a.group for a in result.alerts] == [a.group for a in report.alerts]
        engine.dispose()
        print(
            f"{label}: fill {filled:.0f} s; load wall {spread(lw)} cpu {spread(lc)}; "
            f"load + audit wall {spread(ww)} cpu {spread(wc)}"
        )
        lines.extend(
            [
                f"| {label}: load_decisions (one GROUP BY over the coded audit rows) "
                f"| {n:,} | {spread(lw)} | {spread(lc)} |",
                f"| {label}: load + audit (what `complydesk ai fairness` does) "
                f"| {n:,} | {spread(ww)} | {spread(wc)} |",
            ]
        )

    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{tmp}/bench.db")
    if pg_url:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        name = f"cd_bench_ai_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            measure(
                "PostgreSQL",
                make_url(pg_url).set(database=name).render_as_string(False),
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return lines


def bench_handoff(repeat: int) -> list[str]:
    from complydesk.assistant.handoff import HandoffDetector, Turn
    from complydesk.policy import load_pack

    detector = HandoffDetector(load_pack("baseline").human_handoff)
    rows = [
        json.loads(line)
        for line in (ROOT / "bench/data/handoff_eval.jsonl")
        .read_text("utf-8")
        .splitlines()
    ]
    cases = [
        (r["text"], [Turn(h["role"], h["text"]) for h in r["history"]]) for r in rows
    ]
    for text, history in cases:  # warm-up
        detector.detect(text, history)
    times = []
    for _ in range(repeat):
        for text, history in cases:
            start = time.perf_counter()
            detector.detect(text, history, elapsed_seconds=30)
            times.append((time.perf_counter() - start) * 1000)
    print(f"handoff: p50 {pct(times, 0.5):.3f} ms, p99 {pct(times, 0.99):.3f} ms")
    return [
        f"| hand-off detection (one turn + history) | {len(times):,} "
        f"| {pct(times, 0.5):.3f} | {pct(times, 0.99):.3f} | {max(times):.3f} |"
    ]


def bench_decisions(repeat: int, stored: int) -> list[str]:
    from complydesk.assistant.decisions import (
        coerce_inputs,
        evaluate,
        load_policy,
        record_decision,
    )
    from complydesk.audit import AuditLog
    from complydesk.policy import load_pack
    from complydesk.settings import load_settings
    from complydesk.store.db import make_engine, make_sessionmaker, transaction
    from complydesk.store.migrate import upgrade
    from complydesk.store.models import Customer
    from complydesk.vault import open_vault

    pack = load_pack("cn")
    policy = load_policy("refund_eligibility", pack)
    raw = {
        "delivered_on": "2026-02-20",
        "category": "electronics",
        "condition": "unopened",
        "amount_cny": 299,
    }
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        evaluate(policy, pack, coerce_inputs(policy, raw), date(2026, 3, 1))
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"decide (rules): p50 {pct(times, 0.5):.4f} ms, p99 {pct(times, 0.99):.4f} ms"
    )
    lines = [
        f"| decision evaluation, rules only | {len(times):,} | {pct(times, 0.5):.3f} "
        f"| {pct(times, 0.99):.3f} | {max(times):.3f} |"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = load_settings(database_url=url, data_dir=Path(tmp) / "data")
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        now = datetime(2026, 3, 1, tzinfo=UTC)
        vault = open_vault(settings, lambda: now)
        audit = AuditLog(b"k" * 32)
        with transaction(sessions) as session:
            key = vault.new_subject()
            customer = Customer(ref="B", created_at=now, key_ref=key.key_ref)
            session.add(customer)
            session.flush()
            customer_id = customer.id
        saved = []
        for _ in range(stored):
            start = time.perf_counter()
            with transaction(sessions) as session:
                record_decision(
                    session,
                    vault,
                    audit,
                    policy=policy,
                    pack=pack,
                    customer_id=customer_id,
                    raw_inputs=raw,
                    audit_groups={"region": "east"},
                    actor="bench",
                    now=now,
                )
            saved.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    print(
        f"decide (stored): p50 {pct(saved, 0.5):.2f} ms, p99 {pct(saved, 0.99):.2f} ms"
    )
    lines.append(
        f"| decision evaluated + sealed + audited, one SQLite transaction "
        f"| {len(saved):,} | {pct(saved, 0.5):.3f} | {pct(saved, 0.99):.3f} "
        f"| {max(saved):.3f} |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument(
        "--pg-url",
        default=None,
        help="also PostgreSQL (a server URL; a scratch database is made and dropped)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--stored", type=int, default=300)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    fairness = bench_fairness(args.decisions, args.pg_url, args.runs)
    latency = [
        "| operation | calls | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *bench_handoff(args.repeat),
        *bench_decisions(args.repeat * 500, args.stored),
    ]
    print("\n".join(fairness + [""] + latency))
    if args.record:
        from bench.recording import append_section

        append_section(
            "AI assistant: fairness audit and latency",
            "bench/ai_bench.py",
            sys.argv[1:],
            [
                "- One core (sched_setaffinity), BLAS threads 1; synthetic decisions "
                "(5 regions, 3 genders, 5% with review ground truth).",
                "- Target: fairness audit over 1,000,000 decisions under 5 s on "
                "one core, read from the database included. Shared, loaded "
                "machine: wall and process CPU time, median and min of "
                f"{args.runs} runs after one warm-up read. PostgreSQL's own "
                "server CPU is not in the process CPU figure.",
                "",
                *fairness,
                "",
                *latency,
            ],
        )


if __name__ == "__main__":
    main()
