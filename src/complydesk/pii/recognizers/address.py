"""Built-in recognizers: address."""

from __future__ import annotations

from complydesk.pii.recognizer import Recognizer

RECOGNIZERS: list[Recognizer] = []
