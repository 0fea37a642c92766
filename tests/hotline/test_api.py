import datetime as dt
import io

from django.test import Client
from openpyxl import load_workbook

from gridgov.cases.models import Case
from gridgov.hotline.models import HotlineOrder
from gridgov.hotline.services import hotline_collect_sweep, hotline_token_create
from tests.cases.conftest import MONDAY, step
from tests.hotline.conftest import order

URL = "/api/v1/hotline"


def _bearer(key):
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_the_hotline_account_pushes_orders(place, catalogue):
    api = _bearer(hotline_token_create())
    response = api.post(f"{URL}/orders", {"orders": [order("GD1"), order("GD2", building_code="B-B-1")]},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    cases = {o.number: o.case_id for o in HotlineOrder.objects.all()}
    assert response.json() == {"created": 2, "existing": 0, "orders": [
        {"number": "GD1", "case_id": cases["GD1"], "created": True},
        {"number": "GD2", "case_id": cases["GD2"], "created": True}]}
    again = api.post(f"{URL}/orders", {"orders": [order("GD1")]}, content_type="application/json")
    assert again.json() == {"created": 0, "existing": 1, "orders": [
        {"number": "GD1", "case_id": cases["GD1"], "created": False}]}
    assert Case.objects.filter(channel="hotline").count() == 2


def test_invalid_orders_answer_row_column_reason(place, catalogue):
    api = _bearer(hotline_token_create())
    response = api.post(f"{URL}/orders", {"orders": [order("GD1"), order("GD2", due_at="下周")]},
                        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "column": "办理时限", "reason": "时间格式错误：下周"}]
    assert response.json()["code"] == "invalid_rows"
    assert Case.objects.count() == 0


def test_others_cannot_push(client_for, place, catalogue):
    response = client_for("worker_a").post(f"{URL}/orders", {"orders": [order()]}, content_type="application/json")
    assert response.status_code == 403
    assert Client().post(f"{URL}/orders", {"orders": [order()]}, content_type="application/json").status_code == 401
    assert Case.objects.count() == 0


def _handled(people, department):
    api = _bearer(hotline_token_create())
    api.post(f"{URL}/orders", {"orders": [order("GD1"), order("GD2")]}, content_type="application/json")
    first, second = Case.objects.order_by("id")
    step(first, "accept", people["worker_a"])
    step(second, "reject", people["worker_a"], reason="非本辖区", at=MONDAY + dt.timedelta(hours=1))
    hotline_collect_sweep(MONDAY)
    return api, first, second


def test_updates_since_a_time_in_json_and_xlsx(people, department, place, catalogue):
    api, first, second = _handled(people, department)
    body = api.get(f"{URL}/updates", {"since": "2020-01-01T00:00:00+08:00"}).json()
    assert [(u["order_number"], u["case_id"], u["status"], u["reason"], u["at"]) for u in body] == [
        ("GD1", first.pk, "签收", "", "2025-03-03T10:00:00+08:00"),
        ("GD2", second.pk, "退回", "非本辖区", "2025-03-03T11:00:00+08:00")]
    assert api.get(f"{URL}/updates", {"since": "2099-01-01T00:00:00+08:00"}).json() == []
    response = api.get(f"{URL}/updates.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows == [("回传编号", "工单编号", "状态", "退回理由", "办理情况", "时间"),
                    (body[0]["update_id"], "GD1", "签收", None, None, "2025-03-03 10:00:00"),
                    (body[1]["update_id"], "GD2", "退回", "非本辖区", None, "2025-03-03 11:00:00")]


def test_updates_are_scoped(client_for, people, department, place, catalogue):
    _handled(people, department)
    assert len(client_for("community_staff").get(f"{URL}/updates").json()) == 2
    assert client_for("worker_a").get(f"{URL}/updates").json() == []
