"""Logs carry no personal data: a second line of defence behind our log calls."""

from __future__ import annotations

import io
import json
import logging

import pytest

from complydesk.logs import JsonFormatter, ScrubFilter, scrub


@pytest.mark.parametrize(
    "text",
    [
        "call 13812345678 now",
        "mail zhang.san@example.com",
        "id 11010519491231002X",
        "card 6222 0212 3456 7890 123",
        "phone +86 138-1234-5678",
    ],
)
def test_scrub_masks_pii_shaped_text(text: str) -> None:
    cleaned = scrub(text)
    assert "[redacted]" in cleaned
    assert not any(ch.isdigit() for ch in cleaned.split("[redacted]")[-1][:3])


def test_scrub_keeps_ordinary_figures() -> None:
    assert scrub("request took 12.5 ms, status 200, seq 4411") == (
        "request took 12.5 ms, status 200, seq 4411"
    )


def test_json_lines_scrub_message_args_extras_and_exceptions() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("complydesk.test.scrub")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("bad phone 13812345678")
        except ValueError:
            logger.exception("lookup %s", "a@b.co", extra={"who": "13900001111"})
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    record = json.loads(line)
    assert (
        "13812345678" not in line and "a@b.co" not in line and "13900001111" not in line
    )
    assert record["event"] == "lookup [redacted]"
    assert record["exc_type"] == "ValueError"
