"""The console in a real Chromium: log in, find the queue, keyboard only, roles.

Runs against a real `complydesk serve` process (see tests/browser_helpers.py;
the `browser` and `page` fixtures are plugged in by conftest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser_helpers import login
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture


def test_agent_logs_in_with_the_keyboard_and_sees_the_queue(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    login(page, base, data_dir, "agent")
    page.goto(f"{base}/console/tickets")
    assert page.locator("table tbody tr").count() == 5
    text = page.inner_text("body")
    assert "DEMO-C001" in text
    # Customer personal data is never on the agent's queue in plaintext.
    assert "林晓雨" not in text and "13800138001" not in text
    page.goto(f"{base}/console/tickets?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_agent_cannot_open_the_audit_page(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    login(page, base, data_dir, "agent")
    response = page.goto(f"{base}/console/audit")
    assert response is not None and response.status == 403


def test_login_rejects_a_wrong_password_without_echoing_it(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, _, _ = server
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill("wrong-password-xyz")
    page.get_by_role("button").click()
    assert "wrong-password-xyz" not in page.content()
    assert page.url.startswith(f"{base}/login")
