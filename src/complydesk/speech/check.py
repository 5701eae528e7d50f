"""Check a reply against the speech rule packs: one combined regex per language.

Each language's rules are compiled ONCE into a single alternation with a named
group per rule, so a message costs one regex scan however many rules there are;
most replies have no trigger at all. Only a trigger pays for the per-match
checks (role, `unless`, negation, hedge, question, quote, conditional), which
are what keeps precision high on real helpdesk text: "我们无法保证", "预计明天
到", "您能保证吗？" and quoted customer speech are not promises.

Matching runs on a normalized copy of the same length (width folding plus a
small traditional->simplified table), so offsets map straight back to the
original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from complydesk.pii.text import fold
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.rules import Pack, Rule, default_packs

Lang = Literal["zh", "en"]

# Traditional -> simplified, one code point each (length kept), for the
# characters the rules use. Not a general converter: only what triggers need.
_TRAD_PAIRS = (
    "證证 絕绝 對对 達达 賬账 帳账 發发 貨货 時时 內内 馬马 終终 費费 漲涨 價价 變变 "
    "遠远 賺赚 風风 險险 無无 據据 機机 們们 說说 題题 錢钱 銀银 號号 碼码 驗验 買买 "
    "訴诉 會会 還还 讓让 給给 個个 這这 麼么 嗎吗 請请 須须 滿满 決决 處处 護护 寶宝 "
    "戶户 賠赔 虧亏 穩稳 獲获 報报 罵骂 鬧闹 開开 腦脑 殘残 實实 應应 該该 準准 確确 "
    "貼贴 製制 將将 從从 與与 關关 係系 歸归 見见 啟启 問问 閉闭 讀读 單单 紀纪 錄录 "
    "聯联 絡络 電电 話话 網网 線线 務务 滾滚 癡痴 擔担 萬万 賣卖 剛刚 兌兑 損损 贏赢 "
    "額额 兩两 幾几 週周 後后 當当 裡里 門门 鐘钟 專专 屬属 樣样 營营 業业 寫写 換换 "
    "騙骗 爛烂 級级 國国 獨独 倫伦 頂顶 極极 進进 壞坏 煩烦 邊边 備备 攜携 帶带 設设 "
    "詐诈 識识 則则 規规 條条 約约 議议 況况 麼么 "
).split()
_TRAD_TABLE = {ord(p[0]): ord(p[1]) for p in _TRAD_PAIRS}
_TRAD_RUN = re.compile("[" + "".join(chr(c) for c in _TRAD_TABLE) + "]+")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EN_WORDS = re.compile(r"[A-Za-z]{2,}[\s,]+[A-Za-z']{2,}")
# Clause and sentence separators (ASCII forms too: real helpdesk text mixes them).
_CLAUSE_SEP = frozenset("，。！？；：,.!?;:\n")
_SENT_SEP = frozenset("。！？；.!?;\n")
_SCAN_LIMIT = 120  # how far back/forward a clause or sentence is looked for
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
    """Width-fold and fold traditional characters; same length as `text`."""
    folded = fold(text)
    return _TRAD_RUN.sub(lambda m: m.group().translate(_TRAD_TABLE), folded)


def _either(patterns: Iterable[str], flags: int) -> re.Pattern[str] | None:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(joined, flags) if joined else None


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    unless: re.Pattern[str] | None
    sentence_scope: bool
    guards: frozenset[str]


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


def _quoted(text: str, start: int, end: int) -> bool:
    """Is [start, end) inside a closed pair of quote marks?"""
    for open_q, close_q in _QUOTES:
        o = text.rfind(open_q, 0, start)
        if o != -1 and text.find(close_q, o, start) == -1:
            if text.find(close_q, end) != -1:
                return True
    return text.count('"', 0, start) % 2 == 1 and text.find('"', end) != -1


class _Language:
    """One pack compiled: the trigger regex and the guard regexes."""

    def __init__(self, pack: Pack) -> None:
        self.lang = pack.language
        flags = re.MULTILINE | (re.IGNORECASE if self.lang == "en" else 0)
        self.rules: dict[str, _Compiled] = {}
        parts = []
        for i, rule in enumerate(pack.rules):
            name = f"r{i}"
            parts.append(f"(?P<{name}>{'|'.join(f'(?:{p})' for p in rule.patterns)})")
            self.rules[name] = _Compiled(
                rule=rule,
                unless=_either(rule.unless, flags),
                sentence_scope=rule.unless_scope == "sentence",
                guards=frozenset(rule.guards),
            )
        self.trigger = re.compile("|".join(parts), flags)
        g = pack.guards
        self.neg_window = g.negation.window
        self.negation = _compile(g.negation.patterns, flags)
        self.hedge = _compile(g.hedge, flags)
        self.question = _compile(g.question, flags)
        self.conditional = _compile(g.conditional, flags)
        self.attribution = _compile(g.attribution, flags)

    def scan(self, norm: str, original: str, role: str) -> list[Finding]:
        found: list[Finding] = []
        last_end: dict[str, int] = {}
        pos = 0
        search = self.trigger.search
        while (m := search(norm, pos)) is not None:
            pos = m.start() + 1
            name = m.lastgroup
            if name is None:  # pragma: no cover - every branch is a named group
                continue
            c = self.rules[name]
            s, e = m.span()
            if role not in c.rule.roles or s < last_end.get(name, -1) or s == e:
                continue
            if self._excused(c, norm, s, e):
                continue
            last_end[name] = e
            r = c.rule
            found.append(
                Finding(r.id, r.category, r.severity, s, e, original[s:e],
                        r.explanation, r.suggestion)
            )  # fmt: skip
        return found

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
            if self.negation.search(text[lo:s]):
                return True
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
            if self.conditional.search(text[ss:s]):
                return True
        return False


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
        if role not in ("agent", "bot"):
            raise ValueError(f"role must be 'agent' or 'bot', not {role!r}")
        if lang in (None, "auto"):
            langs: tuple[str, ...] = self.languages(text)
        elif lang in self._langs:
            langs = (lang,)
        else:
            known = sorted(self._langs)
            raise ValueError(f"unknown language {lang!r}; use one of {known}")
        norm = normalize(text)
        findings: list[Finding] = []
        for name in langs:
            engine = self._langs.get(name)
            if engine is not None:
                findings.extend(engine.scan(norm, text, role))
        findings = prefer_specific(findings, norm)
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        return Verdict(tuple(findings))


def prefer_specific(findings: Sequence[Finding], text: str) -> list[Finding]:
    """Drop a generic finding when a more specific category is in its sentence.

    `text` is the checked text (offsets of `findings` index into it); only
    findings of the same pack (rule id prefix) compete. The specific finding
    carries the better reason and rewrite; reporting both would count one
    violation twice.
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
                and g.start < hi
                and g.end > lo
                and g.rule.split(".", 1)[0] == pack
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
