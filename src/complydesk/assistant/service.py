"""Building the assistant from settings: config file, knowledge base, backend."""

from __future__ import annotations

from complydesk.assistant.backends import Backend
from complydesk.assistant.backends.faq import FaqBackend, load_knowledge_base
from complydesk.assistant.backends.openai_compat import OpenAICompatBackend
from complydesk.assistant.backends.placeholders import TokenMaps
from complydesk.assistant.config import AssistantConfig, Endpoint, load_config
from complydesk.assistant.conversation import Assistant, TransferGate
from complydesk.audit import AuditLog
from complydesk.clock import Clock
from complydesk.policy import available_packs, load_pack
from complydesk.settings import Settings
from complydesk.vault import Vault


def build_backend(
    config: AssistantConfig, settings: Settings, vault: Vault, *, gated: bool = False
) -> Backend:
    if config.backend == "openai_compat":
        assert config.endpoint is not None  # load_config checks it
        packs = {
            name: load_pack(name, settings.policy_dir)
            for name in available_packs(settings.policy_dir)
        }
        key = settings.ai_api_key.get_secret_value() if settings.ai_api_key else None
        return OpenAICompatBackend(
            config.endpoint,
            TokenMaps(config.token_ttl_seconds, vault.detector),
            api_key=key,
            registered=config.registered_transfers,
            packs=packs,
            check_transfers=not gated,
        )
    return FaqBackend(load_knowledge_base(config.knowledge_base), config.faq_threshold)


def build_assistant(
    settings: Settings, vault: Vault, audit: AuditLog, clock: Clock
) -> Assistant:
    config = load_config(settings.ai_config_file)
    gate = None
    if config.backend == "openai_compat" and config.endpoint is not None:
        gate = transfer_gate(settings, config.endpoint, clock)
    return Assistant(
        vault,
        audit,
        clock,
        config,
        build_backend(config, settings, vault, gated=gate is not None),
        default_pack=settings.default_pack,
        policy_dir=settings.policy_dir,
        transfer_gate=gate,
    )


def transfer_gate(settings: Settings, endpoint: Endpoint, clock: Clock) -> TransferGate:
    """The transfer register decides whether a message may go to the endpoint.

    A live flow (complydesk.transfer.gate.check_flow): allowed when the
    endpoint is in the deployment's country, else only to a registered
    recipient in that country whose mechanisms pass; it fails closed when the
    deployment's country is not set.
    """
    from complydesk.transfer.live import AssistantGate

    return AssistantGate(settings, endpoint, clock)  # also counts who was sent
