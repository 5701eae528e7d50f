"""What a speech check returns: findings with reasons and rewrites, and a verdict.

The JSON shape (`Verdict.to_dict`) is the contract of `complydesk speech check
--jsonl` and `POST /v1/speech/check`: `{"verdict": "pass" | "warn" | "block",
"findings": [{"rule", "category", "severity", "start", "end", "text",
"reason", "suggestion"}]}`. Offsets are code points into the checked text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["block", "warn"]
VerdictName = Literal["pass", "warn", "block"]


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    text: str
    reason: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> VerdictName:
        severities = {f.severity for f in self.findings}
        if "block" in severities:
            return "block"
        return "warn" if severities else "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
        }
