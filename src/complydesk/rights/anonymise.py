"""What erasure clears inside complydesk: one registry, easy to extend.

`clear_rows` empties the personal fields of every table that declares them
(`__personal__`, found from the models: a new personal table is covered
without a line here) for the subject's key ref, except the categories a legal
hold retains. Tables that hold data about a subject *without* sealed fields
(for instance coded group labels kept for fairness audits) cannot be found
that way: they register a step in `ANONYMISERS` below, one line each, naming
the function that deletes or anonymises their rows for a key ref. Steps are
given as "module:function" and imported when erasure runs, so registering
one creates no import cycle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import update
from sqlalchemy.orm import Session

from complydesk.rights.holds import category_of
from complydesk.store.models import Erasure
from complydesk.store.personal import personal_fields
from complydesk.vault.erase import personal_models


@dataclass(frozen=True)
class Anonymiser:
    """A table erasure must also clear: `run(session, key_ref) -> rows changed`."""

    table: str
    category: str  # the pack's retention category; a hold on it keeps the rows
    run: str  # "package.module:function"

    def function(self) -> Callable[[Session, str], int]:
        module, _, name = self.run.partition(":")
        found: Callable[[Session, str], int] = getattr(
            importlib.import_module(module), name
        )
        return found


# Register tables without personal fields that still describe the subject.
ANONYMISERS: Final[list[Anonymiser]] = [
    # fairness audit labels (issue 7): coded, keyed to the decision only
    Anonymiser("ai_audit_facts", "other", "complydesk.fairness.groups:forget_subject"),
]


def clear_rows(session: Session, key_ref: str, keep: set[str]) -> int:
    """Clear the subject's rows outside the `keep` categories; the rows changed."""
    total = 0
    for model in personal_models():
        if category_of(model.__tablename__) in keep or model is Erasure:
            continue
        values: dict[str, None] = {}
        for spec in personal_fields(model).values():
            values[spec.sealed] = None
            values[spec.masked] = None
            if spec.blind is not None:
                values[spec.bidx] = None
        result = session.execute(
            update(model)
            .where(model.key_ref == key_ref)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    for step in ANONYMISERS:
        if step.category not in keep:
            total += int(step.function()(session, key_ref))
    return total
