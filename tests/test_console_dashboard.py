"""The compliance dashboard and the customer chat widget, on both databases.

Everything the dashboard shows is seeded through the domain functions and the
API (a late opt-out request, a breach the EU must hear of within 72 hours, a
ticket past its SLA, a reply the speech check blocked, skewed decisions, a
transfer agreement about to expire) and then read back from the page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.helpers import add_user_with_token
from tests.transfer_helpers import seed_transfer_matrix

from complydesk.api.deps import AppContext
from complydesk.assistant.decisions import load_policy, record_decision
from complydesk.breach.register import create_incident
from complydesk.demo import load_demo
from complydesk.desk.context import DeskContext
from complydesk.desk.intake import Intake, create_ticket
from complydesk.identity import Role
from complydesk.policy import load_pack
from complydesk.rights import requests as rq
from complydesk.store.db import transaction
from complydesk.store.models import AuditEntry, Customer
from complydesk.transfer import registry
from complydesk.web.chat import CHAT_COOKIE, START_LIMIT

BLOCKED = "这是最后一次警告，你再投诉也没用"  # zh.abuse.threat: blocked


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _seed(app: FastAPI, client: TestClient) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    now = ctx.clock()
    with transaction(ctx.sessions) as session:
        load_demo(session, ctx.settings, ctx.audit, ctx.vault)
    seed_transfer_matrix(app)
    agent = add_user_with_token(ctx.sessions, "ann", Role.AGENT)
    refs: dict[str, str] = {}
    with transaction(ctx.sessions) as session:
        ca = session.scalar(select(Customer).where(Customer.ref == "DEMO-C004"))
        eu = session.scalar(select(Customer).where(Customer.ref == "DEMO-C003"))
        assert ca is not None and eu is not None
        # A CCPA opt-out needs no identity check, so its clock ran out long ago.
        late = rq.create_request(
            session, ctx.vault, ctx.audit, ctx.settings, "test", ca, "objection",
            scope="sale_or_sharing", received_at=now - timedelta(days=60),
        )  # fmt: skip
        fresh = rq.create_request(
            session, ctx.vault, ctx.audit, ctx.settings, "test", eu, "access"
        )
        refs["late"], refs["fresh"] = late.ref, fresh.ref
        incident = create_incident(
            session, ctx.audit, ctx.settings, ctx.vault.detector, "test",
            title="Lost backup tape", description="An unencrypted backup went missing.",
            detected_at=now - timedelta(hours=10),
            aware_at=now - timedelta(hours=9, minutes=30),
            systems=["crm"], categories=["customer_profile"], risk="risk",
            contact_point="privacy desk", external_estimates={"crm": {"eu": 3}},
        )  # fmt: skip
        refs["incident"] = incident.ref
        # A ticket opened a month ago: its SLA clocks are long breached.
        past = DeskContext(
            ctx.settings, ctx.vault, ctx.audit, lambda: now - timedelta(days=30)
        )
        intake = Intake(
            "inquiry", "general", {"description": "请问保修期多久？"}, customer_id=2
        )
        ticket = create_ticket(session, past, "test", intake)
        refs["ticket"] = ticket.tracking_code
        # Skewed automated decisions: west gets refunds far less often.
        pack = load_pack("cn")
        policy = load_policy("refund_eligibility", pack)
        for region, favourable in (("east", 32), ("west", 8)):
            for i in range(40):
                days = 3 if i < favourable else 30
                record_decision(
                    session, ctx.vault, ctx.audit, policy=policy, pack=pack,
                    customer_id=2,
                    raw_inputs={
                        "delivered_on": (now - timedelta(days=days)).date().isoformat(),
                        "category": "books", "condition": "unopened", "amount_cny": 39,
                    },
                    audit_groups={"region": region}, actor="test", now=now,
                )  # fmt: skip
        recipient = registry.get_recipient(session, "matrix-sg")
        registry.add_agreement(
            session, ctx.audit, "test", recipient,
            signed_on=date(2026, 1, 5), expires_on=now.date() + timedelta(days=20),
            retention="36 calendar_months", security_measures=["AES-256 at rest"],
            now=now,
        )  # fmt: skip
    blocked = client.post(
        "/v1/desk/tickets/1/replies", json={"text": BLOCKED}, headers=_bearer(agent)
    )
    assert blocked.status_code in (200, 201, 409, 422), blocked.text
    return refs


def _officer(app: FastAPI) -> dict[str, str]:
    return _bearer(
        add_user_with_token(app.state.ctx.sessions, "olga", Role.COMPLIANCE_OFFICER)
    )


def test_dashboard_shows_seeded_clocks_violations_and_registers(
    client: TestClient, app: FastAPI
) -> None:
    refs = _seed(app, client)
    officer = _officer(app)
    page = client.get("/console/compliance", headers=officer)
    assert page.status_code == 200, page.text
    html = page.text
    # The late request is highlighted as overdue, the fresh one is not.
    late = re.search(rf'<tr class="overdue" data-ref="{refs["late"]}"', html)
    assert late is not None
    assert f'<tr class="" data-ref="{refs["fresh"]}"' in html
    assert "已逾期" in html
    # The EU authority has 72 h from awareness: 62 h 30 min are left.
    row = html[html.index('data-clock="eu:breach.authority_deadline"') :]
    row = row[: row.index("</tr>")]
    assert "2天14小时" in row and "GDPR Art. 33(1)" in row
    # The month-old ticket is past its SLA.
    assert refs["ticket"] in html
    sla = html[html.index('id="sla"') : html.index('id="speech"')]
    assert "已超时" in sla
    # The blocked reply counts under its rule and under the agent.
    assert '<tr data-rule="zh.abuse.threat">' in html
    agent = html[html.index('<tr data-agent="ann">') :]
    assert 'data-rule="zh.abuse.threat" data-count="1"' in agent[: agent.index("</tr>")]
    # Fairness: west (20%) is under 0.8 x east (80%) and flagged; the line is drawn.
    assert 'class="threshold"' in html and "0.8 × east" in html
    assert "region=west" in html
    # The agreement that expires in 20 days is flagged; the assessment is listed.
    assert "剩 20 天" in html and "TA-MATRIX00001" in html
    # The audit chain verifies.
    assert 'id="chain-status" data-ok="true"' in html
    # Charts are inline SVG, nothing is fetched from elsewhere.
    assert html.count("<svg") >= 5 and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    english = client.get("/console/compliance?lang=en", headers=officer)
    assert "Compliance dashboard" in english.text and "62h" not in english.text
    assert "2d 14h" in english.text


def test_agent_gets_403_and_the_denial_is_audited(
    client: TestClient, app: FastAPI
) -> None:
    ctx: AppContext = app.state.ctx
    agent = add_user_with_token(ctx.sessions, "ann", Role.AGENT)

    def denials() -> int:
        with ctx.sessions() as session:
            query = select(func.count()).where(AuditEntry.action == "access.denied")
            return int(session.scalar(query) or 0)

    before = denials()
    page = client.get("/console/compliance", headers=_bearer(agent))
    assert page.status_code == 403 and "无权访问" in page.text
    assert denials() == before + 1
    assert "/console/compliance" not in client.get("/", headers=_bearer(agent)).text


def test_auditor_sees_only_the_registers_it_may_read(
    client: TestClient, app: FastAPI
) -> None:
    auditor = add_user_with_token(app.state.ctx.sessions, "aud", Role.AUDITOR)
    page = client.get("/console/compliance", headers=_bearer(auditor))
    assert page.status_code == 200
    assert 'id="dsr"' in page.text and 'id="audit"' in page.text
    assert 'id="sla"' not in page.text  # no ticket access


@pytest.mark.parametrize(
    "query", ["by=region;drop", "pack=nowhere", "days=5", "by=a,b,c,d,e"]
)
def test_bad_dashboard_parameters_are_422(
    client: TestClient, app: FastAPI, query: str
) -> None:
    page = client.get(f"/console/compliance?{query}", headers=_officer(app))
    assert page.status_code == 422 and page.json()["detail"]


# --- the chat widget -------------------------------------------------------------


def test_customer_chats_hands_off_and_the_bot_stops(
    client: TestClient, app: FastAPI
) -> None:
    ctx: AppContext = app.state.ctx
    page = client.get("/chat")
    assert page.status_code == 200 and "转人工" in page.text
    started = client.post("/chat/start", json={"pack": "cn"})
    assert started.status_code == 200, started.text
    cookie = started.headers["set-cookie"]
    assert (
        CHAT_COOKIE in cookie
        and "HttpOnly" in cookie
        and "samesite=strict" in cookie.lower()
    )
    view = started.json()
    first = view["messages"][0]
    assert first["body"] == load_pack("cn").ai_disclosure.wording.value
    assert (
        first["ai_generated"] and first["ai"]["kind"] == "disclosure" and first["label"]
    )

    answer = client.post("/chat/messages", json={"text": "怎么申请七天无理由退货？"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["replies"] and all(
        r["ai_generated"] for r in answer.json()["replies"]
    )

    handoff = client.post("/chat/handoff")
    assert handoff.status_code == 200
    assert handoff.json()["state"] == "waiting_human"
    assert handoff.json()["expected_wait_seconds"] > 0
    assert "agent" not in (handoff.json()["handoff"] or {})  # no staff names

    staff = _bearer(add_user_with_token(ctx.sessions, "ann", Role.AGENT))
    waiting = client.get("/v1/ai/handoffs", headers=staff).json()
    conversation = view["conversation_id"]
    assert conversation in [w["conversation_id"] for w in waiting]
    reply = client.post(
        f"/v1/ai/conversations/{conversation}/human-replies",
        json={"text": "您好，我是客服专员，马上为您处理。"},
        headers=staff,
    )
    assert reply.status_code == 200
    after = client.post("/chat/messages", json={"text": "好的，谢谢"})
    assert after.json()["replies"] == [] and after.json()["state"] == "human"
    shown = client.get("/chat/conversation").json()
    assert [m["sender"] for m in shown["messages"]][-2:] == ["agent", "customer"]


def test_chat_needs_its_own_signed_cookie(client: TestClient, app: FastAPI) -> None:
    assert client.get("/chat/conversation").status_code == 401
    assert client.post("/chat/messages", json={"text": "hi"}).status_code == 401
    started = client.post("/chat/start").json()
    token = client.cookies.get(CHAT_COOKIE)
    assert token is not None
    other = str(started["conversation_id"] + 1) + token[token.index(".") :]
    client.cookies.set(CHAT_COOKIE, other, path="/chat")
    assert client.get("/chat/conversation").status_code == 401
    client.cookies.set(CHAT_COOKIE, "garbage", path="/chat")
    assert client.post("/chat/handoff").status_code == 401


def test_chat_input_is_validated_and_starts_are_rate_limited(
    client: TestClient, app: FastAPI
) -> None:
    assert client.post("/chat/start", json={"pack": "nowhere"}).status_code == 422
    assert client.post("/chat/start", json={"pack": "BAD!"}).status_code == 422
    assert client.post("/chat/start").status_code == 200
    assert client.post("/chat/messages", json={"text": ""}).status_code == 422
    assert client.post("/chat/messages", json={"text": "x" * 4001}).status_code == 422
    assert client.post("/chat/messages", json={"text": "hi", "x": 1}).status_code == 422
    limit = START_LIMIT[0]
    codes = [client.post("/chat/start").status_code for _ in range(limit)]
    assert codes[-1] == 429 and codes.count(200) == limit - 2
