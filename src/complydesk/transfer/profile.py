"""De-identification profiles: what an agreement lets leave, column by column.

A profile is part of the agreement with the recipient (`transfer_agreements.
profile`), written in YAML or JSON:

```yaml
columns:
  phone:     {action: pseudonymize, label: PHONE}   # a typed column: one value
  id_number: {action: drop, label: CN_ID_CARD}      # still links the person
  order_no:  keep
  note:      scan                                   # free text: entity rules
entities: {CN_ID_CARD: redact, BANK_CARD: drop}
default: scan               # columns not listed (fail safe: scanned)
default_entity: mask        # entities without a rule
```

`drop` and `redact` take a value out of the transfer; `mask`, `pseudonymize`,
`encrypt` and `hash` do not (pseudonymised and encrypted data is still
personal information, PIPL Art. 4, GDPR Recital 26), so those values count.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from complydesk.errors import InvalidInput
from complydesk.pii.labels import Label

MAX_COLUMNS = 500
MAX_COLUMN_CHARS = 200
_LABELS = tuple(label.value for label in Label)


class Action(StrEnum):
    KEEP = "keep"
    DROP = "drop"
    MASK = "mask"
    REDACT = "redact"
    PSEUDONYMIZE = "pseudonymize"
    ENCRYPT = "encrypt"
    HASH = "hash"
    SCAN = "scan"


REMOVES = frozenset({Action.DROP, Action.REDACT})
"""Actions after which the value is no longer part of the transfer."""


def _spelling(value: Any) -> Any:
    """Accept the British spelling and the `column: action` shorthand."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        return "pseudonymize" if lowered == "pseudonymise" else lowered
    return value


class ColumnRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    label: str | None = None
    """The whole value is one entity of this label (no detection needed)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"action": _spelling(data)}
        if isinstance(data, dict) and "action" in data:
            return {**data, "action": _spelling(data["action"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ColumnRule:
        if self.label is not None and self.label not in _LABELS:
            raise ValueError(f"label must be one of {', '.join(_LABELS)}")
        if self.label is not None and self.action is Action.SCAN:
            raise ValueError("a typed column needs an action other than scan")
        return self

    def describe(self) -> str:
        return (
            f"{self.action.value} ({self.label})" if self.label else self.action.value
        )


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[str, ColumnRule] = Field(default_factory=dict)
    entities: dict[str, Action] = Field(default_factory=dict)
    default: ColumnRule = ColumnRule(action=Action.SCAN)
    default_entity: Action = Action.MASK
    lang: Literal["zh", "en"] = "zh"

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        if isinstance(out.get("entities"), dict):
            out["entities"] = {k: _spelling(v) for k, v in out["entities"].items()}
        if "default_entity" in out:
            out["default_entity"] = _spelling(out["default_entity"])
        return out

    @model_validator(mode="after")
    def _limits(self) -> Profile:
        if len(self.columns) > MAX_COLUMNS:
            raise ValueError(f"at most {MAX_COLUMNS} columns")
        for name in self.columns:
            if not 1 <= len(name) <= MAX_COLUMN_CHARS:
                raise ValueError(
                    f"column names must have 1-{MAX_COLUMN_CHARS} characters"
                )
        for label, action in {
            **self.entities,
            "default_entity": self.default_entity,
        }.items():
            if label != "default_entity" and label not in _LABELS:
                raise ValueError(f"entities keys must be labels: {', '.join(_LABELS)}")
            if action is Action.SCAN:
                raise ValueError("an entity action cannot be scan")
        return self

    def rule(self, column: str) -> ColumnRule:
        return self.columns.get(column, self.default)

    def entity_action(self, label: str) -> Action:
        return self.entities.get(label, self.default_entity)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def summary(self) -> dict[str, str]:
        """`column -> action` for reports (column names only, never values)."""
        shown = {name: rule.describe() for name, rule in self.columns.items()}
        shown["(other columns)"] = self.default.describe()
        shown["(entities)"] = ", ".join(
            [f"{k}: {v.value}" for k, v in sorted(self.entities.items())]
            + [f"other: {self.default_entity.value}"]
        )
        return shown


DEFAULT_PROFILE = Profile()
"""Used by assessments when the agreement has no profile: scan all, mask all."""


def parse_profile(raw: Mapping[str, Any] | Any) -> Profile:
    """A validated profile; the error names the key, never a value."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("profile must be a mapping")
    try:
        return Profile.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"profile: {where}: {message}") from None


def load_profile_file(path: Path) -> Profile:
    """A profile from YAML or JSON (JSON is YAML)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(f"{path.name}: cannot be read as UTF-8 text") from None
    except yaml.YAMLError:
        raise InvalidInput(f"{path.name}: not valid YAML or JSON") from None
    return parse_profile(raw)


__all__ = [
    "DEFAULT_PROFILE",
    "REMOVES",
    "Action",
    "ColumnRule",
    "Profile",
    "load_profile_file",
    "parse_profile",
]
