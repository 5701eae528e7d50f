"""What detection returns: a labelled span of the original text, with its reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Entity:
    """A detected piece of personal data.

    `start`/`end` are Python code-point offsets into the text as given (not the
    width-folded copy recognizers match on); `text` is `original[start:end]`.
    `recognizer` names the rule that found it, so every finding explains itself.
    """

    label: str
    start: int
    end: int
    text: str
    score: float
    recognizer: str

    def __post_init__(self) -> None:
        # Recognizers may pass a Label member; the contract is a plain string.
        if type(self.label) is not str:
            object.__setattr__(self, "label", str(self.label))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def overlaps(self, other: Entity) -> bool:
        return self.start < other.end and other.start < self.end
