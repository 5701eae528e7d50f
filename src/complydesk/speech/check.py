"""Check a reply against the speech rule packs, each compiled once per language.

A message runs only the rule patterns whose required strings it holds (see
prefilter.py): most replies hold those of a handful of patterns and trigger
none. Only a trigger pays for the per-match checks (role, `unless`, negation,
hedge, question, quote, conditional), which are what keeps precision high on
real helpdesk text: "我们无法保证", "预计明天到", "您能保证吗？" and quoted
customer speech are not promises. Where two rules match at one position the
first in pack order reports, as it would in one alternation of all rules.

Matching runs on a normalized copy of the same length (width folding plus a
traditional->simplified table for the rules' characters, traditional.py), so
offsets map straight back to the original text. Letter-spaced words (保 证,
验 证 码) and zero-width characters are squeezed out of a second copy that
keeps an index back to the original; only replies that have them pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from complydesk.pii.text import fold
from complydesk.speech.dialect import fold_dialect
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.prefilter import Alternatives, headed
from complydesk.speech.rules import Pack, Rule, default_packs
from complydesk.speech.traditional import PAIRS

Lang = Literal["zh", "en"]

# Traditional -> simplified, one code point each (length kept), for the
# characters the rules use (generated: bench/speech_trad_table.py).
_TRAD_TABLE = {ord(p[0]): ord(p[1]) for p in PAIRS}
_TRAD_RUN = re.compile("[" + "".join(chr(c) for c in _TRAD_TABLE) + "]+")
# Squeezed out before matching: zero-width characters anywhere, and blanks
# between two CJK characters ("保 证", "验 证 码"): letter-spacing that a
# keyword filter would otherwise miss (or that is used to dodge one).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SQUEEZE = re.compile(f"[\u200b-\u200d\u2060\ufeff]|(?<=[{_HAN}])[ \t]+(?=[{_HAN}])")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EN_WORDS = re.compile(r"[A-Za-z]{2,}[\s,]+[A-Za-z']{2,}")
# Clause and sentence separators (ASCII forms too: real helpdesk text mixes them).
_CLAUSE_SEP = frozenset("，。！？；：,.!?;:\n")
_SENT_SEP = frozenset("。！？；.!?;\n")
_SCAN_LIMIT = 120  # how far back/forward a clause or sentence is looked for
# "No" as an answer or interjection negates nothing after it ("No no, I'm a
# human", "No problem"): seen in the whole text, as the window cuts it off.
# 不好意思 ("sorry") and 不客气 are courtesy, not negation.
_INTERJECTION = re.compile(
    r"no\b(?=[\s,!.]*(?:no|i|i'm|we|we're|it's|that's|problem|worries)\b|\s*[,!.—–-])"
    r"|不好意思|不客气",
    re.IGNORECASE,
)
# A promise verb the trigger ends with, denied right after it (保证不了).
_DENIED_AFTER = re.compile(r"(?:保证|承诺|担保|确保|确定)(?:不了|不住|不来)")
# A condition whose clause already has its own consequence ("如有疑问可以随时联系
# 我们，", "一般情况下我们都会优先处理，") is closed: it conditions that clause, not
# the promise in the next one.
_CLOSED = re.compile(
    r"(?:我们|我|小编|客服|这边|工作人员)(?:都|也|就)?(?:会|将|可以|能)"
    r"|(?:可以|可|请|欢迎)(?:您)?(?:随时|及时)|随时|联系(?:我们|客服|小编)"
    r"|\b(?:we(?:'ll|\s+will|\s+can)|feel\s+free|please|contact\s+us|let\s+(?:us|me)\s+know"
    r"|just\s+ask|reach\s+out)\b",
    re.IGNORECASE,
)
_THIS_ORDER = re.compile(
    r"(?:您|你)(?:的|这|这个)(?:一)?(?:单|订单|包裹|快递|货|退款)"
    r"|\byour\s+(?:own\s+)?(?:order|parcel|package|refund|item)\b",
    re.IGNORECASE,
)
_QUOTES = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))
# A generic category gives way to a more specific one in the same sentence:
# "我们保证收益8%" is a financial guarantee, "I promise it ships today" a time
# commitment, "以后一直都是全网最低" a permanent price. Each key is dropped when
# one of its values is found in the same sentence.
_DOMINATED_BY: dict[str, frozenset[str]] = {
    "absolute_promise": frozenset(
        {"financial_guarantee", "permanent_price", "time_commitment"}
    ),
    "blame_customer": frozenset({"threat_insult"}),
    "superlative_claim": frozenset(
        {"permanent_price", "financial_guarantee", "absolute_promise"}
    ),
}


def normalize(text: str) -> str:
    """Width-fold, fold Cantonese/Taiwan wording (dialect.py) and traditional
    characters; same length as `text`."""
    folded = fold_dialect(fold(text))
    return _TRAD_RUN.sub(lambda m: m.group().translate(_TRAD_TABLE), folded)


# English chat shorthand the rules read in full ("send me ur login pwd", "see u
# in court", "100pct", "im typing from my desk"). Unlike the folds above these
# change the length, so they are expanded in the squeezed copy that keeps an
# index back to the reply (`expand_shorthand`). Only whole ASCII words next to
# no letter, digit or CJK character: U盾, "U-turn" and "Plan U" stay; an
# all-capitals IM or U is left alone.
_SHORTHAND: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "yr": "your",
    "pls": "please",
    "plz": "please",
    "pwd": "password",
    "passwd": "password",
    "pswd": "password",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "b4": "before",
    "acct": "account",
    "100pct": "100%",
    "im": "i'm",
    "ive": "i've",
    "ill": "i'll",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "srsly": "seriously",
    "cant": "can't",
    "dont": "don't",
    "isnt": "isn't",
    "doesnt": "doesn't",
    "didnt": "didn't",
}
_SHORTHAND_RE = re.compile(
    r"(?<![\w'’-])(?:"
    + "|".join(sorted(_SHORTHAND, key=len, reverse=True))
    + r")(?![\w'’-])",
    re.IGNORECASE,
)
# "ill" and "im" are words too ("an ill customer", "IM"): only at the start of
# a clause, where the pronoun stands.
_PRONOUN_ONLY = frozenset({"im", "ive", "ill"})
_CLAUSE_START = re.compile(
    r"(?:^|[.!?,;:\n]|\b(?:and|but|so|lol|haha|ok|okay|np))\s*$", re.I
)


def expand_shorthand(
    text: str, index: list[int] | None
) -> tuple[str, list[int] | None]:
    """`text` with chat shorthand written out, and the index of each of its
    code points in the reply (`index` maps `text` there, None for identity).

    The letters of an expansion point into the shorthand they replace, so a
    finding that ends inside one ends with it in the reply.
    """
    if _SHORTHAND_RE.search(text) is None:
        return text, index
    base = index if index is not None else [*range(len(text)), len(text)]
    out: list[str] = []
    new: list[int] = []
    pos = 0
    for m in _SHORTHAND_RE.finditer(text):
        word = m.group()
        low = word.lower()
        if word.isupper() and len(word) <= 2 and word.isalpha():
            continue  # IM, U: not chat shorthand
        if low in _PRONOUN_ONLY and not _CLAUSE_START.search(text, 0, m.start()):
            continue
        out.append(text[pos : m.start()])
        new.extend(base[pos : m.start()])
        full = _SHORTHAND[low]
        out.append(full)
        last = m.end() - 1
        new.extend(base[min(m.start() + i, last)] for i in range(len(full)))
        pos = m.end()
    if pos == 0:
        return text, index
    out.append(text[pos:])
    new.extend(base[pos:])
    return "".join(out), new


def squeeze(norm: str) -> tuple[str, list[int] | None]:
    """`norm` without zero-width characters and blanks inside CJK words.

    Returns the squeezed text and, when anything was removed, the index of
    each of its code points in `norm` (plus one past the end); None when the
    text is unchanged, which is nearly always.
    """
    if _SQUEEZE.search(norm) is None:
        return norm, None
    keep = [True] * len(norm)
    for m in _SQUEEZE.finditer(norm):
        for i in range(m.start(), m.end()):
            keep[i] = False
    index = [i for i, k in enumerate(keep) if k]
    index.append(len(norm))
    return "".join(norm[i] for i in index[:-1]), index


def _either(patterns: Iterable[str], flags: int) -> re.Pattern[str] | None:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(joined, flags) if joined else None


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    unless: re.Pattern[str] | None
    sentence_scope: bool
    guards: frozenset[str]
    alone: re.Pattern[str]  # this rule's patterns only, for the fallback


def _back(text: str, start: int, seps: frozenset[str]) -> int:
    lo = max(0, start - _SCAN_LIMIT)
    i = start - 1
    while i >= lo and text[i] not in seps:
        i -= 1
    return i + 1


def _forward(text: str, end: int, seps: frozenset[str]) -> int:
    hi = min(len(text), end + _SCAN_LIMIT)
    i = end
    while i < hi and text[i] not in seps:
        i += 1
    return i


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around text[start:end] (within the scan limit)."""
    return _back(text, start, _SENT_SEP), _forward(text, end, _SENT_SEP)


def _quoted(text: str, start: int, end: int) -> bool:
    """Is [start, end) inside a closed pair of quote marks?"""
    for open_q, close_q in _QUOTES:
        o = text.rfind(open_q, 0, start)
        if o != -1 and text.find(close_q, o, start) == -1:
            if text.find(close_q, end) != -1:
                return True
    if text.count('"', 0, start) % 2 == 1 and text.find('"', end) != -1:
        return True
    return _single_quoted(text, start, end)


_OPEN_SINGLE = re.compile(r"(?:^|(?<=[\s(\[“]))'")
_CLOSE_SINGLE = re.compile(r"'(?=[\s.,;:!?)\]”]|$)")


def _single_quoted(text: str, start: int, end: int) -> bool:
    """Inside ASCII single quotes ('guaranteed profits'), not an apostrophe
    (we'll, it's): the opening mark follows a blank, the closing one precedes
    one or punctuation, and the quoted words hold no mark of their own."""
    o = text.rfind("'", 0, start + 1)
    if o == -1 or not _OPEN_SINGLE.match(text, o):
        return False
    close = _CLOSE_SINGLE.search(text, max(end - 1, o + 1))
    return close is not None and text.find("'", o + 1, close.start()) == -1


class _Language:
    """One pack compiled: the trigger regex and the guard regexes."""

    def __init__(self, pack: Pack) -> None:
        self.lang = pack.language
        flags = re.MULTILINE | (re.IGNORECASE if self.lang == "en" else 0)
        self.rules: dict[str, _Compiled] = {}
        for i, rule in enumerate(pack.rules):
            # skip this rule's branches cheaply
            body = headed("|".join(f"(?:{p})" for p in rule.patterns), flags)
            self.rules[f"r{i}"] = _Compiled(
                rule=rule,
                unless=_either(rule.unless, flags),
                sentence_scope=rule.unless_scope == "sentence",
                guards=frozenset(rule.guards),
                alone=re.compile(body, flags),
            )
        self.order = list(self.rules)
        # Per category, the union of its rules' exceptions (clause, sentence
        # scope): the learned backstop's clause is excused by them too.
        by_cat: dict[tuple[str, bool], list[str]] = {}
        for rule in pack.rules:
            key = (rule.category, rule.unless_scope == "sentence")
            by_cat.setdefault(key, []).extend(rule.unless)
        self.unless_by_category = {
            key: compiled
            for key, pats in by_cat.items()
            if (compiled := _either(pats, flags)) is not None
        }
        # The rules' patterns one by one: a reply runs only those whose
        # required characters it holds (see prefilter.py).
        self.triggers = Alternatives(
            [(name, c.rule.patterns) for name, c in self.rules.items()], flags
        )
        g = pack.guards
        self.neg_window = g.negation.window
        self.negation = _compile(g.negation.patterns, flags)
        self.negated_clause = _either(g.negation.clause, flags)
        self.hedge = _compile(g.hedge, flags)
        self.question = _compile(g.question, flags)
        self.conditional = _compile(g.conditional, flags)
        self.attribution = _compile(g.attribution, flags)
        self.inability = _either(g.inability, flags)

    def scan(
        self, norm: str, original: str, role: str, index: list[int] | None = None
    ) -> list[Finding]:
        """Findings in `norm`; `index` maps a squeezed `norm` back to `original`."""
        found: list[Finding] = []
        last_end: dict[str, int] = {}
        for s, name, end in self.triggers.first_at(norm):
            hit = self._first_unexcused(name, end, norm, s, role, last_end)
            if hit is None:
                continue
            name, c, e = hit
            last_end[name] = e
            r = c.rule
            if index is not None:
                s, e = index[s], index[e - 1] + 1
            found.append(
                Finding(r.id, r.category, r.severity, s, e, original[s:e],
                        r.explanation, r.suggestion)
            )  # fmt: skip
        return found

    def _first_unexcused(
        self,
        name: str,
        end: int,
        norm: str,
        s: int,
        role: str,
        last_end: dict[str, int],
    ) -> tuple[str, _Compiled, int] | None:
        """The rule that matched at `s`, or when it does not apply here (role,
        overlap, exception, guard), the next rule in pack order that matches
        at `s` and does apply: a trigger shared by two rules (链接…输入…密码)
        must not hide the second because the first excuses itself. Only
        triggers pay for this; most replies have none."""
        c = self.rules[name]
        if self._applies(name, c, norm, s, end, role, last_end):
            return name, c, end
        for other in self.order[self.order.index(name) + 1 :]:
            oc = self.rules[other]
            m = oc.alone.match(norm, s)
            if m is not None and self._applies(
                other, oc, norm, s, m.end(), role, last_end
            ):
                return other, oc, m.end()
        return None

    def _applies(
        self,
        name: str,
        c: _Compiled,
        norm: str,
        s: int,
        e: int,
        role: str,
        last_end: dict[str, int],
    ) -> bool:
        if role not in c.rule.roles or s < last_end.get(name, -1) or s == e:
            return False
        return not self._excused(c, norm, s, e)

    def _excused(self, c: _Compiled, text: str, s: int, e: int) -> bool:
        """Is this trigger not a violation here (exception, negation, hedge …)?"""
        cs = _back(text, s, _CLAUSE_SEP)
        ce = _forward(text, e, _CLAUSE_SEP)
        if c.unless is not None:
            if c.sentence_scope:
                lo, hi = _back(text, s, _SENT_SEP), _forward(text, e, _SENT_SEP)
            else:
                lo, hi = cs, ce
            if c.unless.search(text, lo, hi):
                return True
        g = c.guards
        if "negation" in g:
            lo = max(cs, s - self.neg_window)
            if any(
                not _INTERJECTION.match(text, lo + m.start())
                for m in self.negation.finditer(text[lo:s])
            ):
                return True
            # before the trigger or inside it (套餐价格没法保证一直不变)
            if self.negated_clause is not None and self.negated_clause.search(
                text, cs, e
            ):
                return True
            if _DENIED_AFTER.match(text, max(0, e - 2)):
                return True  # 谁也保证不了: the promise verb denied after it
        if "hedge" in g and self.hedge.search(text[cs:ce]):
            return True
        if "question" in g:
            clause = text[cs : min(ce + 1, len(text))].rstrip()
            if self.question.search(clause):
                return True
        if "quote" in g:
            if _quoted(text, s, e) or self.attribution.search(text[cs:s]):
                return True
        if "conditional" in g:
            ss = _back(text, s, _SENT_SEP)
            # "…的订单当天发货，您这单今天肯定发": a policy for a class of orders,
            # then this customer's own order: the condition stays behind
            for own in _THIS_ORDER.finditer(text, ss, s):
                ss = own.end()
            # before the trigger in its sentence, or after it in its clause
            # ("we can deliver tomorrow if you order now")
            if self._open_condition(text, ss, cs, s) or self.conditional.search(
                text[e:ce]
            ):
                return True
        return False

    def _open_condition(self, text: str, ss: int, cs: int, s: int) -> bool:
        """A condition before the trigger in its sentence that is still open: in
        the trigger's own clause, or in an earlier clause with no consequence
        of its own (如果您今天下单，… but not 如有疑问可以随时联系我们，…)."""
        # (on the slice, so that ^ in a pattern is the sentence's start)
        for m in self.conditional.finditer(text[ss:s]):
            start, stop = ss + m.start(), ss + m.end()
            if start >= cs:
                return True
            end = _forward(text, stop, _CLAUSE_SEP)
            if end < cs:  # its consequence may be the next clause ("If …, just ask")
                end = _forward(text, min(end + 1, cs), _CLAUSE_SEP)
            if not _CLOSED.search(text, stop, min(end, s)):
                return True
        return False

    def excused_span(
        self, norm: str, s: int, e: int, category: str | None = None
    ) -> bool:
        """Is the clause [s, e) not the speaker's own firm claim?

        For spans without a trigger (the learned backstop's clause): hedged,
        a question, quoted or reported speech, a condition before it in its
        sentence, or a negated promise verb (不能保证, "can't promise") or a
        statement of inability (无法累积, "we're unable to") in it.
        The trigger-relative negation window is not used: 绝对不会再出现 is
        a promise that starts with a negation word. With `category`, the
        exceptions (`unless`) of that category's rules apply as well
        (请勿…输入密码 is a warning, 合约期内价格不变 a bounded term).
        """
        cs, ce = _back(norm, s, _CLAUSE_SEP), _forward(norm, e, _CLAUSE_SEP)
        ss = _back(norm, s, _SENT_SEP)
        clause = norm[cs:ce]
        if category is not None:
            se = _forward(norm, e, _SENT_SEP)
            for sentence_scope, lo, hi in ((False, cs, ce), (True, ss, se)):
                unless = self.unless_by_category.get((category, sentence_scope))
                if unless is not None and unless.search(norm, lo, hi):
                    return True
        if self.hedge.search(clause) or self.question.search(
            norm[cs : min(ce + 1, len(norm))].rstrip()
        ):
            return True
        if _quoted(norm, s, e) or self._reported(norm, ss, s, e):
            return True
        for negated in (self.negated_clause, self.inability):
            if negated is not None and negated.search(clause):
                return True
        return self.conditional.search(norm[ss:s]) is not None

    def _reported(self, norm: str, ss: int, s: int, e: int) -> bool:
        """Do someone else's words lead up to the span or into it? A clause
        without a trigger may itself begin with the report (营业厅的人跟您讲…)."""
        return any(
            self.attribution.search(norm[ss:p].rstrip("，,：: "))
            for p in range(s, e + 1)
        )


def _compile(patterns: Sequence[str], flags: int) -> re.Pattern[str]:
    compiled = _either(patterns, flags)
    assert compiled is not None  # the pack model requires at least one
    return compiled


class SpeechChecker:
    """Checks replies against rule packs; build once, call `check` per message."""

    def __init__(self, packs: Sequence[Pack] | None = None) -> None:
        packs = default_packs() if packs is None else packs
        self._langs: dict[str, _Language] = {p.language: _Language(p) for p in packs}

    def languages(self, text: str) -> tuple[Lang, ...]:
        """CJK text is zh; text with English words is en; mixed text is both."""
        if _CJK.search(text) is None:
            return ("en",)
        return ("zh", "en") if _EN_WORDS.search(text) else ("zh",)

    def check(self, text: str, role: str = "agent", lang: str | None = None) -> Verdict:
        """Findings for one reply by `role` ("agent" or "bot").

        `lang` forces one pack ("zh" / "en"); None (or "auto") detects it.
        """
        findings = prefer_specific(self.findings(text, role, lang), normalize(text))
        return Verdict(tuple(findings))

    def excused_span(
        self, norm: str, start: int, end: int, lang: str, category: str | None = None
    ) -> bool:
        """Do `lang`'s guards (and `category`'s exceptions) excuse the clause
        norm[start:end] (see `_Language.excused_span`)? `norm` is
        `normalize(text)`."""
        engine = self._langs.get(lang)
        return engine is not None and engine.excused_span(norm, start, end, category)

    def findings(
        self,
        text: str,
        role: str = "agent",
        lang: str | None = None,
        norm: str | None = None,
    ) -> list[Finding]:
        """Every rule finding, sorted, before `prefer_specific` picks among them.

        For callers that merge other findings first (reply.py), which pass
        `norm` (`normalize(text)`) when they have it.
        """
        if role not in ("agent", "bot"):
            raise ValueError(f"role must be 'agent' or 'bot', not {role!r}")
        if lang in (None, "auto"):
            langs: tuple[str, ...] = self.languages(text)
        elif lang in self._langs:
            langs = (lang,)
        else:
            known = sorted(self._langs)
            raise ValueError(f"unknown language {lang!r}; use one of {known}")
        if norm is None:
            norm = normalize(text)
        squeezed, index = expand_shorthand(*squeeze(norm))
        findings: list[Finding] = []
        for name in langs:
            engine = self._langs.get(name)
            if engine is not None:
                findings.extend(engine.scan(squeezed, text, role, index))
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        return findings


_RANK = {"warn": 0, "block": 1}
# Generic categories that give way only to the same phrase or clause
# (`_one_phrase`); the warning-level adjuncts (blame_customer,
# superlative_claim) give way to the whole sentence: "全网最低，以后一直都是
# 最低" is one permanent-price claim.
_CLAUSE_LOCAL = frozenset({"absolute_promise"})
_ADJACENT = 4  # characters: 保证24小时内发货 is one promise, reported once
# A bare certainty word with no outcome of its own ("我保证，明天发货", "it ships
# today, I promise"): in a clause of its own it leans on the neighbouring
# clause's promise and is one phrase with it. 绝对没问题 says something itself.
_BARE = re.compile(
    r"(?:我们?|本店|公司)?(?:向您|跟您|给您|和您)?(?:郑重)?(?:保证|承诺|发誓|打包票|担保)"
    r"|百分之?百|100%|一定|肯定|绝对|铁定|保准|放心|稳稳的|妥妥的|稳了|没跑|错不了"
    r"|(?:i|we)?\s*(?:can\s+)?(?:absolutely\s+|personally\s+)?"
    r"(?:promise|guarantee|swear|assure)(?:d|s)?(?:\s+(?:you|that))*"
    r"|guaranteed|100\s?(?:%|percent|per\s+cent)|for\s+(?:sure|certain)"
    r"|definitely|certainly|absolutely|trust\s+me|you\s+have\s+my\s+word"
    r"|no\s+(?:question|doubt)(?:\s+about\s+it)?|without\s+(?:a|any)\s+doubt"
    r"|(?:you\s+can\s+)?count\s+on\s+it",
    re.IGNORECASE,
)
# What may stand beside a bare certainty word in its clause: particles,
# address terms, the speaker, emoji, blanks ("亲，我这边给您保证哈~",
# "I guarantee it!").
_FILLER = (
    r"(?:[\s\W_]|亲|亲亲|您|你|我|我们|这边|这里|在此|哈|呢|哦|噢|啦|呀|啊|嘛|的|了|吧"
    r"|嗯|好|放心|请|\b(?:okay|ok|you|yes|sure|it|this|that|i|we)\b)*"
)
# ... or the specific promise said again in other words: 明天送到，保证不耽误您用
# (on time), "your price ..., guaranteed never to change", 绝对不会爆雷.
_RESTATE: dict[str, str] = {
    "time_commitment": r"(?:不会|不|绝不)(?:再)?(?:拖|拖延|延误|延迟|耽误|晚|迟到|超时)"
    r"[\u4e00-\u9fff]{0,3}|准时|按时|赶得上|来得及|\bon\s+time\b|\bno\s+delays?\b"
    r"|\bwon'?t\s+be\s+late\b",
    "permanent_price": r"(?:不会|不|永不|绝不)(?:再)?(?:变|涨|调|加价|上调)"
    r"[\u4e00-\u9fff]{0,2}|\b(?:never|won'?t|will\s+not)\s+(?:to\s+|ever\s+)?"
    r"(?:change|go\s+up|increase|rise)\b",
    "financial_guarantee": r"(?:不会|不可能|绝不)(?:亏|赔|爆雷|暴雷|跑路|违约)"
    r"[\u4e00-\u9fff]{0,2}|\b(?:no\s+risk|can'?t\s+lose|risk[- ]free)\b",
}
_LEAN = {
    cat: re.compile(f"{_FILLER}(?:(?:{pat}){_FILLER})?", re.IGNORECASE)
    for cat, pat in _RESTATE.items()
}
_LEAN_ANY = re.compile(_FILLER, re.IGNORECASE)


def _one_phrase(f: Finding, g: Finding, text: str) -> bool:
    """Do the generic finding `f` and the specific `g` state one promise?

    They do when they touch (保证24小时内发货), when no clause separator
    stands between them (我们保证明天发货), or when `f` is a bare certainty
    word alone in the clause next to `g`'s ("我保证，明天一定发货",
    "it ships today, I promise"). A claim of its own in another clause
    (我们保证明天发货，绝对没问题) is a second finding.
    """
    lo, hi = (f.end, g.start) if f.end <= g.start else (g.end, f.start)
    gap = text[lo:hi]  # empty when they overlap
    if not any(ch in _CLAUSE_SEP for ch in gap):
        return True  # touching (保证24小时内发货) or in one clause
    if _BARE.fullmatch(text[f.start : f.end].strip()) is None:
        return False
    # f's clause holds nothing else, and g's clause is the next (or previous) one
    cs, ce = _back(text, f.start, _CLAUSE_SEP), _forward(text, f.end, _CLAUSE_SEP)
    rest = text[cs : f.start] + text[f.end : ce]
    if _LEAN.get(g.category, _LEAN_ANY).fullmatch(rest) is None:
        return False
    runs = re.findall(f"[{re.escape(''.join(sorted(_CLAUSE_SEP)))}]+", gap)
    return len(runs) == 1


def prefer_specific(findings: Sequence[Finding], text: str) -> list[Finding]:
    """Drop a generic finding when a more specific category states the same
    promise (see `_one_phrase`).

    `text` is the checked text (offsets of `findings` index into it); only
    findings of the same pack (rule id prefix) compete, and the promise
    checker's findings (`promise.*`) compete with every pack. The specific
    finding carries the better reason and rewrite; reporting both would count
    one violation twice. An absolute promise is merged only when it is the
    same phrase or clause: a separate absolute phrase elsewhere in the sentence
    (我们保证明天发货，绝对没问题) is reported as well. A warning hides a block
    only when they are one phrase (保证24小时内发货): "I can assure you this
    will be resolved today" keeps its absolute promise next to the unsupported
    time warning.
    """
    if len(findings) < 2:
        return list(findings)
    kept: list[Finding] = []
    for f in findings:
        stronger = _DOMINATED_BY.get(f.category)
        if stronger:
            lo = _back(text, f.start, _SENT_SEP)
            hi = _forward(text, f.end, _SENT_SEP)
            pack = f.rule.split(".", 1)[0]
            if any(
                g.category in stronger
                and (
                    _RANK[g.severity] >= _RANK[f.severity]
                    or max(g.start - f.end, f.start - g.end) <= _ADJACENT
                )
                and g.start < hi
                and g.end > lo
                and g.rule.split(".", 1)[0] in (pack, "promise")
                and (f.category not in _CLAUSE_LOCAL or _one_phrase(f, g, text))
                for g in findings
            ):
                continue
        kept.append(f)
    return kept


@cache
def default_checker() -> SpeechChecker:
    """The shared checker over the shipped packs (compiled on first use)."""
    return SpeechChecker()


def check(text: str, role: str = "agent", lang: str | None = None) -> Verdict:
    """Check one reply with the default checker; see `SpeechChecker.check`."""
    return default_checker().check(text, role=role, lang=lang)


def rule_findings(
    text: str, role: str = "agent", lang: str | None = None, norm: str | None = None
) -> list[Finding]:
    """The default checker's findings before `prefer_specific` (for reply.py)."""
    return default_checker().findings(text, role=role, lang=lang, norm=norm)
