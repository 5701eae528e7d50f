"""The company's declared service capabilities: how fast it can ship, refund, visit.

This is deployment data, not law: the promise checker blocks replies that
promise more than these figures, so they must state what operations can
actually keep. Shipped defaults live in `data/capabilities.yaml`; a deployment
passes its own file to `load_capabilities(path)`, which is merged over the
defaults per action (`action: null` removes one). Errors name the file and the
dotted key, because the people fixing them edit YAML.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from complydesk.calendars import calendar_ids
from complydesk.duration import Duration
from complydesk.errors import ConfigError

__all__ = [
    "SHIPPED_FILE",
    "Action",
    "Capabilities",
    "Capability",
    "load_capabilities",
]

SHIPPED_FILE = Path(__file__).with_name("data") / "capabilities.yaml"


class Action(StrEnum):
    """What a reply can promise to do; the keys of the capabilities file."""

    SHIP = "ship"
    REFUND = "refund"
    DELIVER = "deliver"
    VISIT = "visit"
    CALLBACK = "callback"
    ACTIVATE = "activate"
    RESOLVE = "resolve"
    REPAIR = "repair"


Lang = Literal["zh", "en"]


def _known_calendar(value: str) -> str:
    valid = calendar_ids()
    if value not in valid:
        raise ValueError(f"unknown working calendar; valid ids: {', '.join(valid)}")
    return value


CalendarId = Annotated[str, AfterValidator(_known_calendar)]


def _default_calendars() -> dict[Lang, str]:
    return {"zh": "cn", "en": "weekends"}


class Capability(BaseModel):
    """One declared figure: the action is done `within` this long, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    within: Duration
    note: str = Field(min_length=1, max_length=500)


class Capabilities(BaseModel):
    """All declared capabilities plus the working calendar per reply language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    calendars: dict[Lang, CalendarId] = Field(default_factory=_default_calendars)
    capabilities: dict[Action, Capability] = Field(default_factory=dict)

    def get(self, action: Action) -> Capability | None:
        return self.capabilities.get(action)

    def calendar_for(self, lang: str) -> str:
        """Working-calendar id for replies in `lang` ("cn" for zh by default)."""
        default = "cn" if lang == "zh" else "weekends"
        return self.calendars.get("zh" if lang == "zh" else "en", default)


def load_capabilities(path: Path | None = None) -> Capabilities:
    """Shipped defaults, or `path` merged over them; cached until the file changes."""
    if path is None:
        return _load_cached(None, 0, 0)
    try:
        stat = path.stat()
    except OSError:
        raise ConfigError(f"{path}: cannot read capabilities file") from None
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_cached(path: str | None, mtime_ns: int, size: int) -> Capabilities:
    shipped = _read(SHIPPED_FILE, SHIPPED_FILE.name)
    if path is None:
        return _validate(shipped, SHIPPED_FILE.name)
    override = _read(Path(path), path)
    merged = {**shipped, **{k: v for k, v in override.items() if k != "capabilities"}}
    actions = dict(shipped.get("capabilities") or {})
    extra = override.get("capabilities", {})
    if not isinstance(extra, dict):
        raise ConfigError(f"{path}: capabilities: must be a mapping of actions")
    for action, value in extra.items():
        if value is None:
            actions.pop(action, None)
        else:
            actions[action] = value
    merged["capabilities"] = actions
    return _validate(merged, path)


def _read(path: Path, where: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ConfigError(f"{where}: cannot read capabilities file") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        raise ConfigError(f"{where}:{line} invalid YAML") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: (top level): must be a mapping")
    return raw


def _validate(data: dict[str, Any], where: str) -> Capabilities:
    try:
        return Capabilities.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        if first["type"] == "enum" and len(first["loc"]) >= 2:
            valid = ", ".join(a.value for a in Action)
            message = f"unknown action; valid actions: {valid}"
        else:
            message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{where}: {key}: {message}") from None
