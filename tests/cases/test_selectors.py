from gridgov.cases import selectors
from tests.cases.conftest import step, to_state


def ids(qs):
    return sorted(c.pk for c in qs)


def test_scope_by_area_department_and_reporter(report, people, department):
    a = report()
    b = report(lat=29.3905, lng=106.6225)  # grid B
    mine = report(by=people["worker_b"])  # in grid A, reported by worker_b
    dispatched = to_state(report(), "dispatched", people, department)
    assert ids(selectors.cases_visible_to(people["worker_a"])) == sorted([a.pk, mine.pk, dispatched.pk])
    assert ids(selectors.cases_visible_to(people["worker_b"])) == sorted([b.pk, mine.pk])
    assert ids(selectors.cases_visible_to(people["community_staff"])) == sorted([a.pk, b.pk, mine.pk, dispatched.pk])
    assert ids(selectors.cases_visible_to(people["dept_staff"])) == [dispatched.pk]
    assert ids(selectors.cases_visible_to(people["other_dept_staff"])) == []
    assert ids(selectors.cases_visible_to(people["resident"])) == sorted([a.pk, b.pk, dispatched.pk])
    assert ids(selectors.cases_visible_to(people["party_member"])) == []


def test_party_member_sees_claimable_cases_of_the_grid(report, people, department):
    case = step(to_state(report(), "registered", people, department), "open_claim", people["community_staff"])
    assert ids(selectors.cases_visible_to(people["party_member"])) == [case.pk]
    assert [o.case_id for o in selectors.work_orders_claimable_for(people["party_member"])] == [case.pk]
    assert selectors.work_orders_claimable_for(people["resident"]) == []


def test_co_reporter_sees_the_case(report, people):
    from gridgov.cases.services import case_me_too

    case = report()
    case_me_too(case=case, by=people["party_member"])
    assert ids(selectors.cases_visible_to(people["party_member"])) == [case.pk]
    assert not selectors.sees_internal(people["party_member"], case)


def test_staff_reporting_outside_their_area_sees_only_the_public_track(report, people):
    case = report(by=people["worker_b"])  # grid A, reported by grid B's worker
    assert selectors.case_get_for(people["worker_b"], case.pk) == case
    assert not selectors.sees_internal(people["worker_b"], case)
    assert selectors.sees_internal(people["worker_a"], case)
