"""Administrative-division gazetteer for address detection.

Loads data/divisions.txt (derived from cpca, MIT) into dicts keyed by name:
full names for every level plus the short forms people write (济南 for
济南市, 广西 for 广西壮族自治区, 浦东 for 浦东新区). County short forms are
only trusted right after a higher division ("深圳龙岗"), because many are
ordinary words on their own (白云, 和平, 长安).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_PROVINCE_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市")
_COUNTY_SUFFIXES = (
    "自治县",
    "自治旗",
    "新区",
    "林区",
    "特区",
    "矿区",
    "市",
    "县",
    "区",
    "旗",
)
_ETHNIC = tuple(
    "土家 苗族 藏族 彝族 蒙古 哈萨克 朝鲜族 白族 傣族 景颇 傈僳 布依 侗族"
    " 壮族 回族 哈尼 柯尔克孜 羌族 黎族 满族 瑶族 畲族 仫佬 毛南 仡佬 水族"
    " 纳西 拉祜 佤族 普米 怒族 独龙 达斡尔 鄂温克 鄂伦春 锡伯 撒拉 保安"
    " 东乡 裕固 土族 各族 塔吉克 维吾尔 基诺 阿昌 布朗".split()
)
# Short forms that are ordinary words or other things first.
_NOT_SHORT = frozenset(
    "城区 郊区 新区 矿区 开发 高新 中心 市中 城关 城中 城东 城西 城南 城北".split()
)


@dataclass(frozen=True)
class Division:
    name: str
    level: int  # 1 province, 2 prefecture, 3 county
    short: bool  # a short form, not the official name


def _short(name: str, level: int) -> str | None:
    suffixes = (_PROVINCE_SUFFIXES, _CITY_SUFFIXES, _COUNTY_SUFFIXES)[level - 1]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            base = name[: -len(suffix)]
            if suffix.startswith("自治") and len(base) > 2:
                # 延边朝鲜族自治州 -> 延边; 恩施土家族苗族自治州 -> 恩施
                cuts = [i for e in _ETHNIC if (i := base.find(e)) >= 2]
                base = base[: min(cuts)] if cuts else base
            return base if len(base) >= 2 and base not in _NOT_SHORT else None
    return None


@cache
def divisions() -> tuple[dict[str, Division], dict[str, Division]]:
    """(anchors, county short forms). Anchors: full names + province/city short."""
    text = files("complydesk.pii").joinpath("data", "divisions.txt").read_text("utf-8")
    anchors: dict[str, Division] = {}
    county_short: dict[str, Division] = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        _, name, lvl = line.split("\t")
        level = int(lvl)
        if name in _NOT_SHORT:
            continue  # 城区, 郊区, 矿区: real county names, but words first
        anchors.setdefault(name, Division(name, level, False))
        short = _short(name, level)
        if short is None:
            continue
        if level < 3:
            anchors.setdefault(short, Division(short, level, True))
        else:
            county_short.setdefault(short, Division(short, level, True))
    return anchors, county_short


Trie = dict[str, "Trie"]


def trie_pattern(words: list[str]) -> str:
    """A regex alternation factored as a prefix trie (much faster than a flat one)."""
    trie: Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: Trie) -> str:
        end = "" in node
        parts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)
