"""PII detection cost in CPU instructions per message: complydesk vs its peers.

Wall-clock ratios on a shared machine move with the load; instruction counts
do not. For each system this runs the same sample of cs_dialogues turns under
`valgrind --tool=callgrind` twice, once with 0 and once with `--passes` timed
passes (after the same import and warm-up), and reports
(Ir(passes) - Ir(0)) / (passes * messages): start-up cost cancels out.
PYTHONHASHSEED is fixed so both runs do the same work.

    .venv-bench/bin/python bench/pii_instructions.py --peers helan,jionlp [--record]

Needs valgrind; about a minute per system (callgrind is ~50x slower).
Instructions are not time: the ratio says how much work each system does,
the wall-clock ratio (pii_speed.py) what that work costs on this CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_eval import machine_line, md_table  # noqa: E402
from pii_peers import PEER_NAMES, load_systems, parse_peers  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def sample(path: Path, n: int) -> list[str]:
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    return texts[:: max(1, len(texts) // n)][:n]


def child(name: str, data: Path, n: int, passes: int) -> None:
    """Runs under callgrind: import, warm up, then `passes` passes."""
    texts = sample(data / "cs_dialogues.jsonl", n)
    systems = load_systems([] if name == "complydesk" else [name], name == "complydesk")
    sysm = systems[0]
    for t in texts[:300]:
        sysm.detect(t)
    for _ in range(passes):
        for t in texts:
            sysm.detect(t)


def instructions(name: str, data: Path, n: int, passes: int) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    total = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in (0, passes):
            out = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={tmp}/cg.out",
                    sys.executable,
                    __file__,
                    "--child",
                    name,
                    "--data",
                    str(data),
                    "--n",
                    str(n),
                    "--passes",
                    str(p),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            m = re.search(r"refs:\s+([\d,]+)", out.stderr)
            if m is None:
                raise SystemExit(f"no callgrind total for {name}:\n{out.stderr[-500:]}")
            total.append(int(m.group(1).replace(",", "")))
    return (total[1] - total[0]) // (passes * n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peers", default="helan,jionlp", help="none, all or a list")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=3000, help="messages in the sample")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--record", action="store_true", help="append to benchmarks.md")
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.n, args.passes)
        return 0
    if not (args.data / "cs_dialogues.jsonl").exists():
        print(f"shared/eval not found: {args.data}")
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind not installed: skipped")
        return 0
    load0 = machine_line()
    names = ["complydesk", *parse_peers(args.peers)]
    texts = sample(args.data / "cs_dialogues.jsonl", args.n)
    chars = sum(map(len, texts))
    per_msg = {}
    for name in names:
        per_msg[name] = instructions(name, args.data, args.n, args.passes)
        print(f"  {name:12s} {per_msg[name]:>10,} instructions/message", flush=True)
    base = per_msg["complydesk"]
    rows = []
    for name in names:
        ratio = ""
        if name != "complydesk":
            x = per_msg[name] / base
            ratio = f"{x:.2f}×"
        rows.append(
            [
                name,
                f"{per_msg[name]:,}",
                f"{per_msg[name] * args.n / chars:,.0f}",
                ratio,
            ]
        )
    with (args.data / "cs_dialogues.jsonl").open(encoding="utf-8") as fh:
        stride = max(1, sum(1 for _ in fh) // args.n)
    body = (
        f"Input: every {stride}th turn of cs_dialogues.jsonl, {args.n:,} turns, "
        f"{chars:,} chars; callgrind Ir of {args.passes} passes minus 0 passes "
        "(same import and warm-up), PYTHONHASHSEED=0. The issue's targets "
        "(≥ 2× helan, ≥ 1.4× JioNLP) are throughput ratios (pii_speed.py): a "
        "regex-heavy peer runs more instructions per cycle than Python code.\n\n"
        + md_table(
            [
                "system",
                "instructions/message",
                "instructions/char",
                "complydesk advantage (fewer instructions)",
            ],
            rows,
        )
    )
    print()
    print(body)
    if args.record:
        from pii_eval import record

        systems = load_systems([n for n in names if n in PEER_NAMES])
        record("PII detection instructions vs peers", body, systems, load0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
