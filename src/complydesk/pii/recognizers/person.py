"""Person names: cues plus a small trained scorer, no segmenter.

Names next to a cue (我叫, 收件人, 联系人, a title such as 先生/老师 after a
surname) are found by one regex pass over the cue words. Names without a cue
(news-like text: 记者王建国报道, 张伟表示) come from a logistic-regression
scorer shipped as data/person_model.tsv (bench/train_person_model.py trains it
on public NER train/dev splits): one regex finds "surname + plausible given
character" candidates and each is scored with dict lookups. Bare surname +
character pairs are mostly ordinary words (高兴, 张开), which is what the
scorer's n-gram and context features learn. The scorer is its own recognizer,
`person_model`, so a deployment can disable it; cue hits outscore it.
`bare_names=True` still adds the old rule-based stand-alone names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from complydesk.pii.entity import Entity
from complydesk.pii.gazetteer import divisions
from complydesk.pii.labels import Label
from complydesk.pii.names import (
    NOT_NAMES,
    STOP,
    char_class,
    is_cjk,
    name_model,
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


def _cue_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """`f(?=rest|rest…)` per first character: matches one character where a
    cue starts. A branch of literal-led alternatives lets Python's regex engine
    skip fast to candidate characters; only real cue starts reach Python."""
    rests: dict[str, set[str]] = {}
    for w in words:
        rests.setdefault(w[0], set()).add(re.escape(w[1:]))
    return re.compile(
        "|".join(
            f"{re.escape(f)}(?={'|'.join(sorted(r, key=lambda x: (-len(x), x)))})"
            for f, r in sorted(rests.items())
        )
    )


_FAST = _cue_pattern((*_CUES, *_TITLES))
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
_MENTION = re.compile(r"@[^\s@,，:：。!！?？]{1,30}")
_BARE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])")


@dataclass(frozen=True)
class PersonRecognizer:
    """Chinese and romanised names next to cues; optional stand-alone names."""

    name: str = "person_cn"
    bare_names: bool = False
    bare_score: float = 0.5

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PERSON.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        text = doc.folded
        mentions = [m.span() for m in _MENTION.finditer(text)] if "@" in text else []
        hits: list[tuple[int, int, float]] = []
        for m in _FAST.finditer(text):
            hit = self._cn_hit(text, m.start())
            if hit is not None:
                hits.append(hit)
        if doc.has_latin:
            for m in _EN.finditer(text):
                if (h := _en_hit(m)) is not None:
                    hits.append(h)
        last = 0
        for start, end, score in sorted(hits):
            if start < last or any(s <= start < e for s, e in mentions):
                continue
            last = end
            yield Entity(
                Label.PERSON.value, start, end, doc.text[start:end], score, self.name
            )
        if self.bare_names:
            yield from self._bare(doc, mentions)

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


# Street/estate/place suffixes: a "name" ending in or followed by one is a place.
_PLACE_END = frozenset("路街巷园村镇区县市道里苑弄湾")
_SIGMOID_SPAN = 0.3  # model scores run from 0.5 (at its threshold) to 0.8


# Surname + first given character pairs seen this often as ordinary text in the
# training data (ngram bin, see bench/train_person_model.py) are not candidates.
_REJECT_BIN = 1
# A surname character that closes a frequent word with the character before it
# (如何, 任何, 谢谢, 登陆) starts no name: the model alone lets too many through.
_LEFT_WORD_REJECT = 2


@cache
def _model_parts() -> tuple[re.Pattern[str], frozenset[str], float, float]:
    """(candidate regex, rejected pairs, logit threshold, threshold).

    The regex is one character class (surname characters) with a look-ahead
    on a class (given-name characters), so Python's regex engine skips fast
    over text; surname + first given character pairs that are common words in
    the training text (查询, 关于) or in NOT_NAMES are dropped with one set
    lookup before scoring.
    """
    model = name_model()
    ranks = surname_rank()
    given = set(model.given)
    singles = sorted(s for s in ranks if len(s) == 1)
    nexts = given | {s[1] for s in ranks if len(s) == 2 and s[0] in ranks}
    reject = {
        two
        for s in singles
        for c in given
        if model.ngram.get(two := s + c, 0) >= _REJECT_BIN or two in NOT_NAMES
    }
    reject -= {s for s in ranks if len(s) == 2}
    rx = re.compile(f"[{''.join(singles)}](?=[{''.join(sorted(nexts))}])")
    t = model.threshold
    return rx, frozenset(reject), math.log(t / (1 - t)), t


def _model_hits(text: str) -> list[tuple[int, int, float]]:
    """Cue-less names: best-scoring candidate per start, greedy, non-overlapping."""
    return _model_scorer()(text)


@cache
def _model_scorer() -> Callable[[str], list[tuple[int, int, float]]]:
    """The scoring loop with every table bound once, as closure variables.

    Binding ~25 tables per call cost more than scoring a typical message.
    """
    rx, reject, zmin, thr = _model_parts()
    m = name_model()
    ranks = surname_rank()
    given, ngram = m.given_set, m.ngram
    places = divisions()[0]
    lefts, left_cls, left2 = m.left, m.left_class, m.left2
    rights, right_cls, right2 = m.right, m.right_class, m.right2
    surnames, single, first_g, second = m.surname, m.single, m.first, m.second
    bias, len1, len2 = m.bias, m.len_bias[1], m.len_bias[2]
    left_word, right_word, span_word = m.left_word, m.right_word, m.span_word
    start1, start2, given_words = *m.start_word[1:], m.given_words
    exp = math.exp

    def hits(text: str) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        n = len(text)
        for match in rx.finditer(text):
            i = match.start()
            two = text[i : i + 2]
            if two in reject:
                continue
            left = text[i - 1] if i else ""
            if left and ngram.get(left + text[i], 0) >= _LEFT_WORD_REJECT:
                continue  # 如何|维权, 任何|更改: the surname char ends a word
            z0 = lefts.get(left)
            if z0 is None:
                z0 = left_cls.get(char_class(left), 0.0)
            z0 += bias + left_word[ngram.get(left + text[i], 0)]
            if i >= 2:
                z0 += left2.get(text[i - 2 : i], 0.0)
            best = zmin
            end = 0
            for slen in (1, 2):
                if slen == 2 and two not in ranks:
                    break
                g = i + slen
                if g >= n or text[g] not in given:
                    continue
                zs = z0 + surnames.get(text[i:g], 0.0)
                c1 = text[g]
                sw = ngram.get(text[i : g + 1], 0)
                for e in (g + 1, g + 2):
                    if e == g + 1:
                        z = zs + single.get(c1, 0.0) + len1 + start1[sw]
                    else:
                        if e > n or text[g + 1] not in given:
                            break
                        z = zs + first_g.get(c1, 0.0) + second.get(text[g + 1], 0.0)
                        z += len2 + given_words[ngram.get(text[g:e], 0)] + start2[sw]
                        if slen == 1:
                            z += span_word[ngram.get(text[i:e], 0)]
                    right = text[e] if e < n else ""
                    zr = rights.get(right)
                    if zr is None:
                        zr = right_cls.get(char_class(right), 0.0)
                    z += zr + right_word[ngram.get(text[e - 1] + right, 0)]
                    if e + 2 <= n:
                        z += right2.get(text[e : e + 2], 0.0)
                    if z >= best:
                        best, end = z, e
            if not end or text[i:end] in places or text[end - 1] in _PLACE_END:
                continue
            if end < n and text[end] in _PLACE_END:
                continue  # 江川路, 桂芳园: a street or estate, not a name
            p = 1 / (1 + exp(-best))
            score = 0.5 + _SIGMOID_SPAN * (p - thr) / (1 - thr)
            if out and i < out[-1][1]:
                if score > out[-1][2]:
                    out[-1] = (i, end, score)
                continue
            out.append((i, end, score))
        return out

    return hits


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


_ORG_WORDS = (
    "公司",
    "集团",
    "科技",
    "传媒",
    "有限",
    "银行",
    "商城",
    "旗舰",
    "专卖",
    "电器",
    "手机",
    "品牌",
    "牌",
    "官方",
    "客服",
    "股份",
    "控股",
    "实业",
    "贸易",
)


def _brand_or_org(text: str, end: int) -> bool:
    """戴森V12, 小米14, 毕博诚传媒有限公司: a brand or company, not a person."""
    nxt = text[end : end + 1]
    return (nxt.isascii() and nxt.isalnum()) or text.startswith(_ORG_WORDS, end)


@dataclass(frozen=True)
class PersonModelRecognizer:
    """Cue-less Chinese names from the trained scorer (data/person_model.tsv).

    Separate from the cue recognizer so a deployment can disable it by name
    (`disable: [person_model]`) when precision matters more than recall. Its
    scores (0.5-0.8) stay below cue hits (0.85+), so a cue wins an overlap.
    `min_score` 0.55 trades a little recall on news-like text for half the
    false positives on helpdesk chat (see docs/pii.md).
    """

    name: str = "person_model"
    min_score: float = 0.55

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PERSON.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        text = doc.folded
        mentions = [m.span() for m in _MENTION.finditer(text)] if "@" in text else []
        for start, end, score in _model_hits(text):
            if score < self.min_score or any(s <= start < e for s, e in mentions):
                continue
            if _brand_or_org(text, end):
                continue
            yield Entity(
                Label.PERSON.value, start, end, doc.text[start:end], score, self.name
            )


RECOGNIZERS: list[Recognizer] = [PersonRecognizer(), PersonModelRecognizer()]
