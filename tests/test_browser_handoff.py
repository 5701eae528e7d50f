"""The full 转人工 hand-off in two real Chromium windows against `complydesk serve`.

A customer presses 转人工 on /chat (phone size); an agent opens the hand-off
queue, sees the chat with every AI message labelled, gets a reply blocked by
the speech check, sends a clean one; the customer's page shows the person's
reply and the bot stays silent. Refreshes docs/screenshots/handoff-queue.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser_helpers import login
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
BLOCKED = "这是最后一次警告，你再投诉也没用"
REPLY = "您好，我是人工客服，马上为您处理退货。"
PHONE_SIZE = {"width": 390, "height": 844}


def _customer_hands_off(
    page: Any, base: str, question: str, *, button: bool = True
) -> int:
    """Start a chat, ask, press 转人工 (or the question hands off); its id."""
    page.goto(f"{base}/chat?pack=cn")
    page.get_by_role("button", name="开始咨询").click()
    page.locator("#chat-log li").first.wait_for()
    page.get_by_label("输入您的问题").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#chat-log li').length >= 3")
    if button:
        page.get_by_role("button", name="转人工").click()
    page.wait_for_function(
        "document.getElementById('chat-status').textContent.includes('预计等待')"
    )
    view = page.evaluate("fetch('/chat/conversation').then(r => r.json())")
    assert view["state"] == "waiting_human"
    return int(view["conversation_id"])


def test_customer_reaches_a_person_through_the_handoff_console(
    browser: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    phone = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE, is_mobile=True)
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        other = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE)
        try:  # someone who asked earlier, in a browser of their own
            earlier = _customer_hands_off(other.new_page(), base, "发票怎么开？")
        finally:
            other.close()
        customer = phone.new_page()
        conversation = _customer_hands_off(customer, base, "怎么申请七天无理由退货？")

        agent = desk.new_page()
        login(agent, base, data_dir, "agent")
        agent.get_by_role("link", name="转人工会话").click()
        agent.wait_for_url(f"{base}/console/handoffs")
        rows = agent.locator("#handoff-table tbody tr")
        ids = [rows.nth(i).get_attribute("data-conversation") for i in range(2)]
        assert ids == [str(earlier), str(conversation)]  # oldest first
        row = agent.locator(f'tr[data-conversation="{conversation}"]')
        assert "客户要求转人工" in row.inner_text()
        # A new hand-off shows up in the open queue without a reload.
        late = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE)
        try:
            newest = _customer_hands_off(
                late.new_page(), base, "我要投诉，快递三天没到", button=False
            )
        finally:
            late.close()
        agent.locator(f'tr[data-conversation="{newest}"]').wait_for(timeout=25000)
        assert "3 个会话等待人工" in agent.locator("#waiting-note").inner_text()
        assert rows.last.get_attribute("data-conversation") == str(newest)
        SHOTS.mkdir(parents=True, exist_ok=True)
        agent.screenshot(path=str(SHOTS / "handoff-queue.png"))

        # Keyboard: open the chat from the queue.
        row.get_by_role("link").focus()
        agent.keyboard.press("Enter")
        agent.wait_for_url(f"{base}/console/handoffs/{conversation}")
        bots = agent.locator('#transcript li[data-sender="bot"]')
        assert bots.count() >= 3  # disclosure, answer, hand-off notice
        for i in range(bots.count()):
            item = bots.nth(i)
            assert item.get_attribute("data-ai-generated") == "true"
            assert item.get_attribute("data-ai-label") == "AI生成"
            assert item.get_attribute("data-ai-pack") and item.get_attribute(
                "data-ai-kind"
            )
            label = item.locator(".ai-label")
            assert label.is_visible() and label.inner_text() == "AI 生成"
        said = agent.locator('#transcript li[data-sender="customer"]')
        assert said.first.get_attribute("data-ai-generated") == "false"
        assert said.first.locator(".ai-label").count() == 0

        # A reply the speech check blocks: flagged while typed, refused on send.
        box = agent.get_by_label("回复客户")
        box.fill(BLOCKED)
        agent.locator('#reply-check[data-verdict="block"]').wait_for()
        agent.get_by_role("button", name="发送回复").click()
        agent.locator("#blocked").wait_for()
        assert "zh.abuse.threat" in agent.locator("#blocked").inner_text()
        assert agent.locator("#blocked mark.sev-block").count() >= 1
        assert customer.locator("#chat-log li.msg-agent").count() == 0

        box = agent.get_by_label("回复客户")
        box.fill(REPLY)
        agent.get_by_role("button", name="发送回复").click()
        agent.get_by_role("status").filter(has_text="回复已发送").wait_for()
        assert agent.locator("#chat-meta").get_attribute("data-state") == "human"

        # The customer's page shows the person; the bot has stepped back.
        customer.locator("#chat-log li.msg-agent").wait_for(timeout=15000)
        assert REPLY in customer.locator("#chat-log li.msg-agent").inner_text()
        customer.wait_for_function(
            "document.getElementById('chat-status').textContent.includes('人工客服已接入')"
        )
        bot_count = customer.locator("#chat-log li.msg-bot").count()
        customer.get_by_label("输入您的问题").fill("好的，谢谢")
        customer.keyboard.press("Enter")
        customer.wait_for_function(
            "[...document.querySelectorAll('#chat-log li.msg-customer')]"
            ".some(li => li.textContent.includes('好的，谢谢'))"
        )
        customer.wait_for_timeout(500)
        assert customer.locator("#chat-log li.msg-bot").count() == bot_count
        # The agent's transcript now has the customer's follow-up, unlabelled.
        agent.reload()
        last = agent.locator("#transcript li").last
        assert last.get_attribute("data-sender") == "customer"
        assert "好的，谢谢" in last.inner_text()
    finally:
        phone.close()
        desk.close()
