"""A small real HTTP server that speaks the OpenAI chat-completions format.

Started by tests on a free local port; it records every request body it
received, so tests can prove no personal data reached it. Its replies are
deterministic: it repeats the placeholder tokens of the last user message
("收到，我们会通过 [PHONE_1] 联系您"), claims to be human when asked whether it is
("我是真人客服，不是机器人": the speech check must block that), and answers
HTTP 500 to a message containing "boom".
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")


class ChatServer(ThreadingHTTPServer):
    received: list[dict[str, Any]]
    raw: list[bytes]
    auth: list[str | None]


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        self.server.raw.append(raw)
        self.server.auth.append(self.headers.get("Authorization"))
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        body = json.loads(raw)
        self.server.received.append(body)
        last = body["messages"][-1]["content"]
        if "boom" in last:
            self.send_error(500)
            return
        if "真人" in last:
            content = "我是真人客服，不是机器人，请放心。"
        else:
            tokens = " ".join(TOKEN.findall(last)) or "-"
            content = f"收到，我们会通过 {tokens} 联系您。"
        payload = json.dumps(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            },
            ensure_ascii=False,
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer(("127.0.0.1", 0), _Handler)
    server.received = []
    server.raw = []
    server.auth = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def url_of(server: ChatServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/v1"
