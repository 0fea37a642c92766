"""Debian's Chromium through Playwright, against pytest-django's live server.

pytest-django's live_server serves static files through django.contrib.staticfiles' handler
(its finders, so Leaflet comes from node_modules/leaflet/dist without collectstatic). The
live server needs a transactional database: requesting `live_server` gives one.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("GRIDGOV_SKIP_BROWSER") == "1" or not shutil.which(CHROMIUM):
        skip = pytest.mark.skip(reason="Chromium missing or GRIDGOV_SKIP_BROWSER=1")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """A headless Chromium. Start it after the database fixtures: Playwright's sync API runs an
    event loop in this thread, and Django refuses database calls from a thread with one."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_errors():
    """Console errors and uncaught exceptions of the pages it is attached to."""
    errors: list[str] = []

    def on_console(msg):
        # The browser asks for /favicon.ico by itself; the site has none.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {msg.text} ({msg.location.get('url')})")

    def attach(page):
        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", lambda req: errors.append(f"requestfailed: {req.url}"))
        return page

    attach.errors = errors
    return attach
