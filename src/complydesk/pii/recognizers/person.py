"""Person names next to a cue, one regex pass, no segmenter.

Names next to a cue (我叫, 收件人, 联系人, a title such as 先生/老师 after a
surname) are found by one regex pass over the cue words; romanised names
after "my name is". Names without a cue come from person_model.py (a trained
scorer); bare surname + character pairs are mostly ordinary words (高兴, 张开),
so this recognizer leaves them alone. `bare_names=True` adds the old
rule-based stand-alone names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from complydesk.pii.anchors import Anchor, own_positions
from complydesk.pii.entity import Entity
from complydesk.pii.gazetteer import divisions
from complydesk.pii.labels import Label
from complydesk.pii.names import (
    STOP,
    is_cjk,
    parse_cn_name,
    parse_nickname,
    surname_rank,
)
from complydesk.pii.recognizer import Recognizer
from complydesk.pii.text import Doc

# Cue -> (base score, strict given-name check, nicknames allowed).
_STRONG = (0.9, False, True)
_FIELD = (0.85, False, False)
_WEAK = (0.75, True, False)
_CUES: dict[str, tuple[float, bool, bool]] = {
    "我叫": _STRONG,
    "名字叫": _STRONG,
    "名字是": _STRONG,
    "名叫": _STRONG,
    "姓名": _FIELD,
    "名字": _FIELD,
    "收件人": _FIELD,
    "收货人": _FIELD,
    "寄件人": _FIELD,
    "联系人": _FIELD,
    "持卡人": _FIELD,
    "户主": _FIELD,
    "机主": _FIELD,
    "户名": _FIELD,
    "申请人": _FIELD,
    "收款人": _FIELD,
    "付款人": _FIELD,
    "投诉人": _FIELD,
    "举报人": _FIELD,
    "发件人": _FIELD,
    "借款人": _FIELD,
    "开户人": _FIELD,
    "开户名": _FIELD,
    "签收人": _FIELD,
    "经办人": _FIELD,
    "代理人": _FIELD,
    "监护人": _FIELD,
    "担保人": _FIELD,
    "法定代表人": _FIELD,
    "乘车人": _FIELD,
    "入住人": _FIELD,
    "车主": _WEAK,
    "业主": _WEAK,
    "患者": _WEAK,
    "专员": (0.8, False, True),
    "我是": _WEAK,
    "客户": _WEAK,
    "用户": _WEAK,
    "本人": _WEAK,
    "经理": _WEAK,
    "主任": _WEAK,
    "工程师": _WEAK,
    "师傅": _WEAK,
}
# Titles after a surname (秦小姐, 王建国先生).
_TITLES = (
    "先生",
    "女士",
    "小姐",
    "老师",
    "经理",
    "师傅",
    "医生",
    "律师",
    "阿姨",
    "警官",
)
_TITLE_SET = frozenset(_TITLES)
_CUE_LENS = sorted({len(c) for c in _CUES}, reverse=True)


def _cue_anchor(words: tuple[str, ...]) -> Anchor:
    """Where a cue may start: its first character, then any cue's remainder.

    Looser than the exact cue list (我 + 字是 passes); `_cn_hit` checks the
    exact word, so the extra positions cost a lookup and change nothing. The
    class of the remainders' first characters comes first: at the common
    non-cue positions (我们, 联通, 客服) one set lookup fails the anchor
    instead of forty alternatives.
    """
    rests = sorted({re.escape(w[1:]) for w in words}, key=lambda x: (-len(x), x))
    seconds = "".join(sorted({re.escape(w[1]) for w in words}))
    return Anchor(
        "".join(sorted({w[0] for w in words})),
        f"(?=[{seconds}])(?={'|'.join(rests)})",
    )


# English cues (my name is, Mr …): every _EN match starts at one of these.
_EN_ANCHOR = Anchor(
    "MmNnIiTt",
    r"(?<![A-Za-z][MmNnIiTt])"
    r"(?=(?i:y name is|y name's|ame is|ame\s*:|'m| am|his is|rs?\.?|s\.?))",
)
ANCHORS = (_cue_anchor((*_CUES, *_TITLES)), _EN_ANCHOR)
_SEP = re.compile("[:： ]?(?:是|为|叫|写|填)?[:： ]?")
_EN = re.compile(
    r"[MmNnIiTt](?<![A-Za-z][MmNnIiTt])"
    r"(?i:(?P<en>y name is|y name's|ame is|ame\s*:|'m| am|his is|rs?\.?|s\.?))\s*"
    r"(?P<ename>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})\b"
)
_EN_NOT = frozenset(
    "Sorry Fine Good Not The This That Here There Very Just So Happy Glad Calling"
    " Customer Service Support Writing Trying Looking Still Also From With".split()
)
MENTION = re.compile(r"@[^\s@,，:：。!！?？]{1,30}")
_BARE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])")


_PERSON = Label.PERSON.value


def mention_spans(doc: Doc) -> list[tuple[int, int]]:
    """Spans of @handles (@中国电信济南客服): names inside them are accounts.

    Computed once per text and kept on the Doc: three recognizers ask.
    """
    spans = doc.mentions
    if spans is None:
        spans = doc.mentions = (
            [m.span() for m in MENTION.finditer(doc.folded)] if doc.has_at else []
        )
    return spans


@dataclass(frozen=True)
class PersonRecognizer:
    """Chinese and romanised names next to cues; optional stand-alone names."""

    name: str = "person_cn"
    bare_names: bool = False
    bare_score: float = 0.5

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PERSON.value,)

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        # Stand-alone names can start anywhere: then the whole text is read.
        return () if self.bare_names else ANCHORS

    def find(self, doc: Doc) -> list[Entity]:
        out = self.find_at(doc, own_positions(ANCHORS, doc.folded))
        if self.bare_names:
            out.extend(self._bare(doc, mention_spans(doc)))
        return out

    def find_at(self, doc: Doc, positions: list[int]) -> list[Entity]:
        """Names at cue positions (see `anchors`); English cues by one regex pass."""
        text = doc.folded
        hits: list[tuple[int, int, float]] = []
        english = False
        for i in positions:
            if text[i] < "\x80":
                english = True
                continue
            hit = self._cn_hit(text, i)
            if hit is not None:
                hits.append(hit)
        if english:
            for m in _EN.finditer(text):
                if (h := _en_hit(m)) is not None:
                    hits.append(h)
        out: list[Entity] = []
        if hits:
            mentions = mention_spans(doc)
            last = 0
            for start, end, score in sorted(hits):
                if start < last or any(s <= start < e for s, e in mentions):
                    continue
                last = end
                out.append(
                    Entity(_PERSON, start, end, doc.text[start:end], score, self.name)
                )
        return out

    def _cn_hit(self, text: str, i: int) -> tuple[int, int, float] | None:
        if text[i : i + 2] in _TITLE_SET:
            hit = _before_title(text, i)
            if hit is not None or text[i : i + 2] not in _CUES:
                return hit
        for n in _CUE_LENS:
            cue = _CUES.get(text[i : i + n])
            if cue is not None:
                break
        else:
            return None
        score, strict, nicks = cue
        sep = _SEP.match(text, i + n)
        pos = sep.end() if sep else i + n
        parsed = parse_cn_name(text, pos, strict)
        if parsed is not None and text[pos : parsed[0]] not in divisions()[0]:
            end, quality = parsed
            if strict and quality < 0.6:
                return None
            if strict and end - pos < 3 and _word_goes_on(text, end):
                return None  # "用户王者荣耀": the "name" runs into a longer word
            return pos, end, score if quality >= 0.6 else score - 0.15
        if nicks:
            end2 = parse_nickname(text, pos)
            if end2 is not None:
                return pos, end2, score - 0.25
        return None

    def _bare(self, doc: Doc, mentions: list[tuple[int, int]]) -> Iterator[Entity]:
        text = doc.folded
        ranks = surname_rank()
        for m in _BARE.finditer(text):
            s, e = m.span()
            if text[s] not in ranks or any(a <= s < b for a, b in mentions):
                continue
            parsed = parse_cn_name(text, s, True)
            if parsed is None or parsed[0] != e or parsed[1] < 0.75:
                continue
            yield Entity(
                Label.PERSON.value, s, e, doc.text[s:e], self.bare_score, self.name
            )


def _en_hit(m: re.Match[str]) -> tuple[int, int, float] | None:
    """A capitalised name after an English cue (My name is John Smith)."""
    cue, name = m.group("en").lower(), m.group("ename")
    if name.split()[0] in _EN_NOT:
        return None
    strong = cue.startswith(("y name", "ame"))
    if not strong and " " not in name and cue[0] not in "rs":
        return None  # "I'm Bob" is too weak; "I'm Bob Lee" or "Mr Lee" is fine
    s, e = m.span("ename")
    return s, e, 0.85 if strong else 0.65


def _before_title(text: str, t: int) -> tuple[int, int, float] | None:
    """A name ending right before a title: 王建国先生, 秦小姐."""
    ranks = surname_rank()
    for size in (4, 3, 2):
        s = t - size
        if s < 0:
            continue
        parsed = parse_cn_name(text, s, True)
        if parsed is None or parsed[0] != t:
            continue
        if text[s] in STOP:
            continue  # "和王伟先生": 和 is a conjunction here
        return s, t, 0.9
    if t >= 1 and ranks.get(text[t - 1], 999) <= 200 and text[t - 1] not in STOP:
        return t - 1, t, 0.8
    return None


def _word_goes_on(text: str, end: int) -> bool:
    return end < len(text) and is_cjk(text[end]) and text[end] not in STOP


RECOGNIZERS: list[Recognizer] = [PersonRecognizer()]
