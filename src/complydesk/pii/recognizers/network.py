"""Built-in recognizers: network."""

from __future__ import annotations

from complydesk.pii.recognizer import Recognizer

RECOGNIZERS: list[Recognizer] = []
