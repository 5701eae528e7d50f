"""Runtime settings from COMPLYDESK_* variables and an optional TOML file.

Built once at the edge (CLI, app factory) and passed down explicitly: nothing
creates settings or an engine at import time, so tests choose their own.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from complydesk.errors import ConfigError

CONFIG_FILE_ENV = "COMPLYDESK_CONFIG"


class Settings(BaseSettings):
    """Everything a deployment can set; secrets are SecretStr and never printed."""

    model_config = SettingsConfigDict(env_prefix="COMPLYDESK_", extra="forbid")

    database_url: SecretStr = Field(
        default=SecretStr("sqlite:///./complydesk.db"),
        description="SQLAlchemy URL: SQLite by default, postgresql+psycopg:// in prod.",
    )
    data_dir: Path = Field(
        default=Path("./data"),
        description="Keys (audit HMAC key, later the vault KEK) and files live here.",
    )
    default_pack: str = Field(
        default="baseline", description="Policy pack used when a record names none."
    )
    policy_dir: Path | None = Field(
        default=None,
        description="Extra policy packs (*.yaml) adding to or overriding shipped ones.",
    )
    capabilities_file: Path | None = Field(
        default=None,
        description="What the company can deliver, how fast (speech promise checks).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = Field(default=False, description="One JSON object per log line.")
    session_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    run_worker_in_process: bool = Field(
        default=True, description="`serve` also runs background jobs in-process."
    )
    worker_interval_seconds: float = Field(default=60.0, gt=0)
    keystore_url: SecretStr | None = Field(
        default=None,
        description="Database of wrapped subject data keys, never in backups "
        "(default: sqlite:///<data_dir>/keystore.db).",
    )
    kek_provider: Literal["local", "vault-transit"] = Field(
        default="local",
        description="Who wraps data keys: KEK files in <data_dir>/kek, or "
        "HashiCorp Vault transit.",
    )
    vault_addr: str | None = Field(
        default=None, description="HashiCorp Vault address for vault-transit."
    )
    vault_token: SecretStr | None = Field(
        default=None, description="HashiCorp Vault token for vault-transit."
    )
    vault_transit_key: str = Field(
        default="complydesk", description="Transit key name for vault-transit."
    )
    webhooks_file: Path | None = Field(
        default=None,
        description="Webhook endpoints (YAML) the notification outbox delivers to.",
    )
    notify_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often the worker delivers notifications."
    )
    connectors_file: Path | None = Field(
        default=None,
        description="External systems (YAML) reached by access and erasure requests.",
    )
    retention_enforce: bool = Field(
        default=False,
        description="Let the worker apply retention schedules (else it only reports).",
    )
    ai_config_file: Path | None = Field(
        default=None,
        description="AI assistant (YAML): backend, knowledge base, model endpoint, "
        "transfer allowlist, hand-off queue, decision policies.",
    )
    ai_api_key: SecretStr | None = Field(
        default=None, description="Bearer key for the OpenAI-compatible endpoint."
    )
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166 alpha-2 country the deployment keeps its data in; "
        "receivers elsewhere must pass the cross-border transfer gate.",
    )
    transfer_ciio: bool = Field(
        default=False,
        description="The deployment is a critical information infrastructure "
        "operator (every transfer needs a CAC security assessment).",
    )
    transfer_sector: Literal["financial"] | None = Field(
        default=None,
        description="Sector whose own localisation rules apply (financial keeps "
        "financial_account data in the country).",
    )
    transfer_important_data: list[str] = Field(
        default_factory=list,
        description="Data categories the authorities declared important data.",
    )
    transfer_localised_categories: list[str] = Field(
        default_factory=list,
        description="Data categories that must never leave the country.",
    )
    transfer_upload_max_bytes: int = Field(
        default=100_000_000,
        ge=1,
        description="Largest dataset the API accepts for a transfer assessment "
        "or export (bigger files: the CLI, which streams them).",
    )

    @field_validator("default_pack")
    @classmethod
    def _pack_name(cls, value: str) -> str:
        if not value.replace("-", "").isalnum():
            raise ValueError("must be a pack name such as baseline, cn, eu, us-ca")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url.get_secret_value()

    @property
    def keystore_sqlalchemy_url(self) -> str:
        if self.keystore_url is not None:
            return self.keystore_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'keystore.db'}"

    def ensure_data_dir(self) -> Path:
        """Create the data dir readable by its owner only."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.data_dir

    def redacted(self) -> dict[str, Any]:
        """Settings as shown by `complydesk config show`: secrets hidden."""
        shown: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                shown[name] = _redact_url(secret) if "://" in secret else "***"
            else:
                shown[name] = str(value) if isinstance(value, Path) else value
        return shown


def _redact_url(url: str) -> str:
    """Hide a password inside a URL; a URL without one is not secret."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://***@{host}"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from (lowest first) the TOML file, the environment, then overrides."""
    path = config_file or _config_path_from_env()
    file_values: dict[str, Any] = {}
    if path is not None:
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    env_keys = {
        key[len("COMPLYDESK_") :].lower()
        for key in os.environ
        if key.startswith("COMPLYDESK_") and key != CONFIG_FILE_ENV
    }
    init = {k: v for k, v in file_values.items() if k not in env_keys}
    init.update(overrides)
    try:
        return Settings(**init)
    except ValidationError as exc:
        where = f" (file {path})" if path else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings{where}: {problems}") from exc


def _config_path_from_env() -> Path | None:
    value = os.environ.get(CONFIG_FILE_ENV)
    return Path(value) if value else None
