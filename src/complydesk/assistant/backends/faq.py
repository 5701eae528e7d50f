"""The built-in, offline FAQ bot: BM25 over a knowledge-base file.

Chinese is segmented with jieba (search mode, so 七日无理由退货 also yields 退货
and 理由), English split into lower-case words; both are scored by Okapi BM25
over each entry's questions and keywords. The best entry answers only when its
confidence (the BM25 score divided by the score a document containing every
query term once would get) reaches the threshold; otherwise the bot says it did
not understand, which counts towards the hand-off trigger `nlu_failures`.
jieba is pure Python and MIT-licensed; its dictionary loads once per process
(about a second) on first use.

Knowledge-base file (YAML):

    version: 1
    fallback: {zh: "...", en: "..."}
    entries:
      - id: return_policy
        questions: ["怎么退货", "How do I return an item?"]
        keywords: [退货, return]          # optional
        answer: {zh: "...", en: "..."}
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from complydesk.assistant.backends import Answer
from complydesk.assistant.handoff import Turn
from complydesk.errors import ConfigError

K1 = 1.5
B = 0.75
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff]+")
_STOP = frozenset(
    "的 了 吗 呢 吧 啊 我 你 您 是 在 有 和 请问 请 一下 怎么 如何 什么 可以 能 要 想 "
    "a an the i my me you your is are do does can how what to of for it in on and "
    "please".split()
)
_lock = threading.Lock()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localised(_Strict):
    zh: str = Field(min_length=1, max_length=2000)
    en: str = Field(min_length=1, max_length=2000)

    def pick(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Entry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    questions: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    answer: Localised


class KnowledgeBase(_Strict):
    version: int = Field(ge=1)
    fallback: Localised
    entries: tuple[Entry, ...] = Field(min_length=1)


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """The file at `path`, or the shipped demo knowledge base."""
    try:
        if path is None:
            text = (
                resources.files("complydesk.assistant")
                .joinpath("data/faq.yaml")
                .read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except OSError:
        raise ConfigError(f"knowledge base {path} cannot be read") from None
    except yaml.YAMLError:
        raise ConfigError(f"knowledge base {path} is not valid YAML") from None
    try:
        kb = KnowledgeBase.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"knowledge base: {where}: {first['msg']}") from None
    ids = [e.id for e in kb.entries]
    if len(set(ids)) != len(ids):
        raise ConfigError("knowledge base: entry ids must be unique")
    return kb


@cache
def _jieba() -> Any:
    """One jieba tokenizer per process, initialised once under a lock."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _lock:
        tokenizer.initialize()
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba words for Chinese runs, lower-case words for the rest."""
    out: list[str] = []
    for run in _WORD.findall(text.casefold()):
        if run[0].isascii():
            out.append(run)
        else:
            out.extend(w for w in _jieba().cut_for_search(run) if w.strip())
    return [t for t in out if t not in _STOP]


@dataclass(frozen=True)
class _Doc:
    entry: Entry
    terms: Counter[str]
    length: int


class FaqBackend:
    """Answers from the knowledge base when confident; otherwise a fallback."""

    name = "faq"
    model: str | None = None

    def __init__(self, kb: KnowledgeBase, threshold: float = 0.3) -> None:
        self.kb = kb
        self.threshold = threshold
        self._docs: list[_Doc] = []
        for entry in kb.entries:
            terms = Counter(tokenize(" ".join((*entry.questions, *entry.keywords))))
            self._docs.append(_Doc(entry, terms, sum(terms.values())))
        self._avgdl = sum(d.length for d in self._docs) / len(self._docs)
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.terms.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def score(self, text: str) -> list[tuple[float, Entry]]:
        """(confidence, entry), best first; confidence in [0, 1]."""
        query = [t for t in dict.fromkeys(tokenize(text)) if t in self._idf]
        if not query:
            return []
        ideal = sum(self._idf[t] for t in query)
        scored = []
        for doc in self._docs:
            total = 0.0
            norm = K1 * (1 - B + B * doc.length / self._avgdl)
            for term in query:
                tf = doc.terms.get(term, 0)
                if tf:
                    total += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            if total:
                scored.append((min(1.0, total / ideal), doc.entry))
        scored.sort(key=lambda pair: -pair[0])
        return scored

    def answer(
        self,
        conversation: str,
        text: str,
        history: Sequence[Turn],
        *,
        lang: str,
        jurisdiction: str,
    ) -> Answer:
        ranked = self.score(text)
        if ranked and ranked[0][0] >= self.threshold:
            confidence, entry = ranked[0]
            return Answer(entry.answer.pick(lang), True, round(confidence, 3), entry.id)
        best = round(ranked[0][0], 3) if ranked else 0.0
        return Answer(self.kb.fallback.pick(lang), False, best, None)
