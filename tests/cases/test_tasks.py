import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gridgov.cases import tasks
from gridgov.cases.models import Case, CaseEvent
from gridgov.core import worker
from tests.cases.conftest import MONDAY, step, to_state

TZ = MONDAY.tzinfo


def test_reminder_once_when_three_quarters_used(report):
    case = report()  # accept within 2 working hours: due 12:00, warn at 11:30
    assert (case.warn_at, case.remind_at) == (dt.datetime(2025, 3, 3, 11, 30, tzinfo=TZ),) * 2
    assert tasks.case_remind_sweep(MONDAY + dt.timedelta(minutes=89)) == 0
    assert tasks.case_remind_sweep(MONDAY + dt.timedelta(minutes=95)) == 1
    assert tasks.case_remind_sweep(MONDAY + dt.timedelta(minutes=96)) == 0
    assert CaseEvent.objects.filter(case=case, action="remind").count() == 1


def test_escalation_climbs_one_level_a_day_and_stops_at_the_district(report):
    case = report()
    first = dt.datetime(2025, 3, 3, 12, 5, tzinfo=TZ)
    assert tasks.case_escalate_sweep(first) == 1
    assert tasks.case_escalate_sweep(first) == 0
    case.refresh_from_db()
    assert (case.level, case.escalate_at) == ("community", dt.datetime(2025, 3, 4, 12, 0, tzinfo=TZ))
    assert tasks.case_escalate_sweep(first + dt.timedelta(days=1)) == 1
    assert tasks.case_escalate_sweep(first + dt.timedelta(days=2)) == 1
    case.refresh_from_db()
    assert (case.level, case.escalate_at) == ("district", None)
    assert tasks.case_escalate_sweep(first + dt.timedelta(days=3)) == 0
    assert list(CaseEvent.objects.filter(action="escalate").values_list("data__to", flat=True)) == [
        "community", "street", "district"]


def test_a_stage_change_resets_the_clock(report, people):
    case = step(report(), "accept", people["worker_a"], at=MONDAY + dt.timedelta(minutes=30))
    assert tasks.case_remind_sweep(dt.datetime(2025, 3, 3, 11, 45, tzinfo=TZ)) == 0
    assert case.due_at == dt.datetime(2025, 3, 3, 16, 0, tzinfo=TZ)  # 4 working hours from 10:30, lunch skipped


def test_a_restarted_worker_misses_nothing(report):
    cases = [report() for _ in range(3)]
    # The worker was down for a whole day: everything waiting is found on the first sweep.
    done = worker.run_once(MONDAY + dt.timedelta(days=1))
    assert (done["case_remind_sweep"], done["case_escalate_sweep"]) == (3, 3)
    assert worker.run_once(MONDAY + dt.timedelta(days=1))["case_remind_sweep"] == 0
    assert {c.level for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {"community"}


def test_work_order_alerts_each_missed_deadline_once(report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    assert tasks.work_order_alert_sweep(dt.datetime(2025, 3, 3, 11, 1, tzinfo=TZ)) == 1  # sign missed
    order.refresh_from_db()
    assert order.alert_at == order.contact_due_at
    assert tasks.work_order_alert_sweep(dt.datetime(2025, 3, 3, 11, 2, tzinfo=TZ)) == 0
    step(case, "sign", people["dept_staff"], work_order=order.pk, at=dt.datetime(2025, 3, 3, 11, 3, tzinfo=TZ))
    step(case, "contact", people["dept_staff"], work_order=order.pk, at=dt.datetime(2025, 3, 3, 11, 4, tzinfo=TZ))
    order.refresh_from_db()
    assert order.alert_at == order.arrive_due_at


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_act_twice(report):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    for _ in range(20):
        report()
    later = MONDAY + dt.timedelta(hours=3)
    results, barrier = [], threading.Barrier(4)

    def sweep():
        try:
            barrier.wait()
            results.append(tasks.case_remind_sweep(later) + tasks.case_escalate_sweep(later))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 40
    assert CaseEvent.objects.filter(action="remind").count() == 20
    assert CaseEvent.objects.filter(action="escalate").count() == 20
    assert set(Case.objects.values_list("level", flat=True)) == {"community"}
