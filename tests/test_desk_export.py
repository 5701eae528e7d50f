"""The desk's tables in de-identified exports: classified, exported, no real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.desk_helpers import desk_settings, intake, staff

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.clock import utcnow
from complydesk.settings import load_settings
from complydesk.store.db import make_engine, make_sessionmaker
from complydesk.store.models import TicketMessage
from complydesk.vault import open_vault
from complydesk.vault.export import EXPORTED, export_deidentified

PHONE = "13812345678"
DESK_TABLES = ("queues", "ticket_messages", "ticket_events")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_desk_tables_are_exported_without_real_personal_data(
    db_url: str, tmp_path: Path
) -> None:
    assert set(DESK_TABLES) <= set(EXPORTED)
    app = create_app(desk_settings(db_url, tmp_path))
    heads = staff(app)
    with TestClient(app) as api:
        tid = api.post("/v1/desk/tickets", headers=heads["agent-li"],
                       json=intake()).json()["id"]  # fmt: skip
        api.post("/v1/desk/queues", headers=heads["sup-wang"],
                 json={"name": "returns", "title": "退货"})  # fmt: skip
        api.post(f"/v1/desk/tickets/{tid}/assign", headers=heads["sup-wang"],
                 json={"queue": "returns"})  # fmt: skip
        reply = api.post(f"/v1/desk/tickets/{tid}/replies", headers=heads["agent-li"],
                         json={"text": f"林晓雨您好，我们会致电{PHONE}"})  # fmt: skip
        assert reply.status_code == 201
        ctx: AppContext = app.state.ctx
        out = tmp_path / "export"
        report = export_deidentified(ctx.sessions, ctx.vault, out, "jsonl", utcnow)
        assert report.rows["ticket_messages"] == 1 and report.rows["queues"] == 1
        assert report.rows["ticket_events"] >= 3
        everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
        assert PHONE not in everything and "林晓雨" not in everything
        [message] = _lines(out / "ticket_messages.jsonl")
        assert message["body"] and message["ticket_id"] == tid
        [ticket] = _lines(out / "tickets.jsonl")
        assert ticket["queue_id"] == 1 and ticket["contact_phone"] != PHONE

        copy = tmp_path / "copy"
        export_deidentified(ctx.sessions, ctx.vault, copy, "sqlite", utcnow)
    settings = load_settings(
        database_url=f"sqlite:///{copy / 'complydesk.db'}", data_dir=copy / "data"
    )
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as session:
            row = session.scalars(select(TicketMessage)).one()
            body = open_vault(settings, utcnow).reveal(row, ["body"])["body"] or ""
        assert body.endswith(tuple("0123456789")) and PHONE not in body
    finally:
        engine.dispose()
