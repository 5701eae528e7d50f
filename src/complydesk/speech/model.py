"""Learned backstop: a linear model that warns on risky phrasing the rules miss.

Why: hand-written rule families reached recall 0.51-0.83 on freshly written
wording before they were tuned for it. A linear model over character 1-4-grams
(and English word 1-2-grams) generalises to near wording no family covers.
It only ever *warns* (rule id `model.<category>`): a block needs a rule or a
fact that says why.

The model is data: `data/speech_model.json` (TF-IDF vocabulary with its idf
and one logistic-regression weight per category, the bias and the decision
threshold), written by `bench/train_speech_model.py` from the labelled set's
dev split only. Loading it runs no code (no pickle). Scoring is the same
arithmetic as scikit-learn's `TfidfVectorizer(sublinear_tf=True)` plus
`LogisticRegression.decision_function`, in plain Python: a few hundred dict
look-ups per reply. The training script checks that this reproduces
scikit-learn's scores.

A flag needs the reply and its best sentence to score above the threshold
(a reply whose style scores but no sentence of which says anything risky is
not flagged); the span is the best sentence's highest-scoring clause, and the
rule packs' guards still apply to it: a hedged, negated, questioned, quoted,
conditional or inability clause is not flagged, nor one that the category's
rule exceptions excuse (a warning about secrets, a bounded price term).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter, mul
from typing import Any

from complydesk.speech.check import default_checker, normalize, squeeze

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9']+")
_CLAUSE = re.compile(r"[^，。！？；：,.!?;:\n]+")
_SENTENCE = re.compile(r"[^。！？；.!?;\n]+")
_EDGE = " \t\u3000\"'“”‘’「」『』()（）"
FORMAT = 1


def prepare(text: str, norm: str | None = None) -> str:
    """The model's view of a text: normalized (width, traditional), letter
    spacing squeezed, lower-cased, blanks collapsed. Training uses this too.
    `norm` is `normalize(text)` when the caller already has it."""
    folded = (
        squeeze(normalize(text) if norm is None else norm)[0]
        .lower()
        .replace("您", "你")
    )
    return _WS.sub(" ", folded).strip()


def char_grams(text: str, lo: int, hi: int) -> Iterable[str]:
    """Character n-grams, as scikit-learn's `analyzer="char"` makes them."""
    n_text = len(text)
    for n in range(lo, min(hi, n_text) + 1):
        for i in range(n_text - n + 1):
            yield text[i : i + n]


def word_grams(text: str, lo: int, hi: int) -> Iterable[str]:
    """Word n-grams over `[a-z0-9']+` tokens, joined by one blank."""
    words = _WORD.findall(text)
    for n in range(lo, hi + 1):
        for i in range(len(words) - n + 1):
            yield " ".join(words[i : i + n])


@dataclass(frozen=True)
class _Part:
    """One TF-IDF block (its own L2 norm) with its weights per category."""

    index: Mapping[str, int]
    idf: Sequence[float]
    weights: Sequence[Sequence[float]]  # per category, per feature
    lo: int
    hi: int
    words: bool
    floor: float  # norm floor: short texts are not scaled up to long ones

    def grams(self, prepared: str) -> Iterable[str]:
        if self.words:
            return word_grams(prepared, self.lo, self.hi)
        n = len(prepared)
        # a list comprehension: ~2x faster than the generator, same grams
        return [
            prepared[i : i + k]
            for k in range(self.lo, min(self.hi, n) + 1)
            for i in range(n - k + 1)
        ]

    def add(self, prepared: str, sums: list[float]) -> None:
        """Add this block's normalized contribution to each category's sum."""
        ids = [i for i in map(self.index.get, self.grams(prepared)) if i is not None]
        if not ids:
            return
        counts = Counter(ids)
        keys = list(counts)
        idf = self.idf
        if len(keys) == len(ids):  # every gram once: tf weight 1 + log 1 = 1
            xs = [idf[i] for i in keys]
        else:
            xs = [(1.0 + math.log(counts[i])) * idf[i] for i in keys]
        norm = max(math.sqrt(sum(x * x for x in xs)), self.floor)
        pick = itemgetter(*keys) if len(keys) > 1 else (lambda col: (col[keys[0]],))
        for c, col in enumerate(self.weights):
            sums[c] += sum(map(mul, xs, pick(col))) / norm


@dataclass(frozen=True)
class ModelHit:
    """The model's flag: a category, its score and the clause (code points)."""

    category: str
    score: float
    start: int
    end: int


class SpeechModel:
    """The fitted backstop; build once from the JSON data, call `flag`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"speech model format {data.get('format')!r} unknown")
        self.categories: tuple[str, ...] = tuple(data["categories"])
        self.bias: tuple[float, ...] = tuple(float(b) for b in data["bias"])
        self.threshold = float(data["threshold"])
        self.bot_only = frozenset(data.get("bot_only", ()))
        self.parts = tuple(_part(p, len(self.categories)) for p in data["parts"])

    def scores(self, text: str, norm: str | None = None) -> list[float]:
        """Decision score per category (log-odds) for a raw text."""
        prepared = prepare(text, norm)
        sums = list(self.bias)
        for part in self.parts:
            part.add(prepared, sums)
        return sums

    def flag(
        self, text: str, role: str = "agent", norm: str | None = None
    ) -> ModelHit | None:
        """The category the text most resembles, when above the threshold and
        allowed for `role`, with its highest-scoring clause; None otherwise
        (also when the packs' guards excuse that clause)."""
        if norm is None:
            norm = normalize(text)
        scores = self.scores(text, norm)
        best, score = -1, self.threshold
        for c, s in enumerate(scores):
            if s >= score and (
                role == "bot" or self.categories[c] not in self.bot_only
            ):
                best, score = c, s
        if best < 0:
            return None
        lo, hi, sentence_score = self._best(norm, best, _SENTENCE, 0, len(norm))
        # the reply and its best sentence must both score: when no sentence
        # says it on its own, the reply's style scored, not a claim
        score = min(score, sentence_score)
        if score < self.threshold:
            return None
        start, end, _ = self._best(norm, best, _CLAUSE, lo, hi)
        checker = default_checker()
        for lang in checker.languages(text):
            if checker.excused_span(norm, start, end, lang, self.categories[best]):
                return None
        return ModelHit(self.categories[best], score, start, end)

    def _best(
        self, norm: str, c: int, unit: re.Pattern[str], lo: int, hi: int
    ) -> tuple[int, int, float]:
        """Bounds and score of the `unit` (sentence or clause) in norm[lo:hi]
        scoring highest for category `c`."""
        best: tuple[float, int, int] | None = None
        for m in unit.finditer(norm, lo, hi):
            s, e = m.start(), m.end()
            while s < e and norm[s] in _EDGE:
                s += 1
            while e > s and norm[e - 1] in _EDGE:
                e -= 1
            if s == e:
                continue
            score = self.scores(norm[s:e])[c]
            if best is None or score > best[0]:
                best = (score, s, e)
        return (best[1], best[2], best[0]) if best else (lo, hi, -math.inf)


def _part(data: Mapping[str, Any], n_categories: int) -> _Part:
    features = data["features"]  # {gram: [idf, w_1 ... w_k]}
    index = {g: i for i, g in enumerate(features)}
    rows = list(features.values())
    if any(len(r) != n_categories + 1 for r in rows):
        raise ValueError("speech model: a feature row has the wrong length")
    lo, hi = data["ngram_range"]
    return _Part(
        index=index,
        idf=[float(r[0]) for r in rows],
        weights=[[float(r[c + 1]) for r in rows] for c in range(n_categories)],
        lo=int(lo),
        hi=int(hi),
        words=data["analyzer"] == "word",
        floor=float(data.get("norm_floor", 0.0)),
    )


def load_model(data: str | bytes) -> SpeechModel:
    """A model from its JSON text (what the training script writes)."""
    return SpeechModel(json.loads(data))


@cache
def default_model() -> SpeechModel:
    """The shipped model (package data), loaded once per process."""
    res = resources.files("complydesk.speech") / "data" / "speech_model.json"
    return load_model(res.read_text(encoding="utf-8"))
