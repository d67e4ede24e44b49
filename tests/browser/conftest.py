"""Headless Chromium (Debian's package) driven by Playwright.

Every page a test opens records the requests it makes; ``assert_offline``
fails on any request that is not to loopback, a file: URL, or a data:/blob:
URL. Hostile data in tests sets ``window.__pwned`` if any of it runs.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("POLICYKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: 'make test' installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


class RecordingPage:
    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def outside_requests(self) -> list[str]:
        bad = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("file", "data", "blob", "about"):
                continue
            if parts.hostname in ("127.0.0.1", "localhost", "::1"):
                continue
            bad.append(url)
        return bad

    def assert_offline(self):
        assert self.outside_requests() == [], "the page reached beyond loopback"

    def assert_no_script_ran(self):
        assert self.page.evaluate("() => window.__pwned === undefined"), "hostile data ran as script"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    recorder = RecordingPage(page)
    yield recorder
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory):
    path = os.environ.get("POLICYKG_SCREENSHOTS")
    if path:
        os.makedirs(path, exist_ok=True)
        return path
    return str(tmp_path_factory.mktemp("screenshots"))
