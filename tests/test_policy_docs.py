"""docs/policy-packs.md documents every field of the pack schema."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from complydesk.policy import Cited, PolicyPack

DOC = Path(__file__).resolve().parents[1] / "docs" / "policy-packs.md"


def schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted names of every field, descending into sections and blocks."""
    keys = []
    for name, field in model.model_fields.items():
        keys.append(f"{prefix}{name}")
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            if (
                isinstance(arg, type)
                and issubclass(arg, BaseModel)
                and not issubclass(arg, Cited)
            ):
                keys.extend(schema_keys(arg, f"{prefix}{name}."))
    return keys


def test_every_pack_field_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    keys = schema_keys(PolicyPack)
    assert "breach.attorney_general.residents_over" in keys
    missing = [key for key in keys if f"`{key.split('.', 1)[-1]}`" not in text]
    assert missing == []


def test_every_confidence_label_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for label in ("`ok`", "`secondary`", "`unconfirmed`"):
        assert label in text
