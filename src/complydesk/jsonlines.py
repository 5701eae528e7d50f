"""Reading JSONL input lines for the CLI contracts (pii detect, speech check).

Errors name the line number and what is wrong, never the line's content: the
input is customer text.
"""

from __future__ import annotations

import json
from typing import Any

from complydesk.errors import InvalidInput


def read_record(line: str, number: int) -> dict[str, Any]:
    """The JSON object on input line `number`."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise InvalidInput(f"line {number}: not valid JSON") from None
    if not isinstance(record, dict):
        raise InvalidInput(f"line {number}: expected a JSON object")
    return record


def text_of(record: dict[str, Any], number: int) -> str:
    text = record.get("text")
    if not isinstance(text, str):
        raise InvalidInput(f"line {number}: needs a string field 'text'")
    return text
