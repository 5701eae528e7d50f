"""The KEK provider contract, for the local provider and for HashiCorp Vault transit.

The transit provider talks real HTTP through hvac to a protocol stand-in
(tests/transit_standin.py): no Vault server is installable here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.transit_standin import TOKEN, TransitStandIn

from complydesk.clock import utcnow
from complydesk.errors import ConfigError, IntegrityError
from complydesk.settings import Settings
from complydesk.store.db import make_engine
from complydesk.vault import (
    KekProvider,
    KeyStore,
    LocalKek,
    kek_provider,
    open_keystore,
)
from complydesk.vault.transit import TransitKek


@pytest.fixture(params=["local", "transit"])
def provider(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KekProvider]:
    if request.param == "local":
        yield LocalKek(tmp_path / "kek")
        return
    with TransitStandIn() as server:
        yield TransitKek.connect(server.url, TOKEN, "complydesk-test")


def test_wrap_round_trip_binds_the_context(provider: KekProvider) -> None:
    key = os.urandom(32)
    kek_id, wrapped = provider.wrap(key, b"subject-a")
    assert key not in wrapped
    assert provider.unwrap(kek_id, wrapped, b"subject-a") == key
    with pytest.raises(IntegrityError):
        provider.unwrap(kek_id, wrapped, b"subject-b")


def test_rotation_changes_current_and_old_wraps_still_open(
    provider: KekProvider,
) -> None:
    key = os.urandom(32)
    old_id, wrapped = provider.wrap(key, b"ctx")
    new_id = provider.rotate()
    assert new_id != old_id and provider.current_id() == new_id
    assert provider.wrap(key, b"ctx")[0] == new_id
    assert provider.unwrap(old_id, wrapped, b"ctx") == key


def test_keystore_rewraps_under_either_provider(
    provider: KekProvider, tmp_path: Path
) -> None:
    keystore = KeyStore(
        make_engine(f"sqlite:///{tmp_path / 'ks.db'}"), provider, utcnow
    )
    keystore.create_schema()
    made = [keystore.new_subject() for _ in range(7)]
    new = provider.rotate()
    assert list(keystore.rewrap(batch=3)) == [3, 6, 7]
    assert keystore.count_by_kek() == {new: 7}
    assert [keystore.get(k.key_ref).key for k in made] == [k.key for k in made]


def test_transit_rejects_a_bad_token_and_settings_need_address(
    settings: Settings,
) -> None:
    with TransitStandIn() as server, pytest.raises(ConfigError):
        TransitKek.connect(server.url, "wrong-token", "k")
    incomplete = settings.model_copy(update={"kek_provider": "vault-transit"})
    with pytest.raises(ConfigError):
        kek_provider(incomplete)


def test_kek_rotation_while_the_service_keeps_serving(settings: Settings) -> None:
    keystore = open_keystore(settings, utcnow)
    existing = [keystore.new_subject() for _ in range(40)]
    errors: list[BaseException] = []
    made = []

    def serve() -> None:
        try:
            for n in range(60):
                made.append(keystore.new_subject())
                assert (
                    keystore.get(existing[n % 40].key_ref).key == existing[n % 40].key
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=serve)
    worker.start()
    keystore.kek.rotate()
    list(keystore.rewrap(batch=5))
    worker.join()
    list(keystore.rewrap())  # keys made mid-rotation under the old KEK
    assert errors == []
    assert set(keystore.count_by_kek()) == {keystore.kek.current_id()}
    for key in existing + made:
        assert keystore.get(key.key_ref).key == key.key
