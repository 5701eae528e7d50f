"""Streams, JSONL and file scans: the engine at the edges where data flows in."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from complydesk.cli import app
from complydesk.errors import InvalidInput
from complydesk.pii import Detector, PatternRecognizer, Registry
from complydesk.pii.jsonl import detect_lines
from complydesk.pii.scan import scan_paths
from complydesk.pii.stream import StreamDetector

MOBILE = PatternRecognizer(
    name="mobile", label="PHONE", pattern=re.compile(r"(?<!\d)1\d{10}(?!\d)"), score=0.9
)


def test_stream_catches_a_number_split_across_two_messages() -> None:
    stream = StreamDetector(Detector(Registry([MOBILE])))
    assert stream.feed("我的手机号是138") == []
    [found] = stream.feed("12345678，谢谢")
    assert found.entity.text == "13812345678"
    assert (found.entity.start, found.entity.end) == (6, 17)
    assert found.split and (found.first_message, found.last_message) == (0, 1)
    assert stream.feed("好的") == []  # already reported, not again


def test_stream_reports_whole_entities_once_with_stream_offsets() -> None:
    stream = StreamDetector(Detector(Registry([MOBILE])))
    [first] = stream.feed("13800000000")
    [second] = stream.feed("和13900000000")
    assert not first.split and not second.split
    assert (second.entity.start, second.last_message) == (12, 1)


def test_jsonl_lines_stay_aligned_and_in_order() -> None:
    lines = ['{"text": "a@b.cn"}\n', "\n", '{"text": "无", "id": 3}\n']
    out = [json.loads(line) for line in detect_lines(lines)]
    assert len(out) == 3
    assert out[0]["entities"][0] == {
        "label": "EMAIL", "start": 0, "end": 6, "text": "a@b.cn", "score": 0.9
    }  # fmt: skip
    assert out[1] == out[2] == {"entities": []}


def test_jsonl_parallel_output_equals_serial(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": f"用户{i}的邮箱u{i}@example.com"}) + "\n"
        for i in range(2500)
    ]
    assert list(detect_lines(lines, workers=2)) == list(detect_lines(lines))


@pytest.mark.parametrize(
    ("line", "needle"),
    [("not json", "not valid JSON"), ("[1]", "JSON object"), ('{"text": 5}', "'text'")],
)
def test_jsonl_bad_line_names_its_number(line: str, needle: str) -> None:
    with pytest.raises(InvalidInput, match=f"line 2: .*{needle}"):
        list(detect_lines(['{"text": "ok"}', line]))


def test_cli_detect_jsonl_contract(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "写信到 ｚ＠ｅｘａｍｐｌｅ．ｃｏｍ"}\n{"text": ""}\n', "utf-8"
    )
    result = CliRunner().invoke(app, ["pii", "detect", "--jsonl", str(source)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[1] == {"entities": []}
    [entity] = rows[0]["entities"]
    assert set(entity) == {"label", "start", "end", "text", "score"}
    assert entity["text"] == "ｚ＠ｅｘａｍｐｌｅ．ｃｏｍ" and entity["start"] == 4


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_detect_places_reports_bare_place_names(
    tmp_path: Path, workers: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "周末在厦门吃港式晚茶"}\n', "utf-8")
    args = ["pii", "detect", "--jsonl", str(source), "--workers", workers]
    plain = CliRunner().invoke(app, args)
    places = CliRunner().invoke(app, [*args, "--places"])
    assert plain.exit_code == places.exit_code == 0, places.stderr
    assert json.loads(plain.stdout) == {"entities": []}
    [entity] = json.loads(places.stdout)["entities"]
    assert (entity["label"], entity["text"], entity["start"]) == ("ADDRESS", "厦门", 3)


def test_cli_detect_needs_exactly_one_input() -> None:
    result = CliRunner().invoke(app, ["pii", "detect"])
    assert result.exit_code == 2 and "either TEXT or --jsonl" in result.stderr


def _files(tmp_path: Path) -> list[Path]:
    text = tmp_path / "notes.txt"
    text.write_text("联系 a@b.cn\n无\n", encoding="utf-8")
    table = tmp_path / "customers.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email"])
        writer.writerows([["甲", f"u{i}@example.com"] for i in range(5)])
    lines = tmp_path / "chat.jsonl"
    lines.write_text(json.dumps({"msg": {"body": "c@d.org"}}) + "\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["contact"])
    sheet.append(["x@y.io"])
    workbook = tmp_path / "export.xlsx"
    book.save(workbook)
    return [text, table, lines, workbook]


@pytest.mark.parametrize("workers", [1, 2])
def test_scan_counts_per_file_and_column(tmp_path: Path, workers: int) -> None:
    report = scan_paths(_files(tmp_path), workers=workers)
    by_kind = {f.kind: f for f in report.files}
    assert by_kind["csv"].columns["email"]["EMAIL"] == 5
    assert "name" not in by_kind["csv"].columns
    assert by_kind["jsonl"].columns["msg.body"]["EMAIL"] == 1
    assert by_kind["xlsx"].columns["Sheet1!contact"]["EMAIL"] == 1
    assert by_kind["txt"].labels["EMAIL"] == 1
    assert report.labels["EMAIL"] == 8


def test_scan_rejects_unknown_types_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unsupported file type"):
        scan_paths([tmp_path / "a.pdf"])
    with pytest.raises(InvalidInput, match="not a readable file"):
        scan_paths([tmp_path / "missing.csv"])
