"""The pattern prefilter (speech/prefilter.py) against the one big regex it replaces.

The rule packs used to run as one alternation `(?P<r0>…)|(?P<r1>…)|…` per
language and the promise tokenizer as one `finditer`; both now run only the
patterns whose required strings a text holds. These tests compare the two on
every sentence of the labelled set (bench/data/speech_eval.jsonl) and on
constructed edge cases: any difference is a missed or invented finding.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from complydesk.speech import commitments
from complydesk.speech.check import default_checker, normalize
from complydesk.speech.prefilter import (
    Alternatives,
    Hint,
    named_parts,
    required_strings,
    split_top,
)

SET = Path(__file__).resolve().parents[1] / "bench" / "data" / "speech_eval.jsonl"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]
    extra = [
        "",
        "ſhut up",  # long s: an ignore-case 's'
        "İ GUARANTEE it",  # lower() gives two characters
        "我们保 证明天发货",
        "１００％保证到账",
    ]
    return [normalize(r["text"]) for r in rows] + extra


def _alternation_hits(rx: re.Pattern[str], text: str) -> list[tuple[int, str, int]]:
    """The old loop: search, report the group, restart one character later."""
    out = []
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        out.append((m.start(), m.lastgroup or "", m.end()))
        pos = m.start() + 1
    return out


def test_when_rule_packs_run_by_prefilter_then_same_hits_as_one_alternation(
    texts: list[str],
) -> None:
    checker = default_checker()
    for engine in checker._langs.values():  # noqa: SLF001 - the unit under test
        flags = re.MULTILINE | (re.IGNORECASE if engine.lang == "en" else 0)
        joined = "|".join(
            f"(?P<{name}>{'|'.join(f'(?:{p})' for p in c.rule.patterns)})"
            for name, c in engine.rules.items()
        )
        one = re.compile(joined, flags)
        for text in texts:
            assert engine.triggers.first_at(text) == _alternation_hits(one, text), text


def test_when_tokenized_by_prefilter_then_same_tokens_as_finditer(
    texts: list[str],
) -> None:
    for text in texts:
        folded = text.lower()
        expected = [
            (m.start(), m.lastgroup, m.end())
            for m in commitments._TOKEN.finditer(folded)  # noqa: SLF001
        ]
        assert commitments._TOKENS.tokens(folded) == expected, text  # noqa: SLF001


def test_when_text_lacks_required_string_then_pattern_skipped() -> None:
    alts = Alternatives([("a", ["保证(?:到账|发货)"]), ("b", ["退款"])])
    assert alts.first_at("我们会尽快处理") == []
    assert alts.first_at("保证到账，退款") == [(0, "a", 4), (5, "b", 7)]
    assert alts.candidates("保证", "保证") == {0}


def test_when_two_rules_match_at_one_position_then_first_rule_wins() -> None:
    alts = Alternatives([("generic", ["保证"]), ("specific", ["保证发货"])])
    assert alts.first_at("保证发货") == [(0, "generic", 2)]


def test_when_ignore_case_then_long_s_and_dotted_i_still_match() -> None:
    alts = Alternatives([("r", ["shut up", "it"])], re.IGNORECASE)
    assert alts.first_at("ſhut up") == [(0, "r", 7)]
    assert alts.first_at("İT") == [(0, "r", 2)]
    assert re.compile("it", re.IGNORECASE).match("İT") is not None


def test_when_tokens_hit_an_empty_match_then_none() -> None:
    alts = Alternatives([("maybe", ["x?"])])
    assert alts.tokens("abc") is None


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        ("保证|承诺", {"保证", "承诺"}),
        ("(?:我们)?保证", {"保证"}),
        ("[甲乙]方", {"甲", "乙"}),  # the rarer side
        (r"\d+天内", {"天内"}),
        ("abc", {"abc"}),
        ("(?i:ABC)", {"abc"}),
        ("(?=.*退)款", {"退"}),  # a look-ahead counts
        ("x?", None),
        (r"\bword", {"word"}),
        ("(?!不)能", {"能"}),
    ],
)
def test_required_strings(pattern: str, needed: set[str] | None) -> None:
    found = required_strings(pattern)
    assert (None if found is None else set(found)) == needed


def test_split_top_keeps_classes_escapes_and_groups_whole() -> None:
    assert split_top(r"a|[|b]|\||(?:c|d)") == ["a", "[|b]", r"\|", "(?:c|d)"]
    assert split_top("(?:a|b)") == ["a", "b"]
    assert split_top("(?:a)(?:b)") == ["(?:a)(?:b)"]


def test_named_parts_rejects_an_unnamed_alternative() -> None:
    assert named_parts("(?P<a>x|y)|(?P<b>z)") == [("a", "x|y"), ("b", "z")]
    with pytest.raises(ValueError, match="not a named group"):
        named_parts("(?P<a>x)|y")


def test_hint_says_no_only_without_a_required_string() -> None:
    hint = Hint(["明天|后天", "within"], re.IGNORECASE)
    assert hint.may_match("后天到") and hint.may_match("WITHIN a day")
    assert not hint.may_match("好的")
    assert Hint(["x?"]).may_match("anything")


def test_when_lower_case_depends_on_context_then_filter_is_skipped() -> None:
    # str.lower() makes a word-final Σ a ς, so "οδοσ" is not in "ΟΔΟΣ".lower()
    alts = Alternatives([("r", ["ΟΔΟΣ"])])
    assert "ΟΔΟΣ".lower() == "οδος"
    assert alts.first_at("ΟΔΟΣ") == [(0, "r", 4)]
