"""AI assistant figures: a fairness audit over 1,000,000 decisions, latency p99s.

Pinned to one core (os.sched_setaffinity) with BLAS threads at 1.

1. Fairness audit (`complydesk.fairness.audit_frame`, fairlearn MetricFrame)
   over N synthetic decisions grouped by region and gender plus their
   intersection, 5% with a review ground truth (equalised odds). Target:
   under 5 s for 1,000,000 on one core. Measured twice: on a frame already in
   memory, and read from a migrated SQLite log (`load_decisions`) first.
2. Hand-off detection latency per customer turn (the labelled set's turns,
   history included), p50 / p99 / max.
3. Decision evaluation latency (refund_eligibility, cn pack): the rules alone,
   and stored (vault sealing + audit entry, one transaction each) on SQLite.

    .venv/bin/python bench/ai_bench.py
    .venv/bin/python bench/ai_bench.py --decisions 1000000 --record
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

REGIONS = ["east", "west", "north", "south", "central"]
GENDERS = ["f", "m", "x"]


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


def bench_fairness(n: int, with_db: bool) -> list[str]:
    from complydesk.fairness import audit_frame, load_decisions
    from complydesk.policy import load_pack

    pack = load_pack("cn")
    region, gender, favourable, truth = synthetic(n)
    frame = pd.DataFrame({"favourable": favourable, "ground_truth": truth})
    frame["region"] = pd.Categorical(region)
    frame["gender"] = pd.Categorical(gender)
    audit_frame(frame.head(1000), ["region", "gender"], pack)  # imports, warm-up
    start = time.perf_counter()
    report = audit_frame(frame, ["region", "gender"], pack)
    compute = time.perf_counter() - start
    lines = [
        "| step | decisions | seconds |",
        "|---|---:|---:|",
        f"| audit_frame (in memory), region, gender, region × gender | {n:,} "
        f"| {compute:.2f} |",
    ]
    print(f"fairness audit in memory: {compute:.2f} s, {len(report.alerts)} alerts")
    if not with_db:
        return lines
    from sqlalchemy import insert

    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.store.migrate import upgrade
    from complydesk.store.models import AiDecision, Customer

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        start = time.perf_counter()
        with sessions.begin() as session:
            session.add(Customer(ref="B", created_at=now, key_ref="bench"))
            session.flush()
            batch = []
            for i in range(n):
                fav = bool(favourable[i])
                batch.append(
                    {
                        "ref": f"D{i:09d}",
                        "customer_id": 1,
                        "policy": "refund_eligibility",
                        "policy_version": "2026.12.0",
                        "policy_hash": "h",
                        "pack": "cn",
                        "pack_version": "1",
                        "outcome": "eligible" if fav else "refused",
                        "favourable": fav,
                        "trace": [],
                        "audit_groups": {"region": region[i], "gender": gender[i]},
                        "ground_truth": None if np.isnan(truth[i]) else bool(truth[i]),
                        "decided_at": now,
                        "decided_by": "bench",
                        "key_ref": "bench",
                    }
                )
                if len(batch) == 50_000:
                    session.execute(insert(AiDecision), batch)
                    batch = []
            if batch:
                session.execute(insert(AiDecision), batch)
        fill = time.perf_counter() - start
        start = time.perf_counter()
        with sessions() as session:
            loaded = load_decisions(session, ["region", "gender"])
        load = time.perf_counter() - start
        start = time.perf_counter()
        audit_frame(loaded, ["region", "gender"], pack)
        again = time.perf_counter() - start
        engine.dispose()
    print(f"sqlite: fill {fill:.1f} s, load {load:.2f} s, audit {again:.2f} s")
    lines += [
        f"| load_decisions from SQLite | {n:,} | {load:.2f} |",
        f"| audit_frame on the loaded frame | {n:,} | {again:.2f} |",
        f"| load + audit (what `complydesk ai fairness` does) | {n:,} "
        f"| {load + again:.2f} |",
        f"| (setup: bulk insert into SQLite, not part of the audit) | {n:,} "
        f"| {fill:.1f} |",
    ]
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
    parser.add_argument("--no-db", action="store_true", help="skip the SQLite read")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--stored", type=int, default=300)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    fairness = bench_fairness(args.decisions, not args.no_db)
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
                "one core. Single runs on a shared machine.",
                "",
                *fairness,
                "",
                *latency,
            ],
        )


if __name__ == "__main__":
    main()
