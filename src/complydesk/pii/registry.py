"""The recognizer registry: built-ins plus a deployment's YAML adjustments.

A deployment file may disable built-ins, add pattern recognizers (regex +
context + a named validator) and list allowlisted values (the company's own
hotlines) that are never reported:

    disable: [qq_with_context]
    allowlist: ["400-812-3456", "10000"]
    places: true            # also report bare place names (news, social posts)
    add:
      - name: employee_id
        label: EMPLOYEE_ID
        pattern: "EMP-\\d{6}"
        score: 0.7
        context: {boost: ["工号"], window: 8}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from complydesk.errors import ConfigError
from complydesk.pii.recognizer import Context, PatternRecognizer, Recognizer
from complydesk.pii.recognizers import builtin_recognizers
from complydesk.pii.recognizers.address import AddressRecognizer
from complydesk.pii.validators import VALIDATORS

ADDRESS_CN = AddressRecognizer.name
# Bare places at 0.6 (short forms 0.5) pass the default threshold of 0.5.
PLACE_SCORE = 0.6


class ContextSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    boost: list[str] = []
    veto: list[str] = []
    window: int = Field(default=12, ge=0, le=200)
    after_window: int = Field(default=0, ge=0, le=200)
    required: bool = False


class PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    label: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    pattern: str
    score: float = Field(default=0.6, ge=0, le=1)
    validator: str | None = None
    context: ContextSpec = ContextSpec()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, value: str | None) -> str | None:
        if value is not None and value not in VALIDATORS:
            raise ValueError(
                f"unknown validator; valid: {', '.join(sorted(VALIDATORS))}"
            )
        return value

    def build(self) -> PatternRecognizer:
        ctx = self.context
        return PatternRecognizer(
            name=self.name,
            label=self.label,
            pattern=re.compile(self.pattern),
            score=self.score,
            validator=VALIDATORS[self.validator] if self.validator else None,
            context=Context(
                tuple(w.lower() for w in ctx.boost),
                tuple(w.lower() for w in ctx.veto),
                ctx.window,
                ctx.after_window,
                required=ctx.required,
            ),
        )


class RegistryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disable: list[str] = []
    add: list[PatternSpec] = []
    allowlist: list[str] = []
    places: bool = False


class Registry:
    """An ordered set of recognizers by name, plus allowlisted values."""

    def __init__(
        self, recognizers: list[Recognizer], allowlist: frozenset[str] = frozenset()
    ) -> None:
        self._by_name: dict[str, Recognizer] = {}
        for recognizer in recognizers:
            self.add(recognizer)
        self.allowlist = allowlist

    @classmethod
    def builtin(cls, *, places: bool = False) -> Registry:
        """The built-in recognizers; `places` also reports bare place names.

        By default a place name alone ("北京") is no postal address and is not
        reported (a place a cue ties to a person is). Text where every place
        counts as personal or as location data (news, social posts, the
        public NER sets that label cities as ADDRESS) wants `places`.
        """
        registry = cls(builtin_recognizers())
        if places:
            registry._by_name[ADDRESS_CN] = AddressRecognizer(
                report_places=True, place_score=PLACE_SCORE
            )
        return registry

    @classmethod
    def from_yaml(cls, path: Path) -> Registry:
        """Built-ins adjusted by a deployment file; errors name the file and key."""
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            config = RegistryConfig.model_validate(raw)
        except FileNotFoundError:
            raise ConfigError(f"recognizer config {path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"{path}: {where}: {err['msg']}") from None
        registry = cls.builtin(places=config.places)
        try:
            for name in config.disable:
                registry.remove(name)
            for spec in config.add:
                registry.add(spec.build())
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc.detail}") from None
        registry.allowlist = frozenset(normalize_allowed(v) for v in config.allowlist)
        return registry

    @property
    def recognizers(self) -> list[Recognizer]:
        return list(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def add(self, recognizer: Recognizer) -> None:
        if recognizer.name in self._by_name:
            raise ConfigError(f"recognizer {recognizer.name!r} is already registered")
        self._by_name[recognizer.name] = recognizer

    def remove(self, name: str) -> None:
        if name not in self._by_name:
            valid = ", ".join(self._by_name)
            raise ConfigError(f"no recognizer {name!r}; registered: {valid}")
        del self._by_name[name]


def normalize_allowed(value: str) -> str:
    """Allowlist entries match whatever spacing or dashes the text uses."""
    from complydesk.pii.text import fold

    return "".join(ch for ch in fold(value) if ch.isalnum()).lower()
