"""Built-in recognizers: Chinese names without a cue, from a small trained scorer.

Candidates are "surname + plausible given character" spans found by one regex
pass; each is scored with dict look-ups by the logistic regression shipped as
data/person_model.tsv (bench/train_person_model.py trains it on public NER
train/dev splits). A separate recognizer, `person_model`, so a deployment can
disable it by name when precision matters more than recall.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from complydesk.pii.anchors import Anchor, own_positions
from complydesk.pii.entity import Entity
from complydesk.pii.gazetteer import divisions
from complydesk.pii.labels import Label
from complydesk.pii.names import (
    NOT_NAMES,
    STOP,
    char_class,
    is_cjk,
    name_model,
    surname_rank,
)
from complydesk.pii.recognizer import Gated, Recognizer, has_at
from complydesk.pii.recognizers.person import mention_spans
from complydesk.pii.text import Doc

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


@cache
def model_anchors() -> tuple[Anchor, ...]:
    """Candidate starts (the same positions `_model_parts`' regex finds)."""
    rx = _model_parts()[0].pattern
    singles, nexts = rx[1 : rx.index("]")], rx[rx.index("(?=") :]
    return (Anchor(singles, nexts),)


def _model_hits(text: str) -> list[tuple[int, int, float]]:
    """Cue-less names: best-scoring candidate per start, greedy, non-overlapping."""
    rx = _model_parts()[0]
    return _model_scorer()(text, [m.start() for m in rx.finditer(text)])


@cache
def _model_scorer() -> Callable[[str, list[int]], list[tuple[int, int, float]]]:
    """The scoring loop with every table bound once, as closure variables.

    Binding ~25 tables per call cost more than scoring a typical message.
    """
    _, reject, zmin, thr = _model_parts()
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
    # Context weight per character (the table entry, else its class's):
    # filled on first sight, so char_class runs once per distinct character.
    left_z: dict[str, float] = {}
    right_z: dict[str, float] = {}

    def context_z(
        ch: str, table: dict[str, float], by_class: dict[str, float]
    ) -> float:
        z = table.get(ch)
        return by_class.get(char_class(ch), 0.0) if z is None else z

    def hits(text: str, starts: list[int]) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        n = len(text)
        for i in starts:
            two = text[i : i + 2]
            if two in reject:
                continue
            if i:
                left = text[i - 1]
                lw = ngram.get(text[i - 1 : i + 1], 0)
                if lw >= _LEFT_WORD_REJECT:
                    continue  # 如何|维权, 任何|更改: the surname char ends a word
            else:
                left = ""
                lw = ngram.get(text[0], 0)
            z0 = left_z.get(left)
            if z0 is None:
                z0 = left_z[left] = context_z(left, lefts, left_cls)
            z0 += bias + left_word[lw]
            if i >= 2:
                z0 += left2.get(text[i - 2 : i], 0.0)
            best = zmin
            end = 0
            for slen in (1, 2):
                if slen == 2 and two not in ranks:
                    break
                g = i + slen
                if g >= n:
                    continue
                c1 = text[g]
                if c1 not in given:
                    continue
                zs = z0 + surnames.get(text[i:g], 0.0)
                sw = ngram.get(text[i : g + 1], 0)
                for e in (g + 1, g + 2):
                    if e == g + 1:
                        z = zs + single.get(c1, 0.0) + len1 + start1[sw]
                    else:
                        if e > n:
                            break
                        c2 = text[g + 1]
                        if c2 not in given:
                            break
                        z = zs + first_g.get(c1, 0.0) + second.get(c2, 0.0)
                        z += len2 + given_words[ngram.get(text[g:e], 0)] + start2[sw]
                        if slen == 1:
                            z += span_word[ngram.get(text[i:e], 0)]
                    if e < n:
                        right = text[e]
                        zr = right_z.get(right)
                        if zr is None:
                            zr = right_z[right] = context_z(right, rights, right_cls)
                        z += zr + right_word[ngram.get(text[e - 1 : e + 1], 0)]
                        if e + 2 <= n:
                            z += right2.get(text[e : e + 2], 0.0)
                    else:
                        zr = right_z.get("")
                        if zr is None:
                            zr = right_z[""] = context_z("", rights, right_cls)
                        z += zr + right_word[ngram.get(text[e - 1], 0)]
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


_PERSON = Label.PERSON.value
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

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        return model_anchors()

    def find(self, doc: Doc) -> list[Entity]:
        return self.find_at(doc, own_positions(model_anchors(), doc.folded))

    def find_at(self, doc: Doc, positions: list[int]) -> list[Entity]:
        text = doc.folded
        hits = _model_scorer()(text, positions)
        if not hits:
            return []
        mentions = mention_spans(doc)
        out: list[Entity] = []
        for start, end, score in hits:
            if score < self.min_score or any(s <= start < e for s, e in mentions):
                continue
            if _brand_or_org(text, end):
                continue
            out.append(
                Entity(_PERSON, start, end, doc.text[start:end], score, self.name)
            )
        return out


@dataclass(frozen=True)
class HandleNameRecognizer:
    """An @handle that is, or starts with, a person's real name, not an account.

    A handle that the trained name scorer reads, whole, as one name counts
    (@王冉, //@陈士渠:; it rejects brands such as @周黑鸭), because such a
    handle identifies a person as surely as the name does. So does a name at
    the start of a handle when the handle goes on with something that is not
    Chinese or with a particle (@冯磊Alex, @刘依依2013, @孙雅涵的漫画): that
    boundary is where a name ends. Names running into more Chinese text
    (@中国电信济南客服, @张伟客服, @周生生珠宝) stay unflagged: accounts and
    shops are named like that.
    """

    name: str = "person_handle"
    score: float = 0.7
    min_model_score: float = 0.65
    min_prefix_score: float = 0.6

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.PERSON.value,)

    def find(self, doc: Doc) -> list[Entity]:
        text = doc.folded
        out: list[Entity] = []
        # The candidate test of `_name_end`, on the text in place: most
        # handles (@中国联通客服) fail it, and then no slice is made.
        candidate = _model_parts()[0].match
        for start, end in mention_spans(doc):
            start += 1  # the @ is not part of the name
            if candidate(text, start, end) is None:
                continue
            name_end = self._name_end(text[start:end])
            if name_end:
                stop = start + name_end
                out.append(
                    Entity(
                        _PERSON,
                        start,
                        stop,
                        doc.text[start:stop],
                        self.score,
                        self.name,
                    )
                )
        return out

    def _name_end(self, handle: str) -> int:
        """Length of the name the handle is or starts with, or 0."""
        if not handle or not is_cjk(handle[0]):
            return 0
        # Only candidates that can overlap a name at 0 (which ends by 4) can
        # change the first hit: score those, not the whole handle.
        rx = _model_parts()[0]
        if rx.match(handle) is None:
            return 0  # no surname + given-name candidate at 0 (most accounts)
        starts = [m.start() for m in rx.finditer(handle, 0, 5) if m.start() < 4]
        hits = _model_scorer()(handle, starts)
        if not hits or hits[0][0] != 0:
            return 0
        _, end, score = hits[0]
        if end == len(handle):
            whole = 2 <= end <= 4 and score >= self.min_model_score
            return end if whole else 0
        nxt = handle[end]
        if is_cjk(nxt) and nxt not in STOP or score < self.min_prefix_score:
            return 0
        return 0 if handle.startswith(_ORG_WORDS, end) else end


@cache
def _handle_hint() -> re.Pattern[str]:
    """An '@' right before a name candidate: every handle name starts so."""
    return re.compile("@" + _model_parts()[0].pattern)


def may_have_handle_name(doc: Doc) -> bool:
    """Most @handles (@中国联通客服) start with no surname + given pair."""
    return _handle_hint().search(doc.folded) is not None


RECOGNIZERS: list[Recognizer] = [
    PersonModelRecognizer(),
    Gated(HandleNameRecognizer(), may_have_handle_name, has_at),
]
