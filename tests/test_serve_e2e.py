"""`complydesk serve` as a user runs it: a real uvicorn process on a real port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent / "complydesk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(
    db_url: str, tmp_path: Path, *options: str
) -> Iterator[tuple[str, Path, Path, subprocess.Popen[bytes]]]:
    """`complydesk serve OPTIONS` on demo data; (base URL, data dir, log, process)."""
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
            [BIN, "serve", "--port", str(port), *options],
            env=env,
            stdout=log,
            stderr=log,
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
            yield base, data_dir, log_path, proc
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    with _serve(db_url, tmp_path) as (base, data_dir, log_path, _proc):
        yield base, data_dir, log_path


def _credentials(data_dir: Path) -> dict[str, str]:
    return dict(
        line.split("\t")[0::2]
        for line in (data_dir / "demo-credentials.txt").read_text().splitlines()
        if not line.startswith("#")
    )


def _children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_console_and_api_answer_on_a_real_port(server: tuple[str, Path, Path]) -> None:
    base, data_dir, log_path = server
    creds = _credentials(data_dir)
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


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_share_the_port_and_only_one_runs_the_jobs(
    db_url: str, tmp_path: Path
) -> None:
    with _serve(db_url, tmp_path, "--workers", "2") as (base, data_dir, log, proc):
        assert len(_children(proc.pid)) >= 2  # uvicorn's supervisor and 2 workers
        with httpx.Client(base_url=base, timeout=60) as client:
            login = client.post(
                "/login",
                data={
                    "username": "agent",
                    "password": _credentials(data_dir)["agent"],
                    "next": "/",
                },
            )
            assert login.status_code == 303
            cookies = dict(client.cookies)

        def intake(n: int) -> int:
            body = {
                "customer": {"name": "测试客户", "phone": f"139{n:08d}"},
                "jurisdiction": "cn",
                "purpose": "return_refund",
                "category": "electronics",
                "fields": {"order_number": f"SO-W-{n}", "reason": "左耳没有声音"},
            }
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as c:
                return c.post("/v1/desk/tickets", json=body).status_code

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(intake, range(16))) == [201] * 16
        # The jobs run: the audit head gets anchored, by exactly one process.
        deadline = time.monotonic() + 15
        anchor = data_dir / "audit-anchor.json"
        while not anchor.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert anchor.exists()
    records = [json.loads(x) for x in log.read_text().splitlines() if x[:1] == "{"]
    runners = [r for r in records if r.get("event") == "background jobs run here"]
    assert len(runners) == 1, records[-5:]
    env = {**os.environ, "COMPLYDESK_DATABASE_URL": db_url}
    env["COMPLYDESK_DATA_DIR"] = str(data_dir)
    verify = subprocess.run(
        [BIN, "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
