import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from gridgov.cases import measures, rollup, services
from gridgov.cases.demo import create_case_history
from gridgov.cases.models import Case, CaseDayRollup, CaseMonthRollup, Department
from gridgov.core.errors import DomainError, NotAllowed
from tests.cases.conftest import MONDAY, jpeg, step, to_state

TZ = MONDAY.tzinfo
D = dt.date


def rows(model=CaseDayRollup, period="day") -> dict:
    """The stored counters by (period, area, department), zero counters and empty rows left out."""
    stored = {}
    for r in model.objects.values(period, "area_code", "department_id", *rollup.COUNTERS):
        values = {n: r[n] for n in rollup.COUNTERS if r[n]}
        if values:
            stored[(r[period], r["area_code"], r["department_id"])] = values
    return stored


def test_each_step_moves_the_case_between_keys(report, people, department, area):
    micro = area["micro_a"].code
    case = report()
    assert rows() == {(D(2025, 3, 3), micro, 0): {"received": 1}}
    case = to_state(case, "handling", people, department)
    # Dispatch names the lead department: the received counts follow it; the deadline opens the due cohort.
    dept = department.pk
    assert rows() == {
        (D(2025, 3, 3), micro, dept): {"received": 1, "accepted": 1, "registered": 1, "orders": 1,
                                       "signed_in_time": 1},
        (D(2025, 3, 10), micro, dept): {"due": 1}}
    order = case.work_orders.get()
    case = step(case, "request_extension", people["dept_staff"], work_order=order.pk, days=2, reason="需采购配件")
    case = step(case, "approve_extension", people["community_staff"])
    assert case.deadline_at == dt.datetime(2025, 3, 12, 10, 0, tzinfo=TZ)
    assert rows()[(D(2025, 3, 12), micro, dept)] == {"due": 1}
    assert (D(2025, 3, 10), micro, dept) not in rows()
    late = dt.datetime(2025, 3, 13, 9, 30, tzinfo=TZ)
    case = step(case, "resolve", people["dept_staff"], at=late, work_order=order.pk, result="已劝离")
    case = step(step(case, "verify", people["worker_a"], at=late), "close", people["community_staff"], at=late)
    assert rows()[(D(2025, 3, 12), micro, dept)] == {"due": 1, "closed": 1, "closed_at_grid": 1,
                                                      "closed_in_community": 1}
    case = step(case, "rate", people["resident"], at=late, rating="unsatisfied")  # → reopened
    assert rows()[(D(2025, 3, 12), micro, dept)] == {"due": 1, "rated": 1}
    assert rows(CaseMonthRollup, "month") == {
        (D(2025, 3, 1), micro, dept): {"received": 1, "accepted": 1, "registered": 1, "orders": 1,
                                       "signed_in_time": 1, "due": 1, "rated": 1}}
    assert rollup.rollup_differences() == []


def test_a_late_signature_and_a_return_to_no_department(report, people, department, area):
    micro = area["micro_a"].code
    case = to_state(report(), "dispatched", people, department)
    order = case.work_orders.get()
    step(case, "sign", people["dept_staff"], at=MONDAY + dt.timedelta(hours=3), work_order=order.pk)
    assert rows()[(D(2025, 3, 3), micro, department.pk)] == {"received": 1, "accepted": 1, "registered": 1,
                                                             "orders": 1}
    step(case, "return_order", people["dept_staff"], work_order=order.pk, reason="不属于本部门职责")
    # Back to no lead department and no deadline; the returned order still counts for its department.
    assert rows() == {(D(2025, 3, 3), micro, 0): {"received": 1, "accepted": 1, "registered": 1},
                      (D(2025, 3, 3), micro, department.pk): {"orders": 1}}


def test_a_refused_transition_changes_no_counter(report, people):
    case = report()
    before = rows(), rows(CaseMonthRollup, "month")
    with pytest.raises(NotAllowed):
        step(case, "accept", people["resident"])
    assert (rows(), rows(CaseMonthRollup, "month")) == before


def test_a_transition_failing_after_the_counters_changed_leaves_them_as_they_were(report, people, department):
    case = to_state(report(), "dispatched", people, department)
    order = case.work_orders.get()
    before = rows(), rows(CaseMonthRollup, "month")
    with pytest.raises(DomainError):  # the photo is refused after the order was signed and counted
        services.case_transition(case=case, action="check_in", by=people["dept_staff"], work_order=order.pk,
                                 lat=29.39, lng=106.62, photos=[services.Photo("s.jpg", b"not an image")],
                                 now=MONDAY)
    assert (rows(), rows(CaseMonthRollup, "month")) == before
    services.case_transition(case=case, action="check_in", by=people["dept_staff"], work_order=order.pk,
                             lat=29.39, lng=106.62, photos=[services.Photo("s.jpg", jpeg())], now=MONDAY)
    assert rows()[(D(2025, 3, 3), case.area_code, department.pk)]["signed_in_time"] == 1


def test_escalation_by_the_worker_moves_the_level(report, people, department, area):
    from gridgov.cases import tasks

    case = to_state(report(), "dispatched", people, department)
    due = case.deadline_at
    order = case.work_orders.get()
    assert tasks.case_escalate_sweep(due + dt.timedelta(minutes=5)) == 1
    case = step(case, "sign", people["dept_staff"], at=due, work_order=order.pk)
    case = step(case, "resolve", people["dept_staff"], at=due, work_order=order.pk, result="已劝离")
    case = step(step(case, "verify", people["worker_a"], at=due), "close", people["community_staff"], at=due)
    assert case.level == "community"
    assert rows()[(D(2025, 3, 10), area["micro_a"].code, department.pk)] == {
        "due": 1, "closed": 1, "closed_on_time": 1, "closed_in_community": 1}


def test_bulk_rows_are_counted_by_the_rebuild_only(report, area):
    report()
    Case.objects.bulk_create([Case(channel="app", description="批量", area_code=area["grid_b"].code,
                                   created_at=MONDAY, deadline_at=MONDAY + dt.timedelta(days=1))])
    found = rollup.rollup_differences()
    assert [(table, key) for table, key, _, _ in found] == [
        ("day", (D(2025, 3, 3), area["grid_b"].code, 0)), ("day", (D(2025, 3, 4), area["grid_b"].code, 0)),
        ("month", (D(2025, 3, 1), area["grid_b"].code, 0))]
    assert rollup.rollup_rebuild() == {"days": 3, "months": 2}
    assert rollup.rollup_differences() == []
    first = rows(), rows(CaseMonthRollup, "month")
    assert rollup.rollup_rebuild() == {"days": 3, "months": 2}
    assert (rows(), rows(CaseMonthRollup, "month")) == first
    assert first[1] == {(D(2025, 3, 1), area["micro_a"].code, 0): {"received": 1},
                        (D(2025, 3, 1), area["grid_b"].code, 0): {"received": 1, "due": 1}}


def test_command_checks_and_rebuilds(report, area, capsys):
    report()
    call_command("cases", "rollup", "--check")
    assert "考核汇总表与事件一致" in capsys.readouterr().out
    CaseDayRollup.objects.update(received=5)
    with pytest.raises(CommandError, match="考核汇总表有 1 行与事件不一致"):
        call_command("cases", "rollup", "--check")
    assert "表中 {'received': 5}，应为 {'received': 1}" in capsys.readouterr().out
    call_command("cases", "rollup", "--rebuild")
    assert "考核汇总表已重建：1 个日汇总行、1 个月汇总行" in capsys.readouterr().out
    assert rows() == {(D(2025, 3, 3), area["micro_a"].code, 0): {"received": 1}}


def test_spans_split_a_period_into_days_and_whole_months():
    assert rollup.spans(D(2025, 3, 1), D(2025, 4, 1)) == ([], (D(2025, 3, 1), D(2025, 4, 1)))
    assert rollup.spans(D(2025, 1, 1), D(2026, 1, 1)) == ([], (D(2025, 1, 1), D(2026, 1, 1)))
    assert rollup.spans(D(2025, 3, 5), D(2025, 3, 20)) == ([(D(2025, 3, 5), D(2025, 3, 20))], None)
    assert rollup.spans(D(2025, 3, 1), D(2025, 3, 21)) == ([(D(2025, 3, 1), D(2025, 3, 21))], None)
    assert rollup.spans(D(2025, 1, 15), D(2025, 12, 15)) == (
        [(D(2025, 1, 15), D(2025, 2, 1)), (D(2025, 12, 1), D(2025, 12, 15))], (D(2025, 2, 1), D(2025, 12, 1)))
    assert rollup.spans(D(2025, 12, 31), D(2026, 2, 1)) == (
        [(D(2025, 12, 31), D(2026, 1, 1))], (D(2026, 1, 1), D(2026, 2, 1)))
    assert rollup.spans(D(2025, 3, 5), D(2025, 3, 5)) == ([], None)


def test_whole_days_only_at_local_midnight():
    assert rollup.whole_days(dt.datetime(2025, 3, 1, tzinfo=TZ), dt.datetime(2025, 4, 1, tzinfo=TZ)) == (
        D(2025, 3, 1), D(2025, 4, 1))
    # Midnight in Shanghai given in UTC is still a whole day; 10:00 is not, nor a naive datetime.
    assert rollup.whole_days(dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC), dt.datetime(2025, 3, 2, tzinfo=TZ)) == (
        D(2025, 3, 1), D(2025, 3, 2))
    assert rollup.whole_days(MONDAY, dt.datetime(2025, 4, 1, tzinfo=TZ)) is None
    assert rollup.whole_days(dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1)) is None


def test_a_period_between_hours_is_counted_live(report, people, department):
    to_state(report(), "closed", people, department)
    m = measures.measures(start=MONDAY - dt.timedelta(minutes=1), end=MONDAY + dt.timedelta(days=30))
    assert (m.received, m.due, m.closed, m.orders) == (1, 1, 1, 1)
    assert measures.measures(start=MONDAY + dt.timedelta(minutes=1), end=MONDAY + dt.timedelta(days=3)).received == 0


def test_the_demo_history_reads_the_same_from_the_rollup_as_live(persona, area):
    end = dt.datetime(2025, 9, 30, 18, tzinfo=TZ)
    create_case_history(seed=3, count=150, end=end)
    assert rollup.rollup_differences() == []
    departments = [None, *Department.objects.values_list("pk", flat=True)]
    for first, last in ((D(2024, 10, 1), D(2025, 10, 1)), (D(2025, 3, 1), D(2025, 4, 1)),
                        (D(2025, 2, 17), D(2025, 8, 3)), (D(2025, 9, 30), D(2025, 10, 1))):
        start, until = (dt.datetime.combine(d, dt.time(), TZ) for d in (first, last))
        for code in ("", area["street"].code, area["grid_a"].code, area["micro_b"].code):
            for department in departments:
                assert measures.measures(start=start, end=until, area_code=code, department_id=department) == \
                    measures.live_measures(start=start, end=until, area_code=code, department_id=department)
            assert measures.league_table(start=start, end=until, area_code=code) == \
                measures.live_league_table(start=start, end=until, area_code=code)
    whole = measures.measures(start=dt.datetime(2024, 10, 1, tzinfo=TZ), end=dt.datetime(2025, 10, 1, tzinfo=TZ))
    assert (whole.received, whole.orders > 0, whole.closed > 0) == (150, True, True)


# --- two writers at once (PostgreSQL) ------------------------------------------------------------------------

def _at_once(jobs) -> list:
    errors, barrier = [], threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_of_one_grid_and_day_lose_no_count(report):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    # The key does not exist yet: every thread's upsert races to insert it.
    assert _at_once([report for _ in range(6)]) == []
    assert rows() == {(D(2025, 3, 3), Case.objects.first().area_code, 0): {"received": 6}}
    assert rollup.rollup_differences() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_on_different_cases_of_one_key_lose_no_count(report, people, department):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    cases = [to_state(report(), "dispatched", people, department) for _ in range(6)]
    orders = [c.work_orders.get().pk for c in cases]

    def sign(case, order):
        return lambda: step(case, "sign", people["dept_staff"], work_order=order)

    assert _at_once([sign(c, o) for c, o in zip(cases, orders, strict=True)]) == []
    key = (D(2025, 3, 3), cases[0].area_code, department.pk)
    assert rows()[key] == {"received": 6, "accepted": 6, "registered": 6, "orders": 6, "signed_in_time": 6}
    assert rows(CaseMonthRollup, "month")[(D(2025, 3, 1), *key[1:])]["signed_in_time"] == 6
    assert rollup.rollup_differences() == []


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_during_transitions_loses_none_of_them(report, people, department):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    cases = [report() for _ in range(6)]
    jobs = [lambda c=c: step(c, "accept", people["worker_a"]) for c in cases] + [rollup.rollup_rebuild] * 2
    assert _at_once(jobs) == []
    assert rows()[(D(2025, 3, 3), cases[0].area_code, 0)] == {"received": 6, "accepted": 6}
    assert rollup.rollup_differences() == []


def test_a_reverse_evaluation_counts_on_its_work_orders_day(report, people, department, area):
    case = to_state(report(), "registered", people, department)
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    step(case, "sign", people["dept_staff"], work_order=order.pk)
    order.refresh_from_db()
    services.department_rate(work_order=order, by=people["community_staff"], score=4)
    key = (D(2025, 3, 3), area["micro_a"].code, department.pk)
    assert {n: rows()[key][n] for n in ("reverse_ratings", "reverse_score")} == {"reverse_ratings": 1,
                                                                               "reverse_score": 4}
    march = {"start": dt.datetime(2025, 3, 1, tzinfo=TZ), "end": dt.datetime(2025, 4, 1, tzinfo=TZ)}
    table = measures.league_table(**march, area_code=area["community"].code)
    assert [(r.department, r.reverse_score, r.reverse_ratings) for r in table] == [("镇综合行政执法大队", 4.0, 1)]
    assert table == measures.live_league_table(**march, area_code=area["community"].code)
    assert rollup.rollup_differences() == []


def test_a_batch_of_new_cases_is_added_in_one_go(area):
    # What a batched intake does: write the new cases, then add them all (a hotline deadline opens the due cohort).
    deadline = dt.datetime(2025, 3, 31, 23, 30, tzinfo=TZ)
    cases = Case.objects.bulk_create([
        Case(channel="app", description="一", area_code=area["micro_a"].code, created_at=MONDAY),
        Case(channel="app", description="二", area_code=area["micro_a"].code, created_at=MONDAY),
        Case(channel="hotline", description="三", area_code=area["grid_b"].code, created_at=MONDAY,
             deadline_at=deadline)])
    assert rollup.rollup_add_new(cases) == 3
    assert rows() == {(D(2025, 3, 3), area["micro_a"].code, 0): {"received": 2},
                      (D(2025, 3, 3), area["grid_b"].code, 0): {"received": 1},
                      (D(2025, 3, 31), area["grid_b"].code, 0): {"due": 1}}
    assert rollup.rollup_differences() == []
    assert rollup.rollup_add_new([]) == 0
