"""Built-in recognizers: IP addresses (v4 and v6, validated with `ipaddress`).

Dotted quads are also software versions ("itunes 10.6.3.25版"): a quad inside
a longer dotted run, or next to 版/version/v, is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Gated, Recognizer, has_ascii
from complydesk.pii.recognizers.numbers import has_word
from complydesk.pii.text import Doc
from complydesk.pii.validators import is_ipv6

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = re.compile(
    r"\d(?<![0-9A-Za-z.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![0-9A-Za-z]|\.\d)"
)
_V4_STRICT = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# Hex groups and colons (two colons at least), maybe an embedded IPv4 tail
# and a zone id; `ipaddress` decides. No leading alnum/colon: "std::cout".
_V6 = re.compile(
    r"[0-9A-Fa-f:](?<![0-9A-Za-z:][0-9A-Fa-f:])[0-9A-Fa-f:]{1,38}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?:%[0-9A-Za-z]{1,15})?"
    r"(?![0-9A-Za-z:]|\.\d)"
)
_VERSION_BEFORE = ("版本", "version", "ver.", "更新", "升级", "update")
_VERSION_AFTER = ("版", "的版", "version", "更新", "升级")
_IP_WORDS = ("ip", "地址", "服务器", "server", "dns", "网关", "gateway", "host")


@dataclass(frozen=True)
class IpRecognizer:
    """IPv4 with octet ranges, IPv6 in every textual form `ipaddress` accepts."""

    name: str = "ip_address"

    @property
    def labels(self) -> tuple[str, ...]:
        return (Label.IP_ADDRESS.value,)

    def find(self, doc: Doc) -> Iterator[Entity]:
        folded = doc.folded
        if "." in folded:
            for match in _V4.finditer(folded):
                start, end = match.span()
                if not _V4_STRICT.fullmatch(match.group()):
                    continue
                near = doc.before(start, 10)
                if any(w in near for w in _IP_WORDS):
                    score = 0.95
                elif self._version_like(doc, start, end, match.group()):
                    continue
                else:
                    score = 0.8
                yield self._entity(doc, start, end, score)
        if "::" in folded or folded.count(":") >= 6:
            for match in _V6.finditer(folded):
                start, end = match.span()
                if is_ipv6(match.group()):
                    yield self._entity(doc, start, end, 0.85)

    @staticmethod
    def _version_like(doc: Doc, start: int, end: int, quad: str) -> bool:
        """'百度输入法6.8.1.4', '版本号:2.4.2.132', '1.1.0.21的版本'."""
        near = doc.before(start, 8)
        if has_word(near, _VERSION_BEFORE) or near.rstrip(" :：").endswith("v"):
            return True
        if doc.after(end, 4).lstrip().startswith(_VERSION_AFTER):
            return True
        # Real public IPs rarely start with one digit in chat; versions do.
        first = quad.split(".", 1)[0]
        return len(first) == 1 and quad != "0.0.0.0"

    def _entity(self, doc: Doc, start: int, end: int, score: float) -> Entity:
        return Entity(
            Label.IP_ADDRESS, start, end, doc.text[start:end], score, self.name
        )


IP_ADDRESS = IpRecognizer()

# Three dots between digits, as every dotted quad has ('3.5元' has one).
_V4_HINT = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")


def may_have_ip(doc: Doc) -> bool:
    """A digit-dot run of a quad or the colons of an IPv6 address in the
    short ASCII part."""
    a = doc.ascii
    if "." in a:
        return _V4_HINT.search(a) is not None or "::" in a or a.count(":") >= 6
    return ":" in a and ("::" in a or a.count(":") >= 6)


# Every IP address has a digit or a ':' ("::" is one).
RECOGNIZERS: list[Recognizer] = [Gated(IP_ADDRESS, may_have_ip, has_ascii)]
