"""Built-in recognizers: contact details (e-mail, phone numbers, QQ, WeChat)."""

from __future__ import annotations

import re

from complydesk.pii.labels import Label
from complydesk.pii.recognizer import PatternRecognizer, Recognizer

# ASCII-only boundaries: Python's \b treats Chinese characters as word
# characters, so "邮箱a@b.cn" would otherwise swallow "邮箱" into the address.
EMAIL = PatternRecognizer(
    name="email",
    label=Label.EMAIL,
    pattern=re.compile(
        r"(?<![A-Za-z0-9._%+\-])"
        r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63})@"
        r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}"
        r"(?![A-Za-z0-9\-])"
    ),
    score=0.9,
)

RECOGNIZERS: list[Recognizer] = [EMAIL]
