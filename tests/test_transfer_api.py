"""The transfer API: register, live check, counters, assessments and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.helpers import add_user_with_token
from tests.transfer_helpers import NOW, PROFILE, SEEDED, fixed, write_csv

from complydesk.api.deps import AppContext
from complydesk.identity import Role
from complydesk.transfer.export import export_file

RECIPIENT = {
    "ref": "acme-sg",
    "name": "ACME Support Pte Ltd",
    "country": "sg",
    "purpose": "Overseas after-sales support desk",
    "data_categories": ["contact", "identity"],
    "separate_consent": True,
    "pia_completed_on": "2026-01-10",
}


@pytest.fixture
def officer(app: FastAPI) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    token = add_user_with_token(ctx.sessions, "officer", Role.COMPLIANCE_OFFICER)
    return {"Authorization": f"Bearer {token}"}


def _setup(client: TestClient, headers: dict[str, str]) -> None:
    created = client.post("/v1/transfer/recipients", json=RECIPIENT, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["country"] == "SG"
    agreement = {
        "signed_on": "2026-01-05",
        "expires_on": "2028-01-04",
        "retention": "36 calendar_months",
        "security_measures": ["AES-256 at rest"],
        "profile": PROFILE,
    }
    response = client.post(
        "/v1/transfer/recipients/acme-sg/agreements", json=agreement, headers=headers
    )
    assert response.status_code == 201, response.text


def test_register_and_check_a_recipient(
    client: TestClient, officer: dict[str, str]
) -> None:
    _setup(client, officer)
    detail = client.get(
        "/v1/transfer/recipients/acme-sg?jurisdiction=cn", headers=officer
    )
    assert detail.status_code == 200
    body = detail.json()
    assert body["agreement"]["profile"]["columns"]["phone"]["action"] == "pseudonymize"
    check = body["check"]
    assert check == {
        "jurisdiction": "cn",
        "allowed": True,
        "route": "exempt",
        "accepted": [],
        "findings": check["findings"],
    }
    assert check["findings"][0]["code"] == "exempt.below_threshold"
    assert "100,000" in check["findings"][0]["message_en"]
    assert "不满 100,000 人" in check["findings"][0]["message_zh"]

    unknown = client.get(
        "/v1/transfer/recipients/acme-sg?jurisdiction=mars", headers=officer
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("unknown jurisdiction mars; packs: ")

    suspended = client.patch(
        "/v1/transfer/recipients/acme-sg", json={"status": "suspended"}, headers=officer
    )
    assert suspended.json()["status"] == "suspended"
    again = client.get(
        "/v1/transfer/recipients/acme-sg?jurisdiction=cn", headers=officer
    )
    assert again.json()["check"]["allowed"] is False
    codes = [f["code"] for f in again.json()["check"]["findings"]]
    assert "recipient.inactive" in codes


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"country": "SGP"}, 422, "body.country"),
        ({"data_categories": []}, 422, "body.data_categories"),
        ({"data_categories": ["Contact!"]}, 422, "data_categories[0]"),
        (
            {"purpose": "call 13812345678 for details"},
            422,
            "purpose holds personal data",
        ),
        ({"exemption": "customer_service"}, 422, "body.exemption"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_never_echoed(
    client: TestClient,
    officer: dict[str, str],
    change: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    response = client.post(
        "/v1/transfer/recipients", json={**RECIPIENT, **change}, headers=officer
    )
    assert response.status_code == status
    assert fragment in response.text
    assert "13812345678" not in response.text


def test_duplicates_and_bad_documents_are_refused(
    client: TestClient, officer: dict[str, str]
) -> None:
    _setup(client, officer)
    again = client.post("/v1/transfer/recipients", json=RECIPIENT, headers=officer)
    assert again.status_code == 409
    url = "/v1/transfer/recipients/acme-sg"
    no_number = client.post(
        f"{url}/mechanisms",
        json={"kind": "security_assessment", "effective_on": "2026-01-01"},
        headers=officer,
    )
    assert no_number.status_code == 422
    assert "needs its reference" in no_number.json()["detail"]
    backwards = client.post(
        f"{url}/mechanisms",
        json={
            "kind": "certification",
            "reference": "CERT-1",
            "effective_on": "2026-01-01",
            "valid_until": "2025-01-01",
        },
        headers=officer,
    )
    assert backwards.status_code == 422
    bad_profile = client.post(
        f"{url}/agreements",
        json={
            "signed_on": "2026-01-05",
            "retention": "36 calendar_months",
            "security_measures": ["x"],
            "profile": {"columns": {"phone": {"action": "scan", "label": "PHONE"}}},
        },
        headers=officer,
    )
    assert bad_profile.status_code == 422
    assert bad_profile.json()["detail"].startswith("profile: columns.phone")
    bad_retention = client.post(
        f"{url}/agreements",
        json={
            "signed_on": "2026-01-05",
            "retention": "3 years",
            "security_measures": ["x"],
        },
        headers=officer,
    )
    assert bad_retention.status_code == 422
    assert (
        client.get("/v1/transfer/recipients/nobody", headers=officer).status_code == 404
    )


def test_assessments_counters_and_reports(
    app: FastAPI, client: TestClient, officer: dict[str, str], tmp_path: Path
) -> None:
    _setup(client, officer)
    ctx: AppContext = app.state.ctx
    settings = ctx.settings.model_copy(update={"default_pack": "cn"})
    outcome = export_file(
        ctx.sessions,
        settings,
        ctx.audit,
        fixed(NOW),
        recipient="acme-sg",
        source=write_csv(tmp_path / "in.csv"),
        out=tmp_path / "out.csv",
        actor="officer",
        workers=1,
    )
    ref = outcome.assessment.ref
    listed = client.get("/v1/transfer/assessments?recipient=acme-sg", headers=officer)
    assert [a["ref"] for a in listed.json()] == [ref]
    shown = client.get(f"/v1/transfer/assessments/{ref}", headers=officer).json()
    assert shown["exported"] is True and shown["counts"]["individuals"] == 2
    assert shown["output_sha256"] == outcome.assessment.output_sha256

    counters = client.get("/v1/transfer/counters", headers=officer).json()
    assert [(c["jurisdiction"], c["year"], c["individuals"]) for c in counters] == [
        ("cn", 2026, 2)
    ]

    html = client.get(f"/v1/transfer/assessments/{ref}/report", headers=officer)
    assert html.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in html.text and "数据出境评估报告" in html.text
    assert "CAC Order 16 Art. 5" in html.text
    md = client.get(
        f"/v1/transfer/assessments/{ref}/report?lang=en&format=md", headers=officer
    )
    assert md.text.startswith("# Cross-border transfer assessment")
    assert outcome.assessment.output_sha256 in md.text
    for value in SEEDED:
        assert value not in html.text and value not in md.text
    bad = client.get(f"/v1/transfer/assessments/{ref}/report?lang=fr", headers=officer)
    assert bad.status_code == 422
    missing = client.get("/v1/transfer/assessments/TA-0000000000", headers=officer)
    assert missing.status_code == 404
