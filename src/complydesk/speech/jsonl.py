"""The JSONL contract of `complydesk speech check --jsonl`: a verdict per input line.

Input: one JSON object per line with a string `text` and an optional `role`
(`agent` | `bot`, default `agent`). Output, in the same order:
`{"verdict": "pass" | "warn" | "block", "findings": [...]}` (see finding.py).
Evaluation tooling depends on this shape: keep it stable. A whitespace-only
line yields a pass so output stays aligned with input; anything else that is
not such an object stops the run with an error naming the line number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from complydesk.errors import InvalidInput
from complydesk.jsonlines import read_record, text_of
from complydesk.speech.finding import Verdict

ROLES = ("agent", "bot")
Checker = Callable[[str, str], Verdict]


def parse_line(line: str, number: int) -> tuple[str, str]:
    record = read_record(line, number)
    text = text_of(record, number)
    role = record.get("role") or "agent"
    if role not in ROLES:
        raise InvalidInput(f"line {number}: role must be 'agent' or 'bot'")
    return text, role


def check_lines(lines: Iterable[str], check: Checker) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        verdict = check(*parse_line(line, number)) if line.strip() else Verdict()
        yield json.dumps(verdict.to_dict(), ensure_ascii=False)
