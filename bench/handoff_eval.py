"""Hand-off detection precision and recall on our labelled customer turns.

Labelled set: bench/data/handoff_eval.jsonl (invented zh/en turns with the
conversation before them; built by bench/build_handoff_data.py before the
detector was written). Rules are tuned on `dev` only; `test` is measured.

Printed per split: TP / FP / FN / TN, precision and recall of "hand off"
(recall matters most: a customer who needed a human and did not get one is
the costly error), and how often the reported reason equals the gold one on
true positives. `--show-errors` lists wrong rows of the chosen split.
`--cli` runs the real contract (`complydesk ai handoff --jsonl -`).
`--record` appends a dated section to docs/benchmarks.md.

    .venv/bin/python bench/handoff_eval.py --split dev --show-errors
    .venv/bin/python bench/handoff_eval.py --split all --cli --record
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data" / "handoff_eval.jsonl"


def predict_library(rows: list[dict[str, Any]], pack: str) -> list[dict[str, Any]]:
    from complydesk.assistant.handoff import HandoffDetector, handoff_lines
    from complydesk.policy import load_pack

    detector = HandoffDetector(load_pack(pack).human_handoff)
    lines = [json.dumps(_input(r), ensure_ascii=False) for r in rows]
    return [json.loads(line) for line in handoff_lines(lines, detector)]


def predict_cli(rows: list[dict[str, Any]], pack: str) -> list[dict[str, Any]]:
    exe = Path(sys.executable).with_name("complydesk")
    payload = "".join(json.dumps(_input(r), ensure_ascii=False) + "\n" for r in rows)
    done = subprocess.run(
        [str(exe), "ai", "handoff", "--jsonl", "-", "--pack", pack],
        input=payload.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    out = done.stdout.decode("utf-8").splitlines()
    assert len(out) == len(rows), "the contract gives one line per input line"
    return [json.loads(line) for line in out]


def _input(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("text", "history", "elapsed_seconds")
    return {k: row[k] for k in keep if k in row}


def score(rows: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = tn = same_reason = 0
    for row, pred in zip(rows, preds, strict=True):
        if row["handoff"] and pred["handoff"]:
            tp += 1
            same_reason += pred["reason"] == row["reason"]
        elif pred["handoff"]:
            fp += 1
        elif row["handoff"]:
            fn += 1
        else:
            tn += 1
    return {
        "n": len(rows),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "reason_match": same_reason / tp if tp else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--pack", default="baseline")
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    predict = predict_cli if args.cli else predict_library
    table = ["| split | n | TP | FP | FN | TN | precision | recall | reason = gold |"]
    table.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for split in splits:
        subset = [r for r in rows if r["split"] == split]
        preds = predict(subset, args.pack)
        s = score(subset, preds)
        table.append(
            f"| {split} | {s['n']} | {s['tp']} | {s['fp']} | {s['fn']} | {s['tn']} "
            f"| {s['precision']:.3f} | {s['recall']:.3f} | {s['reason_match']:.3f} |"
        )
        if args.show_errors:
            for row, pred in zip(subset, preds, strict=True):
                if row["handoff"] != pred["handoff"] or (
                    row["handoff"] and row["reason"] != pred["reason"]
                ):
                    print(
                        f"{row['id']}: gold {row['reason']} got {pred['reason']}: "
                        f"{row['text']}"
                    )
    print("\n".join(table))
    if args.record:
        from bench.recording import append_section

        append_section(
            f"AI hand-off detection ({'CLI contract' if args.cli else 'library'}, "
            f"pack {args.pack})",
            "bench/handoff_eval.py",
            sys.argv[1:],
            [
                f"- Data: {DATA.relative_to(ROOT)} ({len(rows)} invented zh/en turns "
                "with history; rules tuned on dev only)",
                "",
                *table,
            ],
        )


if __name__ == "__main__":
    main()
