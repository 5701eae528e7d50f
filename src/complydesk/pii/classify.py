"""Classification: what kind of personal data a text, record or column holds.

The taxonomy (data/taxonomy.yaml) says, per label, whether it is PIPL Art. 28
sensitive personal information (separate consent, impact assessment), whether
it is a GDPR Art. 9 special category (none of ours are) and a 1–4 sensitivity
level, with citations. It is validated with pydantic on first use; a bad file
is a ConfigError naming the key. Labels added by deployment YAML recognizers
are not in it and count as plain personal data (sensitivity 2) until added.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from complydesk.errors import ConfigError, InvalidInput
from complydesk.pii.detect import Detector, default_detector
from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label

TAXONOMY_FILE = "taxonomy.yaml"


class LabelInfo(BaseModel):
    """The classification of one label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: Literal["personal", "sensitive", "organisation"]
    pipl_sensitive: bool
    pipl_basis: str
    gdpr_special: bool
    gdpr_basis: str
    sensitivity: int = Field(ge=1, le=4)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> LabelInfo:
        if (self.category == "sensitive") != self.pipl_sensitive:
            raise ValueError("category 'sensitive' must match pipl_sensitive")
        if self.pipl_sensitive and self.sensitivity < 4:
            raise ValueError("PIPL sensitive labels need sensitivity 4")
        return self


UNCLASSIFIED = LabelInfo(
    name_zh="其他个人信息",
    name_en="Other personal data",
    category="personal",
    pipl_sensitive=False,
    pipl_basis="pipl_4",
    gdpr_special=False,
    gdpr_basis="gdpr_9",
    sensitivity=2,
    note="Label not in the taxonomy (deployment recognizer).",
)


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    citations: dict[str, str]
    labels: dict[str, LabelInfo]

    @model_validator(mode="after")
    def _complete(self) -> Taxonomy:
        known = {label.value for label in Label}
        for name, info in self.labels.items():
            if name not in known:
                raise ValueError(f"labels.{name}: unknown label")
            for basis in (info.pipl_basis, info.gdpr_basis):
                if basis not in self.citations:
                    raise ValueError(f"labels.{name}: unknown citation {basis!r}")
        missing = sorted(known - set(self.labels))
        if missing:
            raise ValueError(f"labels: missing {', '.join(missing)}")
        return self

    def info(self, label: str) -> LabelInfo:
        return self.labels.get(label, UNCLASSIFIED)


def parse_taxonomy(raw: Any, source: str) -> Taxonomy:
    """A validated taxonomy; errors name the source and the key."""
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"{source}: {where}: {first['msg']}") from None


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The shipped taxonomy, or one from `path` (cached when shipped)."""
    if path is None:
        return _shipped()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(f"taxonomy file {path} cannot be read") from None
    return _parse_text(text, str(path))


@functools.cache
def _shipped() -> Taxonomy:
    text = (
        resources.files("complydesk.pii")
        .joinpath("data", TAXONOMY_FILE)
        .read_text(encoding="utf-8")
    )
    return _parse_text(text, TAXONOMY_FILE)


def _parse_text(text: str, source: str) -> Taxonomy:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"{source}: not valid YAML") from None
    return parse_taxonomy(raw, source)


def label_info(label: str) -> LabelInfo:
    return _shipped().info(label)


@dataclass(frozen=True)
class Classification:
    """What a set of findings amounts to."""

    counts: dict[str, int]
    max_sensitivity: int  # 0 when nothing was found
    has_sensitive: bool  # any PIPL Art. 28 sensitive personal information
    categories: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted(self.counts))

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "counts": dict(sorted(self.counts.items())),
            "max_sensitivity": self.max_sensitivity,
            "has_sensitive": self.has_sensitive,
            "categories": list(self.categories),
        }


def classify_labels(counts: Counter[str] | dict[str, int]) -> Classification:
    plain = {str(label): n for label, n in counts.items()}
    infos = [label_info(label) for label in plain]
    return Classification(
        counts=plain,
        max_sensitivity=max((info.sensitivity for info in infos), default=0),
        has_sensitive=any(info.pipl_sensitive for info in infos),
        categories=tuple(sorted({info.category for info in infos})),
    )


def classify_entities(entities: Iterable[Entity]) -> Classification:
    """Counts per label, highest sensitivity and whether any is sensitive."""
    return classify_labels(Counter(entity.label for entity in entities))


@dataclass(frozen=True)
class RecordClassification:
    fields: dict[str, Classification]  # only fields with findings, by path
    overall: Classification

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {path: c.to_dict() for path, c in self.fields.items()},
            "overall": self.overall.to_dict(),
        }


def iter_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) for every string in nested dicts/lists: a.b[0].c."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from iter_strings(item, f"{path}[{i}]")


def classify_record(
    record: dict[str, Any], detector: Detector | None = None
) -> RecordClassification:
    """Per-field labels and sensitivity of a (nested) record."""
    if not isinstance(record, dict):
        raise InvalidInput("a record must be a JSON object")
    det = detector or default_detector()
    fields: dict[str, Classification] = {}
    total: Counter[str] = Counter()
    for path, text in iter_strings(record):
        counts = Counter(entity.label for entity in det.detect(text))
        if counts:
            fields[path] = classify_labels(counts)
            total.update(counts)
    return RecordClassification(fields=fields, overall=classify_labels(total))


@dataclass(frozen=True)
class ColumnClassification:
    """Which labels a column holds, as the share of sampled values with each."""

    total: int
    sampled: int
    ratios: dict[str, float] = field(default_factory=dict)
    max_sensitivity: int = 0
    has_sensitive: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels found, most frequent first (ties by name)."""
        return tuple(sorted(self.ratios, key=lambda name: (-self.ratios[name], name)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "sampled": self.sampled,
            "labels": list(self.labels),
            "ratios": {name: round(self.ratios[name], 4) for name in self.labels},
            "max_sensitivity": self.max_sensitivity,
            "has_sensitive": self.has_sensitive,
        }


def reservoir(values: Iterable[str], size: int, seed: int = 0) -> tuple[list[str], int]:
    """(uniform sample of at most `size` values, total seen): Algorithm R with a
    private RNG, so one seed always picks the same rows."""
    rng = random.Random(seed)
    sample: list[str] = []
    seen = 0
    for value in values:
        seen += 1
        if len(sample) < size:
            sample.append(value)
        else:
            slot = rng.randrange(seen)
            if slot < size:
                sample[slot] = value
    return sample, seen


def classify_column(
    values: Iterable[str],
    sample: int = 1000,
    seed: int = 0,
    detector: Detector | None = None,
) -> ColumnClassification:
    """Labels in a column with hit ratios, from a deterministic sample.

    A ratio is the share of sampled values (empty ones included) holding at
    least one finding of that label.
    """
    if sample < 1:
        raise InvalidInput("sample must be at least 1")
    rows, total = reservoir(values, sample, seed)
    det = detector or default_detector()
    hits: Counter[str] = Counter()
    for value in rows:
        if isinstance(value, str) and value:
            hits.update({entity.label for entity in det.detect(value)})
    summary = classify_labels(hits)
    n = len(rows)
    return ColumnClassification(
        total=total,
        sampled=n,
        ratios={str(name): count / n for name, count in hits.items()},
        max_sensitivity=summary.max_sensitivity,
        has_sensitive=summary.has_sensitive,
    )


def display_name(label: str, lang: str = "zh") -> str:
    info = label_info(label)
    return info.name_zh if lang == "zh" else info.name_en


__all__ = [
    "Classification",
    "ColumnClassification",
    "LabelInfo",
    "RecordClassification",
    "Taxonomy",
    "classify_column",
    "classify_entities",
    "classify_labels",
    "classify_record",
    "display_name",
    "label_info",
    "load_taxonomy",
]
