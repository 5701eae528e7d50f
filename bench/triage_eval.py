"""Ticket triage accuracy: purpose and urgency on our labelled ticket texts.

Labelled set (bench/data/triage_eval.jsonl, our own invented texts, ~80% zh,
~20% en and mixed): each row has `text`, gold `purpose` and `urgency`, and a
`split`. Rules are tuned on `dev` only; `test` was written before any rule
and is only measured, never tuned on.

Printed per split:

* purpose and urgency accuracy and macro-F1 (mean F1 over the classes);
* urgent vs not urgent: TP / FN / FP / TN, recall (a missed safety or legal
  ticket is the costly error) and precision;
* per-class precision / recall / F1 and the confusion matrix of both fields;
* `--show-errors` lists the wrong rows (dev only unless --split says so).

`--cli` runs the classifier through the real contract instead
(`complydesk desk triage --jsonl -`), so the numbers also prove the contract.
`--record` appends a dated section to docs/benchmarks.md.

    .venv/bin/python bench/triage_eval.py --split dev --show-errors
    .venv/bin/python bench/triage_eval.py --split test
    .venv/bin/python bench/triage_eval.py --split all --cli --record
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from complydesk.desk.triage import PURPOSES, URGENCIES, RuleTriage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "triage_eval.jsonl"

Predict = Callable[[list[str]], list[dict[str, Any]]]


def read_set(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict_in_process(rules: Path | None) -> Predict:
    classifier = RuleTriage.from_file(rules)
    return lambda texts: [classifier.classify(t).to_dict() for t in texts]


def predict_via_cli(rules: Path | None) -> Predict:
    """Run `complydesk desk triage --jsonl -`: the contract evaluation relies on."""

    def run(texts: list[str]) -> list[dict[str, Any]]:
        cmd = [sys.executable, "-m", "complydesk.cli", "desk", "triage", "--jsonl", "-"]
        if rules is not None:
            cmd += ["--rules", str(rules)]
        feed = "".join(
            json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts
        )
        done = subprocess.run(
            cmd, input=feed.encode(), capture_output=True, check=True, timeout=600
        )
        out = [json.loads(x) for x in done.stdout.decode("utf-8").splitlines()]
        if len(out) != len(texts):
            raise SystemExit(f"contract broken: {len(texts)} lines in, {len(out)} out")
        return out

    return run


# --- metrics -----------------------------------------------------------------------
@dataclass
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


def per_class(
    gold: list[str], pred: list[str], classes: tuple[str, ...]
) -> dict[str, ClassScores]:
    out = {}
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[c] = ClassScores(prec, rec, f1, tp + fn)
    return out


def accuracy(gold: list[str], pred: list[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1)


def macro_f1(scores: dict[str, ClassScores]) -> float:
    present = [s.f1 for s in scores.values() if s.support]
    return sum(present) / max(len(present), 1)


def confusion_table(
    gold: list[str], pred: list[str], classes: tuple[str, ...]
) -> list[str]:
    counts = Counter(zip(gold, pred, strict=True))
    lines = ["| gold \\ predicted | " + " | ".join(classes) + " |"]
    lines.append("|---|" + "---:|" * len(classes))
    for g in classes:
        cells = " | ".join(str(counts[(g, p)]) for p in classes)
        lines.append(f"| {g} | {cells} |")
    return lines


def class_table(scores: dict[str, ClassScores]) -> list[str]:
    lines = [
        "| class | support | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for c, s in scores.items():
        lines.append(
            f"| {c} | {s.support} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
        )
    return lines


def urgent_confusion(gold: list[str], pred: list[str]) -> tuple[list[str], float]:
    pairs = list(zip(gold, pred, strict=True))
    tp = sum(g == "urgent" and p == "urgent" for g, p in pairs)
    fn = sum(g == "urgent" and p != "urgent" for g, p in pairs)
    fp = sum(g != "urgent" and p == "urgent" for g, p in pairs)
    tn = len(pairs) - tp - fn - fp
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    lines = [
        "| urgent vs not | TP | FN | FP | TN | recall | precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| urgent | {tp} | {fn} | {fp} | {tn} | {recall:.3f} | {precision:.3f} |",
    ]
    return lines, recall


def evaluate(rows: list[dict[str, Any]], preds: list[dict[str, Any]]) -> str:
    gp = [r["purpose"] for r in rows]
    pp = [p["purpose"] for p in preds]
    gu = [r["urgency"] for r in rows]
    pu = [p["urgency"] for p in preds]
    purpose_scores = per_class(gp, pp, PURPOSES)
    urgency_scores = per_class(gu, pu, URGENCIES)
    urgent_lines, _ = urgent_confusion(gu, pu)
    both = sum(a == b and c == d for a, b, c, d in zip(gp, pp, gu, pu, strict=True))
    out = [
        "| field | accuracy | macro-F1 |",
        "|---|---:|---:|",
        f"| purpose | {accuracy(gp, pp):.3f} | {macro_f1(purpose_scores):.3f} |",
        f"| urgency | {accuracy(gu, pu):.3f} | {macro_f1(urgency_scores):.3f} |",
        f"| both right | {both / max(len(rows), 1):.3f} | |",
        "",
        *urgent_lines,
        "",
        "Purpose per class:",
        "",
        *class_table(purpose_scores),
        "",
        *confusion_table(gp, pp, PURPOSES),
        "",
        "Urgency per class:",
        "",
        *class_table(urgency_scores),
        "",
        *confusion_table(gu, pu, URGENCIES),
    ]
    return "\n".join(out)


def errors(rows: list[dict[str, Any]], preds: list[dict[str, Any]]) -> list[str]:
    out = []
    for r, p in zip(rows, preds, strict=True):
        wrong = [f"{k} {r[k]}->{p[k]}" for k in ("purpose", "urgency") if r[k] != p[k]]
        if wrong:
            out.append(f"{r.get('id', '?')}: {'; '.join(wrong)}: {r['text']}")
            out.append(f"    reasons: {p['reasons']}")
    return out


# --- recording ---------------------------------------------------------------------
def record(body: str, mode: str) -> None:
    exe = Path(os.path.abspath(sys.executable))
    py = str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else exe.name
    cmd = " ".join([py, *(shlex.quote(a) for a in sys.argv)])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    section = (
        f"\n## Ticket triage on the labelled set ({stamp})\n\n"
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}; load average {load:.2f}\n"
        f"- Classifier: `complydesk.desk.triage.RuleTriage` ({mode})\n"
        f"- Command: `{cmd}`\n\n{body}\n"
    )
    path = ROOT / "docs" / "benchmarks.md"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(section)
    print(f"appended to {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rules", type=Path, help="a triage YAML instead of the shipped")
    ap.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="dev",
        help="dev: tune rules on it; test: held out, never tuned on; all: both",
    )
    ap.add_argument("--cli", action="store_true", help="go through the JSONL contract")
    ap.add_argument("--show-errors", action="store_true", help="list wrong rows")
    ap.add_argument("--record", action="store_true", help="append to benchmarks.md")
    args = ap.parse_args(argv)

    rows = read_set(args.data)
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    predict = (predict_via_cli if args.cli else predict_in_process)(args.rules)
    mode = "via `complydesk desk triage --jsonl -`" if args.cli else "in process"
    sections = []
    for split in (*splits, "all") if len(splits) > 1 else splits:
        chosen = [r for r in rows if split == "all" or r["split"] == split]
        t0 = time.perf_counter()
        preds = predict([r["text"] for r in chosen])
        elapsed = time.perf_counter() - t0
        langs = Counter(
            "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in r["text"]) else "en"
            for r in chosen
        )
        head = (
            f"### Split: {split} ({len(chosen)} texts: zh/mixed {langs['zh']}, "
            f"en {langs['en']}; {elapsed:.2f} s)\n"
        )
        sections.append(head + "\n" + evaluate(chosen, preds))
        if args.show_errors:
            print("\n".join(errors(chosen, preds)))
    body = "\n\n".join(sections)
    print(body)
    if args.record:
        record(body, mode)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
