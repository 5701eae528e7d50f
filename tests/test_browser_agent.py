"""The agent desk in a real Chromium against a real `complydesk serve`.

Work a ticket end to end, watch a reply get flagged live and blocked on send,
reveal masked data with a reason (and see it gone after a reload). The runs
also refresh the screenshots in docs/screenshots/ (1280x800 PNG).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser_helpers import login
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
BLOCKED = "我们保证24小时内发货，绝对没问题"
REPLY = "您好，我们已收到您的反馈，会尽快为您处理。"
PHONE = "13812345678"


def _new_ticket(
    page: Any, base: str, subject: str, reason: str = "耳机左边没有声音"
) -> dict[str, Any]:
    """Intake through the API with the console's own cookie (SLA clocks start)."""
    response = page.request.post(
        f"{base}/v1/desk/tickets",
        data={
            "customer": {"name": "林晓雨", "phone": PHONE},
            "jurisdiction": "cn",
            "purpose": "return_refund",
            "category": "electronics",
            "subject": subject,
            "fields": {
                "order_number": "SO-2026-0001",
                "reason": reason,
                "contact_phone": PHONE,
            },
        },
    )
    assert response.status == 201, response.text()
    body: dict[str, Any] = response.json()
    return body


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_an_agent_works_a_ticket_end_to_end(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, base, data_dir, "agent")
    ticket = _new_ticket(page, base, "耳机退货")
    urgent = _new_ticket(page, base, "充电宝鼓包", "充电宝电池鼓包冒烟了，很危险")
    assert urgent["urgency"] == "urgent"  # triage read the danger
    page.get_by_role("link", name="坐席工作台").click()
    page.wait_for_url(f"{base}/console/agent/queue")
    first = page.locator("table.agent-table tbody tr").first
    assert urgent["tracking_code"] in first.inner_text()  # urgent first
    row = page.locator("tr", has_text=ticket["tracking_code"])
    assert "剩余" in row.inner_text()  # the due time and the time left
    assert PHONE not in page.content() and "林晓雨" not in page.content()
    _shot(page, "agent-queue.png")

    page.get_by_role("link", name=ticket["tracking_code"]).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console/agent/tickets/{ticket['id']}")
    assert "138****5678" in page.inner_text("body")
    assert PHONE not in page.content()
    assert page.locator("#reveal-reason").count() == 1  # masked until a reveal

    for button in ("受理", "开始处理"):
        page.get_by_role("button", name=button, exact=True).click()
        page.get_by_role("status").filter(has_text="状态已更新").wait_for()
    page.get_by_label("答复内容").fill(REPLY)
    page.locator("#reply-verdict", has_text="未发现问题").wait_for()
    page.get_by_role("button", name="发送答复").click()
    page.get_by_role("status").filter(has_text="答复已发送").wait_for()
    assert page.locator(".ev-customer blockquote", has_text=REPLY).count() == 1
    # After a post the address is the ticket's again: a reload never re-sends.
    assert page.url == f"{base}/console/agent/tickets/{ticket['id']}"
    for button in ("标记已解决", "关闭工单"):
        page.get_by_role("button", name=button, exact=True).click()
        page.get_by_role("status").filter(has_text="状态已更新").wait_for()
    assert page.locator(".ticket-meta .status").inner_text() == "已关闭"
    assert page.get_by_role("button", name="重新打开").count() == 1


def test_a_risky_reply_is_flagged_as_typed_and_blocked_on_send(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, base, data_dir, "agent")
    ticket = _new_ticket(page, base, "耳机发货咨询")
    page.goto(f"{base}/console/agent/tickets/{ticket['id']}")
    box = page.get_by_label("答复内容")
    box.click()
    box.press_sequentially(BLOCKED, delay=5)  # typed, so the check is debounced
    marks = page.locator("#reply-check mark.sev-block")
    marks.first.wait_for()
    # the time promise and, in its own clause, the absolute 绝对没问题
    assert marks.all_inner_texts() == ["24小时内发货", "绝对"]
    panel = page.locator("#reply-check").inner_text()
    assert "发送会被拦截" in panel and "48小时内" in panel  # reason and suggestion
    box.scroll_into_view_if_needed()
    _shot(page, "agent-ticket.png")

    page.get_by_role("button", name="发送答复").click()
    page.get_by_role("heading", name="答复被拦截，未发送").wait_for()
    blocked = page.locator("section.blocked")
    marked = blocked.locator("mark.sev-block").all_inner_texts()
    assert marked == ["24小时内发货", "绝对"]
    assert "只有主管可以放行" in blocked.inner_text()
    assert page.locator(".ev-customer blockquote").count() == 0  # nothing sent
    blocked.scroll_into_view_if_needed()
    _shot(page, "reply-blocked.png")

    # "Use suggestion" puts the rewrite in place of the flagged words.
    page.locator("#reply-check").get_by_role("button", name="采用建议").first.click()
    assert "24小时内发货" not in box.input_value()
    flagged = page.locator("#reply-check mark", has_text="24小时内发货")
    flagged.wait_for(state="detached")  # re-checked: that finding is gone


def test_a_compliance_officer_reveals_with_a_reason_once(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    login(page, base, data_dir, "compliance")
    ticket = _new_ticket(page, base, "耳机退货")
    url = f"{base}/console/agent/tickets/{ticket['id']}"
    opened = page.goto(url)
    assert opened is not None and opened.ok, (opened and opened.status, url)
    assert PHONE not in page.content()
    reason = page.get_by_label("查看理由（至少 8 个字）")
    assert reason.count() == 1, page.inner_text("body")[:500]
    reason.fill("核对回访电话")  # 6 characters: the browser refuses it
    page.get_by_role("button", name="查看明文").click()
    assert PHONE not in page.content()
    reason.fill("核对回访电话，客户要求来电")
    page.get_by_role("button", name="查看明文").click()
    page.locator("#revealed").wait_for()
    assert PHONE in page.locator("#revealed").inner_text()
    assert "已记入审计日志" in page.inner_text("body")
    assert page.url == url

    page.reload()
    assert PHONE not in page.content() and "138****5678" in page.content()
    page.goto(f"{base}/console/agent/queue")
    page.go_back()
    assert PHONE not in page.content()

    page.goto(f"{base}/console/audit")  # the reveal is on the audit trail
    assert "pii.unmask" in page.inner_text("body")
