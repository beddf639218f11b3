"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright for Python.

Never a downloaded browser (`make test` installs Debian's chromium through scripts/ensure_chromium.sh).
A ``Session`` records what a page did that it should not: console errors, uncaught page errors, and
any request to a host other than 127.0.0.1 (aborted, so nothing leaves the machine even if a page
tried), and every request it let through (so a test can show the guard saw traffic at all).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"file", "data", "about"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "target" / "screenshots"


@dataclass
class Session:
    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.blocked, f"requests tried to leave localhost: {self.blocked}"
        assert not self.console_errors, f"browser console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@contextmanager
def chromium():
    """One headless Chromium for a test module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure_chromium.sh (or apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def session(browser, offline: bool = False, width: int = 1280, height: int = 900):
    """A fresh browser context and page with the request guard and console recording in place."""
    context = browser.new_context(viewport={"width": width, "height": height})
    if offline:
        context.set_offline(True)
    recorded = Session(page=None)

    def guard(route) -> None:
        url = route.request.url
        if _is_local(url):
            recorded.allowed.append(url)
            route.continue_()
        else:
            recorded.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    # file:// loads are not routed: record them from the request event, and anything non-local too.
    context.on(
        "request",
        lambda request: (
            None if _is_local(request.url) or request.url in recorded.blocked else recorded.blocked.append(request.url)
        ),
    )
    page = context.new_page()
    page.on(
        "console", lambda message: recorded.console_errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))
    recorded.page = page
    try:
        yield recorded
    finally:
        context.close()
