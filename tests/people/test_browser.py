"""The reveal button in a real browser: htmx swaps in the reason form, then the full value."""

import os

import pytest

from gridgov.accounts.enums import AccessAction
from gridgov.accounts.models import AccessLog
from gridgov.people.models import Resident
from tests.conftest import PASSWORD

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.mark.browser
def test_reveal_on_a_phone_sized_page(live_server, households, persona, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian's Chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    zhang = Resident.objects.get(name="张秀英")
    full, masked = zhang.id_number, zhang.masked_id_number

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{live_server.url}/accounts/login/?next=/people/residents/{zhang.pk}/")
        page.fill("input[name=username]", "worker_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#pii-id_number")
        assert page.inner_text("#pii-id_number") == masked
        assert full not in page.content()

        page.click("button[hx-get*='field=id_number']")
        page.fill("#reveal-id_number input[name=reason]", "入户核实身份")
        page.click("#reveal-id_number button[type=submit]")
        page.wait_for_selector("#reveal-id_number .revealed")
        shown = page.inner_text("#reveal-id_number .revealed")
        browser.close()

    assert shown == full
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.field, log.reason) == (persona["worker_a"], AccessAction.REVEAL, "id_number",
                                                            "入户核实身份")
