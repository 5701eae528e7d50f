"""A stand-in for HashiCorp Vault's transit engine, over real HTTP, for tests.

No Vault server installs from the package registries CI can reach, so this
speaks the documented transit API (read/create/rotate key, encrypt, decrypt,
token lookup) closely enough for `hvac` and complydesk.vault.transit to be
exercised end to end. It is a protocol double of a third-party service, not
a copy of our code; its ciphertexts use AES-GCM per key version.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN = "stand-in-root-token"


class TransitStandIn:
    def __init__(self) -> None:
        self.keys: dict[str, list[bytes]] = {}
        self.calls: list[str] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> TransitStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        self.calls.append(f"{method} {'/'.join(parts[:3])}")
        if parts[:4] == ["v1", "auth", "token", "lookup-self"]:
            return 200, {"data": {"id": TOKEN}}
        if parts[:2] != ["v1", "transit"] or len(parts) < 4:
            return 404, {"errors": ["no handler for route"]}
        action, name = parts[2], parts[3]
        if action == "keys" and len(parts) == 5 and parts[4] == "rotate":
            self.keys[name].append(os.urandom(32))
            return 204, None
        if action == "keys" and method == "GET":
            if name not in self.keys:
                return 404, {"errors": []}
            return 200, {"data": {"latest_version": len(self.keys[name])}}
        if action == "keys" and method == "POST":
            self.keys.setdefault(name, [os.urandom(32)])
            return 204, None
        versions = self.keys.get(name)
        if versions is None:
            return 400, {"errors": ["encryption key not found"]}
        if action == "encrypt":
            nonce = os.urandom(12)
            sealed = AESGCM(versions[-1]).encrypt(
                nonce, base64.b64decode(body["plaintext"]), None
            )
            text = base64.b64encode(nonce + sealed).decode()
            return 200, {"data": {"ciphertext": f"vault:v{len(versions)}:{text}"}}
        if action == "decrypt":
            _, version, text = str(body["ciphertext"]).split(":", 2)
            raw = base64.b64decode(text)
            try:
                plain = AESGCM(versions[int(version[1:]) - 1]).decrypt(
                    raw[:12], raw[12:], None
                )
            except Exception:  # noqa: BLE001 - the real server answers 400 too
                return 400, {"errors": ["cipher: message authentication failed"]}
            return 200, {"data": {"plaintext": base64.b64encode(plain).decode()}}
        return 404, {"errors": ["no handler for route"]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                if self.headers.get("X-Vault-Token") != TOKEN:
                    self._send(403, {"errors": ["permission denied"]})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                status, payload = standin._answer(method, self.path, body)
                self._send(status, payload)

            def _send(self, status: int, payload: Any) -> None:
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args: object) -> None:
                pass

        return Handler
