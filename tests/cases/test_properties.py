"""Random action sequences by random personas never leave the table, and log each applied step once."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.cases import services
from gridgov.cases.enums import RESUME, TRANSITIONS, CaseState
from gridgov.cases.models import CaseEvent, Category
from gridgov.core.errors import DomainError
from tests.cases.conftest import MONDAY, jpeg

ACTORS = ["worker_a", "worker_b", "community_staff", "resident", "dept_staff", "secretary", "centre",
          "party_member", None]
PHOTO = services.Photo("p.jpg", jpeg())


def data_for(action, case, department):
    order = case.work_orders.filter(state__in=["open", "signed"]).order_by("role", "id").first()
    done = {"category": Category.objects.get(code="0101").pk, "affair_kind": "public", "reason": "理由",
            "lead_department": department.pk, "departments": [department.pk], "whistle": "quick",
            "result": "已整改", "days": 1, "explanation": "已解释", "title": "已整治", "rating": None,
            "lat": 29.39, "lng": 106.62, "work_order": order.pk if order else None, "outcome": "fixed"}
    keys = {
        "reject": ["reason"], "register": ["category", "affair_kind"], "dispatch": ["lead_department"],
        "whistle": ["whistle", "departments"], "request_whistle": ["departments"], "refuse_whistle": ["reason"],
        "sign": ["work_order"], "return_order": ["work_order", "reason"], "contact": ["work_order"],
        "check_in": ["work_order", "lat", "lng"], "handle": ["work_order"], "approve_extension": [], "resolve": ["work_order", "result"],
        "request_extension": ["work_order", "days", "reason"], "refuse_extension": ["reason"],
        "send_back": ["reason"], "close": ["outcome"], "close_reopened": ["explanation"],
        "suspend": ["reason"], "publish": ["title", "result"],
    }.get(action, [])
    return {k: done[k] for k in keys if done[k] is not None}


# The ordinary path appears more often, so that sequences reach the later states.
ACTIONS = sorted(TRANSITIONS) + ["accept", "register", "dispatch", "sign", "resolve", "verify", "close", "rate"] * 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS),
                                st.sampled_from(["satisfied", "unsatisfied"])), min_size=1, max_size=40))
def test_random_sequences_stay_in_the_table(report, people, department, steps):
    case = report()
    at = MONDAY
    for action, actor, rating in steps:
        at += dt.timedelta(minutes=37)
        by = people[actor] if actor else None
        data = data_for(action, case, department)
        if action == "rate":
            data["rating"] = rating
        before_state, before_events = case.state, CaseEvent.objects.filter(case=case).count()
        try:
            case = services.case_transition(case=case, action=action, by=by, now=at, note="随机", **data,
                                            photos=[PHOTO] if action == "check_in" else [])
        except DomainError:
            case.refresh_from_db()
            assert (case.state, CaseEvent.objects.filter(case=case).count()) == (before_state, before_events)
            continue
        new = list(CaseEvent.objects.filter(case=case).order_by("id")[before_events:])
        expected = ["rate", "reopen"] if action == "rate" and rating == "unsatisfied" else [action]
        assert [e.action for e in new] == expected
        for event in new:
            spec = TRANSITIONS[event.action]
            assert event.from_state in spec.sources
            if spec.target is None:
                assert event.to_state == event.from_state
            elif spec.target != RESUME:
                assert event.to_state == spec.target
        assert case.state in CaseState.values
    logged = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("from_state", "to_state"))
    # The log is a chain: each event starts where the previous one ended.
    assert all(prev[1] == nxt[0] for prev, nxt in zip(logged, logged[1:], strict=False))
    assert logged[-1][1] == case.state
