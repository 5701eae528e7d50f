"""`complydesk serve` as a user runs it: a real uvicorn process on a real port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent / "complydesk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "COMPLYDESK_DATABASE_URL": db_url,
        "COMPLYDESK_DATA_DIR": str(data_dir),
        "COMPLYDESK_LOG_JSON": "true",
    }
    for step in (["db", "upgrade"], ["db", "demo"]):
        subprocess.run([BIN, *step], env=env, check=True, capture_output=True)
    port = _free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [BIN, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                pytest.fail(f"server did not start: {log_path.read_text()[-2000:]}")
            yield base, data_dir, log_path
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_console_and_api_answer_on_a_real_port(server: tuple[str, Path, Path]) -> None:
    base, data_dir, log_path = server
    creds = dict(
        line.split("\t")[0::2]
        for line in (data_dir / "demo-credentials.txt").read_text().splitlines()
        if not line.startswith("#")
    )
    with httpx.Client(base_url=base) as client:
        assert "登录" in client.get("/login").text
        login = client.post(
            "/login",
            data={"username": "agent", "password": creds["agent"], "next": "/"},
        )
        assert login.status_code == 303
        page = client.get("/console/tickets")
        assert page.status_code == 200 and "DEMO-C003" in page.text
        api = client.get("/v1/desk/tickets")  # the console cookie works for the API
        assert api.status_code == 200 and len(api.json()) == 5
        assert client.get("/v1/audit/verify").status_code == 403

    # `serve` runs the background jobs in-process: the audit head gets anchored.
    deadline = time.monotonic() + 10
    while not (data_dir / "audit-anchor.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (data_dir / "audit-anchor.json").exists()

    records = [
        json.loads(line)
        for line in log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    routes = {r.get("route") for r in records if r.get("event") == "request"}
    assert "/console/tickets" in routes and "/v1/desk/tickets" in routes
    assert creds["agent"] not in log_path.read_text()
