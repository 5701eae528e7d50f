"""The vault: envelope encryption of personal fields, blind indexes, erasure.

>>> vault = open_vault(settings, clock)          # doctest: +SKIP
>>> key = vault.new_subject()                    # doctest: +SKIP
>>> vault.put(session, customer, {"phone": "13812345678"}, key)  # doctest: +SKIP
"""

from __future__ import annotations

from complydesk.clock import Clock
from complydesk.errors import ConfigError
from complydesk.settings import Settings
from complydesk.store.db import make_engine
from complydesk.store.personal import TEXT, BlindKind, PersonalField, personal_fields
from complydesk.vault.blind import BlindIndexer
from complydesk.vault.kek import KekProvider, LocalKek
from complydesk.vault.keystore import DataKey, KeyErased, KeyStore
from complydesk.vault.records import ERASED, Vault, Written, assign_id

__all__ = [
    "BlindIndexer",
    "BlindKind",
    "DataKey",
    "ERASED",
    "KekProvider",
    "KeyErased",
    "KeyStore",
    "LocalKek",
    "PersonalField",
    "TEXT",
    "Vault",
    "Written",
    "assign_id",
    "kek_provider",
    "open_keystore",
    "open_vault",
    "personal_fields",
]


def kek_provider(settings: Settings) -> KekProvider:
    if settings.kek_provider == "local":
        return LocalKek(settings.ensure_data_dir() / "kek")
    from complydesk.vault.transit import TransitKek  # optional: needs hvac

    if not settings.vault_addr or settings.vault_token is None:
        raise ConfigError("kek_provider vault-transit needs vault_addr and vault_token")
    return TransitKek.connect(
        settings.vault_addr,
        settings.vault_token.get_secret_value(),
        settings.vault_transit_key,
    )


def open_keystore(settings: Settings, clock: Clock) -> KeyStore:
    """The keystore named by the settings, its schema created if missing."""
    settings.ensure_data_dir()
    keystore = KeyStore(
        make_engine(settings.keystore_sqlalchemy_url), kek_provider(settings), clock
    )
    keystore.create_schema()
    return keystore


def open_vault(settings: Settings, clock: Clock) -> Vault:
    return Vault(
        open_keystore(settings, clock),
        BlindIndexer.from_data_dir(settings.ensure_data_dir()),
    )
