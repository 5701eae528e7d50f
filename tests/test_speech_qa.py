"""Batch speech QA: reading transcripts, aggregation, the HTML report.

Most tests use `keyword_check`, a small deterministic checker defined here, so
they exercise qa.py alone. One test runs the real rule engine when
`complydesk.speech.check` is importable and skips (with the reason) otherwise.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
from pathlib import Path

import pytest

from complydesk.errors import InvalidInput
from complydesk.speech.finding import Finding, Verdict
from complydesk.speech.qa import (
    UNASSIGNED,
    Utterance,
    load_transcript,
    qa_file,
    run_qa,
)
from complydesk.speech.qa_html import render_html

KEYWORDS = {
    "保证": ("test.guarantee", "absolute_promise", "block"),
    "永久": ("test.forever", "permanent_price", "warn"),
    "验证码": ("test.otp", "unnecessary_personal_data", "block"),
    "<script>": ("test.markup", "threat_insult", "warn"),
}


def keyword_check(text: str, role: str) -> Verdict:
    """Deterministic stand-in: one finding per keyword occurrence."""
    findings = []
    for word, (rule, category, severity) in KEYWORDS.items():
        for m in re.finditer(re.escape(word), text):
            findings.append(
                Finding(
                    rule=rule,
                    category=category,
                    severity=severity,  # type: ignore[arg-type]
                    start=m.start(),
                    end=m.end(),
                    text=m.group(),
                    reason=f"contains {word}",
                    suggestion="rephrase",
                )
            )
    if role == "bot" and "真人" in text:
        findings.append(
            Finding("test.human", "bot_claims_human", "block", 0, 2, text[:2], "r", "s")
        )
    return Verdict(tuple(findings))


ROWS = [
    {"text": "我保证今天保证送到", "role": "agent", "agent_id": "a2"},
    {"text": "保证能到吗？", "role": "customer", "agent_id": "a2"},
    {"text": "好的，已为您登记", "role": "agent", "agent_id": "a2"},
    {"text": "这个价格永久有效", "role": "agent", "agent_id": "a1"},
    {"text": "请把验证码发我，价格永久不变", "role": "agent", "agent_id": "a1"},
    {"text": "我是真人", "role": "bot", "agent_id": "bot-1"},
    {"text": "我是真人", "role": "agent", "agent_id": "a1"},
    {"text": "您好", "role": "AGENT", "agent_id": ""},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def test_aggregates_per_agent_rule_and_category(tmp_path: Path) -> None:
    report = qa_file(write_jsonl(tmp_path / "t.jsonl", ROWS), keyword_check)
    assert report.source == "t.jsonl"
    assert (report.rows, report.skipped) == (8, 1)
    t = report.total
    assert (t.checked, t.flagged, t.blocked, t.warned, t.findings) == (7, 4, 3, 1, 6)
    assert t.rate == pytest.approx(4 / 7)
    # agents sorted by id; the empty agent id is grouped, role matched case-blind
    assert list(report.agents) == [UNASSIGNED, "a1", "a2", "bot-1"]
    a1 = report.agents["a1"]
    assert (a1.checked, a1.flagged, a1.findings) == (3, 2, 3)
    assert a1.rate == pytest.approx(2 / 3)
    assert dict(a1.categories) == {
        "permanent_price": 2,
        "unnecessary_personal_data": 1,
    }
    assert report.agents["a2"].flagged == 1
    assert report.agents["a2"].findings == 2  # two findings, one utterance
    assert report.agents["bot-1"].blocked == 1
    # categories: by flagged utterances desc, then name; rate over all checked
    cats = [(c.name, c.flagged, c.findings) for c in report.categories]
    assert cats == [
        ("permanent_price", 2, 2),
        ("absolute_promise", 1, 2),
        ("bot_claims_human", 1, 1),
        ("unnecessary_personal_data", 1, 1),
    ]
    assert report.categories[0].rate == pytest.approx(2 / 7)
    assert [r.name for r in report.rules] == [
        "test.forever",
        "test.guarantee",
        "test.human",
        "test.otp",
    ]
    assert report.rules[1].category == "absolute_promise"
    assert [f.utterance.line for f in report.flags] == [1, 4, 5, 6]


def test_to_dict_is_json_and_deterministic(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", ROWS)
    a = qa_file(path, keyword_check).to_dict()
    b = qa_file(path, keyword_check).to_dict()
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    assert a["total"]["flagged"] == 4
    assert [x["agent_id"] for x in a["agents"]] == [UNASSIGNED, "a1", "a2", "bot-1"]
    assert a["categories"][0] == {
        "name": "permanent_price",
        "flagged": 2,
        "findings": 2,
        "rate": round(2 / 7, 6),
    }
    assert a["flags"][0]["findings"][0]["rule"] == "test.guarantee"
    assert "flags" not in qa_file(path, keyword_check).to_dict(include_flags=False)


def test_csv_and_jsonl_give_the_same_report(tmp_path: Path) -> None:
    rows = [
        {**r, "conversation_id": f"c{i // 3}", "timestamp": f"2026-01-0{i + 1}"}
        for i, r in enumerate(ROWS)
    ]
    cols = ["conversation_id", "timestamp", "agent_id", "role", "text"]
    from_csv = qa_file(write_csv(tmp_path / "t.csv", rows, cols), keyword_check)
    from_jsonl = qa_file(write_jsonl(tmp_path / "t.jsonl", rows), keyword_check)
    a = from_csv.to_dict(include_flags=False)
    b = from_jsonl.to_dict(include_flags=False)
    assert (a.pop("source"), b.pop("source")) == ("t.csv", "t.jsonl")
    assert a == b
    assert [f.utterance.text for f in from_csv.flags] == [
        f.utterance.text for f in from_jsonl.flags
    ]
    assert from_csv.flags[0].utterance.conversation_id == "c0"
    assert from_csv.flags[0].utterance.line == 2  # header is line 1


def test_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("text,role,agent_id\n", encoding="utf-8")
    report = qa_file(path, keyword_check)
    assert (report.rows, report.total.checked, report.total.rate) == (0, 0, 0.0)
    page = render_html(report)
    assert "nothing flagged" in page


@pytest.mark.parametrize("missing", ["text", "role", "agent_id"])
def test_csv_missing_column_names_file_and_column(tmp_path: Path, missing: str) -> None:
    cols = [c for c in ["text", "role", "agent_id"] if c != missing]
    path = write_csv(tmp_path / "calls.csv", ROWS, cols)
    with pytest.raises(InvalidInput) as exc:
        load_transcript(path)
    assert "calls.csv" in exc.value.detail
    assert f"'{missing}'" in exc.value.detail


def test_jsonl_missing_column_names_file_line_and_column(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        dict(ROWS[0]),
        {"text": "我保证", "agent_id": "a1"},
    ]
    path = write_jsonl(tmp_path / "chat.jsonl", rows)
    with pytest.raises(InvalidInput) as exc:
        load_transcript(path)
    assert exc.value.detail == "chat.jsonl line 2: missing column 'role'"
    # the message names the column, never the row's text
    assert "我保证" not in exc.value.detail


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json\n", "line 1: not valid JSON"),
        ("[1, 2]\n", "line 1: expected a JSON object"),
        ('{"text": 5, "role": "agent", "agent_id": "a"}\n', "column 'text'"),
        ('{"text": "x", "role": "agent", "agent_id": [1]}\n', "column 'agent_id'"),
    ],
)
def test_jsonl_bad_rows(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(expected)):
        load_transcript(path)


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    other = tmp_path / "t.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="t.txt"):
        load_transcript(other)
    with pytest.raises(InvalidInput, match="nope.csv"):
        load_transcript(tmp_path / "nope.csv")


def test_numeric_ids_in_jsonl_become_strings(tmp_path: Path) -> None:
    row = {"text": "保证", "role": "agent", "agent_id": 7, "conversation_id": 12}
    (u,) = load_transcript(write_jsonl(tmp_path / "n.jsonl", [row]))
    assert (u.agent_id, u.conversation_id, u.timestamp) == ("7", "12", None)


def test_checker_gets_text_and_role() -> None:
    seen: list[tuple[str, str]] = []

    def recording_check(text: str, role: str) -> Verdict:
        seen.append((text, role))
        return Verdict()

    rows = [
        Utterance("a", "agent", "x", 1),
        Utterance("b", "customer", "x", 2),
        Utterance("c", "bot", "y", 3),
    ]
    report = run_qa(rows, recording_check)
    assert seen == [("a", "agent"), ("c", "bot")]
    assert report.total.flagged == 0
    assert report.rules == () and report.categories == ()


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    rows = [
        *ROWS,
        {
            "text": "<script>alert(1)</script> & 保证",
            "role": "agent",
            "agent_id": "<b>evil</b>",
        },
    ]
    report = qa_file(write_jsonl(tmp_path / "t.jsonl", rows), keyword_check)
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and page.count("<svg") == 2
    lowered = page.lower()
    assert "<script" not in lowered
    assert "src=" not in lowered and "href=" not in lowered and "@import" not in lowered
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page and "<b>evil" not in page
    assert "&amp;" in page
    assert "<mark>保证</mark>" in page
    # one bar per category and per flagged agent
    for c in report.categories:
        assert f">{c.name}<" in page
    assert "a1" in page and "bot-1" in page


def test_html_caps_the_flag_table() -> None:
    rows = [Utterance(f"保证 {i}", "agent", "a", i) for i in range(1, 6)]
    page = render_html(run_qa(rows, keyword_check), max_flags=2)
    assert "Flagged utterances (2 of 5)" in page
    assert page.count("<mark>") == 2


def _real_checker():  # type: ignore[no-untyped-def]
    try:
        module = importlib.import_module("complydesk.speech.check")
    except ImportError as exc:
        pytest.skip(f"complydesk.speech.check is not importable yet: {exc}")
    fn = getattr(module, "check", None)
    if fn is None:
        pytest.skip("complydesk.speech.check has no check() yet")
    return fn


def test_with_the_real_rule_engine(tmp_path: Path) -> None:
    check = _real_checker()
    rows = [
        {"text": "我保证明天一定给您退款到账。", "role": "agent", "agent_id": "a1"},
        {"text": "请勿向任何人透露验证码。", "role": "agent", "agent_id": "a1"},
        {"text": "您好，请问有什么可以帮您？", "role": "agent", "agent_id": "a2"},
        {"text": "我是真人客服，不是机器人。", "role": "bot", "agent_id": "bot"},
        {"text": "保证能退吗？", "role": "customer", "agent_id": "a1"},
    ]
    report = qa_file(
        write_jsonl(tmp_path / "real.jsonl", rows),
        lambda text, role: check(text, role=role),
    )
    assert report.total.checked == 4 and report.skipped == 1
    assert report.agents["a2"].flagged == 0
    assert report.total.flagged >= 1
    assert sum(c.flagged for c in report.categories) >= report.total.flagged
    assert "<svg" in render_html(report)
