"""Check that a speed change to complydesk.pii changed no detection.

Dumps every detection of a source tree on many texts, then compares two
dumps. Use it around any hot-path change: copy the current tree first, edit,
dump both, compare.

    cp -r src/complydesk /tmp/pii_before/
    .venv-bench/bin/python bench/pii_same.py dump /tmp/pii_before /tmp/before.pkl
    .venv-bench/bin/python bench/pii_same.py dump src /tmp/after.pkl
    .venv-bench/bin/python bench/pii_same.py compare /tmp/before.pkl /tmp/after.pkl

Texts: the helpdesk dialogues (as given, width-unfolded to full-width, and
concatenated in pairs), the synthetic corpus (two seeds, also full-width),
every public NER set and the validator vectors in ../shared/eval. Detectors:
the default, threshold 0, and threshold 0 with bare names, bare places and an
allowlist; plus each built-in recognizer's own `find()` on three corpora.
Needs ../shared/eval; about 30 s per dump.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path
from typing import Any

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
NER = [
    "cluener_dev",
    "cluener_train",
    "msra_test",
    "peoples_daily_dev",
    "peoples_daily_test",
    "resume_ner_dev",
    "resume_ner_test",
    "resume_ner_train",
    "weibo_ner_dev",
    "weibo_ner_test",
    "weibo_ner_train",
]
# ASCII -> full-width forms (and space -> ideographic space).
WIDE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}


def _texts(name: str) -> list[str]:
    with (EVAL / name).open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def corpora() -> dict[str, list[str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pii_synth import generate

    out: dict[str, list[str]] = {}
    cs = _texts("cs_dialogues.jsonl") + _texts("cs_dialogues_mobilecs_example.jsonl")
    out["cs"] = cs
    out["cs_wide"] = [t.translate(WIDE) for t in cs[::3]]
    out["cs_pairs"] = [cs[i] + cs[i + 1] for i in range(0, len(cs) - 1, 2)]
    synth = [r["text"] for r in generate(2400, 7)[0]]
    synth += [r["text"] for r in generate(2400, 11, use_faker=False)[0]]
    out["synth"] = synth
    out["synth_wide"] = [t.translate(WIDE) for t in synth[::2]]
    out["ner"] = [t for name in NER for t in _texts(f"{name}.jsonl")]
    vectors = []
    for path in sorted((EVAL / "vectors").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                vectors += [
                    row[k] for k in ("text", "value") if isinstance(row.get(k), str)
                ]
    out["vectors"] = vectors
    return out


def dump(src: Path, out_path: Path) -> None:
    sys.path.insert(0, str(src.resolve()))
    import complydesk
    from complydesk.pii.detect import Detector
    from complydesk.pii.recognizers.address import AddressRecognizer
    from complydesk.pii.recognizers.person import PersonRecognizer
    from complydesk.pii.registry import Registry
    from complydesk.pii.text import Doc

    print(f"complydesk from {Path(complydesk.__file__).parent}")
    wide_open = []
    for r in Registry.builtin().recognizers:
        if r.name == "address_cn":
            r = AddressRecognizer(report_places=True)
        elif r.name == "person_cn":
            r = PersonRecognizer(bare_names=True)
        wide_open.append(r)
    detectors = {
        "default": Detector(),
        "t0": Detector(threshold=0.0),
        "places_bare": Detector(
            Registry(wide_open, frozenset({"4008123456", "10086"})), threshold=0.0
        ),
    }

    def rows(entities: Any) -> list[tuple[Any, ...]]:
        return [
            (e.label, e.start, e.end, e.text, e.score, e.recognizer) for e in entities
        ]

    texts = corpora()
    result: dict[tuple[str, str], list[list[tuple[Any, ...]]]] = {}
    for cname, items in texts.items():
        for dname, det in detectors.items():
            result[(cname, dname)] = [rows(det.detect(t)) for t in items]
        print(f"  {cname}: {len(items):,} texts")
    for recognizer in Registry.builtin().recognizers:
        for cname in ("cs", "synth", "cs_wide"):
            result[(cname, f"find:{recognizer.name}")] = [
                rows(recognizer.find(Doc(t))) for t in texts[cname]
            ]
    with out_path.open("wb") as fh:
        pickle.dump(result, fh)


def compare(a_path: Path, b_path: Path) -> int:
    with a_path.open("rb") as fh:
        a = pickle.load(fh)
    with b_path.open("rb") as fh:
        b = pickle.load(fh)
    if a.keys() != b.keys():
        print(f"different runs: {sorted(set(a) ^ set(b))}")
        return 1
    bad = total = 0
    for key, before in a.items():
        for i, (x, y) in enumerate(zip(before, b[key], strict=True)):
            total += len(x)
            if x != y:
                bad += 1
                if bad <= 10:
                    print(f"DIFF {key} text {i}:\n  {x}\n  {y}")
    print(f"{len(a)} runs, {total:,} detections, {bad} texts differ")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="SRC (the directory holding complydesk/) OUT")
    d.add_argument("src", type=Path)
    d.add_argument("out", type=Path)
    c = sub.add_parser("compare", help="BEFORE.pkl AFTER.pkl")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    if not EVAL.exists():
        print(f"shared/eval not found: {EVAL}")
        return 0
    if args.cmd == "dump":
        dump(args.src, args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
