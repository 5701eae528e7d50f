"""Built-in recognizers: vehicle."""

from __future__ import annotations

from complydesk.pii.recognizer import Recognizer

RECOGNIZERS: list[Recognizer] = []
