"""HashiCorp Vault transit engine as the KEK provider (optional: pip install hvac).

The KEK never leaves Vault: data keys are sent to `transit/encrypt/<key>` and
back to `transit/decrypt/<key>`. The wrap context is bound by prefixing its
SHA-256 to the data key before encryption and checking it after decryption
(transit ciphertexts are authenticated, so the prefix cannot be changed).
The KEK id records the transit key version, e.g. `transit:complydesk:v3`;
`rotate` asks Vault to rotate the key, and re-wrapping moves keys to the new
version. Tested through hvac against a stand-in of the transit HTTP API: no
Vault server installs from the registries our CI reaches (docs/vault.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from complydesk.errors import ConfigError, IntegrityError

PREFIX = "transit"


class TransitKek:
    def __init__(self, client: Any, key_name: str) -> None:
        self.client = client
        self.key_name = key_name
        self._ensure_key()

    @classmethod
    def connect(cls, addr: str, token: str, key_name: str) -> TransitKek:
        try:
            import hvac  # optional dependency
        except ImportError as exc:
            raise ConfigError(
                "kek_provider vault-transit needs hvac: pip install 'complydesk[vault]'"
            ) from exc
        client = hvac.Client(url=addr, token=token)
        if not client.is_authenticated():
            raise ConfigError("HashiCorp Vault rejected the token (vault_token)")
        return cls(client, key_name)

    def _ensure_key(self) -> None:
        try:
            self.client.secrets.transit.read_key(name=self.key_name)
        except Exception:  # noqa: BLE001 - hvac raises InvalidPath for a missing key
            self.client.secrets.transit.create_key(
                name=self.key_name, key_type="aes256-gcm96"
            )

    def current_id(self) -> str:
        data = self.client.secrets.transit.read_key(name=self.key_name)["data"]
        return f"{PREFIX}:{self.key_name}:v{int(data['latest_version'])}"

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        bound = hashlib.sha256(context).digest() + data_key
        result = self.client.secrets.transit.encrypt_data(
            name=self.key_name, plaintext=base64.b64encode(bound).decode("ascii")
        )
        ciphertext = str(result["data"]["ciphertext"])
        version = ciphertext.split(":", 2)[1]  # "vault:v3:..."
        return f"{PREFIX}:{self.key_name}:{version}", ciphertext.encode("ascii")

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        if not kek_id.startswith(f"{PREFIX}:{self.key_name}:"):
            raise ConfigError(f"data key is wrapped by {kek_id}, not by this provider")
        try:
            result = self.client.secrets.transit.decrypt_data(
                name=self.key_name, ciphertext=wrapped.decode("ascii")
            )
        except Exception:  # noqa: BLE001 - hvac's errors carry request details
            raise IntegrityError("HashiCorp Vault could not unwrap a key") from None
        bound = base64.b64decode(result["data"]["plaintext"])
        if not hmac.compare_digest(bound[:32], hashlib.sha256(context).digest()):
            raise IntegrityError("a wrapped data key belongs to another subject")
        return bound[32:]

    def rotate(self) -> str:
        self.client.secrets.transit.rotate_key(name=self.key_name)
        return self.current_id()
