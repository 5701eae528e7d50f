"""Webhook endpoints (a validated YAML file) and the HMAC request signature.

SMS and app-push gateways are webhooks too: complydesk only ever POSTs signed
JSON. Secrets never sit in the file or the database: each endpoint names the
environment variable that holds its secret, read when a request is signed.

Signature header: ``X-Complydesk-Signature: t=<unix seconds>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, f"{t}." + raw body)``. The timestamp lets
receivers refuse replays older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from complydesk.errors import ConfigError, InvalidInput

SIGNATURE_HEADER: Final = "X-Complydesk-Signature"
EVENT_HEADER: Final = "X-Complydesk-Event"
DELIVERY_HEADER: Final = "X-Complydesk-Delivery"
ATTEMPT_HEADER: Final = "X-Complydesk-Attempt"
DEFAULT_TOLERANCE_SECONDS: Final = 300
MIN_SECRET_CHARS: Final = 16
MAX_URL_CHARS: Final = 2000

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_EVENT_CHARS: Final = 80

EndpointName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
EventPattern = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9_.*?-]+$", max_length=MAX_EVENT_CHARS)
]
EnvName = Annotated[
    str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=128)
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RecipientRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]


class SignatureError(InvalidInput):
    """A webhook request's signature is missing, malformed, stale or wrong."""

    title = "Invalid webhook signature"


def check_event_name(event: str) -> str:
    """Event names are dotted lowercase words (`ticket.created`): safe as metadata."""
    if (
        not isinstance(event, str)
        or len(event) > MAX_EVENT_CHARS
        or not EVENT_NAME.match(event)
    ):
        raise InvalidInput(
            "event name must be dotted lowercase words such as ticket.created "
            f"(at most {MAX_EVENT_CHARS} characters)"
        )
    return event


class Endpoint(BaseModel):
    """One receiver: where to POST, which events, where its secret lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: EndpointName
    url: str
    events: list[EventPattern] = Field(min_length=1)
    secret_env: EnvName
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    country: CountryCode | None = None
    """Where the receiver is (ISO alpha-2). Outside the deployment's country
    every delivery must pass the cross-border transfer gate first."""
    transfer_recipient: RecipientRef | None = None
    """The receiver's entry in the transfer register (`transfer recipient`)."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Messages name the rule, never the value: a URL may embed a token.
        if len(value) > MAX_URL_CHARS:
            raise ValueError(f"must be at most {MAX_URL_CHARS} characters")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValueError("is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("must not embed credentials; use secret_env")
        if parts.fragment:
            raise ValueError("must not have a #fragment")
        return value

    def matches(self, event: str) -> bool:
        return any(fnmatchcase(event, pattern) for pattern in self.events)

    def has_secret(self, environ: Mapping[str, str] | None = None) -> bool:
        return bool((os.environ if environ is None else environ).get(self.secret_env))

    def secret(self, environ: Mapping[str, str] | None = None) -> bytes:
        """The signing secret from the environment; ConfigError names the variable."""
        value = (os.environ if environ is None else environ).get(self.secret_env)
        if not value:
            raise ConfigError(
                f"webhook endpoint {self.name}: environment variable "
                f"{self.secret_env} is not set"
            )
        if len(value) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"webhook endpoint {self.name}: the secret in {self.secret_env} "
                f"must be at least {MIN_SECRET_CHARS} characters"
            )
        return value.encode("utf-8")


class _WebhooksFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoints: list[Endpoint] = Field(default_factory=list)

    @field_validator("endpoints")
    @classmethod
    def _unique_names(cls, value: list[Endpoint]) -> list[Endpoint]:
        seen: set[str] = set()
        for endpoint in value:
            if endpoint.name in seen:
                raise ValueError(f"endpoint name {endpoint.name} is used twice")
            seen.add(endpoint.name)
        return value


class WebhookConfig:
    """The configured endpoints, looked up by name or by subscribed event."""

    def __init__(self, endpoints: list[Endpoint], source: Path | None = None) -> None:
        self.endpoints = list(endpoints)
        self.source = source
        self._by_name = {endpoint.name: endpoint for endpoint in self.endpoints}

    def __bool__(self) -> bool:
        return bool(self.endpoints)

    def get(self, name: str) -> Endpoint | None:
        return self._by_name.get(name)

    def require(self, name: str) -> Endpoint:
        endpoint = self.get(name)
        if endpoint is None:
            raise ConfigError(f"no webhook endpoint named {name} is configured")
        return endpoint

    def for_event(self, event: str) -> list[Endpoint]:
        return [endpoint for endpoint in self.endpoints if endpoint.matches(event)]


def load_webhooks(path: Path | None) -> WebhookConfig:
    """Read and validate the endpoints file; None means no endpoints."""
    if path is None:
        return WebhookConfig([])
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"webhooks file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"webhooks file {path} cannot be read: {type(exc).__name__}"
        ) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ConfigError(f"webhooks file {path} is not valid YAML{line}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"webhooks file {path}: top level must be a mapping")
    try:
        parsed = _WebhooksFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"webhooks file {path}: {_describe(exc)}") from None
    return WebhookConfig(parsed.endpoints, path)


def _describe(exc: ValidationError) -> str:
    """`endpoints[1].url: must be ...`, without echoing the offending values."""
    problems = []
    for err in exc.errors(include_input=False, include_url=False):
        where = ""
        for part in err["loc"]:
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
        message = err["msg"].removeprefix("Value error, ")
        problems.append(f"{where.lstrip('.') or 'file'}: {message}")
    return "; ".join(problems)


def signature_header(secret: bytes, body: bytes, timestamp: int) -> str:
    """The X-Complydesk-Signature value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def _mac(secret: bytes, body: bytes, timestamp: int) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: bytes | str,
    header: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check a received request (the receiver's side); SignatureError says why."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not header:
        raise SignatureError(f"{SIGNATURE_HEADER} header is missing")
    timestamp: int | None = None
    macs: list[str] = []
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"{SIGNATURE_HEADER} header is malformed")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        raise SignatureError(f"{SIGNATURE_HEADER} header needs t= and v1=")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("signature timestamp is outside the allowed window")
    expected = _mac(key, body, timestamp).encode("ascii")
    # Bytes, not str: compare_digest refuses non-ASCII str from a hostile header.
    if not any(hmac.compare_digest(expected, mac.encode("utf-8")) for mac in macs):
        raise SignatureError("signature does not match the body")
