"""Speech compliance accuracy: the rule engine on our labelled set and on real turns.

Labelled set (bench/data/speech_eval.jsonl, our own sentences, zh + en): each
row is a violation (with its categories) or ok; ok rows are hard negatives that
share keywords with a category (`note` starts with `near:<category>`).

* utterance level: predicted violation = at least one finding (warn or block);
  also shown for block findings only. Recall = flagged violations / violations,
  FPR = flagged ok rows / ok rows (issue targets: recall >= 0.95, FPR <= 2%);
* per category: TP = the category is gold and predicted; FP = predicted but not
  gold, split into FP on ok rows and FP on violations of another category;
* per language: the utterance-level figures on each language's rows;
* per near-miss category: flagged hard negatives / hard negatives.

The reply checkers run at a fixed "now" (EVAL_NOW, a Wednesday 10:00 in
Shanghai) so that figures do not depend on the hour they were taken.

`--real` runs the checker over the agent turns of cs_dialogues.jsonl (real
text with personal data: nothing of it is printed or recorded, only counts),
and writes a seeded random sample of 50 flagged turns to bench/out/ (gitignored)
for manual review. After reviewing, pass `--reviewed-correct N` (same seed and
checker: the sample is re-drawn and must match the file) with `--record` to put
the reviewed precision into docs/benchmarks.md.

    .venv/bin/python bench/speech_eval.py
    .venv/bin/python bench/speech_eval.py --show-errors
    .venv/bin/python bench/speech_eval.py --real
    .venv/bin/python bench/speech_eval.py --real --reviewed-correct 46 --record
    .venv/bin/python bench/speech_eval.py --checker reply --record
    .venv/bin/python bench/speech_eval.py --split dev --ids-contains -r4- --show-errors
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import shlex
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from complydesk.speech.rules import CORE_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "speech_eval.jsonl"
REAL = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "eval"
    / "cs_dialogues.jsonl"
)
OUT = ROOT / "bench" / "out"
SEED = 20261130
SAMPLE = 50
CATEGORIES = list(CORE_CATEGORIES)
# The reply path judges times against "now": a fixed working-day morning keeps
# the figures from depending on the hour they were taken (at 22:00 in Shanghai
# "今天就可以用" is a promise tighter than two hours). A Wednesday, 10:00.
EVAL_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHECKERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "check": ("complydesk.speech.check", "check", {}),
    "reply": ("complydesk.speech.reply", "check_reply", {"now": EVAL_NOW}),
    # the reply path without the learned backstop (model.py)
    "reply-rules": (
        "complydesk.speech.reply",
        "check_reply",
        {"backstop": False, "now": EVAL_NOW},
    ),
}

Check = Callable[[str, str], Any]


def load_checker(name: str) -> Check | None:
    """The checker as `f(text, role) -> Verdict`, or None (with a message)."""
    module_name, attr, kwargs = CHECKERS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        print(f"missing: {module_name} cannot be imported ({exc}); nothing to measure")
        return None
    fn = getattr(module, attr, None)
    if fn is None:
        print(f"missing: {module_name}.{attr} does not exist yet; nothing to measure")
        return None
    return lambda text, role: fn(text, role=role, **kwargs)


def findings_of(verdict: Any) -> list[Any]:
    return list(getattr(verdict, "findings", ()) or ())


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


# --- labelled set ------------------------------------------------------------------
@dataclass
class Conf:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, pred: bool) -> None:
        if gold and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


@dataclass
class CatCounts:
    conf: Conf = field(default_factory=Conf)
    fp_ok: int = 0
    fp_cross: int = 0


def read_set(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def near_of(row: dict[str, Any]) -> str | None:
    note = str(row.get("note", ""))
    if note.startswith("near:"):
        return note[5:].split(";")[0].strip()
    return None


def evaluate(rows: list[dict[str, Any]], check: Check) -> tuple[str, dict[str, Any]]:
    utt_any = Conf()
    utt_block = Conf()
    by_lang: dict[str, Conf] = defaultdict(Conf)
    cats: dict[str, CatCounts] = defaultdict(CatCounts)
    cats_lang: dict[tuple[str, str], Conf] = defaultdict(Conf)
    near: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    verdicts: Counter[tuple[str, str]] = Counter()
    misses: list[str] = []
    false_pos: list[str] = []
    wrong_cat: list[str] = []
    crashes: list[str] = []
    t0 = time.perf_counter()
    for row in rows:
        gold = row["label"] == "violation"
        gold_cats = set(row.get("categories") or [])
        try:
            verdict = check(row["text"], row["role"])
        except Exception as exc:  # noqa: BLE001 - report, keep measuring
            crashes.append(f"{row['id']}: {type(exc).__name__}: {exc}")
            verdict = None
        fs = findings_of(verdict)
        pred = bool(fs)
        pred_block = any(getattr(f, "severity", "") == "block" for f in fs)
        pred_cats = {f.category for f in fs}
        utt_any.add(gold, pred)
        utt_block.add(gold, pred_block)
        by_lang[row["lang"]].add(gold, pred)
        name = getattr(verdict, "verdict", "error") if verdict is not None else "error"
        verdicts[(row["label"], name)] += 1
        for c in sorted(set(CATEGORIES) | gold_cats | pred_cats):
            cc = cats[c]
            g, p = c in gold_cats, c in pred_cats
            cc.conf.add(g, p)
            cats_lang[(c, row["lang"])].add(g, p)
            if p and not g:
                if gold:
                    cc.fp_cross += 1
                else:
                    cc.fp_ok += 1
        nc = near_of(row)
        if not gold and nc:
            near[nc][0] += 1
            near[nc][1] += int(pred)
        desc = ", ".join(
            f"{f.category}/{f.rule}[{f.text}]" for f in fs
        )  # our own text only
        if gold and not pred:
            misses.append(f"{row['id']} ({'/'.join(sorted(gold_cats))}): {row['text']}")
        elif not gold and pred:
            false_pos.append(f"{row['id']}: {row['text']}  -> {desc}")
        elif gold and not (gold_cats & pred_cats):
            wrong_cat.append(f"{row['id']} gold {sorted(gold_cats)}: -> {desc}")
    elapsed = time.perf_counter() - t0

    n_v = sum(r["label"] == "violation" for r in rows)
    langs = Counter(r["lang"] for r in rows)
    lang_list = ", ".join(f"{k} {v}" for k, v in sorted(langs.items()))
    out: list[str] = []
    out.append(
        f"Set: {len(rows)} utterances ({lang_list}); "
        f"{n_v} violations, {len(rows) - n_v} ok (hard negatives); "
        f"{elapsed:.2f} s, {len(rows) / elapsed:,.0f} utterances/s\n"
    )
    out.append("Utterance level (violation vs ok):\n")
    out.append("| flag counted | TP | FN | FP | TN | precision | recall | F1 | FPR |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, c in (("any finding", utt_any), ("block only", utt_block)):
        out.append(
            f"| {label} | {c.tp} | {c.fn} | {c.fp} | {c.tn} | {c.precision:.3f} | "
            f"{c.recall:.3f} | {c.f1:.3f} | {c.fpr:.1%} |"
        )
    out.append(
        f"\nTargets: recall >= 0.95 ({met(utt_any.recall >= 0.95)}), "
        f"FPR <= 2% ({met(utt_any.fpr <= 0.02)}).\n"
    )
    out.append("Verdicts by gold label:\n")
    names = ["pass", "warn", "block"] + (["error"] if crashes else [])
    out.append("| gold | " + " | ".join(names) + " |")
    out.append("|---|" + "---:|" * len(names))
    for label in ("violation", "ok"):
        out.append(
            f"| {label} | "
            + " | ".join(str(verdicts[(label, n)]) for n in names)
            + " |"
        )
    out.append("\nPer language (any finding):\n")
    out.append("| lang | violations | ok | precision | recall | F1 | FPR |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for lang, c in sorted(by_lang.items()):
        out.append(
            f"| {lang} | {c.tp + c.fn} | {c.fp + c.tn} | {c.precision:.3f} | "
            f"{c.recall:.3f} | {c.f1:.3f} | {c.fpr:.1%} |"
        )
    out.append(
        "\nPer category (strict: FP = category predicted but not gold; "
        "FP on ok rows vs on violations of another category):\n"
    )
    out.append(
        "| category | gold | TP | FN | FP ok | FP cross | precision | recall | F1 "
        "| recall zh | recall en | hard negs flagged |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in sorted(
        cats,
        key=lambda k: (
            k not in CATEGORIES,
            CATEGORIES.index(k) if k in CATEGORIES else 0,
            k,
        ),
    ):
        cc = cats[c]
        k = cc.conf
        rz, re_ = cats_lang[(c, "zh")], cats_lang[(c, "en")]
        nn, nf = near.get(c, [0, 0])
        out.append(
            f"| {c} | {k.tp + k.fn} | {k.tp} | {k.fn} | {cc.fp_ok} | {cc.fp_cross} | "
            f"{k.precision:.3f} | {k.recall:.3f} | {k.f1:.3f} | "
            f"{rz.recall:.3f} | {re_.recall:.3f} | {nf}/{nn} |"
        )
    if crashes:
        out.append(f"\nChecker crashes: {len(crashes)}")
        out.extend(f"- {c}" for c in crashes[:20])
    summary = {
        "recall": utt_any.recall,
        "fpr": utt_any.fpr,
        "precision": utt_any.precision,
        "misses": misses,
        "false_pos": false_pos,
        "wrong_cat": wrong_cat,
        "crashes": crashes,
    }
    return "\n".join(out), summary


# --- real turns --------------------------------------------------------------------
def real_turns(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r.get("role") == "agent" and str(r.get("text", "")).strip():
                rows.append(r)
    return rows


def run_real(
    path: Path, check: Check, seed: int, sample_path: Path, reviewed: int | None
) -> tuple[str, bool]:
    rows = real_turns(path)
    flagged: list[tuple[dict[str, Any], list[Any]]] = []
    per_cat: Counter[str] = Counter()
    per_rule: Counter[str] = Counter()
    blocked = 0
    t0 = time.perf_counter()
    for r in rows:
        fs = findings_of(check(r["text"], "agent"))
        if fs:
            flagged.append((r, fs))
            blocked += any(f.severity == "block" for f in fs)
            for c in {f.category for f in fs}:
                per_cat[c] += 1
            for rule in {f.rule for f in fs}:
                per_rule[rule] += 1
    elapsed = time.perf_counter() - t0
    sample = random.Random(seed).sample(flagged, min(SAMPLE, len(flagged)))
    sample.sort(key=lambda p: (p[0]["dialogue_id"], p[0]["turn_index"]))
    keys = [f"{r['dialogue_id']}#{r['turn_index']}" for r, _ in sample]

    ok = True
    if reviewed is not None:
        # the reviewed file must be the sample this run draws
        try:
            old = [
                json.loads(x)["key"]
                for x in sample_path.read_text(encoding="utf-8").splitlines()
                if x.strip()
            ]
        except (OSError, json.JSONDecodeError, KeyError):
            old = []
        if old != keys:
            print(
                f"error: {sample_path} is not the sample this run draws (checker or "
                "seed changed?): review the new sample first; nothing recorded"
            )
            ok = False
    if reviewed is None or not ok:
        sample_path.parent.mkdir(parents=True, exist_ok=True)
        with sample_path.open("w", encoding="utf-8") as fh:
            for key, (r, fs) in zip(keys, sample, strict=True):
                fh.write(
                    json.dumps(
                        {
                            "key": key,
                            "text": r["text"],
                            "findings": [
                                {
                                    "rule": f.rule,
                                    "category": f.category,
                                    "severity": f.severity,
                                    "span": f.text,
                                }
                                for f in fs
                            ],
                            "correct": None,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        print(f"wrote {len(sample)} sampled flags to {sample_path} (seed {seed})")

    n = len(rows)
    out = [
        f"Real agent turns: {n:,} (cs_dialogues.jsonl, role agent, non-empty); "
        f"{elapsed:.2f} s\n",
        f"- flagged: {len(flagged):,} ({len(flagged) / n:.2%}); "
        f"with a block finding: {blocked:,} ({blocked / n:.2%})",
    ]
    if per_cat:
        out.append(
            "- by category (turns): "
            + ", ".join(
                f"{c} {k}"
                for c, k in sorted(per_cat.items(), key=lambda x: (-x[1], x[0]))
            )
        )
        out.append(
            "- top rules (turns): "
            + ", ".join(f"{c} {k}" for c, k in per_rule.most_common(10))
        )
    out.append(f"- review sample: {len(sample)} flagged turns, seed {seed}")
    if reviewed is not None and ok and sample:
        prec = reviewed / len(sample)
        out.append(
            f"- reviewed by hand: {reviewed}/{len(sample)} flags correct, "
            f"precision {prec:.2f} (target >= 0.9: {met(prec >= 0.9)})"
        )
    return "\n".join(out), ok


# --- recording ---------------------------------------------------------------------
def record(title: str, body: str, checker: str) -> None:
    exe = Path(os.path.abspath(sys.executable))
    py = str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else exe.name
    cmd = " ".join([py, *(shlex.quote(a) for a in sys.argv)])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    module, attr, kwargs = CHECKERS[checker]
    if kwargs:
        attr += "(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    section = (
        f"\n## {title} ({stamp})\n\n"
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}; load average {load:.2f}\n"
        f"- Checker: `{module}.{attr}`\n"
        f"- Command: `{cmd}`\n\n{body}\n"
    )
    path = ROOT / "docs" / "benchmarks.md"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(section)
    print(f"appended to {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--checker", choices=sorted(CHECKERS), default="check")
    ap.add_argument("--show-errors", action="store_true", help="list misses and FPs")
    ap.add_argument("--real", action="store_true", help="agent turns of cs_dialogues")
    ap.add_argument("--real-path", type=Path, default=REAL)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--sample-out", type=Path, default=OUT / "speech_real_sample.jsonl")
    ap.add_argument(
        "--reviewed-correct",
        type=int,
        metavar="N",
        help="with --real: N of the sampled flags were judged correct by hand",
    )
    ap.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="all",
        help="dev: tune rules on it; test: held out, never tuned on",
    )
    ap.add_argument(
        "--ids-contains",
        metavar="S",
        help="only rows whose id contains S (e.g. -r4- for one fresh batch)",
    )
    ap.add_argument("--record", action="store_true", help="append to benchmarks.md")
    args = ap.parse_args(argv)

    check = load_checker(args.checker)
    if check is None:
        return 0

    if args.real:
        if not args.real_path.is_file():
            print(f"missing: {args.real_path}; nothing to measure")
            return 0
        body, ok = run_real(
            args.real_path, check, args.seed, args.sample_out, args.reviewed_correct
        )
        print(body)
        if args.record and ok:
            record("Speech checker on real agent turns", body, args.checker)
        return 0 if ok else 2

    if args.reviewed_correct is not None:
        ap.error("--reviewed-correct needs --real")
    rows = read_set(args.data)
    if args.split != "all":
        rows = [r for r in rows if r.get("split") == args.split]
    subset = ""
    if args.ids_contains:
        rows = [r for r in rows if args.ids_contains in str(r.get("id", ""))]
        subset = f", ids containing {args.ids_contains!r}"
        if not rows:
            print(f"no rows on split {args.split}{subset}")
            return 1
    body, summary = evaluate(rows, check)
    body = f"Split: {args.split}{subset} ({len(rows)} utterances)\n\n{body}"
    print(body)
    if args.show_errors:
        for title, key in (
            ("Missed violations", "misses"),
            ("False positives on ok rows", "false_pos"),
            ("Violations flagged, but not with a gold category", "wrong_cat"),
        ):
            items = summary[key]
            print(f"\n{title} ({len(items)}):")
            for item in items:
                print(f"- {item}")
    if args.record:
        record("Speech checker on the labelled set", body, args.checker)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
