"""Speech-check speed on the real helpdesk agent turns of cs_dialogues.jsonl.

Reports p50 / p99 / max latency of one call per agent turn and the batch
throughput (turns/s and chars/s over all agent turns, best of `--repeats`
passes). The target is p99 < 1 ms per utterance. `--checker check` (default)
times the rule packs alone; `--checker reply` times `check_reply`, the whole
reply path (rules plus the promise parser against the capabilities), which
is what the desk calls before a reply is sent.

On a shared machine a single timing also measures the scheduler: with
`--latency-repeats N` each turn's latency is the fastest of N calls, which
keeps the checker's own cost and drops preemptions (the record says which).

    .venv/bin/python bench/speech_speed.py
    .venv/bin/python bench/speech_speed.py --record   # appends to docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def load_agent_turns(data: Path) -> list[str]:
    with (data / "cs_dialogues.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r["text"] for r in rows if r.get("role") == "agent"]


def percentile(sorted_values: list[float], q: float) -> float:
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--latency-repeats",
        type=int,
        default=1,
        help="time each turn N times and keep the fastest (default 1: one timing)",
    )
    ap.add_argument(
        "--checker",
        choices=("check", "reply"),
        default="check",
        help="check: rule packs only; reply: check_reply (rules + promises)",
    )
    ap.add_argument("--record", action="store_true", help="append to benchmarks.md")
    args = ap.parse_args(argv)
    if not (args.data / "cs_dialogues.jsonl").exists():
        print("shared/eval not found")
        return 0

    from complydesk.speech.check import SpeechChecker

    texts = load_agent_turns(args.data)
    run: Callable[[str], Any]
    t0 = time.perf_counter()
    if args.checker == "reply":
        from complydesk.speech.check import default_checker
        from complydesk.speech.reply import check_reply

        default_checker()  # what check_reply uses, compiled once per process
        run = check_reply
    else:
        run = SpeechChecker().check
    build_ms = (time.perf_counter() - t0) * 1000
    for t in texts[:300]:
        run(t)

    lat: list[float] = []
    clock = time.perf_counter_ns
    tries = max(1, args.latency_repeats)
    for t in texts:
        best_ns = None
        for _ in range(tries):
            a = clock()
            run(t)
            took = clock() - a
            best_ns = took if best_ns is None else min(best_ns, took)
        assert best_ns is not None
        lat.append(best_ns / 1e3)
    lat.sort()

    best = float("inf")
    flagged = 0
    for _ in range(args.repeats):
        a = time.perf_counter()
        flagged = sum(1 for t in texts if run(t).findings)
        best = min(best, time.perf_counter() - a)
    chars = sum(len(t) for t in texts)

    rows = [
        ("checker", "check_reply" if args.checker == "reply" else "check"),
        ("agent turns", f"{len(texts):,}"),
        ("chars", f"{chars:,}"),
        ("checker build (compile both packs)", f"{build_ms:.1f} ms"),
        ("latency timings per turn", "1" if tries == 1 else f"fastest of {tries}"),
        ("p50 latency", f"{percentile(lat, 0.50):.1f} µs"),
        ("p99 latency", f"{percentile(lat, 0.99):.1f} µs"),
        ("max latency", f"{lat[-1]:.1f} µs"),
        ("batch throughput", f"{len(texts) / best:,.0f} turns/s"),
        ("batch throughput (chars)", f"{chars / best / 1e6:.2f} M chars/s"),
        ("turns flagged", f"{flagged} ({flagged / len(texts):.2%})"),
    ]
    table = "| metric | value |\n|---|---:|\n" + "\n".join(
        f"| {k} | {v} |" for k, v in rows
    )
    print(table)
    if args.record:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        section = (
            f"\n## Speech check speed ({now})\n\n"
            f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
            f"{platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}; load average before the run {load:.2f}\n"
            "- Command: `.venv/bin/python bench/speech_speed.py "
            f"{' '.join(sys.argv[1:])}`\n"
            "- Input: every agent turn of cs_dialogues.jsonl, one "
            f"`{'check_reply' if args.checker == 'reply' else 'check'}()` per "
            f"turn, role agent, language auto; best of {args.repeats} batch passes\n\n"
            f"{table}\n"
        )
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as fh:
            fh.write(section)
        print("recorded in docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
