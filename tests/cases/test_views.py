"""The case screens: what each page shows, and that its forms change a case only through case_transition."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.cases import screens
from gridgov.cases.models import Case, CaseEvent, DepartmentRating, WorkOrder
from tests.cases.conftest import MONDAY, jpeg, step, to_state

ACTION_RE = re.compile(r'<details class="action" data-action="([a-z_]+)"')


def offered(response) -> list[str]:
    return ACTION_RE.findall(response.content.decode())


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def photo(name="site.jpg"):
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


@pytest.fixture
def case(report):
    return report()


def dispatched_to_worker(case, people):
    case = step(case, "accept", people["community_staff"])
    case = step(case, "register", people["community_staff"], category=case.suggested_category_id, affair_kind="public")
    return step(case, "dispatch", people["community_staff"], lead_user=people["worker_a"].pk)


# --- the queue ------------------------------------------------------------------------------------------

def test_queue_lists_visible_cases_with_counts_per_state(people, report):
    first = report(description="小区门口有人占道摆摊")
    second = report(description="垃圾清运不及时，很臭")
    step(second, "accept", people["worker_a"])
    report(description="路灯坏了", lat=29.3905, lng=106.6225)  # grid B
    response = login(people["worker_a"]).get(reverse("cases:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<tr data-case="(\d+)"', html) == [str(second.pk), str(first.pk)]
    assert 'data-state="reported">待受理 <b>1</b>' in html
    assert 'data-state="accepted">已受理 <b>1</b>' in html
    assert "共 2 件" in html


def test_queue_filters_by_state_grid_colour_channel_and_search(people, report, area):
    a = report(description="小区门口有人占道摆摊")
    b = report(description="路灯坏了", lat=29.3905, lng=106.6225)
    client = login(people["community_staff"])

    def ids(**params):
        html = client.get(reverse("cases:queue"), params).content.decode()
        return re.findall(r'<tr data-case="(\d+)"', html)

    assert ids() == [str(b.pk), str(a.pk)]
    assert ids(grid=area["grid_b"].code) == [str(b.pk)]
    assert ids(q="路灯") == [str(b.pk)]
    assert ids(q=f"#{a.pk}") == [str(a.pk)]
    assert ids(state="accepted") == []
    assert ids(colour="red") == [str(b.pk), str(a.pk)]  # reported on a Monday in 2025: long overdue
    assert ids(colour="green") == []
    assert ids(colour="purple") == []
    assert ids(channel="hotline") == []
    assert ids(channel="app", category="0101") == [str(a.pk)]


def test_queue_pages_by_fifty(people, report):
    for i in range(51):
        report(description=f"占道摆摊第{i}处")
    client = login(people["community_staff"])
    first = client.get(reverse("cases:queue")).content.decode()
    second = client.get(reverse("cases:queue"), {"page": 2}).content.decode()
    assert len(re.findall(r'<tr data-case=', first)) == 50
    assert len(re.findall(r'<tr data-case=', second)) == 1
    assert "第 1 / 2 页" in first


# --- the case page: exactly the table's actions ----------------------------------------------------------

def test_case_page_offers_exactly_what_the_table_allows(people, case):
    staff = offered(login(people["community_staff"]).get(reverse("cases:case", args=[case.pk])))
    assert staff == ["accept", "reject", "merge", "withdraw", "note"]
    reporter = offered(login(people["resident"]).get(reverse("cases:case", args=[case.pk])))
    assert reporter == ["withdraw"]
    centre = offered(login(people["centre"]).get(reverse("cases:case", args=[case.pk])))
    assert centre == ["accept", "reject", "merge", "withdraw", "note", "escalate"]


def test_case_page_offers_order_actions_to_the_holder_only(people, case):
    case = dispatched_to_worker(case, people)
    order = case.work_orders.get()
    holder = login(people["worker_a"]).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert ACTION_RE.findall(holder) == ["sign", "return_order", "contact", "check_in", "request_extension",
                                         "withdraw", "suspend", "note"]
    assert f'<input type="hidden" name="work_order" value="{order.pk}">' in holder
    staff = offered(login(people["community_staff"]).get(reverse("cases:case", args=[case.pk])))
    assert staff == ["withdraw", "suspend", "note"]
    step(case, "request_extension", people["worker_a"], work_order=order.pk, days=2, reason="需协调物业")
    staff = offered(login(people["community_staff"]).get(reverse("cases:case", args=[case.pk])))
    assert staff == ["approve_extension", "refuse_extension", "withdraw", "suspend", "note"]


def test_case_page_shows_timeline_photos_and_masked_reporter(people, report):
    case = report(photos=[services_photo()], reporter_name="刘女士")
    step(case, "note", people["community_staff"], note="已电话联系物业", internal=True)
    html = login(people["community_staff"]).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "刘女士 <span class=\"masked\">139****5678</span>" in html
    assert "13912345678" not in html
    assert html.count('alt="上报照片1"') == 1
    assert "已电话联系物业" in html
    assert re.findall(r'<li class="[a-z]*" data-action="(\w+)"', html) == ["report", "note"]
    reporter = login(people["resident"]).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "已电话联系物业" not in reporter
    assert re.findall(r'<li class="[a-z]*" data-action="(\w+)"', reporter) == ["report"]
    assert "community_staff" not in reporter
    assert "139****5678" not in reporter


def services_photo():
    from gridgov.cases.services import Photo

    return Photo(name="before.jpg", data=jpeg())


# --- posting actions ------------------------------------------------------------------------------------

def test_staff_accept_register_and_dispatch_through_the_forms(people, case, catalogue):
    client = login(people["community_staff"])
    url = lambda action: reverse("cases:act", args=[case.pk, action])  # noqa: E731
    assert client.post(url("accept"), {"note": "已受理"}).status_code == 302
    response = client.post(url("register"), {"category": catalogue["0101"].pk, "affair_kind": "public",
                                             "whistle": "none", "level": "grid"})
    assert response["Location"] == reverse("cases:case", args=[case.pk])
    client.post(url("dispatch"), {"lead_user": people["worker_a"].pk})
    case.refresh_from_db()
    assert (case.state, case.category_id, case.handler) == ("dispatched", catalogue["0101"].pk, people["worker_a"])
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "register", "dispatch"]
    assert case.events.get(action="accept").by == people["community_staff"]


def test_a_refused_form_shows_the_reason_and_changes_nothing(people, case):
    response = login(people["community_staff"]).post(reverse("cases:act", args=[case.pk, "reject"]), {})
    assert response.status_code == 400
    assert "不予受理未完成：理由：这个字段是必填项。" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.events.count()) == ("reported", 1)


def test_a_wrong_state_answers_409_and_changes_nothing(people, case):
    response = login(people["community_staff"]).post(reverse("cases:act", args=[case.pk, "verify"]))
    assert response.status_code == 409  # staff may verify, but only a resolved case
    assert "当前为“待受理”，不能核查通过" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.events.count()) == ("reported", 1)


@pytest.mark.parametrize(("who", "status"), [
    ("worker_a", 302), ("community_staff", 302), ("worker_b", 404), ("resident", 403), ("dept_staff", 404),
    (None, 302),
])
def test_accept_permission_matrix(people, case, who, status):
    client = login(people[who]) if who else Client()
    response = client.post(reverse("cases:act", args=[case.pk, "accept"]))
    assert response.status_code == status
    case.refresh_from_db()
    if who in ("worker_a", "community_staff"):
        assert (case.state, case.events.count()) == ("accepted", 2)
    else:
        assert (case.state, case.events.count()) == ("reported", 1)
    if who is None:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_and_machine_actions_are_404(people, case):
    client = login(people["community_staff"])
    assert client.post(reverse("cases:act", args=[case.pk, "remind"])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.pk, "explode"])).status_code == 404
    assert client.get(reverse("cases:act", args=[case.pk, "accept"])).status_code == 405
    assert Case.objects.get(pk=case.pk).events.count() == 1


def test_next_may_not_leave_the_site(people, case):
    response = login(people["community_staff"]).post(reverse("cases:act", args=[case.pk, "accept"]),
                                                     {"next": "https://evil.example/"})
    assert response["Location"] == reverse("cases:case", args=[case.pk])


# --- the supervision board --------------------------------------------------------------------------------

def test_board_shows_red_and_yellow_cases(people, report, settings):
    import datetime as dt

    from django.utils import timezone

    overdue = report(description="占道摆摊")
    fresh = report(description="垃圾没人收", now=timezone.now())
    almost = report(description="井盖松动", now=timezone.now())
    Case.objects.filter(pk=almost.pk).update(warn_at=timezone.now() - dt.timedelta(minutes=1))
    html = login(people["community_staff"]).get(reverse("cases:board")).content.decode()
    red, yellow = html.split('class="card board-yellow"')
    assert re.findall(r'<tr data-case="(\d+)"', red) == [str(overdue.pk)]
    assert re.findall(r'<tr data-case="(\d+)"', yellow) == [str(almost.pk)]
    assert str(fresh.pk) not in re.findall(r'<tr data-case="(\d+)"', html)


# --- the field: work orders on a phone ---------------------------------------------------------------------

def test_worker_checks_in_with_position_and_photo_then_resolves(people, case):
    case = dispatched_to_worker(case, people)
    order = case.work_orders.get()
    client = login(people["worker_a"])
    mine = client.get(reverse("cases:orders")).content.decode()
    assert re.findall(r'data-order="(\d+)"', mine) == [str(order.pk)]
    assert '<span class="light light-red" title="超期">红</span>' in mine  # dispatched on a Monday in 2025
    page = client.get(reverse("cases:order", args=[order.pk]))
    assert offered(page) == ["sign", "return_order", "contact", "check_in", "request_extension"]
    url = lambda action: reverse("cases:act", args=[case.pk, action])  # noqa: E731
    next_url = reverse("cases:order", args=[order.pk])
    no_photo = client.post(url("check_in"), {"work_order": order.pk, "lat": "29.3905", "lng": "106.6205"})
    assert (no_photo.status_code, "报到须上传现场照片" in no_photo.content.decode()) == (400, True)
    response = client.post(url("check_in"), {"work_order": order.pk, "lat": "29.3905", "lng": "106.6205",
                                             "next": next_url, "photos": photo()})
    assert response["Location"] == next_url
    response = client.post(url("resolve"), {"work_order": order.pk, "result": "已劝离摊贩", "photos": photo("after.jpg"),
                                            "next": next_url})
    order.refresh_from_db()
    case.refresh_from_db()
    assert (order.state, order.check_in_lat, order.check_in_lng) == ("done", 29.3905, 106.6205)
    assert (case.state, case.result, case.attachments.count()) == ("resolved", "已劝离摊贩", 2)
    done = client.get(next_url).content.decode()
    assert "此工单当前没有您可执行的操作。" in done
    assert 'alt="处置照片2"' in done


def test_worker_asks_for_extension_and_returns_an_order(people, case):
    case = dispatched_to_worker(case, people)
    order = case.work_orders.get()
    client = login(people["worker_a"])
    url = lambda action: reverse("cases:act", args=[case.pk, action])  # noqa: E731
    client.post(url("request_extension"), {"work_order": order.pk, "days": "2", "reason": "需协调物业"})
    order.refresh_from_db()
    assert (order.extension_state, order.extension_days, order.extension_reason) == ("requested", 2.0, "需协调物业")
    client.post(url("return_order"), {"work_order": order.pk, "reason": "不属于本网格"})
    order.refresh_from_db()
    case.refresh_from_db()
    assert (order.state, order.return_reason, case.state) == ("returned", "不属于本网格", "registered")


def test_another_worker_cannot_act_on_the_order(people, case):
    case = dispatched_to_worker(case, people)
    order = case.work_orders.get()
    client = login(people["worker_b"])
    assert client.get(reverse("cases:order", args=[order.pk])).status_code == 404
    response = client.post(reverse("cases:act", args=[case.pk, "sign"]), {"work_order": order.pk})
    assert response.status_code == 404
    order.refresh_from_db()
    assert (order.state, case.events.count()) == ("open", 4)


def test_claimable_tasks_nearest_first_and_claimed_once(people, report, area):
    near = report(description="占道摆摊")
    far = report(description="垃圾清运", lat=29.3915, lng=106.6215)
    for c in (near, far):
        c = step(c, "accept", people["community_staff"])
        c = step(c, "register", people["community_staff"], category=c.suggested_category_id, affair_kind="shared")
        step(c, "open_claim", people["community_staff"])
    client = login(people["party_member"])
    html = client.get(reverse("cases:claimable"), {"lat": "29.3914", "lng": "106.6214"}).content.decode()
    orders = [WorkOrder.objects.get(case=c).pk for c in (far, near)]
    assert re.findall(r'data-order="(\d+)"', html) == [str(o) for o in orders]
    assert "已按您的位置排序" in html
    assert client.post(reverse("cases:act", args=[far.pk, "claim"]),
                       {"next": reverse("cases:orders")})["Location"] == reverse("cases:orders")
    again = login(people["worker_a"]).post(reverse("cases:act", args=[far.pk, "claim"]))
    assert again.status_code == 409
    far.refresh_from_db()
    assert (far.state, far.handler) == ("handling", people["party_member"])


# --- the resident -----------------------------------------------------------------------------------------------

def test_resident_reports_with_photos_and_gets_a_tracking_link(people, catalogue):
    client = login(people["resident"])
    response = client.post(reverse("cases:report"), {
        "description": "小区门口有人占道摆摊", "lat": "29.3905", "lng": "106.6205", "reporter_phone": "13912345678",
        "photos": [photo("a.jpg"), photo("b.jpg")]})
    case = Case.objects.get()
    token = screens.track_token(case)
    assert response["Location"] == reverse("cases:track", args=[token])
    assert (case.channel, case.reported_by, case.attachments.count()) == ("app", people["resident"], 2)
    page = Client().get(reverse("cases:track", args=[token])).content.decode()
    assert "当前状态：<b>待受理</b>" in page
    assert 'alt="上报照片2"' in page
    mine = client.get(reverse("cases:mine")).content.decode()
    assert f'href="{reverse("cases:track", args=[token])}"' in mine


def test_report_by_building_and_anonymously(people, place, catalogue):
    client = login(people["resident"])
    client.post(reverse("cases:report"), {"description": "楼道堆放杂物", "building": place["building_b"].pk,
                                          "reporter_name": "王", "reporter_phone": "13912345678", "anonymous": "on"})
    case = Case.objects.get()
    assert (case.building, case.grid.name, case.reporter_name, case.reporter_phone, case.anonymous) == \
        (place["building_b"], "第二网格", "", "", True)


def test_report_needs_a_place_and_at_most_nine_photos(people, catalogue):
    client = login(people["resident"])
    nowhere = client.post(reverse("cases:report"), {"description": "占道"}).content.decode()
    assert "请定位、在地图上点选位置，或选择楼栋" in nowhere
    many = client.post(reverse("cases:report"), {"description": "占道", "lat": "29.3905", "lng": "106.6205",
                                                 "photos": [photo(f"{i}.jpg") for i in range(10)]})
    assert "最多上传9张照片，收到10张" in many.content.decode()
    assert Case.objects.count() == 0


def test_tracking_hides_internal_notes_and_staff_names(people, case):
    step(case, "accept", people["community_staff"])
    step(case, "note", people["community_staff"], note="此人多次重复反映", internal=True)
    html = Client().get(reverse("cases:track", args=[screens.track_token(case)])).content.decode()
    assert re.findall(r'<li data-action="(\w+)"', html) == ["report", "accept"]
    assert "此人多次重复反映" not in html
    assert "community_staff" not in html


def test_tracking_token_must_match(people, case):
    token = screens.track_token(case)
    assert Client().get(reverse("cases:track", args=[token[:-1] + ("0" if token[-1] != "0" else "1")])).status_code \
        == 404
    assert Client().get(reverse("cases:track", args=[f"{case.pk + 1}-{token.split('-')[1]}"])).status_code == 404
    assert Client().get(reverse("cases:track", args=["abc"])).status_code == 404


def test_reporter_rates_a_closed_case_once(people, case, department):
    case = to_state(case, "closed", people, department)
    token = screens.track_token(case)
    client = login(people["resident"])
    page = client.get(reverse("cases:track", args=[token])).content.decode()
    assert '<input type="radio" name="rating" value="satisfied"' in page
    assert "请对办理结果评价" not in Client().get(reverse("cases:track", args=[token])).content.decode()
    response = client.post(reverse("cases:act", args=[case.pk, "rate"]),
                           {"rating": "basic", "comment": "处理及时", "next": reverse("cases:track", args=[token])})
    assert response["Location"] == reverse("cases:track", args=[token])
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == ("basic", "处理及时")
    after = client.get(reverse("cases:track", args=[token])).content.decode()
    assert "请对办理结果评价" not in after
    assert "您的评价：</b>基本满意（处理及时）" in after


def test_unsatisfied_rating_reopens(people, case, department):
    case = to_state(case, "closed", people, department)
    login(people["resident"]).post(reverse("cases:act", args=[case.pk, "rate"]), {"rating": "unsatisfied"})
    case.refresh_from_db()
    assert (case.state, case.rating) == ("reopened", "unsatisfied")


# --- the public board ----------------------------------------------------------------------------------------

def test_public_board_shows_published_cases_without_personal_data(people, report, department):
    published = to_state(report(reporter_name="刘女士", photos=[services_photo()]), "closed", people, department,
                         at=MONDAY)
    step(published, "publish", people["community_staff"], title="占道经营已整治", result="已清理占道摊点")
    to_state(report(description="另一处占道"), "closed", people, department)
    html = Client().get(reverse("cases:public")).content.decode()
    assert re.findall(r'data-case="(\d+)"', html) == [str(published.pk)]
    assert "占道经营已整治" in html and "已清理占道摊点" in html
    assert 'alt="处置前1"' in html
    for secret in ("刘女士", "13912345678", "139****", "小区门口有人占道摆摊", "dept_staff", "worker_a"):
        assert secret not in html


# --- landing and menus -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "target"), [
    ("community_staff", "cases:queue"), ("centre", "cases:queue"), ("worker_a", "people:residents"),
    ("party_member", "cases:orders"), ("dept_staff", "cases:orders"), ("resident", "cases:mine"),
])
def test_home_sends_case_roles_to_their_screen(people, who, target):
    assert login(people[who]).get(reverse("home"))["Location"] == reverse(target)


def test_menus_per_role(people):
    def menu(who):
        html = login(people[who]).get(reverse("cases:mine")).content.decode()
        nav = html.split('<nav class="nav">')[1].split("</nav>")[0]
        return re.findall(r">([^<]+)</a>", nav)

    assert menu("resident") == ["随手拍", "我的反映", "办理公示", "我的账号"]
    assert {"我的工单", "可认领任务"} <= set(menu("party_member"))
    assert "事件受理台" not in menu("party_member")
    assert {"事件受理台", "督办看板", "我的工单"} <= set(menu("community_staff"))
    assert "事件受理台" not in menu("dept_staff")


# --- the permission matrix over every page ---------------------------------------------------------------------

PERSONAS = ["worker_a", "worker_b", "community_staff", "resident", "dept_staff", None]


def _pages(case, order, token):
    return {
        "queue": (reverse("cases:queue"), [200, 200, 200, 404, 404, 302]),
        "board": (reverse("cases:board"), [200, 200, 200, 404, 404, 302]),
        "case": (reverse("cases:case", args=[case.pk]), [200, 404, 200, 200, 200, 302]),
        "orders": (reverse("cases:orders"), [200, 200, 200, 404, 200, 302]),
        "claimable": (reverse("cases:claimable"), [200, 200, 404, 404, 404, 302]),
        "order": (reverse("cases:order", args=[order.pk]), [404, 404, 404, 404, 200, 302]),
        "report": (reverse("cases:report"), [200, 200, 200, 200, 200, 302]),
        "mine": (reverse("cases:mine"), [200, 200, 200, 200, 200, 302]),
        "track": (reverse("cases:track", args=[token]), [200] * 6),
        "public": (reverse("cases:public"), [200] * 6),
    }


@pytest.mark.parametrize("page", ["queue", "board", "case", "orders", "claimable", "order", "report", "mine",
                                  "track", "public"])
def test_page_permission_matrix(people, case, department, page):
    case = to_state(case, "dispatched", people, department)
    url, expected = _pages(case, case.work_orders.get(), screens.track_token(case))[page]
    before = (CaseEvent.objects.count(), Case.objects.get(pk=case.pk).state)
    got = [(login(people[who]) if who else Client()).get(url).status_code for who in PERSONAS]
    assert got == expected
    assert (CaseEvent.objects.count(), Case.objects.get(pk=case.pk).state) == before


# --- measures ------------------------------------------------------------------------------------------------

def test_stats_show_rates_by_area_and_the_league_table(people, report, department, area):
    closed = to_state(report(), "closed", people, department)
    step(closed, "rate", people["resident"], rating="satisfied")
    to_state(report(description="占道经营又来了"), "dispatched", people, department)
    response = login(people["community_staff"]).get(reverse("cases:stats"), {"start": "2025-03-01",
                                                                             "end": "2025-03-31"})
    html = response.content.decode()
    assert '<div class="figure" data-rate="closing">结案率<b>50.00%</b></div>' in html
    assert '<div class="figure" data-rate="on_time">按期结案率<b>50.00%</b></div>' in html
    assert '<div class="figure" data-rate="satisfaction">满意率<b>100.00%</b></div>' in html
    grid_a = html.split(f'<tr data-area="{area["grid_a"].code}">')[1].split("</tr>")[0]
    assert re.findall(r'data-label="(?:应结案|已结案|结案率)">([^<]+)<', grid_a) == ["2", "1", "50.00%"]
    grid_b = html.split(f'<tr data-area="{area["grid_b"].code}">')[1].split("</tr>")[0]
    assert re.findall(r'data-label="结案率">([^<]+)<', grid_b) == ["—"]
    league = html.split(f'<tr data-department="{department.pk}">')[1].split("</tr>")[0]
    assert "不足10件不排名" in league and "镇综合行政执法大队" in league
    assert re.findall(r'data-label="(?:应结案|已结案|结案率|按期结案率|满意率|反向评价)">([^<]+)<', league) == \
        ["2", "1", "50.00%", "50.00%", "100.00%", "—"]
    chart = json.loads(re.search(r'<script id="areas-data" type="application/json">(.*?)</script>', html)[1])
    assert chart == {"names": ["第一网格", "第二网格"], "series": [
        {"name": "结案率", "data": [50.0, None]}, {"name": "按期结案率", "data": [50.0, None]},
        {"name": "满意率", "data": [100.0, None]}]}


def test_stats_period_must_be_dates_in_order(people):
    client = login(people["community_staff"])
    assert client.get(reverse("cases:stats"), {"start": "2025-13-01"}).status_code == 400
    response = client.get(reverse("cases:stats"), {"start": "2025-03-02", "end": "2025-03-01"})
    assert (response.status_code, "结束日期不能早于开始日期" in response.content.decode()) == (400, True)


@pytest.mark.parametrize(("who", "status"), [("worker_a", 200), ("community_staff", 200), ("centre", 200),
                                             ("resident", 404), ("dept_staff", 404), ("party_member", 404),
                                             (None, 302)])
def test_stats_permission(people, who, status):
    client = login(people[who]) if who else Client()
    assert client.get(reverse("cases:stats")).status_code == status


def test_report_form_offers_the_residents_own_phone_for_follow_up(people):
    from gridgov.accounts.models import User

    User.objects.filter(pk=people["resident"].pk).update(phone="13700001234")
    html = login(User.objects.get(pk=people["resident"].pk)).get(reverse("cases:report")).content.decode()
    assert 'name="reporter_phone" value="13700001234"' in html


def test_only_the_reporter_or_staff_rate(people, case, department):
    from gridgov.accounts.models import User

    case = to_state(case, "closed", people, department)
    neighbour = User.objects.create_user(username="neighbour", password="x", role="resident")
    response = login(neighbour).post(reverse("cases:act", args=[case.pk, "rate"]), {"rating": "unsatisfied"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert (case.state, case.rating, case.events.count()) == ("closed", "", 8)


def test_department_signs_and_resolves_its_order_on_the_phone_page(people, case, department):
    case = to_state(case, "dispatched", people, department)
    order = case.work_orders.get()
    client = login(people["dept_staff"])
    assert offered(client.get(reverse("cases:order", args=[order.pk]))) == \
        ["sign", "return_order", "contact", "check_in", "request_extension", "note"]
    client.post(reverse("cases:act", args=[case.pk, "sign"]), {"work_order": order.pk})
    client.post(reverse("cases:act", args=[case.pk, "resolve"]), {"work_order": order.pk, "result": "已清理"})
    case.refresh_from_db()
    assert (case.state, case.result, case.handler) == ("resolved", "已清理", people["dept_staff"])
    other = login(people["other_dept_staff"])
    assert other.get(reverse("cases:order", args=[order.pk])).status_code == 404


def test_stats_show_the_reverse_evaluation_beside_the_league(people, report, department):
    from gridgov.cases.services import department_rate

    case = step(report(), "accept", people["community_staff"])
    case = step(case, "register", people["community_staff"], category=case.suggested_category_id, affair_kind="public")
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    step(case, "sign", people["dept_staff"], work_order=order.pk)
    order.refresh_from_db()
    department_rate(work_order=order, by=people["community_staff"], score=4, comment="到场及时")
    html = login(people["community_staff"]).get(reverse("cases:stats"), {"start": "2025-03-01",
                                                                         "end": "2025-03-31"}).content.decode()
    league = html.split(f'<tr data-department="{department.pk}">')[1].split("</tr>")[0]
    assert re.findall(r'data-label="反向评价">([^<]+)<', league) == ["4.0分（1次）"]
    chart = json.loads(re.search(r'<script id="league-data" type="application/json">(.*?)</script>', html)[1])
    assert chart["series"][-1] == {"name": "基层反向评价", "data": [4.0], "axis": 1}


def test_community_rates_a_departments_whistle_answer_once(people, report, department):
    case = step(report(), "accept", people["community_staff"])
    case = step(case, "register", people["community_staff"], category=case.suggested_category_id, affair_kind="public")
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    url = reverse("cases:case", args=[case.pk])
    assert 'class="action rate-department"' not in login(people["community_staff"]).get(url).content.decode()
    step(case, "sign", people["dept_staff"], work_order=order.pk)
    page = login(people["community_staff"]).get(url).content.decode()
    assert f'<details class="action rate-department" data-order="{order.pk}">' in page
    assert "评价镇综合行政执法大队应哨（快捷哨）" in page
    assert 'class="action rate-department"' not in login(people["worker_a"]).get(url).content.decode()
    rate_url = reverse("cases:rate_department", args=[case.pk, order.pk])
    refused = login(people["worker_a"]).post(rate_url, {"score": "1"})
    assert (refused.status_code, DepartmentRating.objects.count()) == (403, 0)
    assert login(people["worker_b"]).post(rate_url, {"score": "1"}).status_code == 404
    login(people["community_staff"]).post(rate_url, {"score": "4", "comment": "到场及时"})
    again = login(people["centre"]).post(rate_url, {"score": "1"})
    assert again.status_code == 409
    assert list(DepartmentRating.objects.values_list("score", "comment", "by__username")) == \
        [(4, "到场及时", "community_staff")]
    assert 'class="action rate-department"' not in login(people["community_staff"]).get(url).content.decode()


def test_building_picker_finds_buildings_by_estate_and_name(people, place):
    client = login(people["resident"])
    url = reverse("cases:buildings")
    options = client.get(url, {"building_q": "东城 2栋"}).content.decode()
    assert re.findall(r'<option value="(\d*)">([^<]+)</option>', options) == \
        [("", "请选择楼栋（共1个）"), (str(place["building_b"].pk), "东城公租房 2栋")]
    assert len(re.findall(r"<option value=\"\d+\"", client.get(url, {"building_q": "东城"}).content.decode())) == 2
    assert "没有找到楼栋" in client.get(url, {"building_q": "西城"}).content.decode()
    assert Client().get(url, {"building_q": "东城"})["Location"].startswith(reverse("accounts:phone_login"))


def test_a_refused_report_keeps_the_chosen_building(people, place):
    html = login(people["resident"]).post(reverse("cases:report"), {
        "description": "", "building": place["building_a"].pk}).content.decode()
    assert f'<option value="{place["building_a"].pk}" selected>东城公租房 1栋</option>' in html


def test_merge_form_proposes_the_possible_duplicate(people, report):
    first = report()
    second = report(description="门口又有人占道摆摊")
    assert second.possible_duplicate_of == first
    html = login(people["community_staff"]).get(reverse("cases:case", args=[second.pk])).content.decode()
    assert f'name="into" value="{first.pk}"' in html
    login(people["community_staff"]).post(reverse("cases:act", args=[second.pk, "merge"]), {"into": first.pk})
    second.refresh_from_db()
    assert (second.state, second.merged_into) == ("merged", first)


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 12, 1), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),   # a day old: last month
    (dt.date(2026, 12, 7), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
    (dt.date(2026, 12, 8), (dt.date(2026, 12, 1), dt.date(2026, 12, 8))),    # a week on: this month so far
    (dt.date(2026, 1, 3), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
])
def test_the_stats_period_defaults_to_a_month_with_something_in_it(today, expected):
    from gridgov.cases import screens

    assert screens.period("", "", today=today) == expected
    assert screens.period("2025-10-01", "", today=today) == (dt.date(2025, 10, 1), expected[1])


def test_the_stats_page_offers_this_month_last_month_and_the_years(people, settings):
    html = login(people["community_staff"]).get(reverse("cases:stats")).content.decode()
    links = re.findall(r'<a href="\?start=(\S+)&amp;end=(\S+)"( class="active")?>(\w+)</a>', html)
    assert [label for *_, label in links] == ["本月", "上月", "本年", "上年"]
    today = timezone.localdate()
    default = tuple(d.isoformat() for d in screens.period("", "", today=today))
    assert [label for start, end, active, label in links if active] == [
        label for start, end, _, label in links if (start, end) == default]
    assert default == (screens.period_choices(today)[0 if today.day > 7 else 1][1].isoformat(),
                       screens.period_choices(today)[0 if today.day > 7 else 1][2].isoformat())
