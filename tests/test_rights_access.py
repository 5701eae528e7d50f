"""Access and portability: one ZIP with everything held about the subject.

The subject is spread over complydesk's tables (customer, ticket, attachment,
conversation and messages, an automated decision, the request itself), an
external SQL database (a second database on the same backend, through a
mapping file) and an HTTP system started by the test. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock
from tests.privacy_helpers import (
    DECISION_TEXT,
    FILENAME,
    MESSAGE_TEXT,
    TICKET_TEXT,
    JsonService,
    add_customer,
    add_decision,
    add_desk_records,
    auth,
    get,
    make_crm,
    write_connectors,
)

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.errors import ConfigError
from complydesk.identity import Role
from complydesk.rights.connectors import load_connectors
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import AuditEntry
from complydesk.vault import BlindKind

SUBJECT = {
    "name": "王小明",
    "phone": "139 1234 5678",
    "email": "xiaoming@example.com",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def loyalty() -> Iterator[JsonService]:
    def answer(action: str, request: dict[str, Any]) -> tuple[int, Any]:
        if request["subject"].get("phone") != "+8613912345678":
            return 200, {"records": {}}
        return 200, {"records": {"points": [{"balance": 120, "level": "silver"}]}}

    service = JsonService(SECRET, answer)
    yield service
    service.stop()


@pytest.fixture
def world(
    settings: Settings,
    clock: FakeClock,
    empty_db_url: str,
    loyalty: JsonService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FastAPI, TestClient, int]]:
    """The app, a client, and a verified access request for the subject."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv("TEST_CRM_URL", empty_db_url)
    settings.connectors_file = write_connectors(tmp_path, empty_db_url, loyalty.url)
    application = create_app(settings, clock=clock)
    ctx: AppContext = application.state.ctx
    customer_id = add_customer(ctx.sessions, ctx.vault, ctx.audit, SUBJECT, "cn")
    add_customer(
        ctx.sessions,
        ctx.vault,
        ctx.audit,
        {"name": "李四", "phone": "13800000000"},
        "cn",
    )
    make_crm(
        empty_db_url,
        "+8613912345678",
        ctx.vault.lookup_index(BlindKind.EMAIL, SUBJECT["email"]),
    )
    with transaction(ctx.sessions) as session:
        add_desk_records(session, ctx.vault, get(session, customer_id))
        add_decision(session, ctx.vault, get(session, customer_id))
    with TestClient(application) as client:
        officer = auth(application, Role.COMPLIANCE_OFFICER, clock)
        rid = client.post(
            "/v1/rights/requests",
            json={"customer_id": customer_id, "type": "access"},
            headers=officer,
        ).json()["id"]
        yield application, client, rid


class _Html(HTMLParser):
    """Checks the report is well-formed enough for a browser and collects text."""

    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _open(content: bytes) -> tuple[dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "report.html"]
        data = json.loads(archive.read("data.json"))
        html = archive.read("report.html").decode("utf-8")
    return data, html


def test_the_zip_holds_everything_about_the_subject_and_nothing_else(
    world: tuple[FastAPI, TestClient, int], loyalty: JsonService, clock: FakeClock
) -> None:
    app, client, rid = world
    ctx: AppContext = app.state.ctx
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    url = f"/v1/rights/requests/{rid}"
    # Nothing is disclosed before identity is verified.
    assert client.get(f"{url}/export", headers=officer).status_code == 409
    client.post(
        f"{url}/verify",
        json={"manual_reason": "ID card checked in store"},
        headers=officer,
    )
    response = client.get(f"{url}/export", headers=officer)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "X-Complydesk-Incomplete" not in response.headers
    data, html = _open(response.content)
    ours = data["complydesk"]
    assert data["format"] == "complydesk-access/1"
    (profile,) = ours["customers"]
    assert profile["name"] == "王小明" and profile["email"] == SUBJECT["email"]
    assert not any(k.endswith(("_sealed", "_masked", "_bidx")) for k in profile)
    assert "key_ref" not in profile
    assert [t["description"] for t in ours["tickets"]] == [TICKET_TEXT]
    assert [a["filename"] for a in ours["attachments"]] == [FILENAME]
    assert len(ours["conversations"]) == 1
    assert MESSAGE_TEXT in [m["body"] for m in ours["messages"]]
    assert [r["type"] for r in ours["rights_requests"]] == ["access"]
    (decision,) = ours["ai_decisions"]
    assert decision["explanation_zh"] == DECISION_TEXT
    assert decision["outcome"] == "refused"
    assert "rights_verifications" not in ours
    crm = data["external"]["crm"]
    assert crm["status"] == "ok"
    assert crm["records"]["crm_contacts"] == [
        {
            "phone_e164": "+8613912345678",
            "full_name": "王小明",
            "tier": "gold",
            "notes": "prefers calls",
        }
    ]
    assert crm["records"]["crm_orders"] == [{"total": 4999, "placed": "2026-01-02"}]
    assert data["external"]["loyalty"]["records"] == {
        "points": [{"balance": 120, "level": "silver"}]
    }
    assert loyalty.calls[-1]["subject"] == {
        "phone": "+8613912345678",
        "email": "xiaoming@example.com",
    }
    # Nobody else's data.
    dump = json.dumps(data, ensure_ascii=False)
    for other in ("李四", "13800000000", "someone else"):
        assert other not in dump
    # The report renders: balanced tags, Chinese by default, the values shown.
    parser = _Html()
    parser.feed(html)
    assert parser.stack == []
    text = " ".join(parser.text)
    assert "您的个人信息副本" in text and "客户资料" in text and "王小明" in text
    assert "gold" in text and "silver" in text
    _, english_html = _open(
        client.get(f"{url}/export?lang=en", headers=officer).content
    )
    assert "A copy of your personal data" in english_html
    # Every download is audited, with counts and no values.
    with read_transaction(ctx.sessions) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rights.export.download")
        ).all()
    assert len(entries) == 2
    assert entries[0].details["rows"] >= 7 and entries[0].details["external_ok"] == 2
    assert "王小明" not in json.dumps([e.details for e in entries], ensure_ascii=False)


def test_a_failing_system_is_reported_not_hidden(
    world: tuple[FastAPI, TestClient, int], loyalty: JsonService, clock: FakeClock
) -> None:
    app, client, rid = world
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    loyalty.answer = lambda action, request: (503, {"error": "maintenance"})
    client.post(
        f"/v1/rights/requests/{rid}/verify",
        json={"manual_reason": "ID card checked in store"},
        headers=officer,
    )
    response = client.get(f"/v1/rights/requests/{rid}/export", headers=officer)
    assert response.status_code == 200
    assert response.headers["X-Complydesk-Incomplete"] == "loyalty"
    data, html = _open(response.content)
    assert data["external"]["loyalty"] == {
        "status": "failed",
        "error": "loyalty: http_503",
    }
    assert data["external"]["crm"]["status"] == "ok"
    assert "该系统暂时无法查询" in html


def test_only_access_and_portability_requests_export(
    world: tuple[FastAPI, TestClient, int], clock: FakeClock
) -> None:
    app, client, _ = world
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    rid = client.post(
        "/v1/rights/requests",
        json={"customer_id": 1, "type": "erasure"},
        headers=officer,
    ).json()["id"]
    client.post(
        f"/v1/rights/requests/{rid}/verify",
        json={"manual_reason": "ID card checked in store"},
        headers=officer,
    )
    refused = client.get(f"/v1/rights/requests/{rid}/export", headers=officer)
    assert refused.status_code == 409
    bad_lang = client.get(f"/v1/rights/requests/{rid}/export?lang=fr", headers=officer)
    assert bad_lang.status_code == 422


def test_portability_is_the_provided_data_as_json_and_csv_with_a_manifest(
    world: tuple[FastAPI, TestClient, int], clock: FakeClock
) -> None:
    """Art. 20 / PIPL 45: what the subject provided, not what we derived."""
    app, client, _ = world
    officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
    rid = client.post(
        "/v1/rights/requests",
        json={"customer_id": 1, "type": "portability", "details": "发到新服务商"},
        headers=officer,
    ).json()["id"]
    client.post(
        f"/v1/rights/requests/{rid}/verify",
        json={"manual_reason": "ID card checked in store"},
        headers=officer,
    )
    response = client.get(f"/v1/rights/requests/{rid}/export?lang=en", headers=officer)
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        files = {n: archive.read(n) for n in names}
    assert "data.json" not in names and {"manifest.json", "report.html"} <= names
    for table in ("profile", "tickets", "attachments", "messages", "requests"):
        assert {f"complydesk/{table}.json", f"complydesk/{table}.csv"} <= names
    assert {"external/crm/crm_contacts.json", "external/crm/crm_contacts.csv"} <= names
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "complydesk-portability/1"
    assert "Art. 20" in manifest["basis"] and "PIPL Art. 45" in manifest["basis"]
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    columns = {t["name"]: t["columns"] for t in manifest["tables"]}
    assert {"name": "created_at", "type": "datetime (ISO 8601, UTC)"} in columns[
        "profile"
    ]
    assert "automated decisions" in manifest["not_included"]["derived"]

    def table(name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(files[f"complydesk/{name}.json"])
        text = files[f"complydesk/{name}.csv"].decode("utf-8-sig")
        from_csv = list(csv.DictReader(io.StringIO(text)))
        assert len(from_csv) == len(rows)  # the CSV holds the same rows
        for row, line in zip(rows, from_csv, strict=True):
            assert {k: "" if v is None else str(v) for k, v in row.items()} == line
        return rows

    (profile,) = table("profile")
    assert profile["name"] == "王小明" and profile["email"] == SUBJECT["email"]
    assert [t["description"] for t in table("tickets")] == [TICKET_TEXT]
    assert "status" not in table("tickets")[0]  # a workflow state: derived
    assert [a["filename"] for a in table("attachments")] == [FILENAME]
    assert [m["body"] for m in table("messages")] == [MESSAGE_TEXT]  # not ours
    assert [r["details"] for r in table("requests")] == [None, "发到新服务商"]
    everything = b"".join(files.values()).decode("utf-8", "replace")
    assert DECISION_TEXT not in everything and "您好，已收到。" not in everything
    assert "ai_decisions" not in names and "李四" not in everything
    crm = json.loads(files["external/crm/crm_contacts.json"])
    assert crm[0]["full_name"] == "王小明"
    html = files["report.html"].decode()
    parser = _Html()
    parser.feed(html)
    assert parser.stack == []
    assert "The personal data you provided" in html and "manifest.json" in html


def test_connector_files_are_validated_with_the_file_and_key_named(
    tmp_path: Path,
) -> None:
    cases = {
        "connectors: [{name: crm, kind: sql, mapping: m.yaml}]": "exactly one of url",
        "connectors: [{name: Bad, kind: sql, url: 'x', mapping: m.yaml}]": "name",
        "connectors: [{name: x, kind: http, url: 'ftp://h', secret_env: S}]": "http",
        "connectors: [{name: x, kind: ldap}]": "kind",
    }
    for text, expected in cases.items():
        path = tmp_path / "connectors.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=expected) as info:
            load_connectors(path)
        assert str(path) in info.value.detail
    (tmp_path / "m.yaml").write_text(
        "tables: [{table: t, key_column: k, match: phone, export: [a], "
        "on_erasure: keep}]",
        encoding="utf-8",
    )
    path = tmp_path / "connectors.yaml"
    path.write_text(
        "connectors: [{name: crm, kind: sql, url: 'sqlite://', mapping: m.yaml}]",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="keep_reason"):
        load_connectors(path)
    path.write_text(
        "connectors: [{name: crm, kind: sql, url_env: NOPE_URL, mapping: m.yaml}]",
        encoding="utf-8",
    )
    (tmp_path / "m.yaml").write_text(
        "tables: [{table: t, key_column: k, match: phone, export: [a]}]",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="NOPE_URL is not set"):
        load_connectors(path, environ={})
