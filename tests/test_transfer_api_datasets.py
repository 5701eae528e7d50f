"""Datasets through the real app: uploads and queries, assessments and exports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.helpers import add_user_with_token
from tests.transfer_helpers import ROWS, SEEDED, people_csv, register, write_csv

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.identity import Role
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models import AuditEntry, TransferCounter
from complydesk.transfer import registry

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def officer(app: FastAPI) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    register(ctx.sessions, ctx.audit)
    token = add_user_with_token(ctx.sessions, "officer", Role.COMPLIANCE_OFFICER)
    return {"Authorization": f"Bearer {token}"}


def _csv(tmp_path: Path, rows: list[list[str]] = ROWS) -> bytes:
    return write_csv(tmp_path / "in.csv", rows).read_bytes()


def test_an_uploaded_csv_is_assessed_and_reported_three_ways(
    client: TestClient, officer: dict[str, str], tmp_path: Path, app: FastAPI
) -> None:
    url = "/v1/transfer/assessments?recipient=acme-sg&jurisdiction=cn"
    body = _csv(tmp_path)
    answer = client.post(url, content=body, headers={**officer, **CSV})
    assert answer.status_code == 201, answer.text
    shown = answer.json()
    assert shown["kind"] == "assessment" and shown["allowed"] is True
    assert shown["counts"]["individuals"] == 2
    assert shown["input_sha256"] == hashlib.sha256(body).hexdigest()
    assert answer.headers["location"] == f"/v1/transfer/assessments/{shown['ref']}"

    md = client.post(
        f"{url}&format=md&lang=en", content=body, headers={**officer, **CSV}
    )
    assert md.status_code == 201
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Cross-border transfer assessment")
    html = client.post(
        url, content=body, headers={**officer, **CSV, "Accept": "text/html"}
    )
    assert '<html lang="zh-CN">' in html.text
    for value in SEEDED:
        assert value not in md.text and value not in html.text
    # Multipart with a JSON-lines file works the same way.
    lines = b'{"phone": "13812345678"}\n{"phone": "13987654321"}\n'
    multipart = client.post(
        url, files={"file": ("crm.jsonl", lines, "application/octet-stream")},
        headers=officer,
    )  # fmt: skip
    assert multipart.status_code == 201, multipart.text
    assert multipart.json()["counts"]["individuals"] == 2
    ctx: AppContext = app.state.ctx
    assert not any((ctx.settings.data_dir / "transfer-uploads").iterdir())
    with ctx.sessions() as session:  # assessments count no one
        assert session.scalars(select(TransferCounter)).all() == []


@pytest.mark.parametrize(
    ("headers", "content", "status", "fragment"),
    [
        ({"Content-Type": "application/pdf"}, b"%PDF", 415, "text/csv"),
        ({"Content-Type": "application/x-ndjson"}, b'{"a": 1}\n{"a"\n', 422,
         "upload.jsonl: line 2 is not JSON"),
        ({"Content-Type": "text/csv"}, "name\nJos\xe9\n".encode("latin-1"), 422,
         "upload.csv: not UTF-8 text"),
        ({"Content-Type": "text/csv"}, b"", 422, "the dataset is empty"),
    ],
)  # fmt: skip
def test_bad_uploads_are_refused_with_the_reason(
    client: TestClient,
    officer: dict[str, str],
    headers: dict[str, str],
    content: bytes,
    status: int,
    fragment: str,
    app: FastAPI,
) -> None:
    answer = client.post(
        "/v1/transfer/assessments?recipient=acme-sg",
        content=content,
        headers={**officer, **headers},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert fragment in answer.json()["detail"]
    ctx: AppContext = app.state.ctx
    uploads = ctx.settings.data_dir / "transfer-uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.fixture
def small(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"transfer_upload_max_bytes": 1000})
    with TestClient(create_app(limited)) as client:
        yield client


def test_the_size_limit_from_settings_is_enforced_while_reading(
    small: TestClient, tmp_path: Path
) -> None:
    ctx: AppContext = small.app.state.ctx  # type: ignore[attr-defined]
    register(ctx.sessions, ctx.audit)
    token = add_user_with_token(ctx.sessions, "officer", Role.COMPLIANCE_OFFICER)
    headers = {"Authorization": f"Bearer {token}", **CSV}
    big = people_csv(tmp_path / "big.csv", 0, 200).read_bytes()
    assert len(big) > 1000

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while reading
        yield big[:600]
        yield big[600:]

    for content in (big, chunks()):
        answer = small.post(
            "/v1/transfer/exports?recipient=acme-sg", content=content, headers=headers
        )
        assert answer.status_code == 413, answer.text
        assert "larger than 1,000 bytes" in answer.json()["detail"]
    assert not any((ctx.settings.data_dir / "transfer-uploads").iterdir())
    fits = small.post(
        "/v1/transfer/assessments?recipient=acme-sg",
        content=people_csv(tmp_path / "s.csv", 0, 3).read_bytes(),
        headers=headers,
    )
    assert fits.status_code == 201


def test_a_refused_export_is_409_with_reasons_then_allowed_and_downloaded(
    client: TestClient, officer: dict[str, str], tmp_path: Path, app: FastAPI
) -> None:
    ctx: AppContext = app.state.ctx
    with transaction(ctx.sessions) as session:
        registry.update_recipient(
            session, ctx.audit, "test", registry.get_recipient(session, "acme-sg"),
            {"pia_completed_on": None}, ctx.clock(),
        )  # fmt: skip
    url = "/v1/transfer/exports?recipient=acme-sg&jurisdiction=cn"
    body = _csv(tmp_path)
    refused = client.post(url, content=body, headers={**officer, **CSV})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert [r["code"] for r in problem["reasons"]] == ["pia.missing"]
    assert "PIPL Art. 55" in problem["reasons"][0]["citation"]
    assert problem["report"].endswith("/report")
    exports = ctx.settings.data_dir / "transfer-exports"
    assert not exports.exists() or not any(exports.iterdir())

    client.patch(
        "/v1/transfer/recipients/acme-sg",
        json={"pia_completed_on": "2026-01-10"},
        headers=officer,
    )
    allowed = client.post(url, content=body, headers={**officer, **CSV})
    assert allowed.status_code == 201, allowed.text
    shown = allowed.json()
    assert shown["exported"] is True and shown["counts"]["new_individuals"] == 2
    fetched = client.get(shown["download"], headers=officer)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"].startswith("text/csv")
    assert hashlib.sha256(fetched.content).hexdigest() == shown["output_sha256"]
    assert fetched.headers["x-content-sha256"] == shown["output_sha256"]
    for value in SEEDED:
        assert value.encode() not in fetched.content
    counters = client.get("/v1/transfer/counters", headers=officer).json()
    assert [(c["year"], c["individuals"]) for c in counters][0][1] == 2
    with ctx.sessions() as session:
        fetches = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "transfer.download")
        ).all()
    assert [f.actor for f in fetches] == ["officer"]
    assessment = client.get(problem["report"].removesuffix("/report"), headers=officer)
    gone = client.get(
        f"/v1/transfer/exports/{assessment.json()['ref']}/download", headers=officer
    )
    assert gone.status_code == 404  # the refused one exported nothing


def test_queries_on_our_own_database_through_the_api(
    client: TestClient, officer: dict[str, str], app: FastAPI
) -> None:
    body = {
        "recipient": "acme-sg",
        "query": "SELECT ref, name_masked, phone_bidx FROM customers",
        "jurisdiction": "cn",
    }
    created = client.post(
        "/v1/customers", json={"name": "测试客户", "phone": "13800138001"},
        headers=officer,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assessed = client.post("/v1/transfer/assessments/query", json=body, headers=officer)
    assert assessed.status_code == 201, assessed.text
    exported = client.post(
        "/v1/transfer/exports/query?format=md",
        json={**body, "format": "csv"},
        headers=officer,
    )
    assert exported.status_code == 201, exported.text
    assert exported.headers["content-type"].startswith("text/markdown")
    link = exported.headers["link"].split(";")[0].strip("<>")
    fetched = client.get(link, headers=officer)
    assert fetched.text.splitlines()[0] == "ref,name_masked"
    bad = client.post(
        "/v1/transfer/assessments/query",
        json={**body, "query": "DELETE FROM customers"},
        headers=officer,
    )
    assert bad.status_code == 422 and "must be a SELECT" in bad.json()["detail"]
    extra = client.post(
        "/v1/transfer/assessments/query",
        json={**body, "db_url": "sqlite:////etc/passwd"},
        headers=officer,
    )
    assert extra.status_code == 422  # other databases: the CLI only
    assert json.dumps(extra.json()).count("passwd") == 0
