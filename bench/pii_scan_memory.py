"""Flat memory on large inputs: scan JSONL files of growing size, record peak RSS.

Builds files of the requested sizes (MB) in a temp dir from the helpdesk
dialogues in ../shared/eval (or from built-in sentences when that is absent),
scans each with `complydesk pii scan --json` in a fresh process, and prints
throughput and the peak resident memory of the scanning processes. Flat memory
means the peak stays the same while the file grows.

    python bench/pii_scan_memory.py --sizes 50 200 --workers 2 [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIALOGUES = ROOT.parent / "shared" / "eval" / "cs_dialogues.jsonl"
FALLBACK = [
    "您好，我的订单号是 120721929010，还没有发货。",
    "请联系我 13812345678，地址北京市西城区牛街西里二区12号楼。",
    "我叫王小明，邮箱 wang.xm@example.com，谢谢。",
]


def source_lines() -> list[str]:
    if DIALOGUES.is_file():
        with DIALOGUES.open(encoding="utf-8") as handle:
            return [
                json.dumps({"text": json.loads(line)["text"]}, ensure_ascii=False)
                for line in handle
            ]
    print(f"shared/eval not found: {DIALOGUES}; using built-in sentences")
    return [json.dumps({"text": t}, ensure_ascii=False) for t in FALLBACK]


def build(path: Path, megabytes: int, lines: list[str]) -> int:
    target = megabytes * 1024 * 1024
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            for line in lines:
                handle.write(line + "\n")
                written += len(line.encode()) + 1
                if written >= target:
                    break
    return written


# Runs in a fresh interpreter so its peak memory is its own (workers are its
# children): max RSS of the scanning process and of its worker processes.
_SCAN = """
import json, resource, sys
from pathlib import Path
from complydesk.pii.scan import scan_paths
report = scan_paths([Path(sys.argv[1])], workers=int(sys.argv[2]))
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"chars": report.chars, "peak_kib": peak}))
"""


def scan(path: Path, workers: int) -> tuple[float, int, int]:
    """Seconds, characters scanned and peak RSS (KiB) of one scan."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _SCAN, str(path), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    data = json.loads(result.stdout)
    return seconds, int(data["chars"]), int(data["peak_kib"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    lines = source_lines()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sorted(args.sizes):
            path = Path(tmp) / f"scan_{size}mb.jsonl"
            nbytes = build(path, size, lines)
            seconds, chars, peak_kib = scan(path, args.workers)
            rows.append((size, nbytes, chars, seconds, peak_kib))
            rate = chars / seconds / 1e6
            print(
                f"{size:>5} MB  {rate:6.2f} M chars/s  {nbytes / seconds / 1e6:6.1f}"
                f" MB/s  peak RSS {peak_kib / 1024:6.1f} MiB"
            )
            path.unlink()
    if args.record:
        record(rows, args)


def record(
    rows: list[tuple[int, int, int, float, int]], args: argparse.Namespace
) -> None:
    sizes = " ".join(map(str, args.sizes))
    lines = [
        "",
        "## PII file scan: throughput and peak memory "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- Command: `python bench/pii_scan_memory.py --sizes {sizes} "
        f"--workers {args.workers} --record` (JSONL built from cs_dialogues texts)",
        "- Peak RSS is the largest of the scanning processes (main or a worker).",
        "",
        "| file MB | chars | seconds | M chars/s | MB/s | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, nbytes, chars, seconds, peak in rows:
        lines.append(
            f"| {size} | {chars:,} | {seconds:.1f} | {chars / seconds / 1e6:.2f} | "
            f"{nbytes / seconds / 1e6:.1f} | {peak / 1024:.1f} |"
        )
    with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print("appended to docs/benchmarks.md")


if __name__ == "__main__":
    main()
