"""One case end to end in the browser: a resident reports with a photo from a phone, community staff
accept, register and dispatch at a desk, a grid worker checks in and resolves on a phone, the staff
verify and close, and the resident rates it."""

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from gridgov.cases.models import Case
from gridgov.notify.models import Outbox
from tests.browser.conftest import ARTIFACTS
from tests.cases.conftest import catalogue, department, jpeg, people  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
IN_GRID_A = {"latitude": 29.3905, "longitude": 106.6205}
RESIDENT_PHONE = "13700001234"


def in_db(fn):
    """Run a database read off the Playwright thread (Django refuses it where an event loop runs)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def phone_page(browser, page_errors):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  geolocation=IN_GRID_A, permissions=["geolocation"], locale="zh-CN")
    return page_errors(context.new_page())


def staff_sign_in(page, base_url, username, lands_on):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}{lands_on}")


def act(page, label, fill=None):
    """Open the action's form, fill it, confirm, and wait for the page it leads to."""
    page.locator("details.action summary", has_text=label).first.click()
    form = page.locator("details.action[open] form")
    if fill:
        fill(form)
    with page.expect_navigation():
        form.get_by_role("button", name=f"确认{label}").click()
    assert page.locator("main").inner_text().split("\n")[0].endswith(f"已{label}"), page.locator("main").inner_text()


def test_a_case_from_report_to_rating(live_server, people, catalogue, place, browser, page_errors,  # noqa: F811
                                      tmp_path):
    base = live_server.url
    photo = tmp_path / "pothole.jpg"
    photo.write_bytes(jpeg((640, 480)))

    # A resident signs in with an SMS code and reports with a photo, placed by GPS.
    resident = phone_page(browser, page_errors)
    resident.goto(f"{base}/cases/report/")
    resident.wait_for_url(f"{base}/accounts/phone/?next=/cases/report/")
    resident.get_by_label("手机号").fill(RESIDENT_PHONE)
    resident.get_by_role("button", name="获取验证码").click()
    resident.wait_for_url(f"{base}/accounts/phone/verify/")
    message = in_db(lambda: Outbox.objects.get(template="otp"))  # the address is stored encrypted
    assert message.address == RESIDENT_PHONE
    code = message.params["code"]
    resident.get_by_label("短信验证码").fill(code)
    resident.get_by_role("button", name="登录").click()
    resident.wait_for_url(f"{base}/cases/report/")
    resident.get_by_label("问题描述").fill("小区门口有人占道摆摊，堵住了人行道")
    resident.locator("input[name=photos]").set_input_files(str(photo))
    resident.get_by_placeholder("输入小区或楼栋名搜索").fill("东城")  # the picker finds buildings; GPS is used instead
    resident.wait_for_selector("#id_building option:has-text('东城公租房 1栋')", state="attached")
    assert resident.locator("#id_building").input_value() == ""
    resident.get_by_role("button", name="使用当前定位").click()
    resident.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    assert resident.locator(".place-status").inner_text() == "已定位：29.39050, 106.62050"
    resident.screenshot(path=str(ARTIFACTS / "case-1-report-phone.png"), full_page=True)
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r".*/cases/t/\d+-[0-9a-f]+/$"))
    track_url = resident.url
    assert resident.locator(".state-now").inner_text() == "当前状态：待受理"
    case_id = in_db(lambda: Case.objects.get().pk)

    # Community staff accept, register and dispatch to the grid worker at a desk.
    desk = page_errors(browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page())
    staff_sign_in(desk, base, "community_staff", "/cases/")
    desk.locator(f"tr[data-case='{case_id}'] a").first.click()
    desk.wait_for_url(f"{base}/cases/{case_id}/")
    assert desk.locator(".case-map path.leaflet-interactive").count() == 1
    assert desk.locator("img[alt=上报照片1]").count() == 1
    act(desk, "受理")
    act(desk, "立案", lambda f: (f.get_by_label("类别").select_option(label="0101 占道经营"),
                               f.get_by_label("事务类型").select_option(label="公事")))
    act(desk, "派单", lambda f: (f.get_by_label("主办部门").select_option(value=""),  # preset from the category
                               f.get_by_label("或派给个人").select_option(label="worker_a")))
    assert desk.locator("h1 .state").inner_text() == "已派单"
    desk.screenshot(path=str(ARTIFACTS / "case-2-dispatched-desk.png"), full_page=True)

    # The grid worker checks in on site (position and photo) and resolves with a photo, on a phone.
    worker = phone_page(browser, page_errors)
    staff_sign_in(worker, base, "worker_a", "/people/residents/")
    worker.goto(f"{base}/cases/orders/")
    worker.locator("li[data-order] a").first.click()
    worker.wait_for_url(re.compile(r".*/cases/orders/\d+/$"))
    worker.locator("details.action summary", has_text="报到").click()
    form = worker.locator("details.action[open] form")
    worker.wait_for_function("document.querySelector('details[open] .geo-status').textContent.startsWith('已定位')")
    form.locator("input[name=photos]").set_input_files(str(photo))
    with worker.expect_navigation():
        form.get_by_role("button", name="确认报到").click()
    worker.screenshot(path=str(ARTIFACTS / "case-3-checked-in-phone.png"), full_page=True)
    act(worker, "办结", lambda f: (f.get_by_label("办理结果").fill("已劝离摊贩，人行道已恢复通行"),
                                 f.locator("input[name=photos]").set_input_files(str(photo))))
    assert worker.locator("text=此工单当前没有您可执行的操作。").count() == 1
    assert worker.locator("img[alt=处置照片2]").count() == 1
    worker.screenshot(path=str(ARTIFACTS / "case-4-resolved-phone.png"), full_page=True)
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Someone other than the handler verifies; the case is closed.
    desk.goto(f"{base}/cases/{case_id}/")
    act(desk, "核查通过")
    act(desk, "结案")
    assert desk.locator("h1 .state").inner_text() == "已结案"
    desk.screenshot(path=str(ARTIFACTS / "case-5-closed-desk.png"), full_page=True)

    # The resident rates it from the tracking link.
    resident.goto(track_url)
    assert resident.locator(".state-now").inner_text() == "当前状态：已结案"
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_label("评价意见").fill("处理很及时")
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_url(track_url)
    assert "您的评价：满意（处理很及时）" in resident.locator("body").inner_text()
    resident.screenshot(path=str(ARTIFACTS / "case-6-rated-phone.png"), full_page=True)

    # The measures of the community: one case due this month or next, closed on time and satisfied.
    today = dt.date.today()
    desk.goto(f"{base}/cases/stats/?start={today.replace(day=1)}&end={today + dt.timedelta(days=40)}")
    desk.wait_for_selector(".chart[data-chart=areas-data] svg")
    assert desk.locator(".figure[data-rate=closing] b").inner_text() == "100.00%"
    assert desk.locator(".figure[data-rate=satisfaction] b").inner_text() == "100.00%"
    assert desk.locator(".chart[data-chart=league-data]").is_hidden()  # no department handled a case
    desk.screenshot(path=str(ARTIFACTS / "case-7-stats-desk.png"), full_page=True)
    desk.goto(f"{base}/cases/?state=closed")
    assert desk.locator("tr[data-case]").count() == 1
    desk.goto(f"{base}/cases/board/")
    assert desk.locator("tr[data-case]").count() == 0

    case = in_db(lambda: Case.objects.values("state", "rating", "handler__username").get(pk=case_id))
    assert case == {"state": "closed", "rating": "satisfied", "handler__username": "worker_a"}
    events = in_db(lambda: list(Case.objects.get(pk=case_id).events.values_list("action", "by__username")))
    reporter = events[0][1]
    assert reporter.startswith("phone_")
    assert events == [("report", reporter), ("accept", "community_staff"),
                      ("register", "community_staff"), ("dispatch", "community_staff"), ("check_in", "worker_a"),
                      ("resolve", "worker_a"), ("verify", "community_staff"), ("close", "community_staff"),
                      ("rate", reporter)]
    assert page_errors.errors == []
