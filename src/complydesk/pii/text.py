"""The text recognizers see: width-folded, same length, so offsets need no mapping.

Full-width ASCII forms (０-９, Ａ-Ｚ, ＠, －, …) and the ideographic space fold
one-to-one to ASCII, and a few dash and dot look-alikes to '-' and '.', so a
match in the folded copy has the same offsets in the original.
"""

from __future__ import annotations

import re

# Full-width forms that can be part of an identifier. Chinese punctuation that
# only separates (，：；！？（）) is left alone: recognizers accept both forms,
# and folding it would touch nearly every message for nothing.
_KEEP = {"，", "：", "；", "！", "？", "（", "）", "、", "“", "”"}
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP}
_FOLD.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0x2010: 0x2D,  # hyphen
        0x2011: 0x2D,  # non-breaking hyphen
        0x2012: 0x2D,  # figure dash
        0x2013: 0x2D,  # en dash
        0x2014: 0x2D,  # em dash
        0x2212: 0x2D,  # minus sign
        0xFF0E: 0x2E,  # full-width full stop
    }
)
FOLD_TABLE = _FOLD
# Every character that folding changes (the Detector's one-pass scan looks for them).
FOLD_CHARS = "".join(chr(cp) for cp in sorted(_FOLD) if _FOLD[cp] != cp)
_FOLDABLE = re.compile("[" + "".join(re.escape(c) for c in FOLD_CHARS) + "]+")


_RUN4 = re.compile(r"[0-9]{4}")
_RUN4_ASCII = re.compile(r"[0-9]{4}")
_DIGIT_OR_COLON = re.compile(r"[0-9:]")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(FOLD_TABLE)


def fold(text: str) -> str:
    """Width-fold `text`; the result always has the same length.

    A regex finds the (rare) foldable runs and only those are translated:
    about 4x faster on Chinese text than `str.translate` over every character.
    """
    return _FOLDABLE.sub(_fold_run, text)


class Doc:
    """One text under detection: the original and its folded copy.

    `ascii` is the folded text's ASCII characters only (everything else
    dropped, in C): a few bytes for most Chinese chat messages, so the cheap
    presence tests recognizers are gated on run on it instead of scanning the
    whole text once per test. A test on `ascii` may say yes where the text
    has no match (characters glue together where CJK was dropped); it never
    says no where there is one, because an all-ASCII match in the text is a
    contiguous run of `ascii` too.

    `has_digit_run` says whether there are 4 digits in a row (every
    number-shaped PII has them), `has_latin` whether there is any ASCII
    letter (plates, romanised names), `has_at` whether there is an '@':
    most chat messages have none of them, so those recognizers skip them at
    once. `has_ascii` (an ASCII letter, digit, '@' or ':') is implied by
    each of them: half of all chat messages (Chinese with punctuation only)
    fail it, and the Detector then skips every group gated on these tests
    with one attribute read.

    A plain slotted class: one is built per message on the hot path;
    `mentions` (@handles) is filled on first use by the recognizers that
    share it.
    """

    __slots__ = (
        "ascii",
        "folded",
        "has_ascii",
        "has_at",
        "has_digit_run",
        "has_latin",
        "mentions",
        "text",
    )

    def __init__(self, text: str, folded: str | None = None) -> None:
        # `folded` is passed by a caller that already knows it (the Detector).
        self.text = text
        self.folded = folded = fold(text) if folded is None else folded
        # (A str, not bytes: `b"@" in some_bytes` first tries the needle as an
        # int and formats, then clears, a TypeError.)
        self.ascii = asc = folded.encode("ascii", "ignore").decode("ascii")
        if not asc:  # 1 in 12 chat messages: nothing to test
            self.has_latin = self.has_at = self.has_digit_run = self.has_ascii = False
        else:
            # lower/upper of ASCII-only text touch only letters: they differ
            # iff there is one.
            self.has_latin = latin = asc.lower() != asc.upper()
            self.has_at = at = "@" in asc
            self.has_digit_run = run = (
                len(asc) >= 4
                and _RUN4_ASCII.search(asc) is not None
                and (len(asc) == len(folded) or _RUN4.search(folded) is not None)
            )
            self.has_ascii = (
                latin or at or run or _DIGIT_OR_COLON.search(asc) is not None
            )
        self.mentions: list[tuple[int, int]] | None = None

    def before(self, start: int, window: int) -> str:
        """Lower-cased folded text just before `start` (for context words)."""
        return self.folded[max(0, start - window) : start].lower()

    def after(self, end: int, window: int) -> str:
        return self.folded[end : end + window].lower()
