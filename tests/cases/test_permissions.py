"""The permission matrix: every transition endpoint × every persona; a refused write changes nothing."""

import base64
import json

import pytest
from django.test import Client

from gridgov.cases.api import ENDPOINTS
from gridgov.cases.models import Case, CaseEvent, Category, WorkOrder
from tests.cases.conftest import jpeg, step, to_state

PERSONAS = ["worker_a", "worker_b", "community_staff", "resident", "steward_a", "auditor", "dept_staff",
            "other_dept_staff", "secretary", "centre", "party_member", None]
STAFF = {"worker_a", "community_staff", "secretary", "centre"}
DISPATCHERS = {"community_staff", "secretary", "centre"}
APPROVERS = {"secretary", "centre"}
HOLDER = {"dept_staff"}

ALLOWED = {
    "accept": STAFF, "reject": STAFF, "merge": STAFF, "register": STAFF, "request_whistle": STAFF,
    "close": STAFF, "suspend": STAFF, "resume": STAFF, "publish": STAFF, "note": STAFF,
    "verify": STAFF, "send_back": STAFF,
    "withdraw": STAFF | {"resident"}, "rate": STAFF | {"resident"}, "reopen": STAFF | {"resident"},
    "dispatch": DISPATCHERS, "open_claim": DISPATCHERS, "whistle": DISPATCHERS,
    "approve_extension": DISPATCHERS, "refuse_extension": DISPATCHERS,
    "approve_whistle": APPROVERS, "refuse_whistle": APPROVERS, "close_reopened": APPROVERS, "escalate": APPROVERS,
    "claim": {"worker_a", "steward_a", "party_member"},
    "sign": HOLDER, "return_order": HOLDER, "contact": HOLDER, "check_in": HOLDER, "handle": HOLDER,
    "request_extension": HOLDER, "resolve": HOLDER,
}


def _order(case):
    return case.work_orders.filter(state__in=["open", "signed"]).get(role="lead").pk


def prepare(action, report, p, department):
    """A case where `action` is allowed by the table, and a valid body for it."""
    def at(state):
        return to_state(report(), state, p, department)

    photo = base64.b64encode(jpeg()).decode()
    if action in ("accept", "reject", "withdraw", "note"):
        return at("reported"), {"reason": "理由", "note": "备注"} if action != "accept" else {}
    if action == "merge":
        target = report()
        return at("reported"), {"into": target.pk}
    if action == "register":
        return at("accepted"), {"category": Category.objects.get(code="0101").pk, "affair_kind": "public"}
    if action in ("dispatch", "open_claim", "whistle", "request_whistle", "suspend", "escalate"):
        return at("registered"), {"lead_department": department.pk, "departments": [department.pk],
                                  "whistle": "quick", "reason": "等待材料"}
    if action == "claim":
        return step(at("registered"), "open_claim", p["community_staff"]), {}
    if action in ("approve_whistle", "refuse_whistle"):
        case = step(at("registered"), "request_whistle", p["worker_a"], departments=[department.pk])
        return case, {"reason": "不需要"}
    if action in ("sign", "return_order", "contact", "check_in"):
        case = at("dispatched")
        return case, {"work_order": _order(case), "reason": "非本单位", "lat": 29.39, "lng": 106.62, "photos": [photo]}
    if action in ("handle", "resolve", "request_extension"):
        case = at("handling")
        return case, {"work_order": _order(case), "note": "已到场", "result": "已整改", "days": 2, "reason": "配件"}
    if action in ("approve_extension", "refuse_extension"):
        case = at("handling")
        step(case, "request_extension", p["dept_staff"], work_order=_order(case), days=2, reason="配件")
        return case, {"reason": "理由不足"}
    if action in ("verify", "send_back"):
        return at("resolved"), {"reason": "照片不清楚"}
    if action == "close":
        return at("verified"), {"outcome": "fixed"}
    if action in ("rate", "reopen", "publish"):
        return at("closed"), {"rating": "satisfied", "title": "已整治", "result": "摊贩已劝离"}
    if action == "close_reopened":
        case = step(at("closed"), "rate", p["resident"], rating="unsatisfied")
        return case, {"explanation": "已解释政策"}
    if action == "resume":
        return step(at("registered"), "suspend", p["worker_a"], reason="等待"), {}
    raise AssertionError(action)


def snapshot(case):
    return (Case.objects.filter(pk=case.pk).values().get(), CaseEvent.objects.filter(case=case).count(),
            list(WorkOrder.objects.filter(case=case).values().order_by("id")))


def _body(action, data):
    fields = ENDPOINTS[action].model_fields
    return {k: v for k, v in data.items() if k in fields}


@pytest.mark.parametrize("action", sorted(ENDPOINTS))
def test_matrix(action, report, people, department):
    allowed = set()
    for name in PERSONAS:
        case, data = prepare(action, report, people, department)
        before = snapshot(case)
        client = Client()
        if name:
            client.force_login(people[name])
        url = f"/api/v1/cases/{case.pk}/{action.replace('_', '-')}"
        response = client.post(url, json.dumps(_body(action, data)), content_type="application/json")
        if response.status_code == 200:
            allowed.add(name)
            continue
        assert response.status_code in (401, 403, 404), (name, response.status_code, response.content)
        assert snapshot(case) == before, name
    assert allowed == ALLOWED[action]
