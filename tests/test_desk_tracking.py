"""Public transparency: tracking with light verification, rate limits, the public
pages, and anonymised statistics with small cells suppressed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.desk_helpers import FakeClock, desk_settings, intake, staff

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.desk.customers import erase_customer
from complydesk.desk.ratelimit import SlidingWindow
from complydesk.desk.stats import _row
from complydesk.desk.tracking import TrackingGuard
from complydesk.store.db import transaction
from complydesk.store.models import Customer, Ticket


@pytest.fixture
def clock(fixed_now: Any) -> FakeClock:
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


def create(api: TestClient, heads: dict[str, dict[str, str]], **kw: Any) -> Any:
    response = api.post(
        "/v1/desk/tickets", headers=heads["agent-li"], json=intake(**kw)
    )
    assert response.status_code == 201, response.text
    return response.json()


def track(api: TestClient, code: str, last4: str) -> Any:
    return api.get(f"/v1/track/{code}", params={"last4": last4})


def test_unknown_code_and_wrong_digits_are_indistinguishable(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    code = create(api, heads)["tracking_code"]
    engine = desk_app.state.ctx.sessions.kw["bind"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append("q")

    event.listen(engine, "before_cursor_execute", count)
    answers = []
    for probe in (code, "T-23456789ABCD", "nonsense"):
        statements.clear()
        response = track(api, probe, "0000")
        answers.append((response.status_code, response.content, len(statements)))
    event.remove(engine, "before_cursor_execute", count)
    assert len(set(answers)) == 1, answers  # same status, body and SQL work
    assert answers[0][0] == 404
    assert track(api, code.lower(), "5678").status_code == 200  # codes are not fussy


def test_tracking_is_rate_limited_per_code_and_per_address(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    code = create(api, heads)["tracking_code"]
    for _ in range(5):
        assert track(api, code, "1111").status_code == 404
    locked = track(api, code, "5678")  # even the right digits wait now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    for _ in range(5):
        track(api, "T-UNKNOWN12345", "1111")
    assert track(api, "T-UNKNOWN12345", "1111").status_code == 429  # same for unknown

    desk_app.state.tracking_guard = TrackingGuard((3, 600.0), (5, 3600.0))
    assert [track(api, code, "5678").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_the_sliding_window_forgets_old_hits_and_stays_bounded() -> None:
    window = SlidingWindow(limit=2, window=10, max_keys=3)
    window.hit("a", 0)
    window.hit("a", 1)
    assert window.retry_after("a", 5) == 5
    assert window.retry_after("a", 10.5) is None
    for key in "bcde":
        window.hit(key, 20)
    assert window.retry_after("a", 20) is None and len(window._hits) == 3


def test_customers_see_no_staff_names_notes_or_routing(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    ticket = create(api, heads)
    tid, sup = ticket["id"], heads["sup-wang"]
    api.post("/v1/desk/queues", headers=sup, json={"name": "vip", "title": "VIP"})
    api.post(f"/v1/desk/tickets/{tid}/assign", headers=sup,
             json={"queue": "vip", "assignee": "agent-li"})  # fmt: skip
    api.post(f"/v1/desk/tickets/{tid}/notes", headers=sup,
             json={"text": "注意：这位客户投诉过三次"})  # fmt: skip
    api.post(f"/v1/desk/tickets/{tid}/escalate", headers=sup, json={})
    api.post(f"/v1/desk/tickets/{tid}/replies", headers=sup,
             json={"text": "您好，我是王主管，已为您加急处理。"})  # fmt: skip
    response = track(api, ticket["tracking_code"], "5678")
    assert response.status_code == 200
    text = response.text
    for hidden in ("sup-wang", "agent-li", "vip", "投诉过三次", "escalat", "assign"):
        assert hidden not in text, hidden
    kinds = [e["kind"] for e in response.json()["events"]]
    assert kinds == ["created", "reply"]


def test_erased_customers_cannot_be_tracked(
    api: TestClient, heads: dict[str, dict[str, str]], desk_app: FastAPI
) -> None:
    ticket = create(api, heads)
    assert track(api, ticket["tracking_code"], "5678").status_code == 200
    ctx: AppContext = desk_app.state.ctx
    with transaction(ctx.sessions) as session:
        row = session.get_one(Ticket, ticket["id"])
        customer = session.get_one(Customer, row.customer_id)
        erase_customer(
            session, ctx.vault, ctx.audit, "t", customer, "asked to be erased"
        )
    from complydesk.vault.erase import scrub_erased

    with transaction(ctx.sessions) as session:
        scrub_erased(session)
    assert track(api, ticket["tracking_code"], "5678").status_code == 404


def test_the_public_tracking_page(
    api: TestClient, heads: dict[str, dict[str, str]]
) -> None:
    ticket = create(api, heads)
    form = api.get("/track")
    assert form.status_code == 200 and "工单进度查询" in form.text
    assert "Track your request" in api.get("/track?lang=en").text
    found = api.post("/track", data={"code": ticket["tracking_code"], "last4": "5678"})
    assert found.status_code == 200
    assert "已提交" in found.text and "退货退款" in found.text
    assert "agent-li" not in found.text
    wrong = api.post("/track", data={"code": ticket["tracking_code"], "last4": "0000"})
    assert wrong.status_code == 404 and "未找到" in wrong.text
    assert ticket["tracking_code"] not in wrong.text


def test_small_cells_are_suppressed_with_their_complement() -> None:
    row = _row(Counter({"resolved": 9, "submitted": 2, "closed": 6}), 5)
    assert row["total"] == 17
    assert row["by_status"]["submitted"] is None  # 2 < 5
    assert row["by_status"]["closed"] is None  # else 17 - 9 - 6 reveals it
    assert row["by_status"]["resolved"] == 9 and row["by_status"]["accepted"] == 0
    assert _row(Counter({"resolved": 4}), 5)["total"] is None
    both = _row(Counter({"resolved": 10, "submitted": 2, "closed": 3}), 5)
    assert both["by_status"]["resolved"] == 10  # two hidden cells cover each other


def test_public_statistics_and_process(
    api: TestClient, heads: dict[str, dict[str, str]], clock: FakeClock
) -> None:
    agent = heads["agent-li"]
    for index in range(7):
        tid = create(api, heads)["id"]
        if index < 5:
            clock.advance(hours=2)
            api.post(f"/v1/desk/tickets/{tid}/replies", headers=agent,
                     json={"text": "您好，已收到。"})  # fmt: skip
            for to in ("accepted", "resolved"):
                api.post(f"/v1/desk/tickets/{tid}/transitions", headers=agent,
                         json={"to": to})  # fmt: skip
    create(api, heads, purpose="repair", category="appliances",
           fields={"description": "洗衣机不转"})  # fmt: skip

    response = api.get("/v1/public/complaint-handling")
    assert response.status_code == 200
    figures = response.json()["statistics"]
    returns = figures["by_purpose"]["return_refund"]
    assert returns["total"] == 7
    assert returns["by_status"]["submitted"] is None  # 2 tickets: hidden
    assert returns["by_status"]["resolved"] is None  # its complement
    assert figures["by_purpose"]["repair"]["total"] is None  # 1 ticket
    assert figures["by_category"]["electronics"]["total"] == 7
    assert "appliances" not in figures["by_category"]  # pooled into other
    assert figures["by_category"]["other"]["total"] is None
    first = figures["hours_to_first_response"]["return_refund"]
    assert (first["n"], first["median"], first["p90"]) == (5, 2.0, 2.0)
    assert figures["hours_to_first_response"]["repair"]["n"] is None

    process = response.json()["process"]
    assert process["pack"] == "baseline" and process["steps"][0] == "submitted"
    purposes = {p["purpose"]: p for p in process["purposes"]}
    assert purposes["repair"]["category_rules"][0]["resolution_within"] == "24 hours"
    cn = api.get("/v1/public/complaint-handling", params={"pack": "cn"}).json()
    assert cn["process"]["complaint_handling_limit"]["value"] == "15 working_days"
    assert not cn["process"]["purposes"][0]["clock_pauses_while_waiting_customer"]
    bad = api.get("/v1/public/complaint-handling", params={"pack": "nowhere"})
    assert bad.status_code == 422

    page = api.get("/complaint-handling")
    assert page.status_code == 200 and "投诉处理流程与统计" in page.text
    assert "—" in page.text and ">7<" in page.text
    assert "Complaint handling" in api.get("/complaint-handling?lang=en").text
