"""What the assistant says first, how each AI message is labelled, what it may not say.

Three rules meet here. People must be told they are talking to an AI at the
first interaction at the latest (EU AI Act Art. 50(1); Cal. B&P §17941); in
China AI-generated text carries an explicit label with an "AI/人工智能" and a
"生成/合成" element plus implicit machine-readable metadata (AI Content
Labelling Measures, GB 45438-2025 §6). And a bot must never claim to be human:
every bot reply passes the speech check with role "bot" and a blocked reply is
replaced, never sent. The wording and label come from the policy pack, so a
deployment changes them there, with a citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from complydesk.errors import ConfigError
from complydesk.policy.pack import PolicyPack
from complydesk.speech.reply import check_reply

DEFAULT_LABEL = "AI"
PROVIDER = "complydesk"
# Said instead of a reply the speech check blocked (it claimed to be human, or
# made a promise the company cannot keep).
BLOCKED_REPLY = {
    "zh": "抱歉，我是AI助手，这个问题我无法准确回答。如需人工服务，请说“转人工”。",
    "en": "Sorry, I am an AI assistant and cannot answer that reliably. "
    'Say "agent" to reach a person.',
}


@dataclass(frozen=True)
class Disclosure:
    """The opening message and the label of every later AI message."""

    text: str
    label: str
    required: bool
    timing: str


def disclosure_for(pack: PolicyPack, *, enabled: bool = True) -> Disclosure:
    """The pack's disclosure; switching it off is refused where the pack requires it."""
    section = pack.ai_disclosure
    if not enabled and section.required.value:
        raise ConfigError(
            f"pack {pack.pack} requires the AI disclosure "
            f"({section.required.citation}); it cannot be turned off"
        )
    return Disclosure(
        text=section.wording.value,
        label=message_label(pack),
        required=section.required.value,
        timing=section.timing.value,
    )


def message_label(pack: PolicyPack) -> str:
    """The visible label shown with every AI message (cn: "AI生成")."""
    cited = pack.ai_disclosure.message_label
    return cited.value if cited is not None else DEFAULT_LABEL


def ai_metadata(
    pack: PolicyPack,
    *,
    kind: str,
    backend: str,
    model: str | None = None,
    confidence: float | None = None,
) -> dict[str, Any]:
    """The implicit (machine-readable) label an AI message carries in the API."""
    return {
        "ai_generated": True,
        "label": message_label(pack),
        "kind": kind,
        "provider": PROVIDER,
        "backend": backend,
        "model": model,
        "confidence": confidence,
        "pack": pack.pack,
        "pack_version": pack.version,
    }


@dataclass(frozen=True)
class Guarded:
    """A bot reply after the speech check: what is sent and what was blocked."""

    text: str
    blocked: bool
    rules: tuple[str, ...] = ()


def guard_reply(text: str, lang: str = "zh") -> Guarded:
    """Run the speech check as a bot; a blocked reply is replaced, never sent."""
    verdict = check_reply(text, role="bot")
    if verdict.verdict != "block":
        return Guarded(text, False)
    rules = tuple(sorted({f.rule for f in verdict.findings if f.severity == "block"}))
    return Guarded(BLOCKED_REPLY.get(lang, BLOCKED_REPLY["en"]), True, rules)
