"""The learned backstop (speech/model.py): data file, arithmetic, wiring, guards."""

from __future__ import annotations

import copy
import json
import math
from importlib import resources
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from complydesk.speech.model import (
    SpeechModel,
    char_grams,
    default_model,
    load_model,
    prepare,
    word_grams,
)
from complydesk.speech.reply import check_reply, model_finding
from complydesk.speech.rules import (
    CORE_CATEGORIES,
    RulePackError,
    default_packs,
    parse_pack,
)

# A permanent-price promise no rule family covers (the price is "kept for you").
PRICE = "这个价格往后都给您留着，不会涨的"


def test_shipped_model_is_small_json_covering_the_core_categories() -> None:
    res = resources.files("complydesk.speech") / "data" / "speech_model.json"
    raw = res.read_bytes()
    assert len(raw) < 400_000
    data = json.loads(raw)
    assert data["categories"] == list(CORE_CATEGORIES)
    assert data["bot_only"] == ["bot_claims_human"]
    assert "split=dev" in data["trained_on"]
    assert default_model().threshold == data["threshold"] > 0


def test_backstop_warns_with_category_span_reason_and_pack_suggestion() -> None:
    verdict = check_reply(PRICE)
    assert verdict.verdict == "warn"
    (f,) = verdict.findings
    assert (f.rule, f.category, f.severity) == (
        "model.permanent_price",
        "permanent_price",
        "warn",
    )
    assert f.text == PRICE[f.start : f.end] == "这个价格往后都给您留着"
    assert "价格永久不变" in f.reason
    zh = next(p for p in default_packs() if p.language == "zh")
    assert f.suggestion == zh.categories["permanent_price"].suggestion
    assert set(verdict.to_dict()["findings"][0]) == {
        "rule", "category", "severity", "start", "end", "text", "reason",
        "suggestion",
    }  # fmt: skip


def test_backstop_off_gives_rules_alone() -> None:
    assert check_reply(PRICE, backstop=False).verdict == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "这个价格往后尽量都给您留着，不会涨的",  # hedge in the clause
        "这个价格往后都给您留着吗？",  # a question
        "您说“这个价格往后都给您留着”，其实不是这样的",  # quoted
    ],
)
def test_guards_of_the_packs_excuse_the_models_clause(text: str) -> None:
    assert not any(f.rule.startswith("model.") for f in check_reply(text).findings)


def test_model_never_blocks_and_never_repeats_a_rule_finding() -> None:
    # rules block this; the model (which also scores it) adds nothing
    verdict = check_reply("我保证这个价格终身不变")
    assert verdict.verdict == "block"
    assert not any(f.rule.startswith("model.") for f in verdict.findings)


def test_bot_category_only_for_bot_replies() -> None:
    text = "我是坐在工位上的真人客服小李"
    hit = default_model().flag(text, "bot")
    assert hit is not None and hit.category == "bot_claims_human"
    assert default_model().flag(text, "agent") is None


def test_reason_follows_the_language_of_the_text() -> None:
    # rules block this one; asked directly, the backstop explains in English
    f = model_finding(
        "this rate is yours for life, it won't ever go up", "agent", None, []
    )
    assert f is not None and f.rule == "model.permanent_price"
    assert f.reason.startswith("This wording resembles a risky promise that a price")
    en = next(p for p in default_packs() if p.language == "en")
    assert f.suggestion == en.categories["permanent_price"].suggestion


def _tiny(features: dict[str, list[float]], floor: float = 0.0) -> dict[str, Any]:
    cats = list(CORE_CATEGORIES)
    return {
        "format": 1,
        "categories": cats,
        "bot_only": ["bot_claims_human"],
        "bias": [0.0] * len(cats),
        "threshold": 1.0,
        "parts": [
            {
                "analyzer": "char",
                "ngram_range": [1, 2],
                "norm_floor": floor,
                "features": features,
            }
        ],
    }


def test_scores_are_sublinear_tfidf_with_a_norm_floor() -> None:
    w = [1.0, 0, 0, 0, 0, 0, 0]
    model = SpeechModel(_tiny({"保": [2.0, *w], "保证": [3.0, *w]}))
    # 保证保证: 保 twice, 保证 twice (证保 unknown): x = (1 + ln 2) * idf
    x = [(1 + math.log(2)) * 2.0, (1 + math.log(2)) * 3.0]
    norm = math.hypot(*x)
    assert model.scores("保证保证")[0] == pytest.approx(sum(x) / norm)
    floored = SpeechModel(_tiny({"保": [2.0, *w], "保证": [3.0, *w]}, floor=100.0))
    assert floored.scores("保证保证")[0] == pytest.approx(sum(x) / 100.0)
    assert model.scores("没有相关的字")[0] == 0.0


def test_runtime_reproduces_scikit_learn() -> None:
    texts = ["我保证明天到", "您好，预计三天内送达", "保本保息稳赚", "请勿透露验证码",
             "I promise it ships today", "returns are not guaranteed"]  # fmt: skip
    y = np.array([1, 0, 1, 0, 1, 0])
    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), preprocessor=prepare,
        lowercase=False, sublinear_tf=True, norm=None,
    )  # fmt: skip
    x = vec.fit_transform(texts)
    floor = 3.0
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    xf = sp.diags(1 / np.maximum(norms, floor)) @ x
    lr = LogisticRegression(C=10, solver="liblinear").fit(xf, y)
    rows = {
        str(g): [float(vec.idf_[i])] + [float(lr.coef_[0][i])] * 7
        for i, g in enumerate(vec.get_feature_names_out())
    }
    data = _tiny(rows, floor)
    data["parts"][0]["ngram_range"] = [1, 3]
    data["bias"] = [float(lr.intercept_[0])] * 7
    model = load_model(json.dumps(data))
    probe = ["保证三天内送达", "returns guaranteed today", "完全无关"]
    xp = vec.transform(probe)
    pn = np.sqrt(np.asarray(xp.multiply(xp).sum(axis=1)).ravel())
    ref = lr.decision_function(sp.diags(1 / np.maximum(pn, floor)) @ xp)
    for text, want in zip(probe, ref, strict=True):
        assert model.scores(text)[0] == pytest.approx(want, abs=1e-9)


def test_grams_match_scikit_learns_analyzers() -> None:
    text = prepare("Ｉ  Promise 保證")
    assert text == "i promise 保证"
    char = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), lowercase=False)
    assert sorted(char_grams(text, 1, 4)) == sorted(char.build_analyzer()(text))
    word = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=r"[a-z0-9']+"
    )
    assert sorted(word_grams(text, 1, 2)) == sorted(word.build_analyzer()(text))


def test_unknown_model_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="format"):
        SpeechModel({**_tiny({}), "format": 99})
    bad = _tiny({"保": [1.0, 2.0]})
    with pytest.raises(ValueError, match="wrong length"):
        SpeechModel(bad)


def test_pack_category_texts_must_name_a_rule_category() -> None:
    zh = copy.deepcopy(default_packs()[0].model_dump(mode="json"))
    zh["categories"]["no_such_category"] = {"name": "x", "suggestion": "y"}
    with pytest.raises(RulePackError, match=r"categories\.no_such_category"):
        parse_pack(zh, "zh.yaml")
    for pack in default_packs():
        assert set(pack.categories) == set(CORE_CATEGORIES)
        assert pack.guards.inability
