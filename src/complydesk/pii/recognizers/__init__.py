"""Built-in recognizers: each module lists its own in `RECOGNIZERS`.

Adding a recognizer means adding it to its module's list (or a new module to
`MODULES`); nothing else changes. Deployments adjust the set with YAML
(complydesk.pii.registry).
"""

from __future__ import annotations

from complydesk.pii.recognizer import Recognizer
from complydesk.pii.recognizers import (
    address,
    address_en,
    contact,
    finance,
    ids,
    network,
    person,
    person_en,
    person_model,
    vehicle,
)

MODULES = (
    contact,
    ids,
    finance,
    network,
    vehicle,
    person,
    person_model,
    person_en,
    address,
    address_en,
)


def builtin_recognizers() -> list[Recognizer]:
    """A fresh list of every built-in recognizer, in a stable order."""
    return [recognizer for module in MODULES for recognizer in module.RECOGNIZERS]
