"""Train the cue-less Chinese name scorer shipped as data/person_model.tsv.

Candidates are the spans the recognizer scores at run time (complydesk.pii.
recognizers.person): a known surname (single or compound) followed by one or
two plausible given-name characters.  A candidate is positive when it is
exactly a PERSON span of the training data, otherwise negative.  Features are
all table look-ups (surname, given characters by position, left/right context
characters and bigrams, span length, and binned counts of the span's n-grams
as ordinary non-name text), so the scorer at run time is a sum of dict
lookups and one sigmoid.

Training data (public TRAIN/DEV splits only, ../shared/eval beside the repo):
  cluener_train, weibo_ner_train + weibo_ner_dev, resume_ner_train +
  resume_ner_dev, peoples_daily_dev.
Never the sets bench/pii_eval.py reports (cluener_dev, msra_test,
peoples_daily_test, weibo_ner_test, resume_ner_test).

A fixed, hash-free split (every 5th sentence, per set) is held out to choose
the regularisation and the threshold (mean overlap F1 over the held-out part
of each set); the shipped model is then refit on everything with those.

    .venv-bench/bin/python bench/train_person_model.py            # train + write
    .venv-bench/bin/python bench/train_person_model.py --dry-run  # dev F1 only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# One definition of the context buckets for training and inference.
from complydesk.pii.names import char_class, is_cjk, surname_rank  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
OUT = ROOT / "src" / "complydesk" / "pii" / "data" / "person_model.tsv"
SETS = {
    "cluener": ["cluener_train"],
    "weibo": ["weibo_ner_train", "weibo_ner_dev"],
    "resume": ["resume_ner_train", "resume_ner_dev"],
    "peoples_daily": ["peoples_daily_dev"],
}
LICENCES = (
    "CLUENER2020 train (research/benchmark use; arXiv:2001.04351); "
    "Weibo NER 2nd train+dev (annotations CC BY-SA 3.0); "
    "Resume NER train+dev (research use; Zhang & Yang, ACL 2018); "
    "People's Daily NER dev (research use)"
)
SEED = 13
MIN_GIVEN = 1  # a given-name character must occur this often in training names
MIN_GIVEN_RATE = float(os.environ.get("GR", "0.0"))
# ... and be a given-name character in at least this share of its occurrences
# (drops 是/不/我/为, which make many candidates and almost no names)
MIN_CTX = 15  # context characters/bigrams seen this often get their own weight
MIN_NGRAM = 3  # non-name n-gram counts below this are not shipped (bin 0)
FOLDS = 4  # cross-fitting of the n-gram counts


def load(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def persons(row: dict) -> set[tuple[int, int]]:
    return {(e["start"], e["end"]) for e in row["entities"] if e["label"] == "PERSON"}


def masked(row: dict) -> str:
    """The text with PERSON spans blanked: n-gram counts are non-name counts."""
    chars = list(row["text"])
    for s, e in persons(row):
        for k in range(s, e):
            chars[k] = "\0"
    return "".join(chars)


def ngram_counts(rows: list[dict]) -> Counter[str]:
    c: Counter[str] = Counter()
    for row in rows:
        t = masked(row)
        for n in (2, 3):
            for k in range(len(t) - n + 1):
                g = t[k : k + n]
                if "\0" not in g and all(map(is_cjk, g)):
                    c[g] += 1
    return c


def nbin(count: float) -> int:
    if count < MIN_NGRAM:
        return 0
    return 1 if count < 10 else 2 if count < 40 else 3


def candidates(
    text: str, single: set[str], compound: set[str], given: set[str]
) -> Iterator[tuple[int, int, int]]:
    """(start, end, surname length) for every candidate span (see person.py)."""
    n = len(text)
    for i in range(n - 1):
        ch = text[i]
        if text[i : i + 2] in compound and i + 2 < n and text[i + 2] in given:
            yield i, i + 3, 2
            if i + 3 < n and text[i + 3] in given:
                yield i, i + 4, 2
        if ch in single and text[i + 1] in given:
            yield i, i + 2, 1
            if i + 2 < n and text[i + 2] in given:
                yield i, i + 3, 1


def features(
    text: str, s: int, e: int, slen: int, ngr: Counter[str] | dict[str, float]
) -> dict[str, float]:
    sur = text[s : s + slen]
    given = text[s + slen : e]
    left = text[s - 1] if s else ""
    right = text[e] if e < len(text) else ""
    f = {"b": 1.0, "s=" + sur: 1.0, f"n={len(given)}": 1.0}
    if len(given) == 1:
        f["g=" + given] = 1.0
    else:
        f["a=" + given[0]] = 1.0
        f["z=" + given[1]] = 1.0
        f[f"wgg{nbin(ngr.get(given, 0))}"] = 1.0  # 李明天 -> 明天
    f["L=" + left] = 1.0
    f["l=" + char_class(left)] = 1.0
    f["R=" + right] = 1.0
    f["r=" + char_class(right)] = 1.0
    if s >= 2:
        f["LL=" + text[s - 2 : s]] = 1.0
    if e + 2 <= len(text):
        f["RR=" + text[e : e + 2]] = 1.0
    f[f"ws{len(given)}{nbin(ngr.get(text[s : s + slen + 1], 0))}"] = 1.0
    if len(given) == 2 and slen == 1:
        f[f"wt{nbin(ngr.get(text[s:e], 0))}"] = 1.0
    f[f"wr{nbin(ngr.get(text[e - 1] + right, 0))}"] = 1.0  # runs into a word
    f[f"wl{nbin(ngr.get(left + text[s], 0))}"] = 1.0  # surname ends a word
    return f


def build(rows, single, compound, given, ngr_for):
    """Feature dicts, labels, and (row index, start, end, slen) per candidate."""
    feats, ys, where = [], [], []
    for ri, row in enumerate(rows):
        text, gold = row["text"], persons(row)
        ngr = ngr_for(ri)
        for s, e, slen in candidates(text, single, compound, given):
            feats.append(features(text, s, e, slen, ngr))
            ys.append(1 if (s, e) in gold else 0)
            where.append((ri, s, e))
    return feats, np.array(ys), where


def prune(feats: list[dict[str, float]], keep: set[str]) -> list[dict[str, float]]:
    return [{k: v for k, v in f.items() if k in keep} for f in feats]


def decode(where, probs, thr: float) -> dict[int, list[tuple[int, int]]]:
    """Best candidate per start above `thr`, then greedy left-to-right."""
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for (ri, s, e), p in zip(where, probs, strict=True):
        if p >= thr and p > best.get((ri, s), (-1.0, 0))[0]:
            best[(ri, s)] = (p, e)
    out: dict[int, list[tuple[int, int, float]]] = {}
    for (ri, s), (p, e) in sorted(best.items()):
        spans = out.setdefault(ri, [])
        if spans and s < spans[-1][1]:
            if p > spans[-1][2]:
                spans[-1] = (s, e, p)
            continue
        spans.append((s, e, p))
    return {ri: [(s, e) for s, e, _ in v] for ri, v in out.items()}


def overlap_f1(rows, pred: dict[int, list[tuple[int, int]]]) -> tuple[float, ...]:
    tp_p = tp_r = npred = ngold = 0
    for ri, row in enumerate(rows):
        g = persons(row)
        p = pred.get(ri, [])
        npred += len(p)
        ngold += len(g)
        tp_p += sum(any(s < ge and gs < e for gs, ge in g) for s, e in p)
        tp_r += sum(any(s < ge and gs < e for s, e in p) for gs, ge in g)
    pr = tp_p / npred if npred else 0.0
    rc = tp_r / ngold if ngold else 0.0
    return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    np.random.seed(SEED)
    ranks = surname_rank()
    single = {k for k in ranks if len(k) == 1}
    compound = {k for k in ranks if len(k) == 2}

    rows_by_set = {k: [r for n in v for r in load(n)] for k, v in SETS.items()}
    train = {k: [r for i, r in enumerate(v) if i % 5] for k, v in rows_by_set.items()}
    dev = {k: [r for i, r in enumerate(v) if not i % 5] for k, v in rows_by_set.items()}

    def given_set(rows: list[dict]) -> set[str]:
        c: Counter[str] = Counter()
        for row in rows:
            for s, e in persons(row):
                t = row["text"][s:e]
                slen = 2 if t[:2] in compound else 1
                if t[:slen] in ranks and 1 <= len(t) - slen <= 2:
                    c.update(ch for ch in t[slen:] if is_cjk(ch))
        text: Counter[str] = Counter()
        for row in rows:
            text.update(row["text"])
        return {
            ch
            for ch, n in c.items()
            if n >= MIN_GIVEN and n >= MIN_GIVEN_RATE * text[ch]
        }

    def fit(rows: list[dict], c_reg: float):
        given = given_set(rows)
        # cross-fitted n-gram counts: each row sees counts from the other folds
        folds = [ngram_counts(rows[f::FOLDS]) for f in range(FOLDS)]
        total: Counter[str] = Counter()
        for fc in folds:
            total.update(fc)
        scale = FOLDS / (FOLDS - 1)
        out_fold = {}
        for f in range(FOLDS):
            o = total.copy()
            o.subtract(folds[f])
            out_fold[f] = {k: v * scale for k, v in o.items() if v * scale >= MIN_NGRAM}
        feats, y, _ = build(
            rows, single, compound, given, lambda ri: out_fold[ri % FOLDS]
        )
        ctx: Counter[str] = Counter(
            k for f in feats for k in f if k[:2] in ("L=", "R=", "LL", "RR")
        )
        keep = {k for f in feats for k in f if k[:2] not in ("L=", "R=", "LL", "RR")}
        keep |= {k for k, n in ctx.items() if n >= MIN_CTX}
        vec = DictVectorizer()
        x = vec.fit_transform(prune(feats, keep))
        model = LogisticRegression(C=c_reg, max_iter=3000, fit_intercept=False)
        model.fit(x, y)
        weights = dict(zip(vec.get_feature_names_out(), model.coef_[0], strict=True))
        return weights, given, total

    def score(rows, weights, given, ngr):
        feats, _, where = build(rows, single, compound, given, lambda _ri: ngr)
        z = np.array(
            [sum(weights.get(k, 0.0) * v for k, v in f.items()) for f in feats]
        )
        return where, 1 / (1 + np.exp(-z))

    thresholds = [round(t, 2) for t in np.arange(0.1, 0.7, 0.05)]
    best = (-1.0, 0.0, 0.0)
    all_train = [r for v in train.values() for r in v]
    for c_reg in (0.3, 1.0):
        weights, given, total = fit(all_train, c_reg)
        scored = {k: score(v, weights, given, total) for k, v in dev.items()}
        for thr in thresholds:
            f1s = {
                k: overlap_f1(dev[k], decode(w, p, thr)) for k, (w, p) in scored.items()
            }
            mean = sum(f[2] for f in f1s.values()) / len(f1s)
            if mean > best[0]:
                best = (mean, c_reg, thr)
        thr = best[2]
        print(
            f"C={c_reg}: best so far mean dev F1 {best[0]:.3f} (C={best[1]}, t={thr})"
        )
    mean, c_reg, thr = best
    weights, given, total = fit(all_train, c_reg)
    for k, v in dev.items():
        w, p = score(v, weights, given, total)
        pr, rc, f1 = overlap_f1(v, decode(w, p, thr))
        print(f"  dev {k:14s} F1 {f1:.3f} (P {pr:.2f} / R {rc:.2f})")
    print(f"chosen C={c_reg}, threshold={thr}, mean dev F1 {mean:.3f}")
    if args.dry_run:
        return 0
    everything = [r for v in rows_by_set.values() for r in v]
    weights, given, total = fit(everything, c_reg)
    write(args.out, weights, given, total, thr, len(everything))
    return 0


def write(path: Path, weights, given, total, thr: float, nrows: int) -> None:
    """TSV: `#` header lines, then `table<TAB>key<TAB>value` rows."""
    lines = [
        "# complydesk cue-less Chinese name scorer (logistic regression).",
        "# Written by bench/train_person_model.py; do not edit by hand.",
        f"# Trained on: {LICENCES}.",
        f"# {nrows} sentences. Only derived feature weights and binned n-gram",
        "# counts are stored here; no training sentence is.",
        f"meta\tthreshold\t{thr}",
    ]
    for k, v in sorted(weights.items()):
        if abs(v) < 0.01:
            continue
        table, key = k.split("=", 1) if "=" in k else ("f", k)
        lines.append(f"{table}\t{key}\t{v:.3f}")
    lines.append("given\t\t" + "".join(sorted(given)))
    firsts = set(given) | {k[0] for k in surname_rank()}
    surs = {k[-1] for k in surname_rank()}
    for g, c in sorted(total.items()):
        b = nbin(c)
        useful = g[0] in surs if len(g) == 3 else g[0] in firsts or g[1] in surs
        if b and useful:
            lines.append(f"ng\t{g}\t{b}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, {len(lines)} lines)")


if __name__ == "__main__":
    sys.exit(main())
