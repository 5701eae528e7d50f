"""Postal addresses: a gazetteer anchor or a road/estate suffix, then a
left-to-right walk over address parts (division, named part, number part).

One compiled regex finds anchors (division names as a prefix trie, plus
street-level suffixes such as 路/街/小区); everything else is a few
`re.match` calls at known positions and dict lookups, so there is no
segmenter on the hot path. A bare place name ("北京") is not a postal
address, but a place a cue ties to a person is personal information (我在青岛,
籍贯浙江宁波, "汉族，辽宁海城人"): those are reported. `report_places=True`
reports every place name at a low score, which is what the public NER sets
(that label cities as ADDRESS) expect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from complydesk.pii.anchors import Anchor, own_positions
from complydesk.pii.entity import Entity
from complydesk.pii.gazetteer import divisions, trie_pattern
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Recognizer
from complydesk.pii.text import Doc

_ADDRESS = Label.ADDRESS.value
# Characters that never sit inside a place name: particles, pronouns, verbs.
_STOP = (
    "的了是在和与及跟说给把被让对向从也都就还又很太不没有"
    "个们这那哪您你我他她它吗呢吧啊呀哦为于以而或但并且等址请到去来住该"
)
_NUM = "0-9一二三四五六七八九十百零〇两"
_NAMED_SUFFIX = (
    "街道|大街|大道|胡同|社区|小区|花园|家园|公寓|大厦|广场|新村|工业园|开发区|园区|商城"
    "|中心|大楼|宿舍|村委会|路|街|巷|弄|镇|乡|村|庄|苑|园|里|城|屯|寨|湾|坊|府|邸|居"
)
_NUMBER_PART = (
    rf"(?:[A-Za-z]?[{_NUM}]+(?:-[{_NUM}]+)*[A-Za-z]?"
    r"(?:号院|号楼|号|栋|幢|座|单元|室|楼|层|组|队|户|弄|巷|期|区|排|门)"
    rf"|[A-Za-z](?:栋|座|幢|区)|地下室|地下[{_NUM}]+层)"
)
# After 单元/楼 a bare room number: "1单元501".
_ROOM = re.compile(r"[0-9]{2,5}(?![0-9])")
# A division name glued to one of these is a road name (余姚路, 丰泽街).
_ROAD_CHARS = set("路街巷弄道胡")
_CUES = ("地址", "住址", "位于", "住在", "家住", "寄到", "送到", "在")
# Division names that are companies/products when glued to these words.
_ORG_AFTER = re.compile(
    "电信|联通|移动|银行|大学|公司|客服|分公司|啤酒|现代|卫视|电视|日报|晚报|医院|中学|小学|"
    "集团|队|籍|人民|话|方言|菜|口音|卡|号码|宽带|网|站|地区|大区|户口"
    "|公安|派出所|法院|检察院|政府|税务|工商|海关"
)


def _name_class() -> str:
    """[\u4e00-\u9fff] without the stop characters, as explicit ranges."""
    stops = sorted({ord(c) for c in _STOP})
    ranges, lo = [], 0x4E00
    for cp in stops:
        if cp > lo:
            ranges.append(f"{chr(lo)}-{chr(cp - 1)}")
        lo = cp + 1
    ranges.append(f"{chr(lo)}-\u9fff")
    return "[" + "".join(ranges) + "]"


_CH = _name_class()
_NAMED = re.compile(rf"{_CH}{{1,7}}?(?:{_NAMED_SUFFIX})(?:[东西南北中]路)?")
_NUMBERED = re.compile(_NUMBER_PART)
_LEFT = re.compile(rf"{_CH}{{1,6}}$")


_DIV_CHARS = frozenset("省市区县州盟旗")
# Building parts (8栋, 3幢, 1单元): an address may start at a short division
# name to their left that no 省/市/区 character announces (深圳龙岗桂芳园8栋).
_UNIT_CHARS = frozenset("栋幢元")
# Suffix character -> characters that may precede it in a longer suffix
# (道: 街道/大道, 园: 花园/家园/工业园); "" means the character alone is one.
_SFX: dict[str, str] = {
    "路": "",
    "街": "大",
    "巷": "",
    "镇": "",
    "乡": "",
    "村": "新",
    "道": "街大",
    "同": "胡",
    "园": "花家业",
    "寓": "公",
    "厦": "大",
    "区": "社小发",
}
# Suffix characters that start nothing on their own: 道 only in 街道/大道,
# 同 only in 胡同, 元 only in 单元 (知道, 同时, 100元 are most of them).
_PAIRED = {
    ch: b for ch, b in _SFX.items() if b and ch not in "街村" + "".join(_DIV_CHARS)
}
_PAIRED["元"] = "单"
# Words that tie the place after them to a person: where they live, are, come
# from or were born (PIPL treats a person's location and origin as personal
# information; "发往上海" or "上海仓" says nothing about anyone).
PERSON_PLACE_CUES = (
    "我在", "我人在", "我现在在", "人在", "住在", "家住", "家在", "老家在", "老家",
    "来自", "籍贯", "出生在", "户籍在", "户口在", "坐标", "现居",
    "居住在", "定居在", "定居", "我们在",
)  # fmt: skip


def _cue_ends(cues: tuple[str, ...]) -> str:
    """The cues by their last two characters, so one look-behind width fits
    them all ("[人们住…]在|[家]住|…"; 我人在 is found by its 人在)."""
    before: dict[str, set[str]] = {}
    for cue in cues:
        before.setdefault(cue[-1], set()).add(cue[-2])
    return "|".join(f"[{''.join(sorted(b))}]{c}" for c, b in sorted(before.items()))


_CUE_ENDS = _cue_ends(PERSON_PLACE_CUES)
_CUE_CHARS = frozenset(cue[-1] for cue in PERSON_PLACE_CUES)
# 人 before punctuation: a native place in a biography ("汉族，湖南湘乡人，").
_NATIVE_END = "，,。；;、）) \n"
# One character class: the engine skips ahead at 100+ M chars/s; a paired
# suffix character is a position only after its partner (a look-behind). The
# person cues share that second alternative: each alternative of the fused
# scan costs every anchor hit of every recognizer a test, and 在/人 are
# frequent (a separate one cost 4% of detection time on chat text).
ANCHORS = (
    Anchor("".join(sorted((_DIV_CHARS | set(_SFX) | _UNIT_CHARS) - set(_PAIRED)))),
    Anchor(
        "".join(sorted(set(_PAIRED) | _CUE_CHARS | {"人"})),
        "(?:(?<="
        + "|".join(f"[{b}]{ch}" for ch, b in sorted(_PAIRED.items()))
        + f"|{_CUE_ENDS})|(?<=人)(?=[{re.escape(_NATIVE_END)}]|$))",
    ),
)


@cache
def _place_regex() -> re.Pattern[str]:
    """Every division name as a trie: only for `report_places` (slower)."""
    anchors, _ = divisions()
    return re.compile(trie_pattern(sorted(anchors)))


def _not_road(text: str, sfx: int, i: int) -> bool:
    """路 in 线路/路由/路过 and similar words is no road."""
    if text[i] != "路":
        return False
    return (sfx > 0 and text[sfx - 1] in "线网电道思公铁马一") or text[
        i + 1 : i + 2
    ] in ("由", "过", "上", "线", "费", "径", "况", "子")


def _suffix_start(text: str, i: int) -> int | None:
    """Start of the road/estate suffix whose last character is at `i`."""
    ch = text[i]
    before = _SFX.get(ch)
    if before is None:
        return None
    if i > 0 and text[i - 1] in before:
        return i - 1 - (i > 1 and text[i - 2] in "工开" and ch in "园区")
    return i if before == "" or ch == "街" or ch == "村" else None


@cache
def _division_tails() -> frozenset[str]:
    """The last two characters of every division name and county short form."""
    anchors, county = divisions()
    return frozenset(name[-2:] for name in (*anchors, *county) if len(name) >= 2)


def _division_before(text: str, end: int) -> int | None:
    """Start of the longest division name ending at `end`, or None."""
    if end < 2 or text[end - 2 : end] not in _division_tails():
        return None  # 小区, 城市, 地区: one lookup instead of twelve
    anchors, county = divisions()
    for k in (7, 6, 5, 4, 3, 2):
        if end - k >= 0 and (
            (d := anchors.get(text[end - k : end])) is not None
            or (d := county.get(text[end - k : end])) is not None
        ):
            if k >= 3 or not d.short or end - k == 0 or text[end - k - 1] != "@":
                return end - k
    return None


def _chain_left(text: str, start: int, floor: int) -> int:
    """Extend `start` over division names right before it (杭州|建德市)."""
    while start - 2 >= floor and (s := _division_before(text, start)) is not None:
        if s < floor:
            break
        start = s
    return start


@cache
def _division_names(chained: bool) -> tuple[frozenset[str], frozenset[str], list[int]]:
    """(names, their first characters, name lengths longest first).

    County short forms (望城, 白云) only when `chained`.
    """
    anchors, county = divisions()
    names = frozenset(anchors) | frozenset(county) if chained else frozenset(anchors)
    lengths = sorted({len(n) for n in names}, reverse=True)
    return names, frozenset(n[0] for n in names), lengths


def _division_at(
    text: str, pos: int, chained: bool, limit: int | None = None
) -> int | None:
    """End of the longest division name at `pos` (ending by `limit`), or None.

    A few dict lookups: the same answer as a trie regex over 6,000 names,
    whose top-level alternation of ~900 first characters the regex engine
    walks one by one on every call.
    """
    names, firsts, lengths = _division_names(chained)
    if text[pos : pos + 1] not in firsts:
        return None
    stop = len(text) if limit is None else limit
    for k in lengths:
        if pos + k <= stop and text[pos : pos + k] in names:
            return pos + k
    return None


@dataclass(frozen=True)
class AddressRecognizer:
    """Chinese postal addresses; a place tied to a person by a cue (我在青岛,
    家住杭州, 籍贯浙江宁波, "汉族，辽宁海城人，") unless `personal_places` is
    off; other bare place names only with `report_places`."""

    name: str = "address_cn"
    report_places: bool = False
    place_score: float = 0.4
    personal_places: bool = True
    personal_place_score: float = 0.6

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.ADDRESS.value,)

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        # Bare place names can start anywhere: then the whole text is read.
        return () if self.report_places else ANCHORS

    def find(self, doc: Doc) -> list[Entity]:
        return self.find_at(doc, own_positions(ANCHORS, doc.folded))

    def find_at(self, doc: Doc, positions: list[int]) -> list[Entity]:
        """Addresses grown from anchor characters (division, suffix, unit)."""
        text = doc.folded
        covered = 0
        found: list[tuple[int, int, float]] = []
        for i in positions:
            if i < covered:
                continue
            if text[i] in _CUE_CHARS or text[i] == "人":
                if self.personal_places and (span := _personal_place(text, i)):
                    found.append((*span, self.personal_place_score))
                    covered = span[1]
                continue
            start: int | None = None
            if text[i] in _DIV_CHARS:
                s = _division_before(text, i + 1)
                if s is not None and s >= covered:
                    start = _chain_left(text, s, covered)
            if start is None and text[i] in _UNIT_CHARS:
                start = _unit_start(text, i, covered)
                if start is None:
                    continue
            if start is None:
                sfx = _suffix_start(text, i)
                if sfx is None or _not_road(text, sfx, i):
                    continue
                start = _left_start(text, sfx, covered)
                if start is None:
                    continue
            if start > 0 and text[start - 1] == "@" or _in_mention(text, start):
                continue
            end, parts = _walk(text, start)
            if end <= start:
                continue
            score = self._score(text, start, end, parts)
            covered = end
            if score is None:
                continue
            found.append((start, end, score))
        if self.report_places:
            found.extend(self._places(text, found))
        original, name = doc.text, self.name
        return [
            Entity(_ADDRESS, start, end, original[start:end], score, name)
            for start, end, score in found
        ]

    def _places(
        self, text: str, found: list[tuple[int, int, float]]
    ) -> Iterator[tuple[int, int, float]]:
        for m in _place_regex().finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b, _ in found) or _in_mention(text, s):
                continue
            score = self._score(text, s, e, (1, 0, 0))
            if score is not None:
                yield s, e, score

    def _score(
        self, text: str, start: int, end: int, parts: tuple[int, int, int]
    ) -> float | None:
        n_div, n_named, n_num = parts
        cue = any(c in text[max(0, start - 4) : start] for c in _CUES)
        if n_named + n_num == 0:
            # Only division names: a place, not a postal address.
            if _ORG_AFTER.match(text, end):
                return None
            if n_div >= 2:
                return 0.6 if (cue or self.report_places) else 0.45
            if not self.report_places:
                return None
            anchors, _ = divisions()
            div = anchors.get(text[start:end])
            return self.place_score - (0.1 if div is not None and div.short else 0.0)
        if n_div and (n_num or n_named >= 2):
            return 0.9
        if n_div or n_num:
            return 0.8 if cue or n_num else 0.7
        if n_named >= 2:
            return 0.7 if cue else 0.6
        return 0.7 if cue else None  # one bare named part: 回家路, 进小区


def _in_mention(text: str, start: int) -> bool:
    """Inside an @handle such as @中国电信济南客服."""
    at = text.rfind("@", max(0, start - 20), start)
    return at >= 0 and not any(c in " ,，:：。" for c in text[at:start])


def _unit_start(text: str, i: int, covered: int) -> int | None:
    """A division name up to 12 characters before a building part, or None."""
    if text[i] == "元" and text[i - 1 : i] != "单":
        return None
    lo = max(covered, i - 12)
    start = next((p for p in range(lo, i) if _division_at(text, p, False, i)), None)
    if start is None or any(c in _BREAK for c in text[start:i]):
        return None
    return _chain_left(text, start, covered)


_BREAK = frozenset(" ,，。；;！!？?、：:")


def _left_start(text: str, anchor: int, covered: int) -> int | None:
    """Start of the place name before a road/estate suffix, or None."""
    m = _LEFT.search(text, max(covered, anchor - 6), anchor)
    if m is None or anchor - m.start() < 2:
        return None
    # A division name inside the run starts the address there (家济南新泺大街).
    start = m.start()
    for i in range(start, anchor - 1):
        if _division_at(text, i, False) is not None:
            return _chain_left(text, i, covered)
    return start


def _road_tail(text: str, end: int) -> int:
    """Extend a part that stopped one suffix short: 科苑|路, 502|室, 文化|大道."""
    if text[end : end + 2] in ("大道", "大街"):
        return end + 2
    if (
        text[end : end + 1] in _TAIL_CHARS
        and text[end + 1 : end + 2] not in _NOT_ROAD_NEXT
    ):
        return end + 1
    return end


_TAIL_CHARS = frozenset("路街巷弄室号")
_NOT_ROAD_NEXT = frozenset("由过上线费径况子码")


def _walk(text: str, pos: int) -> tuple[int, tuple[int, int, int]]:
    """Consume divisions, named parts and number parts; return end and counts."""
    n_div = n_named = n_num = 0
    end = pos
    while pos < len(text):
        if (
            n_named == 0
            and n_num == 0
            and (stop := _division_at(text, pos, n_div > 0)) is not None
            and text[stop : stop + 1] not in _ROAD_CHARS
        ):
            n_div += 1
        elif (m := _NUMBERED.match(text, pos)) is not None:
            n_num += 1
            if m.group().endswith(("单元", "楼", "栋", "幢", "座")) and (
                r := _ROOM.match(text, m.end())
            ):
                m = r
            stop = m.end()
        elif (m := _NAMED.match(text, pos)) is not None:
            n_named += 1
            stop = m.end()
        else:
            break
        pos = end = _road_tail(text, stop)
    return end, (n_div, n_named, n_num)


def _personal_place(text: str, at: int) -> tuple[int, int] | None:
    return _native_place(text, at) if text[at] == "人" else _cued_place(text, at)


def _cued_place(text: str, cue_end: int) -> tuple[int, int] | None:
    """The division names right after a cue ending at `cue_end`, or None."""
    start = cue_end + 1
    if text[start : start + 1] in ("：", ":", " ", "是", "为"):
        start += 1
    if _division_at(text, start, False) is None:
        return None  # most cues: 我在等, 人在吗 (one set lookup, no regex)
    end, (n_div, n_named, n_num) = _walk(text, start)
    # A postal address there grows from its own anchors; a company is no place.
    if n_div == 0 or n_named or n_num or _ORG_AFTER.match(text, end):
        return None
    return start, end


def _native_place(text: str, at: int) -> tuple[int, int] | None:
    """The divisions before 人 at `at` ("，湖南湘乡人，", "我是上海人"), or None."""
    start = _division_before(text, at)
    if start is None:
        return None
    start = _chain_left(text, start, max(0, at - 12))
    before = text[start - 1 : start]
    if (
        start > 0
        and before not in "，,、：: 是\n"
        and text[start - 2 : start] != "籍贯"
    ):
        return None
    return start, at


RECOGNIZERS: list[Recognizer] = [AddressRecognizer()]
