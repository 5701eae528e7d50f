"""The assistant's deployment settings: one YAML file (`settings.ai_config_file`).

Everything a deployment chooses and no law fixes lives here: which backend
answers, the knowledge base, the model endpoint and its country, the
registered transfers that allow an endpoint abroad, the hand-off queue and
its expected handling time, and where decision policies are. Without a file,
the built-in FAQ bot answers from the shipped knowledge base.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from complydesk.errors import ConfigError

_STRICT = ConfigDict(extra="forbid", frozen=True)
CODE = r"^[a-z]{2}(?:-[a-z]{2})?$"


class Endpoint(BaseModel):
    """An OpenAI-compatible chat-completions endpoint (vLLM, a cloud API)."""

    model_config = _STRICT

    url: str = Field(pattern=r"^https?://", max_length=500)
    model: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=CODE)
    """Where the endpoint processes data (ISO 3166 alpha-2, lower case; eu allowed)."""
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    max_tokens: int = Field(default=512, ge=16, le=8192)
    temperature: float = Field(default=0.2, ge=0, le=2)
    transfer_recipient: str | None = Field(default=None, max_length=64)
    """The endpoint's operator in the transfer register (complydesk.transfer)."""


class RegisteredTransfer(BaseModel):
    """A cross-border transfer the organisation has a legal basis for."""

    model_config = _STRICT

    id: str = Field(min_length=1, max_length=64)
    data_jurisdiction: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    to_country: str = Field(pattern=CODE)
    basis: str = Field(min_length=1, max_length=200)


class AssistantConfig(BaseModel):
    model_config = _STRICT

    backend: Literal["faq", "openai_compat"] = "faq"
    knowledge_base: Path | None = None
    faq_threshold: float = Field(default=0.3, gt=0, le=1)
    endpoint: Endpoint | None = None
    registered_transfers: tuple[RegisteredTransfer, ...] = ()
    token_ttl_seconds: int = Field(default=1800, ge=60, le=7 * 24 * 3600)
    disclosure_enabled: bool = True
    handoff_queue: str = Field(default="ai_handoff", pattern=r"^[a-z][a-z0-9_]{0,63}$")
    average_handle_seconds: int = Field(default=240, ge=10, le=24 * 3600)
    agents_on_duty: int = Field(default=2, ge=1, le=10_000)
    policy_dir: Path | None = None


def load_config(path: Path | None) -> AssistantConfig:
    """The config in `path`, or the defaults; errors name the file and the key."""
    if path is None:
        return AssistantConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        raise ConfigError(f"AI config file {path} cannot be read") from None
    except yaml.YAMLError:
        raise ConfigError(f"AI config file {path} is not valid YAML") from None
    try:
        config = AssistantConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{path.name}: {where}: {first['msg']}") from None
    if config.backend == "openai_compat" and config.endpoint is None:
        raise ConfigError(f"{path.name}: backend openai_compat needs an endpoint")
    base = path.parent
    return config.model_copy(
        update={
            "knowledge_base": _relative(base, config.knowledge_base),
            "policy_dir": _relative(base, config.policy_dir),
        }
    )


def _relative(base: Path, value: Path | None) -> Path | None:
    if value is None or value.is_absolute():
        return value
    return base / value
