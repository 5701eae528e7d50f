"""Speed (chars/s) and a findings dump of the structured recognizers on real text.

Usage: python bench/pii_structured_speed.py [DIALOGUES.jsonl] [--dump N]
Runs only contact/ids/finance/network/vehicle (person/address excluded), then
the full built-in Detector for comparison.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from complydesk.pii.detect import Detector
from complydesk.pii.recognizers import contact, finance, ids, network, vehicle
from complydesk.pii.registry import Registry

DEFAULT = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "eval"
    / "cs_dialogues.jsonl"
)


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv and not argv[0].startswith("--") else DEFAULT
    dump = int(argv[argv.index("--dump") + 1]) if "--dump" in argv else 0
    with path.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    chars = sum(map(len, texts))
    modules = (contact, ids, finance, network, vehicle)
    mine = Detector(Registry([r for m in modules for r in m.RECOGNIZERS]))
    for name, detector in (("structured", mine), ("full", Detector())):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            found = sum(len(detector.detect(t)) for t in texts)
            best = min(best, time.perf_counter() - start)
        rate = chars / best / 1e6
        print(f"{name:10s} {chars} chars {best * 1000:.0f} ms {rate:.2f} M chars/s")
        print(f"{'':10s} {found} entities")
    for text in texts[:dump]:
        for e in mine.detect(text):
            ctx = text[max(0, e.start - 10) : e.end + 6].replace("\n", " ")
            print(f"{e.label:14s} {e.score:.2f} {e.text!r:24s} …{ctx}…")


if __name__ == "__main__":
    main(sys.argv[1:])
