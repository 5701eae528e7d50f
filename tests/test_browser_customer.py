"""The customer pages in a real Chromium, phone size, against `complydesk serve`.

Track a ticket (tracking code + last four phone digits; wrong digits read the
same as an unknown code), file a data-subject request on /privacy (the
one-time code reaches a real webhook receiver through the server's own
outbox worker, as an SMS gateway would get it), and read the public
complaint-handling page. Each page is checked at 390x844 (nothing wider than
the screen) and from the keyboard (labelled fields, tab order, Enter).
Refreshes docs/screenshots/track.png and privacy-form.png.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.browser_helpers import password
from tests.notify_helpers import SECRET, SECRET_ENV, Receiver
from tests.privacy_helpers import write_webhooks
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PHONE_SIZE = {"width": 390, "height": 844}
DEMO_PHONE = "13800138001"  # DEMO-C001's invented number (complydesk.demo)
REPLY = "您好，我们已收到您的反馈，会尽快为您处理。"
NO_SIDEWAYS = "document.scrollingElement.scrollWidth <= 390"


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Receiver]:
    """A real webhook receiver; the server (started after this) delivers to it."""
    receiver = Receiver().start()
    hooks_file = write_webhooks(tmp_path / "hooks.yaml", receiver.url)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv("COMPLYDESK_WEBHOOKS_FILE", str(hooks_file))
    monkeypatch.setenv("COMPLYDESK_NOTIFY_INTERVAL_SECONDS", "1")
    yield receiver
    receiver.stop()


@pytest.fixture
def live(
    hooks: Receiver,
    server: tuple[str, Path, Path],  # noqa: F811
) -> tuple[str, Path, Path]:
    return server


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE, is_mobile=True)
    yield context.new_page()
    context.close()


def _worked_ticket(base: str, data_dir: Path, ticket_id: int) -> str:
    """An agent accepts a demo ticket and replies (API); its tracking code."""
    with httpx.Client(base_url=base, timeout=30) as client:
        signed_in = client.post(
            "/login",
            data={"username": "agent", "password": password(data_dir, "agent")},
        )
        assert signed_in.status_code == 303
        path = f"/v1/desk/tickets/{ticket_id}"
        moved = client.post(f"{path}/transitions", json={"to": "accepted"})
        assert moved.status_code == 200, moved.text
        replied = client.post(f"{path}/replies", json={"text": REPLY})
        assert replied.status_code in (200, 201), replied.text
        ticket = client.get(path)
        assert ticket.status_code == 200, ticket.text
        return str(ticket.json()["tracking_code"])


def _focused(page: Any) -> str:
    return str(
        page.evaluate("document.activeElement.id || document.activeElement.tagName")
    )


def _code_for(receiver: Receiver, ref: str, timeout: float = 30.0) -> str:
    """The one-time code the server's outbox delivered to the receiver."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in list(receiver.received):
            assert item.signature_error is None, item.signature_error
            body = json.loads(item.body)
            data = body["data"]
            if body["event"] == "dsr.verification_code" and data["request"] == ref:
                assert data["to"] == f"+86{DEMO_PHONE}"
                return str(data["code"])
        time.sleep(0.3)
    raise AssertionError(f"no verification code for {ref} reached the receiver")


def test_a_customer_tracks_a_ticket_on_a_phone_by_keyboard(
    phone: Any,
    live: tuple[str, Path, Path],
) -> None:
    base, data_dir, _ = live
    code = _worked_ticket(base, data_dir, 1)  # DEMO-C001's screen complaint
    page = phone
    page.goto(f"{base}/track")
    assert page.evaluate(NO_SIDEWAYS)
    assert page.get_by_label("查询码").count() == 1
    assert page.get_by_label("联系电话后四位").count() == 1
    # Keyboard only: field, Tab, field, Tab, the button, Enter.
    page.get_by_label("查询码").focus()
    page.keyboard.type(code)
    page.keyboard.press("Tab")
    assert _focused(page) == "last4"
    page.keyboard.type("0000")  # wrong digits first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.get_by_role("alert").wait_for()
    wrong = page.get_by_role("alert").inner_text()
    assert wrong == "未找到与该查询码和验证信息匹配的工单。"
    assert code not in page.content()  # nothing about the ticket

    # An unknown code reads exactly the same (no oracle for valid codes).
    page.get_by_label("查询码").fill("T-000000000000")
    page.get_by_label("联系电话后四位").fill(DEMO_PHONE[-4:])
    page.get_by_label("联系电话后四位").press("Enter")
    page.get_by_role("alert").wait_for()
    assert page.get_by_role("alert").inner_text() == wrong

    page.get_by_label("查询码").fill(code)
    page.get_by_label("联系电话后四位").fill(DEMO_PHONE[-4:])
    page.get_by_label("联系电话后四位").press("Enter")
    page.locator("h2", has_text=code).wait_for()
    shown = page.inner_text("body")
    assert code in shown and "投诉" in shown and "已受理" in shown
    assert REPLY in shown  # the agent's reply is customer-visible
    assert "林晓雨" not in shown and DEMO_PHONE not in shown
    assert page.evaluate(NO_SIDEWAYS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "track.png"))


def test_a_customer_files_a_data_request_and_verifies_the_code(
    phone: Any,
    live: tuple[str, Path, Path],
    hooks: Receiver,
) -> None:
    base, _, _ = live
    page = phone
    page.goto(f"{base}/privacy")
    assert page.evaluate(NO_SIDEWAYS)
    for name in ("申请类型", "号码或邮箱", "手机号码"):
        assert page.get_by_label(name).count() == 1, name
    # Keyboard: the type select, then Tab through to the identifier field.
    page.get_by_label("申请类型").focus()
    page.get_by_label("申请类型").select_option("access")
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(_focused(page))
    assert order[0] == "scope" and order[1] == "kind-phone"
    assert "identifier" in order  # the radio group is one stop, then the value
    page.get_by_label("号码或邮箱").focus()
    page.keyboard.type("138 0013 8001")
    page.get_by_label("补充说明", exact=False).fill("请提供我的订单和通话记录。")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "privacy-form.png"))
    page.get_by_role("button", name="提交申请").press("Enter")

    page.get_by_label("验证码（6 位数字）").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    ref = page.locator('input[name="ref"]').get_attribute("value")
    assert ref and ref.startswith("R-")
    code = _code_for(hooks, ref)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("验证码（6 位数字）").fill(wrong)
    page.keyboard.press("Enter")
    page.get_by_role("alert").wait_for()
    assert "验证码错误" in page.get_by_role("alert").inner_text()
    page.get_by_label("验证码（6 位数字）").fill(code)
    page.keyboard.press("Enter")
    page.locator("h1.ok").wait_for()
    assert ref in page.inner_text("body")
    assert page.evaluate(NO_SIDEWAYS)


def test_the_complaint_handling_page_reads_on_a_phone(
    phone: Any,
    live: tuple[str, Path, Path],
) -> None:
    base, _, _ = live
    page = phone
    page.goto(f"{base}/complaint-handling")
    assert page.locator("h1").inner_text() == "投诉处理流程与统计"
    assert page.get_by_role("heading", name="处理流程", exact=True).count() == 1
    assert page.get_by_role("table").count() >= 3
    assert page.evaluate(NO_SIDEWAYS)
    # Tables have header cells; the keyboard reaches the language switch.
    assert page.locator("table thead th").count() >= 5
    seen = []
    for _ in range(4):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "English" in seen
    page.get_by_role("link", name="English").press("Enter")
    page.wait_for_url(f"{base}/complaint-handling?lang=en")
    assert page.locator("h1").inner_text() == "Complaint handling"
    assert page.evaluate(NO_SIDEWAYS)
