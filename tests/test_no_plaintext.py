"""Known personal data goes in through the API; no plaintext copy comes out anywhere.

Searched: the raw database (the SQLite file with its WAL, or a pg_dump of the
PostgreSQL database), the data dir (keystore, keys), the captured logs, a
backup, and every de-identified export format.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.clock import utcnow
from complydesk.identity import Role
from complydesk.store.backup import create_backup
from complydesk.store.db import transaction
from complydesk.store.models import Conversation, Message
from complydesk.vault.export import export_deidentified

SEED = {
    "name": "欧阳娜娜",
    "phone": "13987654321",
    "email": "nana.ouyang@example.com",
    "id_number": "440106199003074520",
    "address": "广州市天河区体育西路191号中石化大厦",
}
CHAT = "您好，我是欧阳娜娜，电话13987654321，身份证440106199003074520"
NEEDLES = [*SEED.values(), "+8613987654321", "8613987654321"]


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _hits(blobs: dict[str, bytes]) -> list[str]:
    found = []
    for where, blob in blobs.items():
        for needle in NEEDLES:
            for encoding in ("utf-8", "utf-16-le"):
                if needle.encode(encoding) in blob:
                    found.append(f"{needle!r} in {where}")
    return found


def _database_bytes(db_url: str) -> dict[str, bytes]:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        return {
            p.name: p.read_bytes()
            for p in path.parent.glob(path.name + "*")
            if p.is_file()
        }
    dump = subprocess.run(
        [
            "pg_dump",
            "--format=plain",
            url.set(drivername="postgresql").render_as_string(False),
        ],
        capture_output=True,
        check=True,
        env=dict(os.environ),
    )
    return {"pg_dump": dump.stdout}


def test_no_plaintext_in_database_logs_backups_or_exports(
    client: TestClient,
    app: FastAPI,
    db_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ctx: AppContext = app.state.ctx
    token = add_user_with_token(ctx.sessions, "agent", Role.AGENT)
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/v1/customers", json=SEED, headers=headers)
    assert created.status_code == 201
    cid = created.json()["id"]
    # Failing requests carrying the same values must not leak them either.
    client.post("/v1/customers", json={**SEED, "phone": SEED["email"]}, headers=headers)
    client.post(
        "/v1/customers/search",
        json={"phone": SEED["phone"], "email": "x"},
        headers=headers,
    )
    client.post(
        "/v1/customers/search", json={"id_number": SEED["id_number"]}, headers=headers
    )
    with transaction(ctx.sessions) as session:
        conversation = Conversation(
            customer_id=cid, channel="web_chat", started_at=utcnow()
        )
        session.add(conversation)
        session.flush()
        customer_key = created.json()["id"]
        from complydesk.store.models import Customer

        key_ref = session.get_one(Customer, customer_key).key_ref
        message = Message(
            conversation_id=conversation.id,
            sender="customer",
            created_at=utcnow(),
            key_ref=key_ref,
        )
        ctx.vault.put(session, message, {"body": CHAT})
        session.add(message)

    backup = tmp_path / "db.backup"
    create_backup(db_url, backup)
    exports = tmp_path / "exports"
    for fmt in ("sqlite", "csv", "jsonl"):
        export_deidentified(ctx.sessions, ctx.vault, exports / fmt, fmt, utcnow)  # type: ignore[arg-type]

    blobs = _database_bytes(db_url)
    blobs["backup"] = backup.read_bytes()
    for path in _files_under(ctx.settings.data_dir) + _files_under(exports):
        blobs[str(path.relative_to(tmp_path))] = path.read_bytes()
    blobs["logs"] = caplog.text.encode()
    assert len(blobs) > 8
    assert _hits(blobs) == []
    # The exports are not empty: the customer and the chat are there, as fakes.
    jsonl = (exports / "jsonl" / "customers.jsonl").read_text(encoding="utf-8")
    assert '"phone": "1' in jsonl and '"name": "' in jsonl
