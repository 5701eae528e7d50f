"""Desk workflow through the API: intake by purpose, lifecycle, routing, tracking.

Every test runs on SQLite and PostgreSQL (the `db_url` fixture), against the
real app with a clock the test moves.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.desk_helpers import FakeClock, desk_settings, intake, payloads, staff

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.desk.context import DeskContext
from complydesk.desk.lifecycle import assign, transition
from complydesk.errors import Conflict
from complydesk.store.db import transaction
from complydesk.store.models import (
    AuditEntry,
    Customer,
    Ticket,
    TicketEvent,
    TicketMessage,
)


@pytest.fixture
def clock(fixed_now: datetime) -> FakeClock:
    return FakeClock(fixed_now)


@pytest.fixture
def desk_app(db_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    return create_app(desk_settings(db_url, tmp_path), clock=clock)


@pytest.fixture
def api(desk_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(desk_app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def heads(desk_app: FastAPI) -> dict[str, dict[str, str]]:
    return staff(desk_app)


def ctx_of(app: FastAPI) -> AppContext:
    ctx: AppContext = app.state.ctx
    return ctx


def count(app: FastAPI, model: Any) -> int:
    with ctx_of(app).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def create(api: TestClient, heads: dict[str, dict[str, str]], **kw: Any) -> Any:
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(**kw)
    )
    assert response.status_code == 201, response.text
    return response.json()


def move(api: TestClient, head: dict[str, str], ticket: int, to: str) -> Any:
    return api.post(
        f"/v1/desk/tickets/{ticket}/transitions", headers=head, json={"to": to}
    )


def test_a_ticket_goes_from_intake_to_closed_and_the_customer_sees_it(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    agent = heads["agent-li"]
    ticket = create(api, heads)
    tid, code = ticket["id"], ticket["tracking_code"]
    assert ticket["status"] == "submitted" and ticket["policy"].startswith("cn@")
    assert ticket["masked"]["contact_phone"] == "138****5678"

    for to in ("accepted", "in_progress"):
        clock.advance(minutes=10)
        assert move(api, agent, tid, to).status_code == 200
    clock.advance(minutes=5)
    reply = api.post(
        f"/v1/desk/tickets/{tid}/replies",
        headers=agent,
        json={"text": "您好，请您把耳机寄回，我们收到后为您办理退款。"},
    )
    assert reply.status_code == 201, reply.text
    note = api.post(
        f"/v1/desk/tickets/{tid}/notes",
        headers=agent,
        json={"text": "内部备注：客户林晓雨已是第二次来电"},
    )
    assert note.status_code == 201 and "林晓雨" not in note.json()["body"]
    for to in ("waiting_customer", "in_progress", "resolved", "closed"):
        clock.advance(hours=1)
        response = move(api, agent, tid, to)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to

    tracked = api.get(f"/v1/track/{code}", params={"last4": "5678"})
    assert tracked.status_code == 200
    public = tracked.json()
    assert public["status"] == "closed"
    kinds = [(e["kind"], e["to_status"]) for e in public["events"]]
    assert kinds == [
        ("created", "submitted"),
        ("status", "accepted"),
        ("status", "in_progress"),
        ("reply", None),
        ("status", "waiting_customer"),
        ("status", "in_progress"),
        ("status", "resolved"),
        ("status", "closed"),
    ]
    assert public["events"][3]["text"].startswith("您好，请您把耳机寄回")
    text = tracked.text
    assert "agent-li" not in text and "内部备注" not in text and "actor" not in text

    staff_view = api.get(f"/v1/desk/tickets/{tid}/timeline", headers=agent).json()
    assert {e["actor"] for e in staff_view} == {"agent-li"}
    notes = [e for e in staff_view if e["kind"] == "note"]
    assert notes and notes[0]["visibility"] == "internal"
    detail = api.get(f"/v1/desk/tickets/{tid}", headers=agent).json()
    assert (
        detail["closed_at"] and detail["resolved_at"] and detail["first_responded_at"]
    )
    assert {c["name"]: c["state"] for c in detail["clocks"]} == {
        "first_response": "met",
        "resolution": "met",
    }


def test_an_over_collecting_intake_is_refused_and_nothing_is_stored(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    before = (count(desk_app, Ticket), count(desk_app, Customer))
    secret = "110101199003074477"
    fields = {"order_number": "SO-1", "id_number": secret}
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(fields=fields)
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "id_number" in detail and "return_refund" in detail
    assert secret not in response.text

    customer = {"name": "林晓雨", "id_number": secret}
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(customer=customer)
    )
    assert response.status_code == 422
    assert "customer field id_number" in response.json()["detail"]
    assert secret not in response.text

    weird = {"<script>" + secret: "x"}
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(fields=weird)
    )
    assert response.status_code == 422 and secret not in response.text

    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(purpose="gossip")
    )
    assert response.status_code == 422 and "complaint" in response.json()["detail"]
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(jurisdiction="mars")
    )
    assert response.status_code == 422 and "jurisdiction" in response.json()["detail"]
    assert (count(desk_app, Ticket), count(desk_app, Customer)) == before


def test_personal_data_the_purpose_does_not_need_is_removed_before_sealing(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    id_number, card = "110101199003074477", "6222020200112233445"
    reason = f"屏幕坏了，我的身份证{id_number}，退款到银行卡{card}"
    fields = {"order_number": "SO-7", "reason": reason}
    ticket = create(api, heads, fields=fields)
    assert ticket["pii_flags"] == {"reason": ["BANK_CARD", "CN_ID_CARD"]}
    assert id_number not in str(ticket) and card not in str(ticket)
    ctx = ctx_of(desk_app)
    with ctx.sessions() as session:
        row = session.get_one(Ticket, ticket["id"])
        sealed = ctx.vault.reveal(row, ["reason"])["reason"] or ""
    assert sealed.startswith("屏幕坏了")
    assert id_number not in sealed and card not in sealed and "[身份证号]" in sealed
    with ctx.sessions() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ticket.create")
        ).one()
    assert "BANK_CARD" in str(audit.details) and id_number not in str(audit.details)

    # A complaint may name the staff member: the name stays in the sealed copy.
    complaint = create(
        api,
        heads,
        purpose="complaint",
        category="service",
        subject=None,
        fields={"description": "快递员张伟态度很差，还骂人"},
    )
    assert complaint["pii_flags"] == {}
    with ctx.sessions() as session:
        row = session.get_one(Ticket, complaint["id"])
        assert "张伟" in (ctx.vault.reveal(row, ["description"])["description"] or "")
    assert "张伟" not in complaint["masked"]["description"]


def test_clear_fields_and_subject_are_kept_free_of_personal_data(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    phone = "13912345678"
    response = api.post(
        "/v1/desk/tickets",
        headers=heads["agent-li"],
        json=intake(fields={"order_number": phone}),
    )
    assert response.status_code == 422 and "order_number" in response.json()["detail"]
    assert phone not in response.text
    ticket = create(api, heads, subject=f"请回电{phone}")
    assert phone not in ticket["subject"] and ticket["pii_flags"] == {
        "subject": ["PHONE"]
    }


def test_intake_runs_triage_and_keeps_its_reasons(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    ticket = create(
        api,
        heads,
        purpose="complaint",
        category="electronics",
        subject=None,
        fields={"description": "充电宝充电时冒烟了，差点起火"},
    )
    assert ticket["urgency"] == "urgent"
    assert ticket["triage"]["urgency"] == "urgent"
    assert any("urgent" in r for r in ticket["triage"]["reasons"])
    created = payloads(api.app, "ticket.created")  # type: ignore[arg-type]
    assert created[-1]["urgency"] == "urgent"
    assert "13812345678" not in str(created) and "林晓雨" not in str(created)


def test_invalid_moves_are_409_with_a_reason_and_repeats_are_no_ops(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    agent = heads["agent-li"]
    tid = create(api, heads)["id"]
    response = move(api, agent, tid, "resolved")
    assert response.status_code == 409
    assert "from submitted it can move to accepted" in response.json()["detail"]
    assert move(api, agent, tid, "accepted").status_code == 200
    events = count(desk_app, TicketEvent)
    again = move(api, agent, tid, "accepted")
    assert again.status_code == 200 and count(desk_app, TicketEvent) == events
    assert move(api, agent, tid, "nonsense").status_code == 422


def test_a_stale_version_from_the_client_is_409(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    agent = heads["agent-li"]
    ticket = create(api, heads)
    seen = ticket["version"]
    assert move(api, agent, ticket["id"], "accepted").status_code == 200
    stale = api.post(
        f"/v1/desk/tickets/{ticket['id']}/transitions",
        headers=agent,
        json={"to": "in_progress", "version": seen},
    )
    assert stale.status_code == 409 and "version" in stale.json()["detail"]


def test_reopening_keeps_the_time_that_was_left(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    agent = heads["agent-li"]
    ticket = create(api, heads)  # electronics return: 24 hours to a solution
    tid = ticket["id"]
    due = datetime.fromisoformat(ticket["resolution_due_at"])
    for to in ("accepted", "resolved"):
        assert move(api, agent, tid, to).status_code == 200
    clock.advance(hours=2)
    assert move(api, agent, tid, "closed").status_code == 200
    clock.advance(hours=3)
    reopened = move(api, agent, tid, "in_progress")
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["closed_at"] is None and body["resolved_at"] is None
    moved = datetime.fromisoformat(body["resolution_due_at"]) - due
    assert moved.total_seconds() == 5 * 3600
    kinds = [e["kind"] for e in api.get(f"/v1/track/{ticket['tracking_code']}",
             params={"last4": "5678"}).json()["events"]]  # fmt: skip
    assert kinds[-1] == "reopen"


def test_routing_to_queues_and_agents(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    sup = heads["sup-wang"]
    tid = create(api, heads)["id"]
    url = f"/v1/desk/tickets/{tid}/assign"
    assert api.post(url, headers=sup, json={"queue": "returns"}).status_code == 422
    made = api.post(
        "/v1/desk/queues", headers=sup, json={"name": "returns", "title": "退货"}
    )
    assert made.status_code == 201
    assert (
        api.post(
            "/v1/desk/queues", headers=sup, json={"name": "returns", "title": "x"}
        ).status_code
        == 409
    )
    assert (
        api.post(url, headers=sup, json={"assignee": "auditor-zhao"}).status_code == 422
    )
    routed = api.post(
        url,
        headers=sup,
        json={"queue": "returns", "assignee": "agent-li", "urgency": "high"},
    )
    assert routed.status_code == 200
    body = routed.json()
    assert (body["queue"], body["assignee"], body["urgency"]) == (
        "returns",
        "agent-li",
        "high",
    )
    assert body["triage"]["urgency"] == "normal"  # the suggestion stays
    listed = api.get(
        "/v1/desk/tickets",
        headers=heads["agent-li"],
        params={"queue": "returns", "assignee": "agent-li"},
    ).json()
    assert [t["id"] for t in listed] == [tid]
    cleared = api.post(url, headers=sup, json={"assignee": None}).json()
    assert cleared["assignee"] is None and cleared["queue"] == "returns"
    escalated = api.post(
        f"/v1/desk/tickets/{tid}/escalate",
        headers=heads["agent-li"],
        json={"reason": "客户要求主管处理"},
    )
    assert escalated.status_code == 200 and escalated.json()["escalation_level"] == 1
    timeline = api.get(f"/v1/desk/tickets/{tid}/timeline", headers=sup).json()
    internal = {e["kind"] for e in timeline if e["visibility"] == "internal"}
    assert internal == {"assign", "escalate", "note"}


def test_priority_order_puts_urgent_and_at_risk_work_first(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    normal = create(api, heads)["id"]
    urgent = create(
        api,
        heads,
        purpose="complaint",
        subject=None,
        fields={"description": "手机充电时起火了"},
    )["id"]
    listed = api.get(
        "/v1/desk/tickets", headers=heads["agent-li"], params={"order": "priority"}
    ).json()
    assert [t["id"] for t in listed] == [urgent, normal]


def _desk(app: FastAPI) -> DeskContext:
    ctx = ctx_of(app)
    return DeskContext(ctx.settings, ctx.vault, ctx.audit, ctx.clock)


def test_a_stale_write_becomes_a_conflict_not_a_lost_update(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    tid = create(api, heads)["id"]
    ctx = ctx_of(desk_app)
    with ctx.sessions() as session:
        stale = session.get_one(Ticket, tid)  # read, then the session ends
    with transaction(ctx.sessions) as session:
        fresh = session.get_one(Ticket, tid)
        transition(session, _desk(desk_app), "agent-a", fresh, "accepted")
    with pytest.raises(Conflict, match="changed by someone else"):
        with transaction(ctx.sessions) as session:
            session.add(stale)  # version 1, but the row is at version 2 now
            assign(session, _desk(desk_app), "agent-b", stale, {"urgency": "low"})
    with ctx.sessions() as session:
        row = session.get_one(Ticket, tid)
        assert (row.status, row.urgency, row.version) == ("accepted", "normal", 2)


def test_concurrent_updates_lose_nothing(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    tid = create(api, heads)["id"]
    ctx = ctx_of(desk_app)
    urgencies = ["urgent", "high", "low", "normal"] * 3
    outcomes: list[str] = []
    gate = threading.Barrier(len(urgencies))

    def work(i: int) -> None:
        gate.wait()
        try:
            with transaction(ctx.sessions) as session:
                ticket = session.get_one(Ticket, tid)
                changed = assign(
                    session, _desk(desk_app), f"agent-{i}", ticket,
                    {"urgency": urgencies[i]},
                )  # fmt: skip
            outcomes.append("changed" if changed else "same")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urgencies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == len(urgencies)
    changed = outcomes.count("changed")
    with ctx.sessions() as session:
        row = session.get_one(Ticket, tid)
        assigns = session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == tid, TicketEvent.kind == "assign"
            )
        ).all()
    # Every committed change left exactly one timeline entry and one version.
    assert len(assigns) == changed and row.version == 1 + changed
    assert changed >= 1 and assigns[-1].detail == f"urgency {row.urgency}"


def test_erased_customers_get_no_new_tickets_or_messages(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    ticket = create(api, heads)
    ctx = ctx_of(desk_app)
    with transaction(ctx.sessions) as session:
        customer_id = session.get_one(Ticket, ticket["id"]).customer_id
        from complydesk.desk.customers import erase_customer

        erase_customer(
            session,
            ctx.vault,
            ctx.audit,
            "t",
            session.get_one(Customer, customer_id),
            "asked to be erased",
        )
    again = api.post(
        "/v1/desk/tickets",
        headers=heads["agent-li"],
        json=intake(customer=None, customer_id=customer_id),
    )
    assert again.status_code == 409
    note = api.post(
        f"/v1/desk/tickets/{ticket['id']}/notes",
        headers=heads["agent-li"],
        json={"text": "x"},
    )
    assert note.status_code == 409 and count(desk_app, TicketMessage) == 0
