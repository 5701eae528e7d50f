"""Rebuild src/complydesk/pii/data/divisions.txt from cpca's adcodes.csv.

cpca (MIT, https://github.com/DQinYuan/chinese_province_city_area_mapper) ships
the national administrative-division codes down to county level. We keep only
code, name and level; short forms are derived at load time (gazetteer.py).

    python -m pip download cpca==0.5.5 --no-deps -d /tmp/cpca
    unzip /tmp/cpca/cpca-0.5.5-py3-none-any.whl -d /tmp/cpca/x
    python bench/build_pii_data.py /tmp/cpca/x/cpca/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/complydesk/pii/data/divisions.txt"
HEADER = """\
# Chinese administrative divisions (province / prefecture / county level).
# Source: cpca 0.5.5 resources/adcodes.csv (PyPI), https://github.com/DQinYuan/
#   chinese_province_city_area_mapper, MIT License, Copyright (c) 2018 QinYuan Du.
# Derived by bench/build_pii_data.py: columns adcode(6) TAB name TAB level
#   (1 province, 2 prefecture, 3 county). Placeholder rows (市辖区...) dropped.
"""
SKIP = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def level(code: str) -> int:
    if code[2:6] == "0000":
        return 1
    if code[4:6] == "00":
        return 2
    return 3


def main(src: str) -> int:
    rows: list[tuple[str, str, int]] = []
    with open(src, encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            code, name = rec["adcode"][:6], rec["name"].strip()
            if name and name not in SKIP:
                rows.append((code, name, level(code)))
    rows.sort()
    lines = [f"{code}\t{name}\t{lvl}" for code, name, lvl in rows]
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} divisions to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
