"""SLA clocks: targets from the policy pack, the deadline engine's calendars and
pauses, the at-risk list and the worker's escalation (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.desk_helpers import FakeClock, desk_settings, intake, payloads, staff

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.deadlines import add, load_calendar
from complydesk.desk import sla
from complydesk.desk.escalation import run_escalations
from complydesk.desk.sla import plan
from complydesk.duration import Duration
from complydesk.policy import load_pack
from complydesk.speech.reply import check_reply
from complydesk.store.models import Ticket, TicketEvent
from complydesk.worker import Worker, default_jobs

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


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


def create(api: TestClient, heads: dict[str, dict[str, str]], **kw: Any) -> Any:
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(**kw)
    )
    assert response.status_code == 201, response.text
    return response.json()


def move(api: TestClient, heads: dict[str, dict[str, str]], tid: int, to: str) -> Any:
    response = api.post(
        f"/v1/desk/tickets/{tid}/transitions",
        headers=heads["agent-li"],
        json={"to": to},
    )
    assert response.status_code == 200, response.text
    return response.json()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def clocks(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in body["clocks"]}


def test_targets_come_from_the_pack_and_the_strictest_wins() -> None:
    baseline, cn = load_pack("baseline"), load_pack("cn")
    repair = plan(baseline, "repair", "electronics", T0)
    assert repair.resolution is not None
    assert str(repair.resolution.duration) == "24 hours"
    assert repair.resolution.source == "desk.sla_rules.electronics_after_sales"
    assert repair.pausable
    other = plan(baseline, "repair", "appliances", T0)
    assert other.resolution is not None
    assert other.resolution.source == "desk.sla.repair"
    complaint = plan(cn, "complaint", "service", T0)
    assert complaint.resolution is not None
    assert str(complaint.resolution.duration) == "15 working_days"
    assert complaint.resolution.source == "desk.sla_rules.complaint_handling_limit"
    assert not complaint.pausable
    # baseline has no legal complaint limit (null): that rule does not apply
    assert plan(baseline, "complaint", "service", T0).pausable


def test_a_cn_complaint_runs_on_the_cn_calendar_and_never_pauses(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    # docs/deadlines.md: 15 working days from Tue 10 Feb 2026 10:00 Shanghai,
    # across Spring Festival and two adjusted working Saturdays -> Mon 9 Mar.
    clock.now = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)
    ticket = create(
        api,
        heads,
        purpose="complaint",
        category="service",
        fields={"description": "客服态度很差"},
    )
    due = at(ticket["resolution_due_at"])
    assert due == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    weekends = add(
        clock.now,
        Duration.model_validate("15 working_days"),
        load_calendar("weekends"),
        ZoneInfo("Asia/Shanghai"),
    )
    assert due != weekends
    move(api, heads, ticket["id"], "accepted")
    move(api, heads, ticket["id"], "waiting_customer")
    clock.advance(days=2)
    body = move(api, heads, ticket["id"], "in_progress")
    assert at(body["resolution_due_at"]) == due


def test_electronics_after_sales_pauses_while_waiting_for_the_customer(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    ticket = create(api, heads, customer={"phone": "13812345678"}, jurisdiction=None)
    tid = ticket["id"]
    assert at(ticket["resolution_due_at"]) == T0 + timedelta(hours=24)
    assert ticket["policy"].startswith("baseline@")
    move(api, heads, tid, "accepted")
    clock.advance(hours=2)
    waiting = move(api, heads, tid, "waiting_customer")
    assert clocks(waiting)["resolution"]["state"] == "paused"
    clock.advance(hours=10)
    back = move(api, heads, tid, "in_progress")
    assert at(back["resolution_due_at"]) == T0 + timedelta(hours=34)
    assert at(back["first_response_due_at"]) == T0 + timedelta(hours=34)
    assert clocks(back)["resolution"]["state"] == "running"


def _events(app: FastAPI, kind: str) -> list[TicketEvent]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        return list(
            session.scalars(select(TicketEvent).where(TicketEvent.kind == kind))
        )


def _escalate(app: FastAPI) -> str:
    ctx: AppContext = app.state.ctx
    return run_escalations(ctx.sessions, ctx.settings, ctx.clock)


def test_an_at_risk_ticket_shows_up_in_time_and_is_escalated_once(
    api: TestClient,
    heads: dict[str, dict[str, str]],
    clock: FakeClock,
    desk_app: FastAPI,
) -> None:
    ticket = create(api, heads, jurisdiction=None, customer={"phone": "13812345678"})
    tid, agent = ticket["id"], heads["agent-li"]
    other = create(api, heads, category="appliances")  # 7 days to resolve
    answered = api.post(
        f"/v1/desk/tickets/{other['id']}/replies",
        headers=agent,
        json={"text": "您好，已收到您的申请。"},
    )
    assert answered.status_code == 201  # its first-response clock is met

    clock.now = T0 + timedelta(hours=19, minutes=11)  # 80 % of 24 h is 19:12
    assert api.get("/v1/sla/at-risk", headers=agent).json() == []
    assert _escalate(desk_app) == "no SLA clock needs attention"

    clock.now = T0 + timedelta(hours=19, minutes=13)
    risky = api.get("/v1/sla/at-risk", headers=agent).json()
    assert [r["ticket"]["id"] for r in risky] == [tid]
    assert {c["name"]: c["state"] for c in risky[0]["clocks"]} == {
        "first_response": "at_risk",
        "resolution": "at_risk",
    }
    assert "1 tickets" in _escalate(desk_app)
    assert len(_events(desk_app, "sla_at_risk")) == 2
    assert _escalate(desk_app) == "no SLA clock needs attention"  # not twice
    sent = payloads(desk_app, "ticket.sla_at_risk")
    assert {p["clock"] for p in sent} == {"first_response", "resolution"}
    assert all(p["ticket_id"] == tid and "tracking_code" not in p for p in sent)
    assert "13812345678" not in str(sent)

    reply = api.post(
        f"/v1/desk/tickets/{tid}/replies",
        headers=agent,
        json={"text": "您好，我们正在为您核实，请稍候。"},
    )
    assert reply.status_code == 201
    clock.now = T0 + timedelta(hours=24, minutes=1)
    _escalate(desk_app)
    breached = _events(desk_app, "sla_breached")
    assert [e.detail.split()[0] for e in breached if e.detail] == ["resolution"]
    body = api.get(f"/v1/desk/tickets/{tid}", headers=agent).json()
    assert body["escalation_level"] == 1 and body["sla_state"] == "breached"
    assert {c["name"]: c["state"] for c in body["clocks"]} == {
        "first_response": "met",
        "resolution": "breached",
    }
    listed = api.get("/v1/sla/at-risk", headers=agent).json()
    assert [r["ticket"]["id"] for r in listed] == [tid]
    assert other["id"] not in [r["ticket"]["id"] for r in listed]
    timeline = api.get(f"/v1/desk/tickets/{tid}/timeline", headers=agent).json()
    assert {e["visibility"] for e in timeline if e["kind"].startswith("sla_")} == {
        "internal"
    }
    public = api.get(
        f"/v1/track/{ticket['tracking_code']}", params={"last4": "5678"}
    ).json()
    assert not [e for e in public["events"] if e["kind"].startswith("sla")]


def test_resolving_stops_the_clocks_and_leaves_the_at_risk_list(
    api: TestClient,
    heads: dict[str, dict[str, str]],
    clock: FakeClock,
    desk_app: FastAPI,
) -> None:
    tid = create(api, heads, jurisdiction=None)["id"]
    clock.now = T0 + timedelta(hours=20)
    _escalate(desk_app)
    move(api, heads, tid, "accepted")
    done = move(api, heads, tid, "resolved")
    assert done["sla_state"] is None
    assert {c["state"] for c in done["clocks"]} == {"met"}
    clock.now = T0 + timedelta(hours=30)
    assert api.get("/v1/sla/at-risk", headers=heads["agent-li"]).json() == []
    assert _escalate(desk_app) == "no SLA clock needs attention"
    with desk_app.state.ctx.sessions() as session:
        assert session.get_one(Ticket, tid).sla_alert_at is None


def test_the_worker_runs_the_sla_job(
    api: TestClient,
    heads: dict[str, dict[str, str]],
    clock: FakeClock,
    desk_app: FastAPI,
) -> None:
    assert "desk.sla" in [job.name for job in default_jobs()]
    create(api, heads, jurisdiction=None)
    clock.now = T0 + timedelta(hours=25)
    ctx: AppContext = desk_app.state.ctx
    worker = Worker(default_jobs(), ctx.settings, ctx.sessions, ctx.audit, clock)
    outcome = worker.run_due()["desk.sla"]
    assert outcome.startswith("2 SLA escalations on 1 tickets")


def test_the_reply_check_sees_the_sla_due_time(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    text = "您的问题我们会在三个工作日内解决"
    assert check_reply(text, now=clock.now).verdict == "warn"  # no facts: unsupported
    tid = create(api, heads, purpose="inquiry", category="general",
                 fields={"description": "请问保修怎么算"})["id"]  # fmt: skip
    reply = api.post(
        f"/v1/desk/tickets/{tid}/replies",
        headers=heads["agent-li"],
        json={"text": text},
    )
    assert reply.status_code == 201
    assert reply.json()["verdict"] == "pass"


# ---- business hours (pack `business_hours`, 09:00-18:00 on working days) ----

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPLAINT: dict[str, Any] = {
    "purpose": "complaint",
    "category": "service",
    "subject": "客服态度",
    "fields": {"description": "客服态度很差"},
}


def test_a_complaint_first_response_counts_business_hours_across_a_weekend(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    # Fri 6 Mar 2026 17:30 Shanghai, 8 business hours: 0.5 h on Friday, the
    # weekend is closed, 7.5 h on Monday -> Mon 9 Mar 16:30 (08:30 UTC).
    clock.now = datetime(2026, 3, 6, 17, 30, tzinfo=SHANGHAI)
    ticket = create(api, heads, **COMPLAINT)
    due = at(ticket["first_response_due_at"])
    assert due == datetime(2026, 3, 9, 16, 30, tzinfo=SHANGHAI)
    assert ticket["policy"].startswith("cn@")
    source = clocks(ticket)["first_response"]["source"]
    assert source == "desk.sla.complaint"


def test_business_hours_skip_a_cn_holiday_and_count_an_adjusted_saturday(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    # Wed 30 Sep 2026 17:30: National Day 1-7 Oct is closed -> Thu 8 Oct 16:30.
    clock.now = datetime(2026, 9, 30, 17, 30, tzinfo=SHANGHAI)
    ticket = create(api, heads, **COMPLAINT)
    assert at(ticket["first_response_due_at"]) == datetime(
        2026, 10, 8, 16, 30, tzinfo=SHANGHAI
    )
    # Fri 9 Oct 2026 17:00: Sat 10 Oct is a 调休 working day -> Sat 10 Oct 16:00.
    clock.now = datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)
    ticket = create(api, heads, **COMPLAINT)
    assert at(ticket["first_response_due_at"]) == datetime(
        2026, 10, 10, 16, 0, tzinfo=SHANGHAI
    )


def test_waiting_for_the_customer_pauses_only_open_time(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    # Baseline (UTC, weekends calendar): its complaints may pause. Fri 6 Mar
    # 2026 16:00 UTC + 8 business hours = Mon 9 Mar 15:00.
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    clock.now = friday
    ticket = create(api, heads, jurisdiction=None, **COMPLAINT)
    tid = ticket["id"]
    assert ticket["policy"].startswith("baseline@")
    assert at(ticket["first_response_due_at"]) == datetime(2026, 3, 9, 15, tzinfo=UTC)
    move(api, heads, tid, "accepted")
    clock.now = friday + timedelta(hours=1)  # Fri 17:00
    waiting = move(api, heads, tid, "waiting_customer")
    assert clocks(waiting)["first_response"]["state"] == "paused"
    clock.now = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # Mon 10:00
    back = move(api, heads, tid, "in_progress")
    # Paused open time: Fri 17-18 and Mon 9-10 = 2 h (not the 65 h elapsed).
    assert at(back["first_response_due_at"]) == datetime(2026, 3, 9, 17, tzinfo=UTC)
    assert clocks(back)["first_response"]["state"] == "running"
    # A wait entirely in closed time (Mon 18:30 -> Tue 08:00) moves nothing.
    clock.now = datetime(2026, 3, 9, 18, 30, tzinfo=UTC)
    move(api, heads, tid, "waiting_customer")
    clock.now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    again = move(api, heads, tid, "in_progress")
    assert clocks(again)["first_response"]["state"] == "breached"
    assert at(again["first_response_due_at"]) == datetime(2026, 3, 9, 17, tzinfo=UTC)


def test_a_business_hour_clock_turns_at_risk_in_open_time(
    api: TestClient,
    heads: dict[str, dict[str, str]],
    clock: FakeClock,
    desk_app: FastAPI,
) -> None:
    # 80 % of 8 business hours = 6 h 24 min of open time: from Fri 16:00 UTC
    # that is 2 h on Friday and 4 h 24 min on Monday -> Mon 13:24. Elapsed,
    # Monday 08:00 is already 90 % of the 71 h window: it must not count.
    clock.now = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    tid = create(api, heads, jurisdiction=None, **COMPLAINT)["id"]
    with desk_app.state.ctx.sessions() as session:
        alert = session.get_one(Ticket, tid).sla_alert_at
    assert alert is not None
    assert alert.replace(tzinfo=UTC) == datetime(2026, 3, 9, 13, 24, tzinfo=UTC)
    agent = heads["agent-li"]
    clock.now = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert api.get("/v1/sla/at-risk", headers=agent).json() == []
    assert _escalate(desk_app) == "no SLA clock needs attention"
    clock.now = datetime(2026, 3, 9, 13, 25, tzinfo=UTC)
    risky = api.get("/v1/sla/at-risk", headers=agent).json()
    assert [r["ticket"]["id"] for r in risky] == [tid]
    assert clocks(risky[0])["first_response"]["state"] == "at_risk"
    assert "1 tickets" in _escalate(desk_app)


def test_a_due_time_beyond_the_calendar_data_is_flagged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # cn holiday data ends with 2026: 15 working days from 20 Dec 2026 run
    # into 2027, counted as plain weekends (no official 2027 schedule in our
    # data, none invented) and marked approximate.
    pack = load_pack("cn")
    start = datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI)
    ticket = Ticket(purpose="complaint", category="service")
    with caplog.at_level("WARNING", logger="complydesk.desk.sla"):
        sla.start(ticket, pack, start)
    views = {v.name: v for v in sla.view(ticket, start)}
    note = views["resolution"].calendar_note
    assert note is not None and "2027" in note and "plain weekends" in note
    assert views["resolution"].due_at == datetime(2027, 1, 8, 10, tzinfo=SHANGHAI)
    assert views["first_response"].calendar_note is None  # 21 Dec: covered
    assert any("2027" in r.getMessage() for r in caplog.records)
    assert "客服" not in caplog.text
    covered = Ticket(purpose="complaint", category="service")
    sla.start(covered, pack, datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    assert all(v.calendar_note is None for v in sla.view(covered, start))
