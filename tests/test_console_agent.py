"""The agent desk pages over the real app (SQLite and PostgreSQL): queue order,
masked data and the audited reveal, lifecycle actions, the checked reply box."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.desk_helpers import MATRIX_TICKET, REPLY_OK, FakeClock, desk_settings, intake
from tests.helpers import PASSWORD, add_user_with_token

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.identity import Role
from complydesk.store.models import AuditEntry, TicketMessage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BASE = "/console/agent"
BLOCKED = "我们保证24小时内发货，绝对没问题"
USERS = {
    "agent-li": Role.AGENT,
    "sup-wang": Role.SUPERVISOR,
    "officer-xu": Role.COMPLIANCE_OFFICER,
    "auditor-zhao": Role.AUDITOR,
}


def agent_request(
    method: str, path: str
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None] | None:
    """(concrete path, JSON body, form data) for the access matrix, else None."""
    if not path.startswith(BASE):
        return None
    concrete = path.replace("{ticket_id}", str(MATRIX_TICKET))
    forms: dict[str, dict[str, Any]] = {
        "status": {"to": "accepted"},
        "assign": {"urgency": "high"},
        "escalate": {},
        "notes": {"text": "matrix check"},
        "replies": {"text": REPLY_OK},
        "reveal": {"reason": "access matrix check", "fields": ["name"]},
    }
    action = path.rsplit("/", 1)[-1]
    if action == "check":
        return concrete, {"text": REPLY_OK}, None
    if method == "POST":
        return concrete, None, forms[action]
    return concrete, None, None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    return create_app(desk_settings(db_url, tmp_path), clock=clock)


@pytest.fixture
def tokens(desk_app: FastAPI) -> dict[str, dict[str, str]]:
    ctx: AppContext = desk_app.state.ctx
    return {
        name: {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, r)}"}
        for name, r in USERS.items()
    }


@pytest.fixture
def browsers(
    desk_app: FastAPI, tokens: dict[str, dict[str, str]]
) -> Iterator[dict[str, TestClient]]:
    """One cookie-session client per user, logged in through /login."""
    clients = {}
    for name in [*USERS, "anonymous"]:
        client = TestClient(desk_app, follow_redirects=False)
        client.__enter__()
        if name != "anonymous":
            login(client, name)
        clients[name] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def login(client: TestClient, name: str) -> None:
    answer = client.post(
        "/login", data={"username": name, "password": PASSWORD, "next": "/"}
    )
    assert answer.status_code == 303


def create(client: TestClient, head: dict[str, str], **kw: Any) -> dict[str, Any]:
    response = client.post("/v1/desk/tickets", headers=head, json=intake(**kw))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no form token on the page"
    return found.group(1)


def post(client: TestClient, tid: int, action: str, **data: Any) -> Any:
    token = csrf(client.get(f"{BASE}/tickets/{tid}").text)
    return client.post(f"{BASE}/tickets/{tid}/{action}", data={"csrf": token, **data})


def audit(app: FastAPI, action: str) -> list[AuditEntry]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        )


def test_queue_puts_urgent_and_at_risk_first_with_due_times(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
    clock: FakeClock,
) -> None:
    api, agent = browsers["anonymous"], browsers["agent-li"]
    risky = create(
        api, tokens["agent-li"], jurisdiction=None, customer={"phone": "13812345678"}
    )
    clock.now = T0 + timedelta(hours=12)
    slow = create(api, tokens["agent-li"], category="appliances", subject="冰箱")
    urgent = create(api, tokens["agent-li"], category="appliances", subject="电视")
    sup = tokens["sup-wang"]
    assert api.post(
        "/v1/desk/queues", headers=sup, json={"name": "returns", "title": "退货组"}
    ).is_success
    routed = api.post(
        f"/v1/desk/tickets/{urgent['id']}/assign",
        headers=sup,
        json={"urgency": "urgent", "queue": "returns", "assignee": "agent-li"},
    )
    assert routed.status_code == 200
    clock.now = T0 + timedelta(hours=19, minutes=13)  # past 80 % of 24 h
    login(agent, "agent-li")  # the first session has expired by now

    page = agent.get(f"{BASE}/queue")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    order = [
        page.text.index(t["tracking_code"]) for t in (urgent, risky, slow)
    ]  # urgent first, then the at-risk one, then the rest by due time
    assert order == sorted(order)
    assert "即将超时" in page.text and "剩余 4:47" in page.text  # 24 h - 19:13
    assert "13812345678" not in page.text and "林晓雨" not in page.text

    mine = agent.get(f"{BASE}/queue", params={"mine": "1"}).text
    assert urgent["tracking_code"] in mine and risky["tracking_code"] not in mine
    queued = agent.get(f"{BASE}/queue", params={"queue": "returns"}).text
    assert urgent["tracking_code"] in queued and slow["tracking_code"] not in queued
    assert "退货组" in queued
    closed = agent.get(f"{BASE}/queue", params={"status": "closed"}).text
    assert "没有符合条件的工单" in closed
    bad = agent.get(f"{BASE}/queue", params={"status": "nonsense"})
    assert bad.status_code == 422 and "未知的状态筛选" in bad.text
    english = agent.get(f"{BASE}/queue?lang=en").text
    assert "Work queue" in english and "At risk" in english


def test_an_agent_sees_masked_data_until_an_audited_reveal(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    agent = browsers["agent-li"]
    ticket = create(browsers["anonymous"], tokens["agent-li"])
    page = agent.get(f"{BASE}/tickets/{ticket['id']}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "138****5678" in page.text
    assert "13812345678" not in page.text and "林晓雨" not in page.text
    assert 'id="reveal-reason"' in page.text
    assert audit(desk_app, "pii.unmask") == []

    shown = agent.post(
        f"{BASE}/tickets/{ticket['id']}/reveal",
        data={
            "csrf": csrf(page.text),
            "reason": "customer asked for a callback",
            "fields": ["phone"],
        },
    )
    assert shown.status_code == 200 and "13812345678" in shown.text
    (entry,) = audit(desk_app, "pii.unmask")
    assert entry.actor == "agent-li" and entry.reason == "customer asked for a callback"


def test_a_reveal_needs_a_reason_and_is_audited_and_shown_once(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    officer = browsers["officer-xu"]
    tid = create(browsers["anonymous"], tokens["agent-li"])["id"]
    page = officer.get(f"{BASE}/tickets/{tid}").text
    assert 'id="reveal-reason"' in page and "13812345678" not in page

    no_reason = post(officer, tid, "reveal", reason="  ", fields=["phone"])
    assert no_reason.status_code == 422 and "at least 8 characters" in no_reason.text
    assert "13812345678" not in no_reason.text
    forged = officer.post(
        f"{BASE}/tickets/{tid}/reveal",
        data={"reason": "verify callback number", "csrf": "0" * 40},
    )
    assert forged.status_code == 403 and "13812345678" not in forged.text
    assert audit(desk_app, "pii.unmask") == []

    shown = post(officer, tid, "reveal", reason="verify callback number")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert "13812345678" in shown.text and "林晓雨" in shown.text
    (entry,) = audit(desk_app, "pii.unmask")
    assert entry.actor == "officer-xu" and entry.reason == "verify callback number"
    assert entry.object_type == "customers"
    again = officer.get(f"{BASE}/tickets/{tid}").text
    assert "13812345678" not in again and "138****5678" in again


def test_a_ticket_is_worked_end_to_end_and_bad_moves_say_why(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    agent = browsers["agent-li"]
    tid = create(browsers["anonymous"], tokens["agent-li"])["id"]
    for to in ("accepted", "in_progress"):
        moved = post(agent, tid, "status", to=to)
        assert moved.status_code == 200 and "状态已更新" in moved.text
    noted = post(agent, tid, "notes", text="客户要求电话回访，已登记")
    assert noted.status_code == 200 and 'class="ev ev-internal"' in noted.text
    replied = post(agent, tid, "replies", text=REPLY_OK)
    assert replied.status_code == 200 and "答复已发送" in replied.text
    assert 'class="ev ev-customer"' in replied.text and REPLY_OK in replied.text
    for to in ("resolved", "closed"):
        assert post(agent, tid, "status", to=to).status_code == 200
    bad = post(agent, tid, "status", to="resolved")
    assert bad.status_code == 409
    assert "操作未完成" in bad.text
    assert "cannot move from closed to resolved" in bad.text
    stale = post(agent, tid, "status", to="in_progress", version="1")
    assert stale.status_code == 409 and "reload it and try again" in stale.text
    assert agent.get(f"{BASE}/tickets/999999").status_code == 404
    unrouted = post(agent, tid, "assign", urgency="high")
    assert unrouted.status_code == 403  # routing needs tickets.assign


def test_a_blocked_reply_is_stopped_and_only_a_supervisor_overrides(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    agent, sup = browsers["agent-li"], browsers["sup-wang"]
    tid = create(browsers["anonymous"], tokens["agent-li"])["id"]
    blocked = post(agent, tid, "replies", text=BLOCKED)
    assert blocked.status_code == 422 and "答复被拦截，未发送" in blocked.text
    assert '<mark class="sev-block"' in blocked.text
    assert ">24小时内发货</mark>" in blocked.text and "48小时内" in blocked.text
    assert "只有主管可以放行" in blocked.text and "override_reason" not in blocked.text
    assert [e.outcome for e in audit(desk_app, "reply.check")] == ["block"]

    forced = post(agent, tid, "replies", text=BLOCKED, override_reason="客户已同意")
    assert forced.status_code == 403 and "无权放行" in forced.text
    assert [e.reason for e in audit(desk_app, "access.denied")] == [
        "role agent lacks replies.override"
    ]
    short = post(sup, tid, "replies", text=BLOCKED, override_reason="ok")
    assert short.status_code == 422 and "at least 8 characters" in short.text
    page = post(sup, tid, "replies", text=BLOCKED)
    assert 'name="override_reason"' in page.text  # the supervisor's form
    reason = "仓库已确认今日可发货"
    sent = post(sup, tid, "replies", text=BLOCKED, override_reason=reason)
    assert sent.status_code == 200 and "已由主管放行" in sent.text
    (entry,) = audit(desk_app, "reply.override")
    assert entry.actor == "sup-wang" and entry.reason == reason
    ctx: AppContext = desk_app.state.ctx
    with ctx.sessions() as session:
        stored = session.scalars(select(TicketMessage)).all()
    assert [(m.kind, m.overridden_by) for m in stored] == [("reply", "sup-wang")]


def test_the_live_check_marks_findings_without_storing_anything(
    desk_app: FastAPI,
    browsers: dict[str, TestClient],
    tokens: dict[str, dict[str, str]],
) -> None:
    agent = browsers["agent-li"]
    tid = create(browsers["anonymous"], tokens["agent-li"])["id"]
    token = csrf(agent.get(f"{BASE}/tickets/{tid}").text)
    url = f"{BASE}/tickets/{tid}/check"
    result = agent.post(url, json={"text": BLOCKED}, headers={"X-CSRF-Token": token})
    assert result.status_code == 200
    body = result.json()
    assert body["verdict"] == "block"
    blocks = [f for f in body["findings"] if f["severity"] == "block"]
    marked = [BLOCKED[f["start"] : f["end"]] for f in blocks]
    assert marked == ["24小时内发货", "绝对"]  # two clauses, two findings
    for finding in blocks:
        assert finding["reason"] and finding["suggestion"] and "text" not in finding
    assert agent.post(url, json={"text": BLOCKED}).status_code == 403  # no token
    api = browsers["anonymous"].post(
        url, json={"text": REPLY_OK}, headers=tokens["agent-li"]
    )
    assert api.status_code == 200 and api.json() == {"verdict": "pass", "findings": []}
    too_long = agent.post(
        url, json={"text": "好" * 5001}, headers={"X-CSRF-Token": token}
    )
    assert too_long.status_code == 422
    ctx: AppContext = desk_app.state.ctx
    with ctx.sessions() as session:
        assert session.scalars(select(TicketMessage)).all() == []


def test_roles_without_desk_rights_never_reach_the_desk(
    desk_app: FastAPI, browsers: dict[str, TestClient]
) -> None:
    auditor = browsers["auditor-zhao"]
    assert auditor.get(f"{BASE}/queue").status_code == 403
    assert "/console/agent/queue" not in auditor.get("/").text
    assert "/console/agent/queue" in browsers["agent-li"].get("/").text
    anonymous = browsers["anonymous"].get(f"{BASE}/tickets/1")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
