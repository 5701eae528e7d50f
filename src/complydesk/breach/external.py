"""Who is affected in the external systems a breach names, counted or estimated.

A breach that reaches a registered SQL connector (a CRM) is counted there:
every distinct subject key its mapping names is read, matched to complydesk
customers on the blind index (normalised keys are indexed first) to learn
their jurisdiction, and merged with complydesk's own affected subjects so a
person in both counts once. Keys that match no customer are people complydesk
does not know; their jurisdiction is unknown, so they are counted under the
deployment's default pack, which the incident's sources say.

Systems that cannot be counted from here (HTTP connectors have no count
call; laptops, mailboxes and unregistered systems have no mapping) need the
operator's explicit estimate per jurisdiction (`external_estimates`, 0 is an
answer). Each system's method and figures go into the incident's audit entry.
A counting failure does not stop the incident being recorded (its clocks
matter more): the operator's estimate is used if given, else the failure is
recorded and returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.errors import ComplydeskError
from complydesk.rights.connectors import Connector, SqlConnector
from complydesk.store.models import Customer
from complydesk.store.personal import BlindKind
from complydesk.vault import Vault

CHUNK: Final = 1000


@dataclass
class SystemCount:
    """How one named system's affected subjects were found."""

    system: str
    method: str  # inventory | connector | estimate | failed
    subjects: int = 0
    unmatched: int = 0
    note: str = ""
    by_pack: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One short line for the audit entry: method and figures, no values."""
        text = f"{self.method}: {self.subjects}"
        if self.by_pack:
            text += " [" + ", ".join(f"{k} {v}" for k, v in self.by_pack.items()) + "]"
        if self.unmatched:
            text += f" ({self.unmatched} not known to complydesk)"
        if self.note:
            text += f"; {self.note}"
        return text[:200]


def _blind_keys(vault: Vault, match: str, form: str, keys: set[str]) -> set[str]:
    if form == "blind_index":
        return keys
    out = set()
    for value in keys:
        try:
            out.add(vault.lookup_index(BlindKind(match), value))
        except ComplydeskError:
            continue  # a value that does not normalise cannot match anyone
    return out


def count_connector(
    session: Session, vault: Vault, connector: SqlConnector
) -> tuple[set[int], SystemCount]:
    """Customer ids found in the system, and its count (unmatched included)."""
    held, truncated = connector.held_keys()
    matched: set[int] = set()
    unmatched = 0
    for (match, form), keys in held.items():
        blind = _blind_keys(vault, match, form, keys)
        column = getattr(Customer, f"{BlindKind(match).value}_bidx")
        seen: set[str] = set()
        ordered = sorted(blind)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for customer_id, index in session.execute(
                select(Customer.id, column).where(column.in_(chunk))
            ):
                matched.add(int(customer_id))
                seen.add(str(index))
        # Different key kinds cannot be joined: a person keyed by phone in one
        # table and by e-mail in another counts twice (an upper bound).
        unmatched += len(keys) - len(seen)
    note = "at least (key limit reached)" if truncated else ""
    return matched, SystemCount(
        connector.name, "connector", len(matched) + unmatched, unmatched, note
    )


def split(
    systems: list[str], connectors: list[Connector], local: str
) -> tuple[list[SqlConnector], list[str]]:
    """Named systems counted by connector, and those that need an estimate."""
    by_name = {c.name: c for c in connectors}
    counted: list[SqlConnector] = []
    estimated: list[str] = []
    for system in sorted(set(systems)):
        if system == local:
            continue
        connector = by_name.get(system)
        if isinstance(connector, SqlConnector):
            counted.append(connector)
        else:
            estimated.append(system)
    return counted, estimated
