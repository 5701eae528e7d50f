"""The compliance dashboard and the chat widget in a real Chromium, on a real server.

The server is a real `complydesk serve` with demo data (tests/test_serve_e2e.py);
what the dashboard should show is added through the API first, as a
compliance officer and an agent would. Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tests.browser_helpers import login, password
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
BLOCKED = "这是最后一次警告，你再投诉也没用"


@contextmanager
def _client(base: str, data_dir: Path, user: str) -> Iterator[httpx.Client]:
    """An HTTP client holding `user`'s console session (it works for the API too)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post(
            "/login",
            data={"username": user, "password": password(data_dir, user), "next": "/"},
        )
        assert response.status_code == 303, response.text
        yield client


def _seed(base: str, data_dir: Path) -> str:
    """A late opt-out, a breach, skewed decisions and a blocked reply; the late ref."""
    now = datetime.now(UTC)
    with _client(base, data_dir, "compliance") as officer:
        late = officer.post(
            "/v1/rights/requests",
            json={
                "customer_id": 4,
                "type": "objection",
                "scope": "sale_or_sharing",
                "received_at": (now - timedelta(days=60)).isoformat(),
            },
        )
        assert late.status_code == 201, late.text
        breach = officer.post(
            "/v1/breach/incidents",
            json={
                "title": "Lost backup tape",
                "description": "An unencrypted backup went missing in transit.",
                "detected_at": (now - timedelta(hours=6)).isoformat(),
                "aware_at": (now - timedelta(hours=5)).isoformat(),
                "systems": ["crm"],
                "categories": ["customer_profile"],
                "risk": "high",
                "contact_point": "privacy desk",
                "external_estimates": {"crm": {"eu": 40, "us-ca": 12, "cn": 25}},
            },
        )
        assert breach.status_code == 201, breach.text
        for ref, country, days in (("acme-sg", "SG", 25), ("globex-de", "DE", 400)):
            made = officer.post(
                "/v1/transfer/recipients",
                json={
                    "ref": ref,
                    "name": f"{ref.split('-')[0].title()} Support Ltd",
                    "country": country,
                    "purpose": "Overseas after-sales support desk",
                    "data_categories": ["contact"],
                    "separate_consent": True,
                    "pia_completed_on": "2026-01-10",
                },
            )
            assert made.status_code == 201, made.text
            signed = officer.post(
                f"/v1/transfer/recipients/{ref}/agreements",
                json={
                    "signed_on": "2026-01-05",
                    "expires_on": (now + timedelta(days=days)).date().isoformat(),
                    "retention": "36 calendar_months",
                    "security_measures": ["encryption at rest"],
                },
            )
            assert signed.status_code == 201, signed.text
        for region, favourable in (("east", 28), ("west", 9)):
            for i in range(32):
                days = 3 if i < favourable else 30
                decided = officer.post(
                    "/v1/ai/decisions",
                    json={
                        "policy": "refund_eligibility",
                        "customer_id": 2,
                        "inputs": {
                            "delivered_on": (now - timedelta(days=days))
                            .date()
                            .isoformat(),
                            "category": "books",
                            "condition": "unopened",
                            "amount_cny": 39,
                        },
                        "audit_groups": {"region": region},
                    },
                )
                assert decided.status_code == 201, decided.text
    with _client(base, data_dir, "agent") as agent:
        blocked = agent.post("/v1/desk/tickets/1/replies", json={"text": BLOCKED})
        assert blocked.status_code < 500, blocked.text
    return str(late.json()["ref"])


def test_compliance_officer_sees_the_dashboard_charts(
    browser: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    late = _seed(base, data_dir)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        login(page, base, data_dir, "compliance")
        page.get_by_role("link", name="合规看板").click()
        page.wait_for_url(f"{base}/console/compliance")
        assert page.locator("h1").first.inner_text() == "合规看板"
        # Overdue request highlighted, breach clocks counting, charts drawn.
        row = page.locator(f'tr[data-ref="{late}"]')
        assert "overdue" in (row.get_attribute("class") or "")
        assert "已逾期" in row.inner_text()
        clock = page.locator('tr[data-clock="eu:breach.authority_deadline"] .countdown')
        assert "2天18小时" in clock.inner_text() or "2天19小时" in clock.inner_text()
        assert page.locator("svg.chart").count() >= 4
        assert page.locator("#fairness line.threshold").count() == 1
        assert "region=west" in page.locator(".alert-box").inner_text()
        assert (
            page.locator('#speech-rules tr[data-rule="zh.abuse.threat"]').count() == 1
        )
        assert page.locator('#speech-agents tr[data-agent="agent"]').count() == 1
        assert page.locator("#chain-status").get_attribute("data-ok") == "true"
        expiring = page.locator('#transfer-table tr[data-recipient="acme-sg"]')
        assert "剩 25 天" in expiring.inner_text()
        # The tiles are links: reachable and usable from the keyboard.
        page.locator('a[data-tile="breach"]').focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/console/compliance#breach")
        # The clocks keep counting down in the page (dashboard.js).
        page.wait_for_timeout(5500)
        assert "小时" in clock.inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "compliance-dashboard.png"), full_page=True)
    finally:
        context.close()


def test_agent_cannot_open_the_compliance_dashboard(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    login(page, base, data_dir, "agent")
    assert page.get_by_role("link", name="合规看板").count() == 0
    response = page.goto(f"{base}/console/compliance")
    assert response is not None and response.status == 403
    assert "无权访问" in page.inner_text("body")


def test_customer_chats_and_is_handed_to_a_person_on_a_phone(
    browser: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    try:
        page.goto(f"{base}/chat")
        page.get_by_role("button", name="开始咨询").click()
        log = page.locator("#chat-log li")
        log.first.wait_for()
        first = log.first
        assert "我是AI助手" in first.inner_text()  # the pack's disclosure, first
        assert first.get_attribute("data-ai-generated") == "true"
        assert first.get_attribute("data-ai-kind") == "disclosure"
        assert first.locator(".ai-label").is_visible()
        # Keyboard: type and press Enter.
        page.get_by_label("输入您的问题").fill("怎么申请七天无理由退货？")
        page.keyboard.press("Enter")
        page.locator("#chat-log li.msg-customer").first.wait_for()
        page.wait_for_function("document.querySelectorAll('#chat-log li').length >= 3")
        bot = page.locator("#chat-log li.msg-bot").last
        assert bot.get_attribute("data-ai-generated") == "true"
        assert bot.get_attribute("data-ai-label") and bot.get_attribute("data-ai-pack")
        assert bot.locator(".ai-label").is_visible()

        page.get_by_role("button", name="转人工").click()
        status = page.locator("#chat-status")
        page.wait_for_function(
            "document.getElementById('chat-status').textContent.includes('预计等待')"
        )
        assert page.get_by_role("button", name="转人工").is_disabled()
        view = page.evaluate("fetch('/chat/conversation').then(r => r.json())")
        conversation = view["conversation_id"]
        assert view["state"] == "waiting_human"

        # Staff see the hand-off through the API and answer it.
        with _client(base, data_dir, "agent") as agent:
            waiting = agent.get("/v1/ai/handoffs").json()
            assert conversation in [w["conversation_id"] for w in waiting]
            reply = agent.post(
                f"/v1/ai/conversations/{conversation}/human-replies",
                json={"text": "您好，我是客服专员小周，马上为您处理退货。"},
            )
            assert reply.status_code == 200, reply.text
        page.locator("#chat-log li.msg-agent").wait_for(timeout=15000)
        page.wait_for_function(
            "document.getElementById('chat-status').textContent.includes('人工客服已接入')"
        )
        # The bot has stepped back: a new message gets no bot answer.
        bots = page.locator("#chat-log li.msg-bot").count()
        page.get_by_label("输入您的问题").fill("好的，谢谢")
        page.get_by_role("button", name="发送").click()
        page.wait_for_function(
            "[...document.querySelectorAll('#chat-log li.msg-customer')]"
            ".some(li => li.textContent.includes('好的，谢谢'))"
        )
        assert page.locator("#chat-log li.msg-bot").count() == bots
        # Phone layout: nothing wider than the screen.
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert status.is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "chat-handoff.png"))
    finally:
        context.close()
