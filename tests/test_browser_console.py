"""The console in a real Chromium: log in, find the queue, keyboard only, roles.

Runs against a real `complydesk serve` process. Skips with the reason when no
Chromium is installed, unless COMPLYDESK_REQUIRE_BROWSER is set (CI sets it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.test_serve_e2e import server  # noqa: F401 - the live-server fixture

CHROMIUM = os.environ.get("COMPLYDESK_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = ""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    if not reason and CHROMIUM is None:
        reason = "no Chromium found (apt-get install chromium, or COMPLYDESK_CHROMIUM)"
    if reason:
        if os.environ.get("COMPLYDESK_REQUIRE_BROWSER"):
            pytest.fail(reason + " (COMPLYDESK_REQUIRE_BROWSER is set)")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def _password(data_dir: Path, user: str) -> str:
    for line in (data_dir / "demo-credentials.txt").read_text().splitlines():
        if line.startswith(f"{user}\t"):
            return line.split("\t")[2]
    raise AssertionError(f"no demo password for {user}")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    yield context.new_page()
    context.close()


def _login(page: Any, base: str, data_dir: Path, user: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(_password(data_dir, user))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def test_agent_logs_in_with_the_keyboard_and_sees_the_queue(
    page: Any,
    server: tuple[str, Path, Path],  # noqa: F811
) -> None:
    base, data_dir, _ = server
    _login(page, base, data_dir, "agent")
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
    _login(page, base, data_dir, "agent")
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
