"""PII detection accuracy: complydesk and its peers, side by side in one run.

Sets:
  synth    our labelled synthetic Chinese customer-service corpus (bench/pii_synth.py,
           generated in memory), all 14 labels, with hard negatives;
  ner      public NER sets, PERSON and ADDRESS only (cluener_dev, msra_test,
           peoples_daily_test, weibo_ner_test, resume_ner_test);
  vectors  ID-number / USCC test vectors (detection rate on valid values, false
           positives on invalid ones) and Presidio's own test cases with spans.

Matching: *exact* = same label and same span.  *Overlap*: a prediction counts
as correct if it overlaps a gold span of the same label (precision), a gold span
counts as found if a prediction of the same label overlaps it (recall).  Micro
scores pool every label of the set; "own-label" micro pools only the labels the
system can produce at all (so a peer without e.g. QQ support is not charged for it).

    .venv/bin/python bench/pii_eval.py --peers none          # complydesk only
    .venv-bench/bin/python bench/pii_eval.py --peers all --record
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_peers import (  # noqa: E402
    ALL_LABELS,
    PEER_NAMES,
    System,
    load_systems,
    make_complydesk,
    parse_peers,
)
from pii_synth import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
NER_SETS = [
    "cluener_dev",
    "msra_test",
    "peoples_daily_test",
    "weibo_ner_test",
    "resume_ner_test",
]
NER_LABELS = ("PERSON", "ADDRESS")
HARD_KINDS = [
    "order",
    "luhn",
    "bad_id",
    "bad_id_date",
    "hotline",
    "amount",
    "when",
    "code",
    "product",
    "company",
    "staff",
    "tracking",
    "tail4",
]


# --- scoring -----------------------------------------------------------------
class Counts:
    __slots__ = ("gold", "pred", "tp_exact", "tp_ov_p", "tp_ov_r")

    def __init__(self) -> None:
        self.gold = self.pred = self.tp_exact = self.tp_ov_p = self.tp_ov_r = 0

    def add(self, o: Counts) -> None:
        for k in self.__slots__:
            setattr(self, k, getattr(self, k) + getattr(o, k))

    def prf(self, overlap: bool = True) -> tuple[float, float, float]:
        tp_p = self.tp_ov_p if overlap else self.tp_exact
        tp_r = self.tp_ov_r if overlap else self.tp_exact
        p = tp_p / self.pred if self.pred else (1.0 if not self.gold else 0.0)
        r = tp_r / self.gold if self.gold else (1.0 if not self.pred else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_doc(gold, pred, labels, counts: dict[str, Counts]) -> None:
    """Adds one document's gold/pred spans [(label, s, e)] into per-label counts."""
    for label in labels:
        g = [(s, e) for lab, s, e in gold if lab == label]
        p = {(s, e) for lab, s, e in pred if lab == label}
        c = counts[label]
        c.gold += len(g)
        c.pred += len(p)
        c.tp_exact += len(p & set(g))
        c.tp_ov_p += sum(any(s < ge and gs < e for gs, ge in g) for s, e in p)
        c.tp_ov_r += sum(any(s < ge and gs < e for s, e in p) for gs, ge in g)


def micro(counts: dict[str, Counts], labels) -> Counts:
    total = Counts()
    for label in labels:
        total.add(counts[label])
    return total


def f3(x: float) -> str:
    return f"{x:.3f}"


def cell(c: Counts, overlap: bool = True) -> str:
    p, r, f = c.prf(overlap)
    return f"{f:.3f} ({p:.2f}/{r:.2f})"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def run_system(system: System, texts: list[str]) -> tuple[list[list], float]:
    t0 = time.perf_counter()
    preds = [system.detect(t) for t in texts]
    return preds, time.perf_counter() - t0


# --- sets ----------------------------------------------------------------------
def eval_synth(systems: list[System], n: int, seed: int) -> str:
    rows, names = generate(n, seed)
    texts = [r["text"] for r in rows]
    golds = [[(e["label"], e["start"], e["end"]) for e in r["entities"]] for r in rows]
    out = [
        f"### Synthetic customer-service corpus ({len(rows)} sentences, seed {seed}, "
        f"names: {names}, {sum(map(len, texts)):,} chars)"
    ]
    summary, per_label, hard, card = [], defaultdict(list), [], []
    present = [
        lab for lab in ALL_LABELS if any(g[0] == lab for gs in golds for g in gs)
    ]
    # "{surname}先生/女士" slots are neutral: flagging them is neither right nor
    # wrong, so a finding that overlaps one and no gold span is not scored.
    neutral = [
        [(n["start"], n["end"]) for n in r["negatives"] if n["kind"] == "surname"]
        for r in rows
    ]
    for sysm in systems:
        crashes0 = sysm.crashes
        preds, secs = run_system(sysm, texts)
        preds = [
            [
                (lab, s, e)
                for lab, s, e in p
                if not (
                    any(s < ne and ns < e for ns, ne in nz)
                    and not any(s < ge and gs < e for _, gs, ge in g)
                )
            ]
            for p, g, nz in zip(preds, golds, neutral, strict=True)
        ]
        counts: dict[str, Counts] = defaultdict(Counts)
        for g, p in zip(golds, preds, strict=True):
            score_doc(g, p, present, counts)
        mc = micro(counts, present)
        own = micro(counts, [lab for lab in present if lab in sysm.labels])
        summary.append(
            [
                sysm.name,
                *map(f3, mc.prf()),
                f3(mc.prf(False)[2]),
                f3(own.prf()[2]),
                str(sysm.crashes - crashes0),
                f"{secs:.1f}",
            ]
        )
        for lab in present:
            per_label[lab].append(cell(counts[lab]) if lab in sysm.labels else "–")
        # hard negatives: share of negative slots overlapped by any finding
        hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        card_fp_luhn = 0
        for r, p in zip(rows, preds, strict=True):
            for neg in r["negatives"]:
                h = hits[neg["kind"]]
                h[1] += 1
                ov = [lab for lab, s, e in p if s < neg["end"] and neg["start"] < e]
                h[0] += bool(ov)
                if neg["kind"] in ("order", "luhn") and "BANK_CARD" in ov:
                    card_fp_luhn += 1
        hard.append(hits)
        bc = counts["BANK_CARD"]
        card.append(
            [
                sysm.name,
                str(bc.gold),
                str(bc.pred),
                str(bc.tp_ov_p),
                str(card_fp_luhn),
                f3(bc.prf()[0]),
                f3(bc.prf()[1]),
            ]
            if "BANK_CARD" in sysm.labels
            else [sysm.name, str(bc.gold), "–", "–", "–", "–", "–"]
        )
    out.append(
        md_table(
            [
                "system",
                "micro P (overlap)",
                "micro R",
                "micro F1",
                "micro F1 (exact)",
                "own-label micro F1",
                "crashes",
                "seconds",
            ],
            summary,
        )
    )
    out.append("\nPer label, overlap F1 (P/R); – = the system has no such label:\n")
    out.append(
        md_table(
            ["label", "support"] + [s.name for s in systems],
            [
                [
                    lab,
                    str(sum(g[0] == lab for gs in golds for g in gs)),
                    *per_label[lab],
                ]
                for lab in present
            ],
        )
    )
    out.append(
        "\nBank cards against Luhn-valid 16-19-digit order/tracking/invoice numbers "
        "(`order` with context, `luhn` mixed/no context):\n"
    )
    out.append(
        md_table(
            [
                "system",
                "gold cards",
                "predicted",
                "correct",
                "on Luhn-valid non-cards",
                "precision",
                "recall",
            ],
            card,
        )
    )
    out.append(
        "\nHard negatives: share of negative slots overlapped by any finding "
        "(lower is better):\n"
    )
    kinds = [k for k in HARD_KINDS if k in hard[0]] if hard else []
    out.append(
        md_table(
            ["negative kind", "slots"] + [s.name for s in systems],
            [
                [k, str(hard[0][k][1]), *(f"{h[k][0] / h[k][1]:.2f}" for h in hard)]
                for k in kinds
            ],
        )
    )
    out.append(
        "\n`bad_id`: ID numbers with a wrong check digit; `bad_id_date`: right "
        "check digit, impossible date. `X先生/女士` (surname only) slots are "
        "neutral and not scored."
    )
    return "\n".join(out)


def load_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


def eval_ner(systems: list[System], data: Path, limit: int | None) -> str:
    overlap = {lab: [] for lab in NER_LABELS}
    exact = {lab: [] for lab in NER_LABELS}
    sizes = []
    for name in NER_SETS:
        path = data / f"{name}.jsonl"
        if not path.exists():
            print(f"missing {path}: skipped")
            continue
        rows = load_jsonl(path, limit)
        texts = [r["text"] for r in rows]
        golds = [
            [
                (e["label"], e["start"], e["end"])
                for e in r["entities"]
                if e["label"] in NER_LABELS
            ]
            for r in rows
        ]
        sizes.append(f"{name} {len(rows)} sents")
        res = []
        for sysm in systems:
            preds, _ = run_system(sysm, texts)
            counts: dict[str, Counts] = defaultdict(Counts)
            for g, p in zip(golds, preds, strict=True):
                score_doc(g, p, NER_LABELS, counts)
            res.append((sysm, counts))
        for lab in NER_LABELS:
            support = sum(g[0] == lab for gs in golds for g in gs)
            overlap[lab].append(
                [name, str(support)]
                + [cell(c[lab]) if lab in s.labels else "–" for s, c in res]
            )
            exact[lab].append(
                [name, str(support)]
                + [f3(c[lab].prf(False)[2]) if lab in s.labels else "–" for s, c in res]
            )
    out = [
        "### Public NER sets, PERSON and ADDRESS (" + ", ".join(sizes) + ")",
        "MSRA/People's Daily/Resume LOC and Weibo LOC/GPE are place names mapped to "
        "ADDRESS, not postal addresses: ADDRESS recall there measures place-name "
        "coverage. `complydesk` is the default detector (postal addresses and "
        "places a cue ties to a person: 我在青岛, 籍贯浙江宁波); `complydesk --places` "
        "also reports bare place names (`pii detect --places`, `places: true`).",
    ]
    head = ["set", "support"] + [s.name for s in systems]
    for lab in NER_LABELS:
        out.append(f"\n{lab}, overlap F1 (P/R):\n")
        out.append(md_table(head, overlap[lab]))
        out.append(f"\n{lab}, exact-span F1:\n")
        out.append(md_table(head, exact[lab]))
    return "\n".join(out)


def eval_vectors(systems: list[System], data: Path) -> str:
    vdir = data / "vectors"
    out = ["### Test vectors"]
    ric = load_jsonl(vdir / "cn_ric_stdnum.jsonl") + load_jsonl(
        vdir / "cn_ric_id_validator.jsonl"
    )
    uscc = load_jsonl(vdir / "cn_uscc_stdnum.jsonl")
    frames = {
        "CN_ID_CARD": ("{v}", "我的身份证号码是{v}，请核实。"),
        "CN_USCC": ("{v}", "本公司统一社会信用代码：{v}，开票请用。"),
    }
    rows = []
    for label, vecs in (("CN_ID_CARD", ric), ("CN_USCC", uscc)):
        for frame in frames[label]:
            for valid in (True, False):
                sel = [v["value"] for v in vecs if v["valid"] is valid]
                line = [
                    label,
                    "bare" if frame == "{v}" else "in sentence",
                    "valid: detected" if valid else "invalid: flagged",
                    str(len(sel)),
                ]
                for sysm in systems:
                    if label not in sysm.labels:
                        line.append("–")
                        continue
                    hit = 0
                    for v in sel:
                        text = frame.format(v=v)
                        s0 = text.index(v)
                        hit += any(
                            lab == label and s < s0 + len(v) and s0 < e
                            for lab, s, e in sysm.detect(text)
                        )
                    line.append(f"{hit}/{len(sel)}")
                rows.append(line)
    out.append(
        md_table(["label", "context", "measure", "n"] + [s.name for s in systems], rows)
    )
    label_map = {
        "BANK_CARD": "BANK_CARD",
        "EMAIL": "EMAIL",
        "IP": "IP_ADDRESS",
        "PHONE": "PHONE",
    }
    prow = []
    for fname in (
        "presidio_credit_card",
        "presidio_email",
        "presidio_ip",
        "presidio_phone",
    ):
        cases = [c for c in load_jsonl(vdir / f"{fname}.jsonl") if c["spans_complete"]]
        golds = [
            [(label_map[e["label"]], e["start"], e["end"]) for e in c["entities"]]
            for c in cases
        ]
        label = label_map[cases[0]["entities"][0]["label"]] if golds[0] else None
        label = label or next(g[0][0] for g in golds if g)
        line = [fname, label, str(len(cases)), str(sum(map(len, golds)))]
        for sysm in systems:
            if label not in sysm.labels:
                line.append("–")
                continue
            counts: dict[str, Counts] = defaultdict(Counts)
            for c, g in zip(cases, golds, strict=True):
                score_doc(g, sysm.detect(c["text"]), [label], counts)
            line.append(cell(counts[label]))
        prow.append(line)
    out.append(
        "\nPresidio's own test cases (English text; cases whose spans are "
        "incomplete are left out; URL has no complydesk label), overlap F1 (P/R):\n"
    )
    out.append(
        md_table(
            ["file", "label", "cases", "gold spans"] + [s.name for s in systems], prow
        )
    )
    return "\n".join(out)


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"- Machine: nproc={os.cpu_count()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; "
        f"load average before the run {load:.2f} (shared machine)"
    )


def record(title: str, body: str, systems: list[System], machine: str = "") -> None:
    exe = Path(sys.executable)
    # a venv's python is a symlink: keep its own path, relative to the repo
    exe_abs = Path(os.path.abspath(exe))
    py = str(exe_abs.relative_to(ROOT)) if exe_abs.is_relative_to(ROOT) else exe.name
    cmd = " ".join([py, *(shlex.quote(a) for a in sys.argv)])
    vers = ", ".join(
        f"{s.name} {s.version}" + (f" ({'; '.join(s.notes)})" if s.notes else "")
        for s in systems
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"\n## {title} ({stamp})\n\n{machine or machine_line()}\n- Systems: {vers}\n"
        f"- Command: `{cmd}`\n\n{body}\n"
    )
    path = ROOT / "docs" / "benchmarks.md"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(section)
    print(f"appended to {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--peers",
        default="all",
        help=f"none, all, or a comma list of {', '.join(PEER_NAMES)}",
    )
    ap.add_argument("--sets", default="synth,ner,vectors")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=2400, help="synthetic sentences")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="max sentences per NER set")
    ap.add_argument(
        "--record", action="store_true", help="append to docs/benchmarks.md"
    )
    args = ap.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not args.data.is_dir():
        print(f"shared/eval not found: {args.data}")
        if sets != ["synth"]:
            return 0
    machine = machine_line()
    systems = load_systems(parse_peers(args.peers))
    parts = []
    for name in sets:
        t0 = time.perf_counter()
        if name == "synth":
            part = eval_synth(systems, args.n, args.seed)
        elif name == "ner":
            # The NER sets label every city as ADDRESS: show the --places
            # mode beside the default one (which reports only places a cue
            # ties to a person).
            with_places = [systems[0], make_complydesk(places=True), *systems[1:]]
            part = eval_ner(with_places, args.data, args.limit)
        elif name == "vectors":
            part = eval_vectors(systems, args.data)
        else:
            raise SystemExit(f"unknown set {name!r}")
        print(part + f"\n\n({name}: {time.perf_counter() - t0:.1f} s)\n", flush=True)
        parts.append(part)
    crashes = [f"{s.name} {s.crashes}" for s in systems if s.crashes]
    if crashes:
        lines = ["Peer crashes caught (calls that raised): " + ", ".join(crashes)]
        lines += [f"- {s.name}: `{ex}`" for s in systems for ex in s.crash_examples]
        parts.append("\n".join(lines))
        print(parts[-1])
    if args.record:
        record("PII accuracy vs peers", "\n\n".join(parts), systems, machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
