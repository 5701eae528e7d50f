"""The breach register: affected subjects per jurisdiction, clocks, drafts, alerts.

Subjects live in three jurisdictions (cn, eu, us-ca); the clocks must follow
each pack: GDPR 72 hours to the authority (people only for a high risk),
California 30 days to residents and the Attorney General above 500
residents, PIPL "立即" with the CAC report within 4 hours. Runs on SQLite and
PostgreSQL; alerts go through the outbox to a real receiver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.privacy_helpers import add_customer, auth, deliver, payloads, write_webhooks
from typer.testing import CliRunner

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.audit import verify_chain
from complydesk.cli import app as cli
from complydesk.identity import Role
from complydesk.rights.jobs import breach_alerts
from complydesk.settings import Settings
from complydesk.store.db import read_transaction
from complydesk.store.models import AuditEntry
from complydesk.worker import JobContext

AWARE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = [
    ("cn", {"name": "王小明", "phone": "13912345678"}),
    ("cn", {"name": "李四", "phone": "13800000000"}),
    ("eu", {"name": "Marie Dupont", "email": "marie.dupont@example.com"}),
    ("eu", {"name": "Jan Novak", "email": "jan.novak@example.com"}),
    ("us-ca", {"name": "Sam Rivera", "phone": "+1 415 555 0134"}),
]
INCIDENT = {
    "title": "Export file on a shared drive",
    "description": "A support export with customer profiles was readable from "
    "a misconfigured shared drive for two days.",
    "detected_at": "2026-03-02T08:00:00+00:00",
    "aware_at": AWARE.isoformat(),
    "systems": ["complydesk"],
    "categories": ["customer_profile"],
    "risk": "high",
    "consequences": "Phishing messages that use the customers' names.",
    "measures": "Access removed, export deleted, drive permissions audited.",
    "contact_point": "Data protection officer, privacy desk, +86 21 5555 0000",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(AWARE + timedelta(hours=1))


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    started = Receiver(now=lambda: clock().timestamp()).start()
    yield started
    started.stop()


@pytest.fixture
def register(
    settings: Settings,
    clock: FakeClock,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FastAPI, TestClient, dict[str, str]]]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings.webhooks_file = write_webhooks(
        tmp_path / "hooks.yaml", receiver.url, events=("breach.*",)
    )
    application = create_app(settings, clock=clock)
    ctx: AppContext = application.state.ctx
    created = clock.now
    clock.now = AWARE - timedelta(days=30)  # customers existed before the breach
    for jurisdiction, values in PEOPLE:
        add_customer(ctx.sessions, ctx.vault, ctx.audit, values, jurisdiction)
    clock.now = created
    with TestClient(application) as client:
        yield application, client, auth(application, Role.COMPLIANCE_OFFICER, clock)


def _clocks(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["jurisdiction"], c["obligation"]): c for c in body["clocks"]}


def test_clocks_follow_each_affected_jurisdiction(
    register: tuple[FastAPI, TestClient, dict[str, str]],
) -> None:
    _, client, officer = register
    response = client.post("/v1/breach/incidents", json=INCIDENT, headers=officer)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["affected"] == {"cn": 2, "eu": 2, "us-ca": 1}
    clocks = _clocks(body)
    eu = clocks[("eu", "breach.authority_deadline")]
    assert eu["due_at"].startswith("2026-03-05T09:00") and eu["required"]
    assert eu["seconds_left"] == 71 * 3600
    assert "Art. 33" in eu["citation"]
    eu_people = clocks[("eu", "breach.individuals_deadline")]
    assert eu_people["required"] and eu_people["due_at"] is None  # undue delay
    assert eu_people["status"] == "no_fixed_deadline"
    # California: 30 calendar days in Los Angeles (DST starts on 8 March).
    ca = clocks[("us-ca", "breach.individuals_deadline")]
    assert ca["due_at"].startswith("2026-04-01T08:00")
    assert clocks[("us-ca", "breach.attorney_general")]["required"] is False
    cn_report = clocks[("cn", "breach.incident_reporting.other_operators")]
    assert cn_report["due_at"].startswith("2026-03-02T13:00")
    assert cn_report["status"] == "running"
    assert clocks[("cn", "breach.incident_reporting.ciio")]["required"] is False
    assert clocks[("cn", "breach.authority_deadline")]["due_at"] is None
    assert "立即" in clocks[("cn", "breach.authority_deadline")]["citation"]
    assert not clocks[("cn", "breach.public_interest_report_deadline")]["required"]
    # The soonest owed deadline comes first.
    assert (body["clocks"][0]["jurisdiction"], body["clocks"][0]["obligation"]) == (
        "cn",
        "breach.incident_reporting.other_operators",
    )


def test_risk_decides_which_notices_are_owed(
    register: tuple[FastAPI, TestClient, dict[str, str]],
) -> None:
    _, client, officer = register
    body = client.post(
        "/v1/breach/incidents", json={**INCIDENT, "risk": "unlikely"}, headers=officer
    ).json()
    clocks = _clocks(body)
    assert clocks[("eu", "breach.authority_deadline")]["required"] is False
    assert clocks[("eu", "breach.individuals_deadline")]["required"] is False
    assert clocks[("cn", "breach.authority_deadline")]["required"] is True  # PIPL
    big = client.post(
        "/v1/breach/incidents",
        json={**INCIDENT, "extra_affected": {"us-ca": 600}},
        headers=officer,
    ).json()
    assert big["affected"]["us-ca"] == 601
    assert _clocks(big)[("us-ca", "breach.attorney_general")]["required"] is True


def test_overdue_is_flagged_late_notices_need_reasons_and_the_ag_clock_follows(
    register: tuple[FastAPI, TestClient, dict[str, str]], clock: FakeClock
) -> None:
    app, client, officer = register
    iid = client.post(
        "/v1/breach/incidents",
        json={**INCIDENT, "extra_affected": {"us-ca": 600}},
        headers=officer,
    ).json()["id"]
    clock.now = AWARE + timedelta(hours=80)
    shown = client.get(f"/v1/breach/incidents/{iid}", headers=officer).json()
    assert shown["overdue"] is True
    eu = _clocks(shown)[("eu", "breach.authority_deadline")]
    assert eu["overdue"] is True and eu["seconds_left"] == -8 * 3600
    listing = client.get("/v1/breach/incidents", headers=officer).json()
    assert [i["overdue"] for i in listing] == [True]
    url = f"/v1/breach/incidents/{iid}/notifications"
    late = {
        "jurisdiction": "eu",
        "obligation": "breach.authority_deadline",
        "sent_at": clock().isoformat(),
    }
    refused = client.post(url, json=late, headers=officer)
    assert refused.status_code == 422 and "Art. 33" in refused.json()["detail"]
    ok = client.post(
        url,
        json={**late, "late_reason": "scope was established on day 3"},
        headers=officer,
    )
    assert ok.status_code == 201 and ok.json()["on_time"] is False
    again = client.post(
        url,
        json={**late, "late_reason": "scope was established on day 3"},
        headers=officer,
    )
    assert again.status_code == 409
    unknown = client.post(
        url, json={**late, "obligation": "breach.tea_break"}, headers=officer
    )
    assert unknown.status_code == 422 and "breach.authority_deadline" in unknown.text
    residents = client.post(
        url,
        json={
            "jurisdiction": "us-ca",
            "obligation": "breach.individuals_deadline",
            "sent_at": clock().isoformat(),
        },
        headers=officer,
    )
    assert residents.json()["on_time"] is True
    after = _clocks(client.get(f"/v1/breach/incidents/{iid}", headers=officer).json())
    ag = after[("us-ca", "breach.attorney_general")]
    assert ag["due_at"].startswith((clock() + timedelta(days=15)).date().isoformat())
    assert after[("eu", "breach.authority_deadline")]["status"] == "met"
    closing = client.post(f"/v1/breach/incidents/{iid}/close", headers=officer)
    assert closing.status_code == 409 and "cn:" in closing.json()["detail"]
    ctx: AppContext = app.state.ctx
    with read_transaction(ctx.sessions) as session:
        assert verify_chain(session, ctx.audit.key).ok


def test_drafts_carry_what_the_law_asks_and_no_personal_values(
    register: tuple[FastAPI, TestClient, dict[str, str]],
) -> None:
    _, client, officer = register
    iid = client.post("/v1/breach/incidents", json=INCIDENT, headers=officer).json()[
        "id"
    ]
    url = f"/v1/breach/incidents/{iid}/draft"
    zh = client.get(
        url, params={"recipient": "authority", "jurisdiction": "cn"}, headers=officer
    )
    assert zh.status_code == 200 and zh.headers["content-type"].startswith(
        "text/markdown"
    )
    for heading in ("事件经过及原因", "涉及的个人信息种类及数量", "可能造成的危害",
                    "我们已采取的补救措施", "联系方式"):  # fmt: skip
        assert f"## {heading}" in zh.text
    assert "受影响的个人约 2 人（cn）" in zh.text and "客户资料" in zh.text
    ca = client.get(
        url,
        params={
            "recipient": "individuals",
            "jurisdiction": "us-ca",
            "lang": "en",
            "format": "html",
        },  # fmt: skip
        headers=officer,
    )
    assert ca.headers["content-type"].startswith("text/html")
    assert "<h1>Notice of Data Breach</h1>" in ca.text
    headings = (
        "What happened",
        "What information was involved",
        "What we are doing",
        "What you can do",
        "For more information",
    )
    for heading in headings:
        assert f"<h2>{heading}</h2>" in ca.text
    everything = zh.text + ca.text
    for _, values in PEOPLE:
        for value in values.values():
            assert value not in everything
    bad = client.get(
        url,
        params={"recipient": "attorney_general", "jurisdiction": "eu"},
        headers=officer,
    )
    assert bad.status_code == 422


def test_personal_data_in_the_description_is_refused(
    register: tuple[FastAPI, TestClient, dict[str, str]],
) -> None:
    app, client, officer = register
    for field, value in (
        ("description", "王小明 13912345678 called about the leak"),
        ("title", "Leak reported by marie.dupont@example.com"),
    ):
        response = client.post(
            "/v1/breach/incidents", json={**INCIDENT, field: value}, headers=officer
        )
        assert response.status_code == 422
        assert "13912345678" not in response.text
        assert "marie.dupont" not in response.text
    naive = client.post(
        "/v1/breach/incidents",
        json={**INCIDENT, "aware_at": "2026-03-02T09:00:00"},
        headers=officer,
    )
    assert naive.status_code == 422
    backwards = client.post(
        "/v1/breach/incidents",
        json={**INCIDENT, "aware_at": "2026-03-01T09:00:00+00:00"},
        headers=officer,
    )
    assert backwards.status_code == 422
    assert client.get("/v1/breach/incidents", headers=officer).json() == []


def test_due_soon_and_overdue_clocks_raise_one_alert_each(
    register: tuple[FastAPI, TestClient, dict[str, str]],
    clock: FakeClock,
    receiver: Receiver,
    settings: Settings,
) -> None:
    app, client, officer = register
    ctx: AppContext = app.state.ctx
    client.post("/v1/breach/incidents", json=INCIDENT, headers=officer)
    job = JobContext(ctx.settings, ctx.sessions, ctx.audit, clock)
    clock.now = AWARE + timedelta(hours=3, minutes=30)  # cn 4 h report: due soon
    assert breach_alerts(job) == "1 breach clock alerts"
    assert breach_alerts(job) == "0 breach clock alerts"
    clock.now = AWARE + timedelta(hours=5)
    assert breach_alerts(job) == "1 breach clock alerts"  # now overdue
    deliver(settings, ctx.sessions, clock)
    soon = payloads(receiver, "breach.clock_due_soon")
    late = payloads(receiver, "breach.clock_overdue")
    assert [a["obligation"] for a in soon + late] == [
        "breach.incident_reporting.other_operators"
    ] * 2
    assert late[0]["jurisdiction"] == "cn"
    with read_transaction(ctx.sessions) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("breach.clock%"))
        ).all()
    assert sorted(actions) == ["breach.clock_due_soon", "breach.clock_overdue"]


def test_the_cli_records_shows_and_drafts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("COMPLYDESK_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    now = datetime.now(UTC)
    recorded = runner.invoke(
        cli,
        [
            "breach", "record", "--title", "Lost laptop",
            "--description", "An unencrypted laptop with a ticket export was lost.",
            "--detected-at", (now - timedelta(hours=2)).isoformat(),
            "--aware-at", (now - timedelta(hours=1)).isoformat(),
            "--category", "support_tickets", "--risk", "risk",
            "--contact-point", "privacy desk", "--json",
        ],
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    ref = json.loads(recorded.output)["ref"]
    shown = runner.invoke(cli, ["breach", "show", ref, "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["ref"] == ref
    listed = runner.invoke(cli, ["breach", "list", "--json"])
    assert [r["ref"] for r in json.loads(listed.output)] == [ref]
    bad = runner.invoke(
        cli, ["breach", "draft", ref, "--to", "authority", "--jurisdiction", "eu"]
    )
    assert bad.exit_code == 2 and bad.output.startswith("error: jurisdiction")
    assert len(bad.output.strip().splitlines()) == 1
    wrong = runner.invoke(
        cli,
        ["breach", "record", "--title", "x", "--description", "y",
         "--detected-at", "yesterday", "--aware-at", "today",
         "--category", "support_tickets", "--risk", "risk",
         "--contact-point", "desk"],
    )  # fmt: skip
    assert wrong.exit_code == 2 and "--detected-at" in wrong.output
    needs = runner.invoke(
        cli,
        [
            "breach", "record", "--title", "Stolen phone",
            "--description", "A work phone with a mail client was stolen.",
            "--detected-at", (now - timedelta(hours=2)).isoformat(),
            "--aware-at", (now - timedelta(hours=1)).isoformat(),
            "--category", "customer_profile", "--risk", "high",
            "--contact-point", "privacy desk", "--system", "phone",
        ],
    )  # fmt: skip
    assert needs.exit_code == 2 and "phone cannot be counted" in needs.output
    bad_estimate = runner.invoke(
        cli,
        [
            "breach", "record", "--title", "x", "--description", "y",
            "--detected-at", now.isoformat(), "--aware-at", now.isoformat(),
            "--category", "customer_profile", "--risk", "high",
            "--contact-point", "desk", "--estimate", "phone=3",
        ],
    )  # fmt: skip
    assert bad_estimate.exit_code == 2 and "--estimate" in bad_estimate.output
    estimated = runner.invoke(
        cli,
        [
            "breach", "record", "--title", "Stolen phone",
            "--description", "A work phone with a mail client was stolen.",
            "--detected-at", (now - timedelta(hours=2)).isoformat(),
            "--aware-at", (now - timedelta(hours=1)).isoformat(),
            "--category", "customer_profile", "--risk", "unlikely",
            "--contact-point", "privacy desk", "--system", "phone",
            "--estimate", "phone:eu=3", "--estimate", "phone:eu=2", "--json",
        ],
    )  # fmt: skip
    assert estimated.exit_code == 0, estimated.output
    body = json.loads(estimated.output)
    assert body["affected"] == {"eu": 5}
    assert body["sources"][0]["method"] == "estimate"
    # Unlikely risk under GDPR: nothing is owed, so it closes at once.
    closed = runner.invoke(cli, ["breach", "close", body["ref"]])
    assert closed.exit_code == 0, closed.output
    again = runner.invoke(cli, ["breach", "close", body["ref"]])
    assert again.exit_code == 2 and "already closed" in again.output


def test_named_external_systems_are_counted_or_explicitly_estimated(
    register: tuple[FastAPI, TestClient, dict[str, str]],
    empty_db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CRM (SQL connector) is counted and merged; other systems need estimates."""
    from sqlalchemy import text
    from tests.privacy_helpers import make_crm, write_connectors

    from complydesk.store.db import make_engine
    from complydesk.vault import BlindKind

    app, client, officer = register
    ctx: AppContext = app.state.ctx
    # The CRM knows Sam (us-ca) and 李四 (cn) by phone, Jan (eu) by our e-mail
    # index, plus three people complydesk has never seen.
    make_crm(
        empty_db_url,
        "+14155550134",
        ctx.vault.lookup_index(BlindKind.EMAIL, "jan.novak@example.com"),
    )
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO crm_contacts VALUES (3, '+8613700000001', 'x', 'b', ''), "
                "(4, '+8613700000002', 'y', 'b', ''), (5, NULL, 'z', 'b', '')"
            )
        )
    engine.dispose()
    monkeypatch.setenv("TEST_CRM_URL", empty_db_url)
    ctx.settings.connectors_file = write_connectors(
        tmp_path, empty_db_url, "http://127.0.0.1:9/privacy"
    )

    def record(**changes: Any) -> Any:
        return client.post(
            "/v1/breach/incidents", json={**INCIDENT, **changes}, headers=officer
        )

    crm_only = record(systems=["crm"])
    assert crm_only.status_code == 201, crm_only.text
    assert crm_only.json()["affected"] == {"baseline": 3, "cn": 1, "eu": 1, "us-ca": 1}
    (source,) = crm_only.json()["sources"]
    assert source["method"] == "connector" and source["unmatched"] == 3
    assert "baseline" in source["note"]
    both = record(systems=["complydesk", "crm"]).json()
    assert both["affected"] == {"baseline": 3, "cn": 2, "eu": 2, "us-ca": 1}  # once
    assert [s["system"] for s in both["sources"]] == ["complydesk", "crm"]
    # An HTTP system cannot be counted from here: an estimate is required.
    missing = record(systems=["complydesk", "loyalty"])
    assert missing.status_code == 422 and "loyalty" in missing.json()["detail"]
    assert "external_estimates" in missing.json()["detail"]
    stray = record(external_estimates={"laptop": {"eu": 1}})
    assert stray.status_code == 422 and "laptop" in stray.json()["detail"]
    estimated = record(
        systems=["complydesk", "loyalty"], external_estimates={"loyalty": {"eu": 600}}
    )
    assert estimated.status_code == 201, estimated.text
    assert estimated.json()["affected"] == {"cn": 2, "eu": 602, "us-ca": 1}
    none_there = record(
        systems=["complydesk", "laptop"], external_estimates={"laptop": {}}
    )
    assert none_there.json()["affected"] == {"cn": 2, "eu": 2, "us-ca": 1}
    # A CRM that cannot be reached does not stop the record; a fallback is used.
    monkeypatch.setenv("TEST_CRM_URL", f"sqlite:///{tmp_path}/nowhere/crm.db")
    failed = record(systems=["complydesk", "crm"])
    assert failed.status_code == 201, failed.text
    crm = next(s for s in failed.json()["sources"] if s["system"] == "crm")
    assert crm["method"] == "failed" and "counting failed" in crm["note"]
    fallback = record(systems=["crm"], external_estimates={"crm": {"cn": 7}})
    assert fallback.json()["affected"] == {"cn": 7}
    assert fallback.json()["sources"][0]["method"] == "estimate"
    # The GET view has no sources; the audit entry keeps each system's figures.
    shown = client.get(
        f"/v1/breach/incidents/{estimated.json()['id']}", headers=officer
    )
    assert shown.json()["sources"] is None
    with read_transaction(ctx.sessions) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "breach.record",
                AuditEntry.object_id == str(estimated.json()["id"]),
            )
        ).one()
    assert entry.details["source.loyalty"] == "estimate: 600 [eu 600]"
    assert entry.details["source.complydesk"].startswith("inventory: 5")
