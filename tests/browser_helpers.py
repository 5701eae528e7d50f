"""Shared pieces of the browser tests: Debian's Chromium through Playwright.

`browser` skips with the reason when no Chromium is installed, unless
COMPLYDESK_REQUIRE_BROWSER is set (CI sets it). conftest plugs this module in,
so `browser` and `page` are fixtures everywhere; import `login` and `password`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


def password(data_dir: Path, user: str) -> str:
    for line in (data_dir / "demo-credentials.txt").read_text().splitlines():
        if line.startswith(f"{user}\t"):
            return line.split("\t")[2]
    raise AssertionError(f"no demo password for {user}")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    yield context.new_page()
    context.close()


def login(page: Any, base: str, data_dir: Path, user: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password(data_dir, user))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
