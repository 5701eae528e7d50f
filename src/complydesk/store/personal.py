"""Which columns of a table hold personal data, and how the vault protects each.

A model lists its personal fields in `__personal__`. For a field `phone` the
table has `phone_sealed` (ciphertext), `phone_masked` (a masked copy for
display and search by roles without unmask rights) and, when the field has a
blind index, `phone_bidx`. Nothing else about the field is stored. This
module is schema knowledge (models import it); the cryptography is in
complydesk.vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol


class BlindKind(StrEnum):
    """Identifiers a customer can be looked up by (complydesk.vault.blind)."""

    PHONE = "phone"
    EMAIL = "email"
    ID_NUMBER = "id_number"


TEXT = "TEXT"
"""Label of free-text fields: the PII engine masks what it finds inside them."""


@dataclass(frozen=True)
class PersonalField:
    name: str
    label: str
    """A PII label (PHONE, EMAIL, PERSON, ...) or TEXT for free text."""
    blind: BlindKind | None = None
    max_chars: int = 2000

    @property
    def sealed(self) -> str:
        return f"{self.name}_sealed"

    @property
    def masked(self) -> str:
        return f"{self.name}_masked"

    @property
    def bidx(self) -> str:
        return f"{self.name}_bidx"


class PersonalRecord(Protocol):
    """A mapped row holding personal data of one subject (its key ref)."""

    __tablename__: str
    __personal__: ClassVar[tuple[PersonalField, ...]]
    id: int
    key_ref: str | None


def personal_fields(row_or_type: object) -> dict[str, PersonalField]:
    cls = row_or_type if isinstance(row_or_type, type) else type(row_or_type)
    fields: tuple[PersonalField, ...] = getattr(cls, "__personal__", ())
    return {f.name: f for f in fields}
