"""Random case histories through the write path: the measures read from the rollup equal the live count,
for random periods, areas and departments, and the stored counters equal a fresh recount."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.cases import measures, rollup, services
from gridgov.cases.models import Category, Department
from gridgov.core.errors import DomainError
from tests.cases.conftest import MONDAY, jpeg
from tests.cases.test_properties import ACTIONS, data_for

TZ = MONDAY.tzinfo
ACTORS = ["worker_a", "worker_b", "community_staff", "resident", "dept_staff", "other_dept_staff", "secretary",
          "centre", "party_member", None]
# Where a case is reported: microgrid A, grid B outside its microgrid, microgrid B.
PLACES = [{"lat": 29.3905, "lng": 106.6205}, {"lat": 29.3915, "lng": 106.6235}, {"lat": 29.3905, "lng": 106.6225}]
# Gaps between steps: a signature within the hour or hours late, a close on time or days late.
GAPS = [dt.timedelta(minutes=20), dt.timedelta(hours=2), dt.timedelta(days=1), dt.timedelta(days=3),
        dt.timedelta(days=8)]
AREAS = ["", "500113", "500113002", "500113002001", "500113002001001", "500113002001002", "50011300200100101",
         "50011300200100201"]
PHOTO = services.Photo("p.jpg", jpeg())

# After the ordinary path, more of what changes the measures: extensions, ratings, reworks, returns, pauses.
TAIL = ACTIONS + ["request_extension", "approve_extension", "reopen", "dispatch", "whistle", "sign", "check_in",
                  "resolve", "verify", "close", "escalate", "suspend", "resume", "return_order"] + ["rate"] * 6 \
    + ["whistle", "rate_department"] * 3
PATH = ["accept", "register", "dispatch", "sign", "resolve", "verify", "close"]

path = st.tuples(st.sampled_from([0, 1, 2, 3, 4, 5, 6] + [len(PATH)] * 5), st.sampled_from(["grid", "community", "street"]),
                 st.lists(st.sampled_from(GAPS), min_size=len(PATH), max_size=len(PATH)),
                 st.sampled_from(["", "satisfied", "basic", "unsatisfied", "rework"]), st.booleans(), st.integers(0, 5))
tail = st.lists(st.tuples(st.sampled_from(TAIL), st.sampled_from(ACTORS),
                          st.sampled_from(["satisfied", "basic", "unsatisfied"]), st.sampled_from(GAPS),
                          st.booleans(), st.integers(1, 5)), max_size=12)
histories = st.lists(st.tuples(st.integers(0, 45), st.sampled_from([8, 10, 15, 23]), st.sampled_from(PLACES),
                               st.booleans(), path, tail), min_size=1, max_size=3)
periods = st.lists(st.tuples(st.integers(0, 150), st.sampled_from([1, 6, 30, 31, 45, 92, 200, 365]),
                             st.sampled_from(AREAS), st.sampled_from([None, "department", "other"])),
                   min_size=1, max_size=6)


def _ordinary_path(case, people, department, staff, at, path):
    """The first steps of the ordinary path, each a gap after the one before, dispatched by a plain order or
    a quick whistle (whose answer the community may rate); once closed, the resident's rating (an
    unsatisfied one reopens the case; "rework" dispatches it again)."""
    length, level, gaps, rating, whistled, score = path
    for action, gap in zip(PATH[:length], gaps, strict=False):
        at += gap
        if action == "dispatch" and whistled:
            case = services.case_transition(case=case, action="whistle", by=people["community_staff"], now=at,
                                            whistle="quick", departments=[department.pk])
            continue
        order = case.work_orders.filter(state__in=["open", "signed"]).first()
        data = {"register": {"category": Category.objects.get(code="0101").pk, "affair_kind": "public",
                             "level": level},
                "dispatch": {"lead_department": department.pk}, "sign": {"work_order": order and order.pk},
                "resolve": {"work_order": order and order.pk, "result": "已整改"}, "close": {"outcome": "fixed"},
                }.get(action, {})
        by = staff if action in ("sign", "resolve") else people["community_staff"]  # in scope of every place
        case = services.case_transition(case=case, action=action, by=by, now=at, **data)
        if action == "sign" and score:
            _rate_a_department(case, people, score)
    if case.state == "closed" and rating:
        at += gaps[0]
        case = services.case_transition(case=case, action="rate", by=people["resident"], now=at,
                                        rating="unsatisfied" if rating == "rework" else rating)
        if rating == "rework":
            case = services.case_transition(case=case, action="dispatch", by=people["community_staff"], now=at,
                                            lead_department=department.pk)
    return case, at


def _rate_a_department(case, people, score) -> None:
    """The community rates the first answered, unrated whistle order of the case, if there is one."""
    order = case.work_orders.exclude(whistle="none").filter(department__isnull=False, signed_at__isnull=False,
                                                            rating__isnull=True).first()
    if order is not None:
        services.department_rate(work_order=order, by=people["community_staff"], score=score)


def live_history(report, people, departments, start, place, other, path, tail) -> None:
    department = departments["other" if other else "department"]
    staff = people["other_dept_staff" if other else "dept_staff"]
    case, at = _ordinary_path(report(now=start, **place), people, department, staff, start, path)
    for action, actor, rating, gap, switch, score in tail:
        at += gap
        if action == "rate_department":
            _rate_a_department(case, people, score)
            continue
        data = data_for(action, case, departments["department" if switch else "other"])
        if action == "rate":
            data["rating"] = rating
        try:
            case = services.case_transition(case=case, action=action, by=people[actor] if actor else None, now=at,
                                            note="随机", photos=[PHOTO] if action == "check_in" else [], **data)
        except DomainError:
            case.refresh_from_db()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cases=histories, queries=periods)
def test_rollup_measures_equal_the_live_count(report, people, department, cases, queries):
    departments = {"department": department, "other": Department.objects.get(name="区城市照明所")}
    for offset, hour, place, other, path, tail in cases:
        start = dt.datetime(2025, 3, 3, hour, 0, tzinfo=TZ) + dt.timedelta(days=offset)
        live_history(report, people, departments, start, place, other, path, tail)
    assert rollup.rollup_differences() == []
    for offset, length, code, which in queries + [(0, 365, "", None)]:
        first = dt.date(2025, 2, 20) + dt.timedelta(days=offset) if length != 365 else dt.date(2025, 1, 1)
        start = dt.datetime.combine(first, dt.time(), TZ)
        end = start + dt.timedelta(days=length)
        department_id = departments[which].pk if which else None
        assert measures.measures(start=start, end=end, area_code=code, department_id=department_id) == \
            measures.live_measures(start=start, end=end, area_code=code, department_id=department_id)
        assert measures.league_table(start=start, end=end, area_code=code) == \
            measures.live_league_table(start=start, end=end, area_code=code)
