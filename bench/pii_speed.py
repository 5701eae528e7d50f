"""PII detection speed: complydesk and its peers on the real helpdesk dialogues.

Input: every `text` field of cs_dialogues.jsonl (16,959 turns, ~936k chars),
one detector call per turn.  Each system gets a warm-up pass over the first
`--warmup` turns, then up to `--repeats` timed passes over all turns (stopping
early once a system has used `--budget` seconds, so slow peers run once or twice);
the best pass counts.  complydesk is also run on all cores: a process pool, each
worker with its own Detector, over chunks of turns (wall clock, warm pool).

    .venv/bin/python bench/pii_speed.py --peers none
    .venv-bench/bin/python bench/pii_speed.py --peers all --record
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_eval import machine_line, md_table  # noqa: E402
from pii_peers import PEER_NAMES, System, load_systems, parse_peers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
# complydesk single-core speed-up targets over the peers (from the issue).
TARGETS = {"helan": 2.0, "jionlp": 1.4, "helan+jieba": 50.0}

_worker_detector = None


def _init_worker() -> None:
    global _worker_detector
    from complydesk.pii import Detector

    _worker_detector = Detector()
    _worker_detector.detect("预热：我的手机13812345678，卡号6222021234567890123。")


def _work(chunk: list[str]) -> int:
    assert _worker_detector is not None
    return sum(len(_worker_detector.detect(t)) for t in chunk)


def time_system(
    sysm: System, texts: list[str], warmup: int, repeats: int, budget: float
):
    for t in texts[:warmup]:
        sysm.detect(t)
    best = float("inf")
    best_cpu = 0.0
    found = 0
    done = 0
    spent = 0.0
    crashes0 = sysm.crashes
    while done < repeats:
        c0, t0 = time.process_time(), time.perf_counter()
        found = 0
        for t in texts:
            found += len(sysm.detect(t))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        done += 1
        spent += wall
        if wall < best:
            best, best_cpu = wall, cpu
        if spent >= budget:
            break
    crashes = (sysm.crashes - crashes0) // max(done, 1)
    return best, best_cpu, done, found, crashes


def time_pool(texts: list[str], procs: int, repeats: int, chunk: int = 500):
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    with get_context("fork").Pool(procs, initializer=_init_worker) as pool:
        pool.map(_work, chunks[: procs * 2])  # warm the workers
        best = float("inf")
        found = 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            found = sum(pool.map(_work, chunks, chunksize=1))
            best = min(best, time.perf_counter() - t0)
    return best, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--peers",
        default="all",
        help=f"none, all, or a comma list of {', '.join(PEER_NAMES)}",
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="stop repeating a system after this many seconds",
    )
    ap.add_argument("--warmup", type=int, default=300, help="warm-up turns")
    ap.add_argument(
        "--procs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the all-cores run (0: skip)",
    )
    ap.add_argument("--limit", type=int, default=None, help="first N turns only")
    ap.add_argument(
        "--record", action="store_true", help="append to docs/benchmarks.md"
    )
    args = ap.parse_args(argv)
    path = args.data / "cs_dialogues.jsonl"
    if not path.exists():
        print(f"shared/eval not found: {path}")
        return 0
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts = texts[: args.limit] if args.limit else texts
    chars = sum(map(len, texts))
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    load0 = machine_line()
    systems = load_systems(parse_peers(args.peers))
    print(f"{len(texts):,} turns, {chars:,} chars, {nbytes / 1e6:.2f} MB UTF-8")
    results = []
    for sysm in systems:
        best, cpu, done, found, crashes = time_system(
            sysm, texts, args.warmup, args.repeats, args.budget
        )
        results.append((sysm.name, "1 process", best, cpu, done, found, crashes))
        print(
            f"  {sysm.name:12s} {chars / best / 1e6:7.3f} M chars/s  "
            f"best of {done}: {best:.2f} s (cpu {cpu:.2f} s), {found:,} findings"
            + (f", {crashes} crashes/pass" if crashes else ""),
            flush=True,
        )
        if sysm.name == "complydesk" and args.procs > 1:
            wall, found_p = time_pool(texts, args.procs, args.repeats)
            results.append(
                (
                    "complydesk",
                    f"{args.procs} processes",
                    wall,
                    float("nan"),
                    args.repeats,
                    found_p,
                    0,
                )
            )
            print(
                f"  {'complydesk':12s} {chars / wall / 1e6:7.3f} M chars/s  "
                f"{args.procs} processes, best of {args.repeats}: {wall:.2f} s",
                flush=True,
            )
    base = next(
        (r[2] for r in results if r[0] == "complydesk" and r[1] == "1 process"), None
    )
    rows = []
    for name, mode, wall, cpu, done, found, crashes in results:
        ratio = ""
        if base and mode == "1 process" and name != "complydesk":
            x = wall / base
            target = TARGETS.get(name)
            ratio = f"{x:.2f}×" + (
                f" (target ≥ {target:g}×: {'met' if x >= target else 'NOT met'})"
                if target
                else ""
            )
        rows.append(
            [
                name,
                mode,
                f"{chars / wall / 1e6:.3f}",
                f"{nbytes / wall / 1e6:.2f}",
                f"{wall:.2f}",
                "–" if cpu != cpu else f"{cpu:.2f}",
                str(done),
                f"{found:,}",
                str(crashes),
                ratio,
            ]
        )
    table = md_table(
        [
            "system",
            "mode",
            "M chars/s",
            "MB/s (UTF-8)",
            "best s",
            "cpu s",
            "passes",
            "findings",
            "crashes/pass",
            "complydesk 1-process speed-up",
        ],
        rows,
    )
    body = (
        f"Input: {path.name}, {len(texts):,} turns, {chars:,} chars, "
        f"{nbytes / 1e6:.2f} MB UTF-8; one call per turn; "
        f"warm-up {args.warmup} turns; best of up to {args.repeats} passes "
        f"(budget {args.budget:g} s per system).\n\n" + table
    )
    print()
    print(body)
    if args.record:
        from pii_eval import record

        record("PII detection speed vs peers", body, systems, load0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
