import base64
import json

import pytest

from gridgov.cases.models import Case
from tests.cases.conftest import IN_GRID_A, jpeg, step, to_state


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def api(people):
    from django.test import Client

    def make(name):
        client = Client()
        if name:
            client.force_login(people[name])
        return client

    return make


def intake_body(**kw):
    return {"channel": "app", "description": "小区门口有人占道摆摊", **IN_GRID_A, "reporter_phone": "13912345678", **kw}


def test_intake_then_idempotent_retry(api, catalogue):
    client = api("community_staff")
    body = intake_body(channel="api", source="12345", external_id="GD-2025-1")
    first = post(client, "/api/v1/cases/intake", body)
    again = post(client, "/api/v1/cases/intake", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["suggested_category"] == "0101"
    assert Case.objects.count() == 1


def test_intake_answers_the_suggestion_with_department_and_whistle(api, catalogue):
    from gridgov.cases.models import Category

    Category.objects.filter(code="0101").update(whistle="quick")
    response = post(api("community_staff"), "/api/v1/cases/intake", intake_body(channel="api"))
    assert response.json()["suggestion"] == {"category": "0101", "name": "占道经营", "department": "镇综合行政执法大队",
                                             "whistle": "quick", "p": 1.0}  # the keyword rules: one leaf hit


def test_intake_with_a_photo_and_an_anonymous_client_refused(api, catalogue):
    photo = base64.b64encode(jpeg()).decode()
    response = post(api("resident"), "/api/v1/cases/intake", intake_body(photos=[photo]))
    assert response.status_code == 201
    assert Case.objects.get().attachments.count() == 1
    refused = post(api(None), "/api/v1/cases/intake", intake_body())
    assert refused.status_code == 401 and Case.objects.count() == 1


def test_list_filters_and_scope(api, report, people, department):
    a = report()
    to_state(report(), "registered", people, department)
    b = report(lat=29.3905, lng=106.6225, by=people["resident"])  # grid B
    staff = api("worker_a").get("/api/v1/cases/?state=reported").json()
    assert [c["id"] for c in staff["items"]] == [a.pk]
    assert staff["items"][0]["colour"] in ("green", "yellow", "red")
    assert api("worker_b").get("/api/v1/cases/").json()["count"] == 1
    assert api("worker_b").get(f"/api/v1/cases/{a.pk}").status_code == 404
    assert api("community_staff").get("/api/v1/cases/?colour=red").json()["count"] == 3  # all of 2025 is overdue
    assert api("community_staff").get(f"/api/v1/cases/?grid={b.grid_id}").json()["count"] == 1
    assert api("community_staff").get("/api/v1/cases/?colour=purple").status_code == 400


def test_resident_tracks_own_case_without_internal_notes(api, report, people):
    case = report()
    step(case, "accept", people["worker_a"])
    step(case, "note", people["worker_a"], note="居民情绪激动，注意沟通", internal=True)
    mine = api("resident").get(f"/api/v1/cases/{case.pk}").json()
    assert [e["action"] for e in mine["events"]] == ["report", "accept"]
    assert mine["work_orders"] == [] and mine["case"]["masked_reporter_phone"] == "139****5678"
    staff = api("worker_a").get(f"/api/v1/cases/{case.pk}").json()
    assert [e["action"] for e in staff["events"]] == ["report", "accept", "note"]
    other = report(by=people["worker_b"])
    assert api("resident").get(f"/api/v1/cases/{other.pk}").status_code == 404


def test_department_sees_only_its_cases_and_works_them_by_api(api, report, people, department):
    case = to_state(report(), "dispatched", people, department)
    untouched = report()
    client = api("dept_staff")
    assert [c["id"] for c in client.get("/api/v1/cases/").json()["items"]] == [case.pk]
    assert client.get(f"/api/v1/cases/{untouched.pk}").status_code == 404
    orders = client.get("/api/v1/cases/work-orders/mine").json()
    assert [o["case_id"] for o in orders] == [case.pk]
    signed = post(client, f"/api/v1/cases/{case.pk}/sign", {"work_order": orders[0]["id"]})
    assert signed.status_code == 200 and signed.json()["state"] == "handling"
    done = post(client, f"/api/v1/cases/{case.pk}/resolve", {"work_order": orders[0]["id"], "result": "已整改",
                                                            "photos": [base64.b64encode(jpeg()).decode()]})
    assert done.json()["state"] == "resolved"


def test_wrong_state_is_409_with_a_chinese_message(api, report):
    case = report()
    response = post(api("worker_a"), f"/api/v1/cases/{case.pk}/verify", {})
    assert response.status_code == 409
    assert response.json() == {"code": "wrong_state", "message": f"事件#{case.pk}当前为“待受理”，不能核查通过",
                               "errors": []}


def test_claimable_nearby_and_claim(api, report, people, department):
    case = to_state(report(), "registered", people, department)
    step(case, "open_claim", people["community_staff"])
    client = api("party_member")
    near = client.get(f"/api/v1/cases/work-orders/claimable?lat={IN_GRID_A['lat']}&lng={IN_GRID_A['lng']}").json()
    assert [o["case_id"] for o in near] == [case.pk]
    assert post(client, f"/api/v1/cases/{case.pk}/claim", {}).json()["state"] == "handling"
    assert client.get("/api/v1/cases/work-orders/claimable").json() == []


def test_measures_and_league_scoped(api, report, people, department):
    to_state(report(), "closed", people, department)
    got = api("community_staff").get("/api/v1/cases/measures?start=2025-03-01&end=2025-03-31").json()
    assert (got["due"], got["closed"], got["closing_rate"]) == (1, 1, 100.0)
    assert api("worker_a").get("/api/v1/cases/measures?start=2025-03-01&end=2025-03-31&area_code=500113").status_code == 403
    assert api("resident").get("/api/v1/cases/measures?start=2025-03-01&end=2025-03-31").status_code == 403
    dept = api("dept_staff").get("/api/v1/cases/measures?start=2025-03-01&end=2025-03-31").json()
    assert dept["due"] == 1
    table = api("centre").get("/api/v1/cases/league?start=2025-03-01&end=2025-03-31").json()
    assert [(r["department"], r["rank"]) for r in table] == [("镇综合行政执法大队", None)]


def test_reverse_evaluation_endpoint(api, report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    step(case, "sign", people["dept_staff"], work_order=order.pk)
    response = post(api("community_staff"), f"/api/v1/cases/work-orders/{order.pk}/rate-department", {"score": 5})
    assert response.json()["score"] == 5
    assert post(api("worker_a"), f"/api/v1/cases/work-orders/{order.pk}/rate-department",
                {"score": 1}).status_code == 403


def test_me_too_endpoint(api, report):
    case = report()
    assert post(api("worker_b"), f"/api/v1/cases/{case.pk}/me-too", {"phone": ""}).status_code == 200
    assert case.reporters.count() == 1


def test_openapi_lists_one_endpoint_per_action(api):
    schema = api("worker_a").get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/cases/{case_id}/")]
    assert len(paths) == 33  # 32 transitions and me-too


@pytest.mark.django_db(transaction=True)
def test_intake_through_the_group_commit_answers_201_then_200_for_a_retry(people, catalogue):
    from django.test import Client

    from gridgov.accounts.services import api_token_create

    _, key = api_token_create(user=people["community_staff"], name="对接")
    body = {"channel": "api", "description": "路灯不亮", "source": "12345", "external_id": "gc-1",
            "reporter_phone": "13912345678", **IN_GRID_A}
    first = Client().post("/api/v1/cases/intake", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    again = Client().post("/api/v1/cases/intake", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (first.status_code, again.status_code) == (201, 200)
    case = Case.objects.get()
    assert first.json() == {"id": case.pk, "created": True, "state": "reported", "grid_id": case.grid_id,
                            "off_grid": False, "suggested_category": "0201", "possible_duplicates": [],
                            "suggestion": {"category": "0201", "name": "路灯损坏", "department": "区城市照明所",
                                           "whistle": "none", "p": None}}  # the test catalogue's own keywords
    assert again.json() == {**first.json(), "created": False}
