"""Sensors in the browser: community staff see the devices on the territory map, coloured by state and
spread or counted per building; a grid worker edits a resident's care settings on a phone."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from gridgov.sensors import services
from gridgov.sensors.models import CareProfile
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.sensors.conftest import devices  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def in_db(fn):
    """Run a database read off the Playwright thread (Django refuses it where an event loop runs)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url


def popup_shown(page) -> None:
    """One popup open and done fading in (a closing one fades out first): what a person would see."""
    page.wait_for_function("""() => {
        const popups = document.querySelectorAll('.leaflet-popup');
        return popups.length === 1 && getComputedStyle(popups[0]).opacity === '1';
    }""")


@pytest.fixture
def four_states(devices, place):  # noqa: F811
    """Building A: a smoke alarm, a door sensor low on battery, a motion sensor online; building B:
    a water meter never heard from."""
    now = timezone.now()
    services.device_register(kind="motion", serial="PIR-A-2", dwelling=place["dwelling_a2"], interval_s=3600, now=now)
    services.events_ingest(source="mqtt", now=now, events=[
        services.Event("PIR-A-2", "1", now, "heartbeat", battery=80),
        services.Event("DS-A-1", "1", now, "heartbeat", battery=12),
        services.Event("SM-A-1", "1", now, "smoke", battery=90),
    ])
    return devices


def test_community_staff_see_the_devices_on_the_map(live_server, four_states, browser, page_errors):
    base = live_server.url
    page = page_errors(browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page())
    sign_in(page, base, "community_staff")
    page.goto(f"{base}/territory/map/")
    page.wait_for_selector('#map[data-devices-loaded="4"]')
    assert [line.strip() for line in page.locator(".leaflet-control-layers").inner_text().split("\n")] == [
        "网格与微网格", "楼栋", "感知设备（4 台）"]
    legend = page.locator(".device-legend")
    assert legend.is_visible()
    assert [legend.locator(f'[data-state-count="{s}"]').inner_text() for s in
            ("online", "silent", "low_battery", "alarm")] == ["1", "1", "1", "1"]
    assert "门 智慧门磁、人 人体红外感应、烟 智能烟感、水 智能水表" in legend.inner_text()

    # Fitted to the community the map is close enough to spread building A's three devices.
    markers = page.locator(".device-marker")
    assert markers.count() == 4
    assert sorted(markers.nth(i).get_attribute("title") for i in range(4)) == [
        "人体红外感应 PIR-A-2（在线）", "智慧门磁 DS-A-1（低电量）", "智能水表 WM-B-1（离线（静默））",
        "智能烟感 SM-A-1（有活动告警）"]
    boxes = [markers.nth(i).bounding_box() for i in range(4)]
    assert len({(round(b["x"]), round(b["y"])) for b in boxes}) == 4          # none hides another
    page.screenshot(path=str(ARTIFACTS / "map-devices-desktop.png"))

    page.locator(".device-marker.state-alarm").click()
    popup_shown(page)
    lines = page.locator(".leaflet-popup-content").inner_text().split("\n")
    assert lines[:2] + lines[3:] == ["智能烟感 SM-A-1 有活动告警", "房屋：东城公租房1栋 1-1201", "电量：90%",
                                     "未解除告警：烟雾报警（待响应）", "查看设备"]
    assert lines[2].startswith(f"最后上报：{timezone.localtime():%Y-%m-%d} ")
    page.screenshot(path=str(ARTIFACTS / "map-device-popup.png"))

    # Zoomed out, building A's devices become one badge with their count and the worst colour.
    page.locator(".leaflet-control-zoom-out").click()
    badge = page.locator(".device-cluster")
    badge.wait_for()
    assert (badge.inner_text(), "state-alarm" in badge.get_attribute("class")) == ("3", True)
    assert page.locator(".device-marker").count() == 1
    badge.click()
    popup_shown(page)
    rows = page.locator(".leaflet-popup-content .device-rows li")
    assert [rows.nth(i).inner_text() for i in range(3)] == [
        "智能烟感 SM-A-1 有活动告警：烟雾报警（待响应）", "智慧门磁 DS-A-1 低电量", "人体红外感应 PIR-A-2 在线"]
    page.screenshot(path=str(ARTIFACTS / "map-devices-badge.png"))
    page.get_by_role("button", name="放大逐台显示").click()
    page.wait_for_function("document.querySelectorAll('.device-marker').length === 4")
    assert page.locator(".device-cluster").count() == 0

    # The layer control switches the layer off and on.
    page.locator(".leaflet-control-layers label", has_text="感知设备").locator("input").uncheck()
    assert page.locator(".device-marker").count() == 0
    page.locator(".leaflet-control-layers label", has_text="感知设备").locator("input").check()
    assert page.locator(".device-marker").count() == 4

    page.locator(".device-marker.state-alarm").click()
    with page.expect_navigation():
        page.locator(".leaflet-popup-content a.device-link").click()
    assert page.locator("h1").inner_text() == "智能烟感 SM-A-1"

    # On a phone the layer control folds into its button; the map opens one zoom further out.
    phone = page_errors(browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                            locale="zh-CN").new_page())
    sign_in(phone, base, "community_staff")
    phone.goto(f"{base}/territory/map/")
    phone.wait_for_selector('#map[data-devices-loaded="4"]')
    assert "leaflet-control-layers-expanded" not in phone.locator(".leaflet-control-layers").get_attribute("class")
    assert phone.locator(".device-marker, .device-cluster").count() >= 2
    phone.screenshot(path=str(ARTIFACTS / "map-devices-phone.png"), full_page=True)
    assert page_errors.errors == []


def test_a_grid_worker_edits_care_settings_on_a_phone(live_server, devices, browser, page_errors):  # noqa: F811
    base, zhang = live_server.url, devices["zhang"]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = page_errors(context.new_page())
    sign_in(page, base, "worker_a")
    page.goto(f"{base}/people/residents/{zhang.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="关爱设置（监测与紧急联系人）").click()
    assert page.locator("h1").inner_text() == "关爱设置 · 张秀英"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]      # nothing off-screen
    page.screenshot(path=str(ARTIFACTS / "care-phone.png"), full_page=True)

    page.get_by_label("未开门预警时长（小时）").fill("36")
    page.get_by_label("免打扰开始").fill("22:00")
    page.get_by_label("免打扰结束").fill("07:00")
    new = page.locator('[data-contact="3"]')
    new.get_by_label("身份").select_option("steward")
    new.get_by_label("姓名").fill("王楼长")
    new.get_by_label("电话").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="保存关爱设置").click()
    assert page.locator(".care-summary").inner_text().split("\n") == [
        "有 1 处需要修改，尚未保存任何更改：", "第 3 行联系人的电话须为 7–12 位数字（手机或含区号的座机）"]
    assert new.locator(".errorlist").inner_text() == "第 3 行联系人的电话须为 7–12 位数字（手机或含区号的座机）"
    assert page.get_by_label("未开门预警时长（小时）").input_value() == "36"       # what was typed is kept
    assert in_db(lambda: CareProfile.objects.get(resident=zhang).door_hours) == 24
    page.screenshot(path=str(ARTIFACTS / "care-phone-error.png"), full_page=True)

    new.get_by_label("电话").fill("135 0000 4444")
    with page.expect_navigation():
        page.get_by_role("button", name="保存关爱设置").click()
    assert page.locator(".messages").inner_text() == "已保存 张秀英 的关爱设置"
    assert page.locator('[data-contact="3"]').inner_text().count("135****4444") == 1
    assert "13500004444" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "care-phone-saved.png"), full_page=True)

    def saved():
        profile = CareProfile.objects.get(resident=zhang)
        return (profile.door_hours, profile.quiet_start.strftime("%H:%M"), profile.quiet_end.strftime("%H:%M"),
                [(c.order, c.role, c.name, c.phone) for c in profile.contacts.order_by("order")])

    assert in_db(saved) == (36, "22:00", "07:00", [(1, "family", "张伟", "13700001111"),
                                                   (2, "doctor", "刘医生", "13600002222"),
                                                   (3, "steward", "王楼长", "13500004444")])
    assert page_errors.errors == []
