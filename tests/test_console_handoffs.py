"""The AI hand-off pages over the real app (SQLite and PostgreSQL).

Customers chat through the real /chat door and press 转人工; staff take the
chat on /console/handoffs: the queue oldest first with reason and wait, the
masked transcript with every AI message labelled, a checked reply (a block
is shown with its findings and not sent) after which the bot stays silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.desk_helpers import FakeClock, desk_settings
from tests.helpers import PASSWORD, add_user_with_token

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.identity import Role
from complydesk.store.models import AuditEntry, Message

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = "/console/handoffs"
BLOCKED = "这是最后一次警告，你再投诉也没用"
REPLY = "您好，我是人工客服，马上为您处理退货。"
PHONE = "13812345678"
USERS = {"agent-li": Role.AGENT, "auditor-zhao": Role.AUDITOR}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def app(db_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    application = create_app(desk_settings(db_url, tmp_path), clock=clock)
    ctx: AppContext = application.state.ctx
    for name, role in USERS.items():
        add_user_with_token(ctx.sessions, name, role)
    return application


@pytest.fixture
def staff(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    """A logged-in console client per user, and an anonymous one."""
    clients = {}
    for name in [*USERS, "anonymous"]:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        if name != "anonymous":
            answer = client.post(
                "/login", data={"username": name, "password": PASSWORD, "next": "/"}
            )
            assert answer.status_code == 303
        clients[name] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def _chat(app: FastAPI, *texts: str, button: bool = True) -> tuple[TestClient, int]:
    """A customer's chat: start, say `texts`, press 转人工; (client, conversation)."""
    client = TestClient(app)
    client.__enter__()
    started = client.post("/chat/start", json={"pack": "cn"})
    assert started.status_code == 200, started.text
    for text in texts:
        said = client.post("/chat/messages", json={"text": text})
        assert said.status_code == 200, said.text
    if button:
        assert client.post("/chat/handoff").status_code == 200
    return client, int(started.json()["conversation_id"])


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no form token on the page"
    return found.group(1)


def _audit(app: FastAPI, action: str) -> list[AuditEntry]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(session.scalars(query))


def _items(page: str) -> list[str]:
    return re.findall(r'<li class="msg msg-[a-z]+".*?</li>', page, re.S)


def test_queue_is_oldest_first_with_reason_and_waiting_time(
    app: FastAPI, staff: dict[str, TestClient], clock: FakeClock
) -> None:
    first, older = _chat(app, "怎么申请七天无理由退货？")
    clock.advance(minutes=10)
    second, newer = _chat(app, "转人工", button=False)  # the detector hands off
    clock.advance(minutes=5)
    try:
        page = staff["agent-li"].get(BASE)
        assert page.status_code == 200, page.text
        assert page.headers["cache-control"] == "no-store"
        rows = re.findall(r'<tr data-conversation="(\d+)"[^>]*>', page.text)
        assert rows == [str(older), str(newer)]  # oldest first
        assert 'data-waited-seconds="900"' in page.text  # 15 min for the older one
        assert "0:15" in page.text and "0:05" in page.text
        assert page.text.count("超出预计") == 2  # both waited longer than told
        assert "客户要求转人工" in page.text and "explicit_request" in page.text
        assert 'href="/console/handoffs"' in page.text  # the header link
        english = staff["agent-li"].get(f"{BASE}?lang=en").text
        assert "Waiting for a person" in english and "Customer asked" in english
    finally:
        first.__exit__(None, None, None)
        second.__exit__(None, None, None)


def test_transcript_is_masked_and_every_ai_message_labelled(
    app: FastAPI, staff: dict[str, TestClient]
) -> None:
    customer, conversation = _chat(app, f"我的电话是{PHONE}，怎么退货？")
    try:
        page = staff["agent-li"].get(f"{BASE}/{conversation}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert PHONE not in page.text and "138****5678" in page.text
        items = _items(page.text)
        bots = [i for i in items if 'data-sender="bot"' in i]
        people = [i for i in items if 'data-sender="bot"' not in i]
        assert len(bots) >= 2 and people  # the disclosure, an answer, the notice
        for item in bots:
            assert 'data-ai-generated="true"' in item
            assert "AI 生成" in item  # the visible label
            for attr in ("label", "kind", "backend", "pack", "pack-version"):
                assert re.search(rf'data-ai-{attr}="[^"]+"', item), (attr, item)
        assert 'data-ai-kind="disclosure"' in bots[0]
        assert 'data-ai-label="AI生成"' in bots[0]  # the cn pack's label
        for item in people:
            assert 'data-ai-generated="false"' in item and "AI 生成" not in item
        english = staff["agent-li"].get(f"{BASE}/{conversation}?lang=en").text
        assert "AI-generated" in english
    finally:
        customer.__exit__(None, None, None)


def test_blocked_reply_is_shown_with_findings_and_not_sent(
    app: FastAPI, staff: dict[str, TestClient]
) -> None:
    customer, conversation = _chat(app, "怎么申请七天无理由退货？")
    agent = staff["agent-li"]
    try:
        token = _csrf(agent.get(f"{BASE}/{conversation}").text)
        answer = agent.post(
            f"{BASE}/{conversation}/replies", data={"csrf": token, "text": BLOCKED}
        )
        assert answer.status_code == 422
        assert '<mark class="sev-block"' in answer.text
        assert "zh.abuse.threat" in answer.text
        assert BLOCKED in answer.text  # kept in the box to rewrite
        (entry,) = _audit(app, "reply.check")
        assert entry.outcome == "block" and entry.actor == "agent-li"
        assert entry.object_type == "conversation"
        assert entry.object_id == str(conversation)
        assert entry.details == {"rules": "zh.abuse.threat"}
        view = customer.get("/chat/conversation").json()
        assert view["state"] == "waiting_human"
        assert not [m for m in view["messages"] if m["sender"] == "agent"]
        # The live check says the same before sending, and stores nothing.
        checked = agent.post(
            f"{BASE}/{conversation}/check",
            json={"text": BLOCKED},
            headers={"X-CSRF-Token": token},
        )
        assert checked.status_code == 200 and checked.json()["verdict"] == "block"
        assert len(_audit(app, "reply.check")) == 1
        refused = agent.post(f"{BASE}/{conversation}/check", json={"text": BLOCKED})
        assert refused.status_code == 403
    finally:
        customer.__exit__(None, None, None)


def test_human_reply_reaches_the_customer_and_the_bot_stays_silent(
    app: FastAPI, staff: dict[str, TestClient], clock: FakeClock
) -> None:
    customer, conversation = _chat(app, "怎么申请七天无理由退货？")
    agent = staff["agent-li"]
    clock.advance(seconds=90)
    try:
        page = agent.get(f"{BASE}/{conversation}")
        forged = agent.post(
            f"{BASE}/{conversation}/replies", data={"csrf": "0" * 40, "text": REPLY}
        )
        assert forged.status_code == 403
        sent = agent.post(
            f"{BASE}/{conversation}/replies",
            data={"csrf": _csrf(page.text), "text": REPLY},
        )
        assert sent.status_code == 200, sent.text
        assert "回复已发送" in sent.text
        assert 'data-state="human"' in sent.text
        (reached,) = _audit(app, "ai.handoff.human_reached")
        assert reached.actor == "agent-li"
        assert reached.details["time_to_human_seconds"] == 90.0
        view = customer.get("/chat/conversation").json()
        assert view["state"] == "human"
        (mine,) = [m for m in view["messages"] if m["sender"] == "agent"]
        assert mine["body"] == REPLY and mine["ai_generated"] is False
        quiet = customer.post("/chat/messages", json={"text": "好的，谢谢"}).json()
        assert quiet["replies"] == [] and quiet["state"] == "human"
        # Gone from the waiting list, listed as taken.
        queue = agent.get(BASE).text
        assert f'data-conversation="{conversation}"' not in queue
        assert f'href="/console/handoffs/{conversation}"' in queue
        empty = agent.post(
            f"{BASE}/{conversation}/replies",
            data={"csrf": _csrf(page.text), "text": "   "},
        )
        assert empty.status_code == 422 and "回复内容不能为空" in empty.text
    finally:
        customer.__exit__(None, None, None)
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        (stored,) = session.scalars(
            select(Message).where(
                Message.conversation_id == conversation, Message.sender == "agent"
            )
        ).all()
        assert stored.body_masked == REPLY  # sealed; the masked copy has no PII


def test_roles_and_missing_chats(app: FastAPI, staff: dict[str, TestClient]) -> None:
    before = len(_audit(app, "access.denied"))
    denied = staff["auditor-zhao"].get(BASE)
    assert denied.status_code == 403
    assert len(_audit(app, "access.denied")) == before + 1
    home = staff["auditor-zhao"].get("/").text
    assert 'href="/console/handoffs"' not in home
    anonymous = staff["anonymous"].get(f"{BASE}/1")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={BASE}/1"
    missing = staff["agent-li"].get(f"{BASE}/999")
    assert missing.status_code == 404
    customer, conversation = _chat(app, "转人工", button=False)
    try:
        page = staff["agent-li"].get(f"{BASE}/{conversation}").text
        reply = staff["agent-li"].post(
            f"{BASE}/999/replies", data={"csrf": _csrf(page), "text": REPLY}
        )
        assert reply.status_code == 404
    finally:
        customer.__exit__(None, None, None)
