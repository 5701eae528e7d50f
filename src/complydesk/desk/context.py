"""What desk functions share: settings, vault, audit, clock and triage.

The API, the CLI and the worker each build one `DeskContext` at their edge and
pass it down, so tests choose the clock, the database and the policy dir.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from complydesk.audit import AuditLog
from complydesk.clock import Clock
from complydesk.desk.triage import TriageClassifier, default_triage
from complydesk.errors import PolicyError
from complydesk.notify import Outbox
from complydesk.policy import load_pack
from complydesk.policy.pack import Desk, PolicyPack
from complydesk.settings import Settings
from complydesk.vault import Vault


@dataclass(frozen=True)
class DeskContext:
    settings: Settings
    vault: Vault
    audit: AuditLog
    clock: Clock
    triage: TriageClassifier = field(default_factory=default_triage)

    def pack(self, name: str | None) -> PolicyPack:
        """The pack of a customer's jurisdiction, else the default pack."""
        return load_pack(name or self.settings.default_pack, self.settings.policy_dir)

    def outbox(self) -> Outbox:
        """Built per use: the webhooks file is re-read, as the worker does."""
        return Outbox.from_settings(self.settings, self.clock)


def desk_policy(pack: PolicyPack) -> Desk:
    if pack.desk is None:
        raise PolicyError(f"policy pack {pack.pack} has no desk section")
    return pack.desk
