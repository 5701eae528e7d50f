"""What a regex needs from a text, so most patterns never run on most replies.

Two facts are read off a pattern's parse tree (Python's own `re` parser):

* `first_chars`: a class matching the first character of any match. A
  look-ahead for it lets the engine skip positions that cannot start one.
* `required_strings`: strings of which every match (with its look-arounds)
  holds one. A text that holds none of them cannot match at all.

`Alternatives` uses the second to replace one big alternation of rules by
its patterns compiled one by one. Per text, one regex pass collects the
rarest character of each required string, the strings under those are
tested with `in`, and only the patterns whose string is present are
searched; per start position it reports the first rule in order that
matches there — what the alternation `(?P<r0>…)|(?P<r1>…)|…` reports from a
search loop that restarts one character after each match. Why: the
alternation tried every rule at every position that could start any rule
(most Chinese characters can), which cost ~150 µs per reply; a reply holds
the strings of a handful of patterns.

Both analyses are conservative: a construct they cannot reason about gives
"no filter" (None), never a wrong one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# --- first characters of a pattern -------------------------------------------
# A conservative FIRST set: every non-empty match starts with one of these
# characters (or class escapes). None means "could be anything": no filter.
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_WORD": r"\w",
}
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_First = tuple[frozenset[str], bool] | None  # (characters/escapes, nullable)


def _parse(pattern: str, flags: int) -> Any:
    parser: Any = importlib.import_module("re._parser")
    return parser.parse(pattern, flags)


def _first_seq(items: Iterable[Any]) -> _First:
    acc: set[str] = set()
    for op, av in items:
        item = _first_item(str(op), av)
        if item is None:
            return None
        chars, nullable = item
        acc |= chars
        if not nullable:
            return frozenset(acc), False
    return frozenset(acc), True


def _first_in(av: Any) -> _First:
    chars: set[str] = set()
    for op, arg in av:
        name = str(op)
        if name == "LITERAL":
            chars.add(re.escape(chr(arg)))
        elif name == "RANGE":
            chars.add(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif name == "CATEGORY" and str(arg) in _CATEGORIES:
            chars.add(_CATEGORIES[str(arg)])
        else:  # NEGATE, \D, \S, \W ...: nearly anything
            return None
    return frozenset(chars), False


def _first_item(name: str, av: Any) -> _First:
    if name == "LITERAL":
        return frozenset({re.escape(chr(av))}), False
    if name == "IN":
        return _first_in(av)
    if name in _ZERO_WIDTH:
        return frozenset(), True
    if name == "SUBPATTERN":
        return _first_seq(av[-1])
    if name == "ATOMIC_GROUP":
        return _first_seq(av)
    if name in _REPEATS:
        sub = _first_seq(av[2])
        return None if sub is None else (sub[0], sub[1] or av[0] == 0)
    if name == "BRANCH":
        acc: set[str] = set()
        nullable = False
        for alt in av[1]:
            sub = _first_seq(alt)
            if sub is None:
                return None
            acc |= sub[0]
            nullable = nullable or sub[1]
        return frozenset(acc), nullable
    return None  # ANY, NOT_LITERAL, group references ...


def first_set(pattern: str, flags: int) -> frozenset[str] | None:
    try:
        found = _first_seq(_parse(pattern, flags))
    except Exception:  # noqa: BLE001 - private module: no filter, still correct
        return None
    if found is None or not found[0] or found[1]:
        return None
    return found[0]


def char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(sorted(chars)) + "]"


def first_chars(pattern: str, flags: int = 0) -> str | None:
    """A character class matching the first character of any non-empty match
    of `pattern`, or None when that cannot be narrowed down."""
    found = first_set(pattern, flags)
    return None if found is None else char_class(found)


def headed(pattern: str, flags: int = 0) -> str:
    """`pattern` behind a look-ahead for its first characters, when known: the
    engine then skips other positions with one test instead of trying every
    branch there (a leading look-behind or \\b defeats its own skipping)."""
    head = first_chars(pattern, flags)
    return pattern if head is None else f"(?={head})(?:{pattern})"


# --- strings every match needs ------------------------------------------------
# The most frequent characters of real helpdesk replies (normalized, lower
# case; counted on the public cs_dialogues set), most frequent first, then
# English letters by frequency. A requirement made of rare characters filters
# better, so where a pattern offers a choice the rarest one is kept.
_COMMON = (
    ",的您.我是不了@！服？联好信一客通有们0谢用中电问机1在这个请国以么到你手号下可网没"
    "给后时能上为就题会来话系还要人理提2都务带小方说关也便现解如天反过i费3什出情已户查业o看"
    "使子私打4吗呢量进常发况5多行回前歉次g很点和开无法供码t复经果新快知去工接锤动作员抱处技"
    "对96流月建感m-8地卡意实试馈a、样自办本科营p于重~再然啊更入决件设大里式s安单怎厅哦及之"
    "道议否应核那正东定需示心司络宽e置息真微询等n统广收支直亲体间版装换只诉录*但非线7持将v面"
    "与家分修相视年北京告吧助尽图账同c他得完想候记加成最…部明乐音帮注沃消并内全事哪套所其今u"
    "程断几跟才w餐连两或期器公改载区因详r交烦名让软屏买输级又"
)
_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"  # English, most frequent first
_RANK = {c: i for i, c in enumerate(_COMMON)}
_RANK.update({c: 20 + 10 * i for i, c in enumerate(_LETTERS) if c not in _RANK})
_MAX_CLASS = 16  # a larger class (\d, [a-z]) filters nothing worth its cost
_Req = frozenset[str] | None


def _char_cost(c: str) -> int:
    rank = _RANK.get(c)
    return 1 if rank is None else 4 * len(_COMMON) - 3 * rank


def key_char(needed: str) -> str:
    """The rarest character of a required string: the one indexed."""
    return min(needed, key=_char_cost)


def _cost(strings: frozenset[str]) -> float:
    """How often a text holds one of `strings` (rough: rarest character,
    shared by the string's length)."""
    return sum(_char_cost(key_char(s)) / len(s) for s in strings)


def _better(found: _Req, best: _Req) -> _Req:
    if found is None:
        return best
    return found if best is None or _cost(found) < _cost(best) else best


def _literal(code: int, ic: bool) -> str | None:
    c = chr(code)
    if ic and not c.isascii() and c.lower() != c.upper():
        return None  # non-ASCII case folding has exceptions: no requirement
    return c.lower()


def _req_seq(items: Iterable[Any], ic: bool) -> _Req:
    """A sequence needs what its best item (or run of literals) needs."""
    best: _Req = None
    run: list[str] = []
    for op, av in items:
        name = str(op)
        c = _literal(av, ic) if name == "LITERAL" else None
        if c is not None:
            run.append(c)
            continue
        if run:
            best = _better(frozenset({"".join(run)}), best)
            run = []
        if name != "LITERAL":
            best = _better(_req_item(name, av, ic), best)
    if run:
        best = _better(frozenset({"".join(run)}), best)
    return best


def _req_in(av: Any, ic: bool) -> _Req:
    chars: set[str] = set()
    for op, arg in av:
        name = str(op)
        if name == "LITERAL" and (c := _literal(arg, ic)) is not None:
            chars.add(c)
        elif name == "RANGE" and arg[1] - arg[0] < _MAX_CLASS:
            for code in range(arg[0], arg[1] + 1):
                if (c := _literal(code, ic)) is None:
                    return None
                chars.add(c)
        else:  # NEGATE, categories, wide ranges: no requirement
            return None
    return frozenset(chars)


def _req_item(name: str, av: Any, ic: bool) -> _Req:
    if name == "IN":
        return _req_in(av, ic)
    if name == "SUBPATTERN":
        _, add, remove, sub = av
        inner = (ic or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _req_seq(sub, inner)
    if name == "ATOMIC_GROUP":
        return _req_seq(av, ic)
    if name in _REPEATS:
        return _req_seq(av[2], ic) if av[0] >= 1 else None
    if name == "ASSERT":  # a look-around's text is in the text too
        return _req_seq(av[1], ic)
    if name == "BRANCH":
        acc: set[str] = set()
        for alt in av[1]:
            found = _req_seq(alt, ic)
            if found is None:
                return None
            acc |= found
        return frozenset(acc)
    return None  # \b, ., \d, negative look-arounds, references: no requirement


def required_strings(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case strings of which every match of `pattern` (look-arounds
    included) holds one, as `text.lower()` shows it; None when nothing can be
    required."""
    try:
        parsed = _parse(pattern, flags)
    except Exception:  # noqa: BLE001 - private module: no filter, still correct
        return None
    ic = bool((flags | parsed.state.flags) & re.IGNORECASE)
    return _req_seq(parsed, ic) or None


def _unsafe() -> frozenset[str]:
    """Characters for which `lower()` is not what an ignore-case match sees:
    those an ASCII letter matches (ſ for s; K lowers to k and is fine),
    those that lower to more than one character (İ) and Σ, whose lower case
    depends on its neighbours. A text holding one skips the filter."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    return frozenset(
        c
        for c in map(chr, range(0x80, 0x10000))
        if (letter.fullmatch(c) is not None and not c.lower().isascii())
        or len(c.lower()) != 1
    ) | {"\u03a3"}  # Σ lowers to σ or, ending a word, ς


_UNSAFE = re.compile("[" + "".join(sorted(_unsafe())) + "]")


def split_top(pattern: str) -> list[str]:
    """`pattern`'s top-level alternatives, in order ("a|(?:b|c)" -> a, (?:b|c));
    a pattern that is one group `(?:…)` is opened first. Matching the list in
    order at a position is matching the pattern there: the first alternative
    that matches wins either way."""
    while pattern.startswith("(?:") and _closing(pattern, 0) == len(pattern) - 1:
        pattern = pattern[3:-1]
    parts: list[str] = []
    start = 0
    for i, c, depth in _syntax(pattern):
        if c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _syntax(pattern: str, i: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, groups open after it) of each `(`, `)` and `|`
    from `pattern[i]` on, outside escapes and character classes."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
        elif c in "()|":
            depth += (c == "(") - (c == ")")
            yield i, c, depth
        i += 1


def _class_end(pattern: str, i: int) -> int:
    """Index of the `]` closing the class opened at `pattern[i]`."""
    i += 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1  # a leading ] is a literal
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _closing(pattern: str, i: int) -> int:
    """Index of the `)` closing the group opened at `pattern[i]` (-1 if none)."""
    for j, c, depth in _syntax(pattern, i):
        if c == ")" and depth == 0:
            return j
    return -1


class Alternatives:
    """Named rules, each an ordered list of patterns, matched like their
    alternation: `first_at(text)` gives, for every position where a rule
    matches, (position, first such rule in order, end of its first pattern
    matching there), in position order."""

    def __init__(
        self, rules: Sequence[tuple[str, Sequence[str]]], flags: int = 0
    ) -> None:
        self.names = [name for name, _ in rules]
        self._patterns: list[tuple[int, int, re.Pattern[str]]] = []
        by_string: dict[str, list[int]] = {}
        always: list[int] = []
        for r, (_, patterns) in enumerate(rules):
            split = [alt for pattern in patterns for alt in split_top(pattern)]
            for p, pattern in enumerate(split):
                k = len(self._patterns)
                self._patterns.append((r, p, re.compile(headed(pattern, flags), flags)))
                needed = required_strings(pattern, flags)
                if needed is None:
                    always.append(k)
                for n in needed or ():
                    by_string.setdefault(n, []).append(k)
        # rarest character -> the required strings holding it -> patterns
        by_char: dict[str, list[str]] = {}
        for n in by_string:
            by_char.setdefault(key_char(n), []).append(n)
        self._by_char = {c: tuple(ns) for c, ns in by_char.items()}
        # one class of every indexed character ("(?!)" matches nothing)
        keys = "".join(re.escape(c) for c in sorted(by_char))
        self._key_chars = re.compile(f"[{keys}]" if keys else "(?!)")
        self._by_string = {n: tuple(ks) for n, ks in by_string.items()}
        self._always = frozenset(always)
        self._everything = frozenset(range(len(self._patterns)))

    def candidates(self, text: str, lowered: str) -> frozenset[int] | set[int]:
        """The patterns that may match in `text` (`lowered` is its lower())."""
        if not text.isascii() and _UNSAFE.search(text) is not None:
            return self._everything
        found = set(self._always)
        by_string = self._by_string
        for c in set(self._key_chars.findall(lowered)):
            for n in self._by_char[c]:
                if len(n) == 1 or n in lowered:
                    found.update(by_string[n])
        return found

    def first_at(self, text: str) -> list[tuple[int, str, int]]:
        best: dict[int, tuple[int, int, int]] = {}
        patterns = self._patterns
        lowered = text.lower()
        n = len(text)
        for k in self.candidates(text, lowered):
            r, p, rx = patterns[k]
            search = rx.search
            pos = 0
            while pos <= n and (m := search(text, pos)) is not None:
                s = m.start()
                held = best.get(s)
                if held is None or (r, p) < held[:2]:
                    best[s] = (r, p, m.end())
                pos = s + 1
        names = self.names
        return [(s, names[best[s][0]], best[s][2]) for s in sorted(best)]

    def tokens(self, text: str) -> list[tuple[int, str, int]] | None:
        """What `finditer` over the alternation gives (start, rule, end): the
        leftmost match, then the next from its end. None when a match is
        empty (finditer's rule for those is not reproduced here)."""
        out: list[tuple[int, str, int]] = []
        pos = 0
        for s, name, end in self.first_at(text):
            if s < pos:
                continue
            if end == s:
                return None
            out.append((s, name, end))
            pos = end
        return out


def named_parts(pattern: str) -> list[tuple[str, str]]:
    """`(?P<a>x)|(?P<b>y)` -> [("a", "x"), ("b", "y")]: the top-level named
    groups of an alternation (ValueError if an alternative is not one)."""
    parts = []
    for alt in split_top(pattern):
        m = _NAMED.match(alt)
        if m is None or _closing(alt, 0) != len(alt) - 1:
            raise ValueError(f"not a named group: {alt[:40]!r}")
        parts.append((m.group(1), alt[m.end() : -1]))
    return parts


_NAMED = re.compile(r"\(\?P<(\w+)>")


class Hint:
    """Can any of `patterns` match in a text? `may_match` says False only when
    none can: the text holds none of their required strings (one regex
    search for those literals, on the lower-cased text)."""

    def __init__(self, patterns: Iterable[str], flags: int = 0) -> None:
        strings: set[str] = set()
        self._rx: re.Pattern[str] | None = None
        for pattern in patterns:
            for alt in split_top(pattern):
                needed = required_strings(alt, flags)
                if needed is None:
                    return  # one pattern can match anything: no hint
                strings |= needed
        longest_first = sorted(strings, key=lambda s: (-len(s), s))
        self._rx = re.compile("|".join(map(re.escape, longest_first)))

    def may_match(self, text: str) -> bool:
        if self._rx is None or (not text.isascii() and _UNSAFE.search(text)):
            return True
        return self._rx.search(text.lower()) is not None
