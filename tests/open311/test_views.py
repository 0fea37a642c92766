"""GeoReport v2 over HTTP: every JSON body checked against the schemas, every XML body parsed, exact values."""

import datetime as dt

import pytest

from gridgov.cases import services as cases
from gridgov.cases.models import Case, CaseEvent
from gridgov.open311.models import RequestUpdate, ServiceRequest
from gridgov.open311.services import client_key_create
from tests.cases.conftest import IN_GRID_A, MONDAY, to_state
from tests.open311.conftest import as_json, as_xml, error_of

V2 = "/open311/v2"
MARCH = {"start_date": "2025-03-01T00:00:00+08:00", "end_date": "2025-03-31T00:00:00+08:00"}


def post(client, key, fmt="json", **form):
    return client.post(f"{V2}/requests.{fmt}", {"api_key": key, **form})


def garbage(**extra):
    return {"service_code": "0102", "lat": "29.3905", "long": "106.6205", "description": "楼下垃圾三天没人清运",
            "attribute[volume]": "large", **extra}


# --- discovery and services -------------------------------------------------------------------------

def test_discovery_in_both_formats(client, db):
    body = as_json(client.get(f"{V2}/discovery.json"), "discovery")
    assert body["endpoints"] == [{"specification": "http://wiki.open311.org/GeoReport_v2",
                                  "url": "http://testserver/open311/v2", "changeset": "2026-11-22T08:00:00+08:00",
                                  "type": "production", "formats": ["text/xml", "application/json"]}]
    root = as_xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


def test_services_one_per_leaf_category_grouped_by_first_level(client, attributes):
    body = as_json(client.get(f"{V2}/services.json"), "services")
    assert body == [
        {"service_code": "0101", "service_name": "占道经营", "description": "市容环境 · 占道经营", "metadata": False,
         "type": "realtime", "keywords": "占道,摆摊", "group": "市容环境"},
        {"service_code": "0102", "service_name": "垃圾清运", "description": "市容环境 · 垃圾清运", "metadata": True,
         "type": "realtime", "keywords": "垃圾,清运,臭", "group": "市容环境"},
        {"service_code": "0201", "service_name": "路灯损坏", "description": "市政设施 · 路灯损坏", "metadata": False,
         "type": "realtime", "keywords": "路灯,不亮", "group": "市政设施"},
    ]
    root = as_xml(client.get(f"{V2}/services.xml"))
    assert [(s.findtext("service_code"), s.findtext("metadata"), s.findtext("group")) for s in root] == [
        ("0101", "false", "市容环境"), ("0102", "true", "市容环境"), ("0201", "false", "市政设施")]


def test_service_definition_lists_attributes(client, attributes):
    body = as_json(client.get(f"{V2}/services/0102.json"), "service-definition")
    assert body["service_code"] == "0102"
    assert [a["code"] for a in body["attributes"]] == ["volume", "kinds", "bags", "since"]
    assert body["attributes"][0] == {
        "variable": True, "code": "volume", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "垃圾有多少",
        "values": [{"key": "small", "name": "少量"}, {"key": "large", "name": "大量"}]}
    assert body["attributes"][2] == {"variable": True, "code": "bags", "datatype": "number", "required": False,
                                     "datatype_description": "填数字", "order": 3, "description": "大约几袋"}
    root = as_xml(client.get(f"{V2}/services/0102.xml"))
    assert root.tag == "service_definition"
    first = root.find("attributes/attribute")
    assert (first.findtext("code"), first.findtext("required"), first.findtext("variable")) == ("volume", "true", "true")
    assert [(v.findtext("key"), v.findtext("name")) for v in first.findall("values/value")] == [
        ("small", "少量"), ("large", "大量")]
    assert as_json(client.get(f"{V2}/services/0101.json"), "service-definition") == {
        "service_code": "0101", "attributes": []}


def test_unknown_service_is_404_in_the_asked_format(client, catalogue):
    assert error_of(client.get(f"{V2}/services/9999.json"), 404) == "服务 9999 不存在"
    assert error_of(client.get(f"{V2}/services/01.json"), 404) == "服务 01 不存在"  # a first level is no service
    root = as_xml(client.get(f"{V2}/services/9999.xml"), 404)
    assert root.tag == "errors"
    assert (root.findtext("error/code"), root.findtext("error/description")) == ("404", "服务 9999 不存在")


def test_unknown_format_and_method_are_400(client, catalogue):
    assert error_of(client.get(f"{V2}/services.csv"), 400) == "不支持的格式 csv，请使用 .xml 或 .json"
    assert error_of(client.post(f"{V2}/services.json"), 400) == "此地址不支持 POST 请求"


def test_jurisdiction_id(client, area, catalogue):
    assert len(as_json(client.get(f"{V2}/services.json", {"jurisdiction_id": "500113002"}), "services")) == 3
    assert len(as_json(client.get(f"{V2}/services.json", {"jurisdiction_id": ""}), "services")) == 3
    assert error_of(client.get(f"{V2}/services.json", {"jurisdiction_id": "sfgov.org"}), 404) == "辖区 sfgov.org 不存在"


# --- POST requests ----------------------------------------------------------------------------------

def test_post_creates_a_case_through_intake(client, org, attributes, area):
    organisation, key = org
    response = post(client, key, **garbage(**{"attribute[kinds][]": ["kitchen", "bulky"], "attribute[bags]": "6",
                                              "attribute[since]": "2026-11-20T08:00:00+08:00",
                                              "attribute[unknown]": "x", "first_name": "小明", "last_name": "王",
                                              "phone": "13900001111", "email": "wang@example.cn",
                                              "device_id": "dev-1", "account_id": "acc-9",
                                              "media_url": "https://img.example.cn/1.jpg"}))
    body = as_json(response, "post")
    case = Case.objects.get()
    assert body == [{"service_request_id": str(case.pk), "token": case.open311_request.token,
                     "service_notice": f"诉求已收到，编号 {case.pk}，可查询 requests/{case.pk}.json 了解办理进度",
                     "account_id": "acc-9"}]
    assert (case.channel, case.reported_by_id, case.source, case.grid_id) == (
        "api", organisation.user_id, f"open311:{organisation.pk}", area["grid_a"].pk)
    assert case.description == "楼下垃圾三天没人清运\n【补充信息】垃圾有多少：大量；垃圾种类：厨余、大件；大约几袋：6；" \
                               "从什么时候开始堆放：2026-11-20T08:00:00+08:00"
    assert (case.reporter_name, case.reporter_phone) == ("王小明", "13900001111")
    request = case.open311_request
    assert request.attributes == {"volume": "large", "kinds": ["kitchen", "bulky"], "bags": "6",
                                  "since": "2026-11-20T08:00:00+08:00"}
    assert (request.category.code, request.device_id, request.account_id, request.email, request.media_url) == (
        "0102", "dev-1", "acc-9", "wang@example.cn", "https://img.example.cn/1.jpg")
    assert list(case.events.values_list("action", flat=True)) == ["report"]


def test_post_xml_response(client, org, attributes, area):
    root = as_xml(post(client, org[1], "xml", **garbage()))
    case = Case.objects.get()
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(case.pk)
    assert root.find("request/account_id").text is None


@pytest.mark.parametrize("key, message", [("", "缺少 api_key"), ("o311_wrong", "api_key 无效或已停用")])
def test_post_needs_a_valid_key(client, org, attributes, area, key, message):
    assert error_of(post(client, key, **garbage()), 403) == message
    assert (Case.objects.count(), ServiceRequest.objects.count()) == (0, 0)


def test_renewed_key_replaces_the_old_one(client, org, attributes, area):
    _, old = org
    _, new = client_key_create(organisation="随手拍小程序")
    assert error_of(post(client, old, **garbage()), 403) == "api_key 无效或已停用"
    as_json(post(client, new, **garbage()), "post")
    assert Case.objects.count() == 1


@pytest.mark.parametrize("changes, status, message", [
    ({"service_code": ""}, 400, "缺少参数 service_code"),
    ({"service_code": "0999"}, 404, "服务 0999 不存在"),
    ({"lat": "", "long": ""}, 400, "请提供位置：lat 和 long，或 address_string，或 address_id"),
    ({"long": ""}, 400, "lat 和 long 须同时提供"),
    ({"lat": "北纬29"}, 400, "参数 lat 应为数字，收到“北纬29”"),
    ({"lat": "95"}, 400, "坐标超出范围：95.0, 106.6205"),
    ({"description": "臭" * 4001}, 400, "参数 description 超过4000字（4001字）"),
    ({"attribute[volume]": ""}, 400, "缺少必填属性 attribute[volume]（垃圾有多少）"),
    ({"attribute[volume]": "huge"}, 400, "属性 volume 的选项 huge 不存在"),
    ({"attribute[kinds][]": ["kitchen", "toxic"]}, 400, "属性 kinds 的选项 toxic 不存在"),
    ({"attribute[bags]": "六"}, 400, "属性 bags 应为数字，收到“六”"),
    ({"attribute[since]": "昨天"}, 400, "参数 attribute[since] 应为 ISO 8601 日期时间（如 2026-01-31T09:00:00+08:00），收到“昨天”"),
    ({"media_url": "ftp://x/1.jpg"}, 400, "参数 media_url 应为 http(s) 网址（不超过500字符），收到“ftp://x/1.jpg”"),
    ({"phone": "call-me"}, 400, "电话号码格式错误：call-me"),
    ({"lat": "", "long": "", "address_id": "B-X-9"}, 400, "address_id B-X-9 不是已登记的楼栋编码"),
    ({"lat": "", "long": "", "address_string": "火星大道1号"}, 400,
     "无法根据地址“火星大道1号”定位，请提供 lat 和 long 或 address_id（楼栋编码）"),
])
def test_post_refusals_change_nothing(client, org, attributes, place, changes, status, message):
    assert error_of(post(client, org[1], **garbage(**changes)), status) == message
    assert (Case.objects.count(), ServiceRequest.objects.count(), CaseEvent.objects.count()) == (0, 0, 0)


def test_description_of_exactly_4000_is_accepted(client, org, attributes, area):
    as_json(post(client, org[1], **garbage(description="臭" * 4000)), "post")
    assert Case.objects.get().description.startswith("臭" * 4000 + "\n【补充信息】")


def test_location_by_building_code_or_address(client, org, attributes, place):
    as_json(post(client, org[1], **garbage(lat="", long="", address_id="B-A-1")), "post")
    as_json(post(client, org[1], **garbage(lat="", long="", address_string="东城公租房 2栋 门口")), "post")
    first, second = Case.objects.order_by("id")
    assert (first.building.code, first.area_code, first.address) == ("B-A-1", "50011300200100101", "")
    assert (second.building.code, second.address) == ("B-B-1", "东城公租房 2栋 门口")
    shown = as_json(client.get(f"{V2}/requests.json", {"service_request_id": f"{first.pk},{second.pk}"}), "requests")
    assert [(r["address"], r["address_id"], r["lat"], r["long"]) for r in shown] == [
        ("东城公租房 2栋 门口", "B-B-1", 29.3905, 106.6225), ("东城公租房1栋", "B-A-1", 29.3905, 106.6205)]


def test_external_id_makes_post_idempotent(client, org, attributes, area):
    first = as_json(post(client, org[1], **garbage(external_id="app-42")), "post")
    again = as_json(post(client, org[1], **garbage(external_id="app-42", description="重复提交")), "post")
    assert first == again
    assert (Case.objects.count(), ServiceRequest.objects.count()) == (1, 1)
    as_json(post(client, org[1], **garbage()), "post")
    as_json(post(client, org[1], **garbage()), "post")
    assert Case.objects.count() == 3  # without external_id every POST is a new request, as the spec says


# --- GET requests -----------------------------------------------------------------------------------

@pytest.fixture
def dispatched(report, people, department):
    """A resident's case from Monday 2025-03-03, registered as 占道经营 and dispatched to the department."""
    case = report(description="门口有人占道摆摊，联系我13912345678，身份证500113195003071234")
    return to_state(case, "dispatched", people, department)


def test_request_record_exact_and_without_personal_data(client, dispatched, department):
    case = Case.objects.get(pk=dispatched.pk)
    response = client.get(f"{V2}/requests/{case.pk}.json")
    assert as_json(response, "requests") == [{
        "service_request_id": str(case.pk), "status": "open", "status_notes": "已派单",
        "service_name": "占道经营", "service_code": "0101",
        "description": "门口有人占道摆摊，联系我139****5678，身份证5001**********1234",
        "agency_responsible": "镇综合行政执法大队", "service_notice": None,
        "requested_datetime": "2025-03-03T10:00:00+08:00",
        "updated_datetime": case.updated_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat("T", "seconds"),
        "expected_datetime": case.deadline_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat("T", "seconds"),
        "address": None, "address_id": None, "zipcode": None, "lat": 29.3905, "long": 106.6205, "media_url": None,
    }]
    assert case.deadline_at is not None
    assert b"13912345678" not in response.content and b"resident" not in response.content
    root = as_xml(client.get(f"{V2}/requests/{case.pk}.xml"))
    request = root.find("request")
    assert (request.findtext("service_request_id"), request.findtext("status"), request.findtext("lat"),
            request.findtext("agency_responsible")) == (str(case.pk), "open", "29.3905", "镇综合行政执法大队")
    assert request.find("zipcode").text is None


def test_closed_case_reads_closed_with_the_outcome(client, report, people, department):
    case = to_state(report(), "closed", people, department)
    body = as_json(client.get(f"{V2}/requests/{case.pk}.json"), "requests")
    assert (body[0]["status"], body[0]["status_notes"]) == ("closed", "已结案：已解决")
    assert body[0]["updated_datetime"] == "2025-03-03T10:00:00+08:00"  # closed_at


def test_unknown_and_sensor_requests_are_404(client, people, catalogue):
    sensor = cases.case_intake(channel="sensor", description="门磁72小时未开启", now=MONDAY, **IN_GRID_A).case
    assert error_of(client.get(f"{V2}/requests/{sensor.pk}.json"), 404) == f"诉求 {sensor.pk} 不存在"
    assert error_of(client.get(f"{V2}/requests/abc.json"), 404) == "诉求 abc 不存在"
    assert as_json(client.get(f"{V2}/requests.json", MARCH), "requests") == []


@pytest.fixture
def three(report, people, department):
    """Three cases of March 2025: 占道 open (3 Mar), 垃圾 closed (10 Mar), 路灯 open (20 Mar)."""
    first = report(description="有人占道摆摊")
    second = report(description="垃圾没人清运", now=MONDAY + dt.timedelta(days=7), lat=29.3915)
    second = to_state(second, "closed", people, department, at=MONDAY + dt.timedelta(days=7))
    third = report(description="路灯不亮了", now=MONDAY + dt.timedelta(days=17))
    return first, second, third


def ids(response) -> list[int]:
    return [int(r["service_request_id"]) for r in as_json(response, "requests")]


def test_filters_and_window(client, three):
    first, second, third = three
    url = f"{V2}/requests.json"
    assert ids(client.get(url, MARCH)) == [third.pk, second.pk, first.pk]
    assert ids(client.get(url, {**MARCH, "status": "open"})) == [third.pk, first.pk]
    assert ids(client.get(url, {**MARCH, "status": "closed"})) == [second.pk]
    assert ids(client.get(url, {**MARCH, "status": "open,closed"})) == [third.pk, second.pk, first.pk]
    assert ids(client.get(url, {**MARCH, "service_code": "0201,0102"})) == [third.pk, second.pk]
    assert ids(client.get(url, {"start_date": "2025-03-05", "end_date": "2025-03-15"})) == [second.pk]
    assert ids(client.get(url, {"start_date": "2025-03-10T10:00:00+08:00"})) == [third.pk, second.pk]
    assert ids(client.get(url, {"end_date": "2025-03-10T09:59:59+08:00"})) == [first.pk]
    assert ids(client.get(url)) == []  # the default window is the last 90 days


def test_empty_parameters_are_absent_ones(client, three):
    url = f"{V2}/requests.json"
    plain = client.get(url, MARCH).content
    assert client.get(url, {**MARCH, "service_code": "", "status": "", "service_request_id": "",
                            "jurisdiction_id": ""}).content == plain


def test_ids_override_the_other_filters(client, three):
    first, second, third = three
    got = ids(client.get(f"{V2}/requests.json", {"service_request_id": f"{first.pk}, {third.pk},999999",
                                                 "status": "closed", "start_date": "2020-01-01"}))
    assert got == [third.pk, first.pk]


@pytest.mark.parametrize("query, status, message", [
    ({"start_date": "2025-01-01", "end_date": "2025-04-02"}, 400, "start_date 至 end_date 最长90天"),
    ({"start_date": "2025-03-02", "end_date": "2025-03-01"}, 400, "end_date 早于 start_date"),
    ({"start_date": "三月"}, 400, "参数 start_date 应为 ISO 8601 日期时间（如 2026-01-31T09:00:00+08:00），收到“三月”"),
    ({"status": "pending"}, 400, "status 只能是 open 或 closed，收到“pending”"),
    ({"service_code": "0101,0999"}, 404, "服务 0999 不存在"),
    ({"service_request_id": "1,x"}, 400, "service_request_id 应为数字编号，收到“x”"),
])
def test_bad_queries(client, three, query, status, message):
    assert error_of(client.get(f"{V2}/requests.json", query), status) == message


def test_xml_list_and_error(client, three):
    root = as_xml(client.get(f"{V2}/requests.xml", MARCH))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [str(c.pk) for c in reversed(three)]
    root = as_xml(client.get(f"{V2}/requests.xml", {"status": "x"}), 400)
    assert root.findtext("error/description") == "status 只能是 open 或 closed，收到“x”"


# --- tokens -----------------------------------------------------------------------------------------

def test_token_leads_to_the_request(client, org, attributes, area):
    posted = as_json(post(client, org[1], **garbage()), "post")[0]
    body = as_json(client.get(f"{V2}/tokens/{posted['token']}.json"), "post")
    assert body == [{"service_request_id": posted["service_request_id"], "token": posted["token"]}]
    root = as_xml(client.get(f"{V2}/tokens/{posted['token']}.xml"))
    assert root.findtext("request/service_request_id") == posted["service_request_id"]
    assert error_of(client.get(f"{V2}/tokens/nope.json"), 404) == "令牌 nope 不存在"


# --- servicerequestupdates (mySociety) --------------------------------------------------------------

def test_updates_list_public_events(client, dispatched):
    response = client.get(f"{V2}/servicerequestupdates.json", MARCH)
    body = as_json(response, "updates")
    events = list(CaseEvent.objects.filter(case=dispatched, internal=False).order_by("at", "id"))
    assert [u["update_id"] for u in body] == [str(e.pk) for e in events]
    assert [(u["status"], u["description"]) for u in body] == [
        ("OPEN", "上报"), ("OPEN", "受理"), ("ACTION_SCHEDULED", "立案"), ("ACTION_SCHEDULED", "派单")]
    root = as_xml(client.get(f"{V2}/servicerequestupdates.xml", MARCH))
    assert root.tag == "service_request_updates"
    assert [u.findtext("status") for u in root.findall("request_update")] == ["OPEN", "OPEN", "ACTION_SCHEDULED",
                                                                               "ACTION_SCHEDULED"]


def test_update_post_is_idempotent_and_withdraws_own_request(client, org, attributes, area):
    posted = as_json(post(client, org[1], **garbage()), "post")[0]
    form = {"api_key": org[1], "service_request_id": posted["service_request_id"], "update_id": "fms-7",
            "status": "closed", "description": "居民已自行处理",
            "updated_datetime": "2026-11-22T09:00:00+08:00"}
    first = client.post(f"{V2}/servicerequestupdates.json", form)
    again = client.post(f"{V2}/servicerequestupdates.json", {**form, "description": "又发一次"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    update = RequestUpdate.objects.get()
    assert (update.update_id, update.status, update.applied, update.description) == (
        "fms-7", "CLOSED", "withdraw", "居民已自行处理")
    case = Case.objects.get()
    assert (case.state, case.outcome) == ("closed", "withdrawn")
    assert list(case.events.values_list("action", flat=True)) == ["report", "withdraw"]
    assert as_json(first, "update-posted") == [{"update_id": str(update.pk)}]


def test_update_post_refusals(client, org, attributes, area):
    posted = as_json(post(client, org[1], **garbage()), "post")[0]
    base = {"api_key": org[1], "service_request_id": posted["service_request_id"], "update_id": "u1",
            "description": "补充说明"}
    url = f"{V2}/servicerequestupdates.json"
    assert error_of(client.post(url, {**base, "api_key": ""}), 403) == "缺少 api_key"
    assert error_of(client.post(url, {**base, "service_request_id": "999999"}), 404) == "诉求 999999 不存在"
    assert error_of(client.post(url, {**base, "update_id": ""}), 400) == "缺少参数 update_id"
    assert error_of(client.post(url, {**base, "description": ""}), 400) == "缺少参数 description"
    assert error_of(client.post(url, {**base, "status": "DONE"}), 400) == "未知状态 DONE"
    assert RequestUpdate.objects.count() == 0
    assert Case.objects.get().state == "reported"


def test_update_post_answers_in_xml_too(client, org, attributes, area):
    posted = as_json(post(client, org[1], **garbage()), "post")[0]
    form = {"api_key": org[1], "service_request_id": posted["service_request_id"], "update_id": "fms-8",
            "description": "补充：垃圾旁有碎玻璃"}
    root = as_xml(client.post(f"{V2}/servicerequestupdates.xml", form))
    update = RequestUpdate.objects.get()
    assert root.tag == "service_request_updates"
    assert root.findtext("request_update/update_id") == str(update.pk)
    assert (update.status, update.applied, Case.objects.get().state) == ("", "", "reported")
    assert as_json(client.post(f"{V2}/servicerequestupdates.json", form), "update-posted") == [
        {"update_id": str(update.pk)}]


def test_listing_does_not_query_per_request(client, three, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the cases (one join) and their public photos
        assert len(as_json(client.get(f"{V2}/requests.json", MARCH), "requests")) == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_are_written_together_and_each_answered_with_its_own_request(org, attributes, area):
    import threading

    from django.db import connections
    from django.test import Client

    key, bodies, barrier = org[1], {}, threading.Barrier(5)

    def one(i):
        try:
            barrier.wait()
            bodies[i] = as_json(post(Client(), key, **garbage(external_id=f"app-{i % 3}", description=f"第{i}条")),
                                "post")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = {i: body[0]["service_request_id"] for i, body in bodies.items()}
    assert (ids[0], ids[1]) == (ids[3], ids[4]) and len({ids[0], ids[1], ids[2]}) == 3
    assert (Case.objects.count(), ServiceRequest.objects.count()) == (3, 3)
    for case in Case.objects.all():
        assert case.open311_request.token == bodies[int(case.external_id[-1])][0]["token"]
