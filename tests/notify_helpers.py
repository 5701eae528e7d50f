"""A real HTTP webhook receiver for the notify tests, and a settable clock.

The receiver verifies every request's signature the way a customer's receiver
would (complydesk.notify.verify_signature), records what it got, and answers
with scripted status codes (then 200), so tests can make it fail and recover.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from complydesk.notify import SIGNATURE_HEADER, SignatureError, verify_signature

SECRET = "test-webhook-secret-0123456789"
SECRET_ENV = "COMPLYDESK_TEST_HOOK_SECRET"


class FakeClock:
    """A clock the test moves by hand: backoff is checked without sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signature_error: str | None


class Receiver:
    """ThreadingHTTPServer on 127.0.0.1 answering `script` statuses, then 200."""

    def __init__(
        self,
        secret: str = SECRET,
        script: list[int] | None = None,
        *,
        port: int = 0,
        now: Callable[[], float] = time.time,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.secret = secret
        self.script = list(script or [])
        self.received: list[Received] = []
        self.now = now
        self.extra_headers = extra_headers or {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def delivery_ids(self) -> list[str]:
        with self._lock:
            return [r.headers["X-Complydesk-Delivery"] for r in self.received]

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        try:
            verify_signature(
                self.secret, headers.get(SIGNATURE_HEADER), body, now=self.now()
            )
            error = None
        except SignatureError as exc:
            error = exc.detail
        with self._lock:
            self.received.append(Received(headers, body, error))
            if error is not None:
                return 401
            return self.script.pop(0) if self.script else 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._answer(dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler


def free_port() -> int:
    """A port nothing listens on (yet): connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
