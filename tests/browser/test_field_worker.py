"""A grid worker on a phone: signs in, sees only their grid's residents masked, opens the map."""

import pytest

from gridgov.lib.pii import mask_id_number
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD, id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/people/residents/")


def test_grid_worker_sees_own_residents_masked_and_the_map(live_server, households, persona, browser,
                                                            page_errors):
    masked = "5001**********002X"
    assert mask_id_number(id_number(1)) == masked
    base_url = live_server.url
    area_id = persona["worker_a"].area_id

    phone = page_errors(browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True))
    sign_in(phone, base_url, "worker_a")
    rows = phone.locator("table.responsive tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td[data-label='姓名']").inner_text() == "张秀英"
    assert rows.first.locator("td[data-label='身份证号']").inner_text() == masked
    assert rows.first.locator("td[data-label='电话']").inner_text() == "139****5678"
    body = phone.locator("body").inner_text()
    assert "李建国" not in body and "王芳" not in body and id_number(1) not in body
    phone.screenshot(path=str(ARTIFACTS / "residents-phone.png"), full_page=True)
    phone.goto(f"{base_url}/territory/areas/{area_id}/")
    phone.wait_for_selector("#map[data-loaded]")
    assert phone.locator("[data-figure=households]").inner_text() == "1"
    phone.screenshot(path=str(ARTIFACTS / "area-phone.png"), full_page=True)

    desktop = page_errors(browser.new_context(viewport=DESKTOP).new_page())
    sign_in(desktop, base_url, "worker_a")
    desktop.goto(f"{base_url}/territory/map/")
    desktop.wait_for_selector("#map[data-loaded]")
    assert desktop.locator("#map").get_attribute("data-loaded") == "2"
    assert desktop.locator("#map path.leaflet-interactive").count() == 3  # grid, microgrid, one building
    assert desktop.locator(".leaflet-tile").count() == 0
    desktop.screenshot(path=str(ARTIFACTS / "map-desktop.png"))

    # The grid's upper right quarter: outside its microgrid and the building.
    grid = desktop.locator("#map path.leaflet-interactive").first.bounding_box()
    desktop.mouse.click(grid["x"] + grid["width"] * 0.8, grid["y"] + grid["height"] * 0.2)
    desktop.locator(".leaflet-popup a.area-link").click()
    desktop.wait_for_url(f"{base_url}/territory/areas/*/")
    assert desktop.locator("h1").inner_text() == "第一网格 网格"
    assert desktop.locator("[data-figure=residents]").inner_text() == "1"
    assert page_errors.errors == []
