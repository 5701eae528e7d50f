"""Structured logging that carries no personal data by construction.

Our log calls pass an event name plus ids, counts and route templates in
`extra`; they never format user input into the message. As a second line of
defence a filter masks anything that looks like a phone, ID or card number or
an e-mail address before a record is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# Record attributes that are not our structured fields (uvicorn adds color_message).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
_SUSPECT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+"  # e-mail
    r"|(?<!\d)(?:\d[ -]?){6,}\d(?!\d)"  # 7+ digit runs: phone, ID, card numbers
    r"|\b\d{17}[\dXx]\b",  # CN resident ID with X check digit
)


def scrub(value: str) -> str:
    return _SUSPECT.sub("[redacted]", value)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class ScrubFilter(logging.Filter):
    """Mask PII-shaped text in the message, its args and string extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        for key, value in _fields(record).items():
            if isinstance(value, str):
                setattr(record, key, scrub(value))
        if record.exc_info and record.exc_info[1] is not None:
            # Exception texts may quote input; keep only the type.
            record.exc_text = type(record.exc_info[1]).__name__
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            **_fields(record),
        }
        if record.exc_text:
            payload["exc_type"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        line = f"{ts} {record.levelname:<7} {record.name}: {record.getMessage()}"
        return f"{line} {extras}".rstrip()


def configure(level: str = "INFO", json_lines: bool = False) -> None:
    """Route complydesk's and uvicorn's logs through one scrubbed handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # uvicorn's access log prints raw paths and queries; ours logs route templates.
    logging.getLogger("uvicorn.access").disabled = True
