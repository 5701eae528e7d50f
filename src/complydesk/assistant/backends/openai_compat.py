"""Any OpenAI-compatible chat-completions endpoint (vLLM + Qwen/DeepSeek, a cloud).

Two guards sit in front of the call. First the endpoint's country is checked
against the data's jurisdiction: a pack with cross-border rules (cn, eu) lets
a message go abroad only under a registered transfer (`transfer_allowed`).
Then every personal value is replaced by a placeholder token
(placeholders.TokenMaps) in the message and in the history sent along; the
reply gets the values back. The system prompt tells the model it is an AI
that must say so, and to keep the tokens as they are. Plain urllib: no extra
dependency for one POST.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from complydesk.assistant.backends import Answer, BackendError
from complydesk.assistant.backends.placeholders import TokenMaps
from complydesk.assistant.config import Endpoint, RegisteredTransfer
from complydesk.assistant.handoff import Turn
from complydesk.errors import NotAllowed
from complydesk.policy.pack import PolicyPack

EU = frozenset(
    "at be bg hr cy cz dk ee fi fr de gr hu ie it lv lt lu mt nl pl pt ro sk si es se"
    " eu".split()
)
HOME = {"cn": frozenset({"cn"}), "eu": EU, "us-ca": frozenset({"us"})}
SYSTEM_PROMPT = (
    "You are an AI customer-service assistant. Never claim to be a human. "
    "Answer truthfully and briefly in the customer's language; do not promise "
    "times, refunds or compensation. Tokens in square brackets such as "
    "[PHONE_1] stand for the customer's personal data: keep them exactly as "
    "written and never guess what they stand for."
)
MAX_HISTORY_TURNS = 20


class TransferRefused(NotAllowed):
    """Sending this conversation to the endpoint would be an unlawful transfer."""

    title = "Cross-border transfer refused"


def transfer_allowed(
    pack: PolicyPack, country: str, registered: Sequence[RegisteredTransfer]
) -> str | None:
    """The id of the registered transfer that allows it, "domestic", or None.

    The standalone check (library use without a database). In the running
    service the transfer register decides instead: assistant.service wires
    complydesk.transfer.gate.check_flow into the conversation and switches
    this check off (`check_transfers=False`).
    """
    jurisdiction = pack.jurisdiction
    home = HOME.get(jurisdiction)
    if home is not None and country in home:
        return "domestic"
    if pack.cross_border is None:
        return "no-cross-border-rules"
    for transfer in registered:
        if (
            transfer.data_jurisdiction == jurisdiction
            and transfer.to_country == country
        ):
            return transfer.id
    return None


class OpenAICompatBackend:
    """Chat completions with placeholders in, values back out."""

    name = "openai_compat"

    def __init__(
        self,
        endpoint: Endpoint,
        tokens: TokenMaps,
        *,
        api_key: str | None = None,
        registered: Sequence[RegisteredTransfer] = (),
        packs: dict[str, PolicyPack] | None = None,
        check_transfers: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.model: str | None = endpoint.model
        self.tokens = tokens
        self.api_key = api_key
        self.registered = tuple(registered)
        self.packs = packs or {}
        # False when the caller runs the transfer gate itself (with a session:
        # complydesk.transfer.gate.check_flow, see assistant.service).
        self.check_transfers = check_transfers

    def check_transfer(self, pack: PolicyPack) -> str:
        allowed = transfer_allowed(pack, self.endpoint.country, self.registered)
        if allowed is None:
            raise TransferRefused(
                f"the model endpoint is in {self.endpoint.country} and pack "
                f"{pack.pack} data may leave only under a registered transfer"
            )
        return allowed

    def answer(
        self,
        conversation: str,
        text: str,
        history: Sequence[Turn],
        *,
        lang: str,
        jurisdiction: str,
    ) -> Answer:
        if self.check_transfers:
            pack = self.packs.get(jurisdiction)
            if pack is None:
                raise TransferRefused(
                    f"no policy pack {jurisdiction} to check the transfer"
                )
            self.check_transfer(pack)
        messages: list[dict[str, str]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        for turn in list(history)[-MAX_HISTORY_TURNS:]:
            role = "user" if turn.role == "customer" else "assistant"
            content = self.tokens.pseudonymize(conversation, turn.text)
            messages.append({"role": role, "content": content})
        messages.append(
            {"role": "user", "content": self.tokens.pseudonymize(conversation, text)}
        )
        reply = self._post(
            {
                "model": self.endpoint.model,
                "messages": messages,
                "temperature": self.endpoint.temperature,
                "max_tokens": self.endpoint.max_tokens,
            }
        )
        return Answer(self.tokens.restore(conversation, reply), True, None, None)

    def _post(self, body: dict[str, Any]) -> str:
        url = self.endpoint.url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            url, json.dumps(body).encode("utf-8"), headers, method="POST"
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - the URL is configured
                request, timeout=self.endpoint.timeout_seconds
            ) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise BackendError(f"the model endpoint answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise BackendError("the model endpoint cannot be reached") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BackendError("the model endpoint sent a malformed reply") from None
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise BackendError("the model endpoint sent no choices") from None
        if not isinstance(content, str) or not content.strip():
            raise BackendError("the model endpoint sent an empty reply")
        return content.strip()
