"""PERSON / ADDRESS precision, recall and F1 of complydesk.pii on public NER sets.

Reads ../shared/eval beside the repo (or $COMPLYDESK_EVAL); prints
"shared/eval not found" and exits 0 when it is absent. Exact = same span;
overlap = any shared character (a prediction is right if it overlaps a gold
entity of its label, a gold entity is found if a prediction of its label
overlaps it).

    python bench/pii_eval_ner.py [--places] [--bare-names] [--record]

--record appends the table and the command to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from complydesk.pii.detect import DEFAULT_THRESHOLD, Detector  # noqa: E402
from complydesk.pii.recognizers import person_model  # noqa: E402
from complydesk.pii.recognizers.address import AddressRecognizer  # noqa: E402
from complydesk.pii.recognizers.person import PersonRecognizer  # noqa: E402
from complydesk.pii.registry import Registry  # noqa: E402

EVAL = Path(
    os.environ.get(
        "COMPLYDESK_EVAL",
        str(Path(__file__).resolve().parents[1].parent / "shared" / "eval"),
    )
)
SETS = [
    "cluener_dev",
    "msra_test",
    "peoples_daily_test",
    "weibo_ner_test",
    "resume_ner_test",
]
LABELS = ("PERSON", "ADDRESS")
Span = tuple[int, int]


def prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(detector: Detector, path: Path) -> dict[str, list[int]]:
    # per label: [pred, gold, exact tp, overlap tp (pred side), overlap tp (gold)]
    acc = {label: [0, 0, 0, 0, 0] for label in LABELS}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            found = detector.detect(row["text"])
            for label in LABELS:
                gold = {
                    (e["start"], e["end"])
                    for e in row["entities"]
                    if e["label"] == label
                }
                pred = {(e.start, e.end) for e in found if e.label == label}
                a = acc[label]
                a[0] += len(pred)
                a[1] += len(gold)
                a[2] += len(pred & gold)
                a[3] += sum(any(s < ge and gs < e for gs, ge in gold) for s, e in pred)
                a[4] += sum(any(s < ge and gs < e for s, e in pred) for gs, ge in gold)
    return acc


def speed(detector: Detector) -> tuple[int, float] | None:
    path = EVAL / "cs_dialogues.jsonl"
    if not path.exists():
        return None
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    chars = sum(map(len, texts))
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for text in texts:
            detector.detect(text)
        best = min(best, time.perf_counter() - t0)
    return chars, best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--places", action="store_true", help="report bare place names")
    ap.add_argument("--bare-names", action="store_true", help="names without cues")
    ap.add_argument(
        "--record", action="store_true", help="append to docs/benchmarks.md"
    )
    args = ap.parse_args()
    if not EVAL.is_dir():
        print("shared/eval not found")
        return 0
    # The shipped PERSON and ADDRESS recognizers (cues, the trained name
    # scorer, @handles, addresses). Bare place names score 0.3-0.4, under the
    # default threshold: --places lowers it so that they count.
    address = AddressRecognizer(report_places=args.places)
    detector = Detector(
        Registry(
            [
                PersonRecognizer(bare_names=args.bare_names),
                *person_model.RECOGNIZERS,
                address,
            ]
        ),
        threshold=min(DEFAULT_THRESHOLD, address.place_score - 0.1)
        if args.places
        else DEFAULT_THRESHOLD,
    )
    rows = [
        "| set | label | gold | pred | exact P | exact R | exact F1"
        " | overlap P | overlap R | overlap F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in SETS:
        path = EVAL / f"{name}.jsonl"
        if not path.exists():
            continue
        for label, (n_p, n_g, tp, tpp, tpg) in evaluate(detector, path).items():
            ep, er, ef = prf(tp, n_p, tp, n_g)
            op, orr, of = prf(tpp, n_p, tpg, n_g)
            rows.append(
                f"| {name} | {label} | {n_g} | {n_p} | {ep:.3f} | {er:.3f} | {ef:.3f}"
                f" | {op:.3f} | {orr:.3f} | {of:.3f} |"
            )
    sp = speed(detector)
    speed_line = (
        f"Speed (PERSON+ADDRESS recognizers only, cs_dialogues.jsonl, {sp[0]:,} chars,"
        f" best of 3): {sp[0] / sp[1] / 1e6:.2f} M chars/s"
        if sp
        else "Speed: cs_dialogues.jsonl not found"
    )
    options = f"report_places={args.places}, bare_names={args.bare_names}"
    table = "\n".join(rows)
    print(f"Options: {options}\n\n{table}\n\n{speed_line}")
    if args.record:
        cmd = "python bench/pii_eval_ner.py " + " ".join(sys.argv[1:])
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## PII PERSON/ADDRESS on public NER sets ({stamp})\n\n"
            f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
            f"Python {platform.python_version()}\n"
            f"- Options: {options}\n- Command: `{cmd.strip()}`\n\n"
            f"{table}\n\n{speed_line}\n"
        )
        with (ROOT / "docs/benchmarks.md").open("a", encoding="utf-8") as fh:
            fh.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
