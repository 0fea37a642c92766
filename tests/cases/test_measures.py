import datetime as dt
from decimal import Decimal

from gridgov.cases import measures, rollup, services
from gridgov.cases.models import Case, WorkOrder
from tests.cases.conftest import MONDAY, step, to_state

TZ = MONDAY.tzinfo
MARCH = (dt.datetime(2025, 3, 1, tzinfo=TZ), dt.datetime(2025, 4, 1, tzinfo=TZ))


def bulk_cases(*, area_code, count, closed, on_time, department=None, level_grid=0, day=10, **extra):
    """`count` cases due on 2025-03-<day> 17:30; the first `closed` closed, the first `on_time` of them on time."""
    deadline = dt.datetime(2025, 3, day, 17, 30, tzinfo=TZ)
    rows = []
    for i in range(count):
        closed_at = None
        if i < closed:
            closed_at = deadline - dt.timedelta(hours=1) if i < on_time else deadline + dt.timedelta(days=2)
        rows.append(Case(channel="app", description=f"生成事件{i}", area_code=area_code, created_at=deadline
                         - dt.timedelta(days=5), deadline_at=deadline, closed_at=closed_at,
                         state="closed" if closed_at else "handling", lead_department=department,
                         level="grid" if i < level_grid else "community", **extra))
    created = Case.objects.bulk_create(rows)
    rollup.rollup_rebuild()  # bulk rows go around the write path
    return created


def test_published_figures_972_911_737(area):
    bulk_cases(area_code=area["micro_a"].code, count=972, closed=911, on_time=737)
    m = measures.measures(start=MARCH[0], end=MARCH[1], area_code=area["street"].code)
    assert (m.due, m.closed, m.closed_on_time) == (972, 911, 737)
    assert (m.closing_rate, m.on_time_rate) == (Decimal("93.72"), Decimal("75.82"))


def test_area_prefix_and_period_bound_the_cohort(area):
    bulk_cases(area_code=area["micro_a"].code, count=5, closed=5, on_time=5)
    bulk_cases(area_code=area["grid_b"].code, count=3, closed=1, on_time=0)
    bulk_cases(area_code=area["grid_b"].code, count=4, closed=4, on_time=4, day=31)
    m = measures.measures(start=MARCH[0], end=dt.datetime(2025, 3, 31, tzinfo=TZ), area_code=area["grid_b"].code)
    assert (m.due, m.closed, m.closed_on_time) == (3, 1, 0)
    whole = measures.measures(start=MARCH[0], end=MARCH[1], area_code=area["community"].code)
    assert (whole.due, whole.closed, whole.closed_on_time) == (12, 10, 9)


def test_lowest_level_shares(area):
    bulk_cases(area_code=area["micro_a"].code, count=10, closed=8, on_time=8, level_grid=6)
    m = measures.measures(start=MARCH[0], end=MARCH[1])
    assert (m.grid_share, m.community_share) == (Decimal("75.00"), Decimal("100.00"))


def test_flow_measures_from_real_transitions(report, people, department):
    fixed = to_state(report(), "closed", people, department)
    step(fixed, "rate", people["resident"], rating="satisfied")
    redo = to_state(report(), "closed", people, department)
    redo = step(redo, "rate", people["resident"], rating="unsatisfied")
    step(redo, "dispatch", people["community_staff"], lead_department=department.pk)
    step(report(), "reject", people["worker_a"], reason="重复")
    m = measures.measures(start=MARCH[0], end=MARCH[1], area_code="500113")
    assert (m.received, m.accepted, m.registered) == (3, 2, 2)
    assert (m.due, m.closed, m.closed_on_time, m.rated, m.satisfied, m.reworked) == (2, 1, 1, 2, 1, 1)
    assert (m.orders, m.signed_in_time, m.response_rate) == (3, 2, Decimal("66.67"))
    assert m.satisfaction_rate == Decimal("50.00")
    dept = measures.measures(start=MARCH[0], end=MARCH[1], department_id=department.pk)
    assert dept.due == 2
    handler = measures.measures(start=MARCH[0], end=MARCH[1], handler_id=people["dept_staff"].pk)
    assert (handler.due, handler.closed) == (1, 1)


def test_league_table_ranks_departments_with_ten_cases(area, catalogue, people, department):
    lights = services.department_create(name="区城市照明所")
    water = services.department_create(name="自来水公司", kind="organisation")
    bulk_cases(area_code=area["micro_a"].code, count=10, closed=10, on_time=9, department=department)
    bulk_cases(area_code=area["micro_a"].code, count=12, closed=12, on_time=12, department=lights)
    bulk_cases(area_code=area["micro_a"].code, count=9, closed=9, on_time=9, department=water)
    order_case = Case.objects.filter(lead_department=lights).first()
    order = WorkOrder.objects.create(case=order_case, area_code=order_case.area_code, department=lights, whistle="quick", created_at=MONDAY,
                                     sign_due_at=MONDAY + dt.timedelta(hours=1), signed_at=MONDAY)
    rollup.rollup_rebuild()
    services.department_rate(work_order=order, by=people["community_staff"], score=4)
    table = measures.league_table(start=MARCH[0], end=MARCH[1], area_code="500113")
    assert [(r.rank, r.department, r.on_time_rate) for r in table] == [
        (1, "区城市照明所", Decimal("100.00")), (2, "镇综合行政执法大队", Decimal("90.00")),
        (None, "自来水公司", Decimal("100.00"))]
    assert (table[0].reverse_score, table[0].reverse_ratings, table[0].response_rate) == (4.0, 1, Decimal("100.00"))
