"""Pushing status back to the hotline's webhook: a real HTTP server in a thread, retries with back-off, never twice."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gridgov.core.worker import sweeps
from gridgov.hotline.models import HotlineUpdate
from gridgov.hotline.services import hotline_collect_sweep, hotline_deliver_sweep, hotline_orders_import
from gridgov.hotline.tasks import SWEEPS
from tests.cases.conftest import MONDAY, step
from tests.hotline.conftest import order

S = dt.timedelta(seconds=1)


def _accepted(centre, people, number="GD1"):
    case = hotline_orders_import(rows=[order(number)], by=centre, now=MONDAY).created[0].case
    return step(case, "accept", people["worker_a"])


def test_retries_with_back_off_and_delivers_once(receiver, centre, people, place, catalogue):
    _accepted(centre, people)
    hotline_collect_sweep(MONDAY)
    update = HotlineUpdate.objects.get()
    receiver.answers = [500, 503]
    assert hotline_deliver_sweep(MONDAY) == 0           # 1st attempt: 500, next in 30 s
    assert hotline_deliver_sweep(MONDAY + 29 * S) == 0  # not yet due: nothing sent
    assert hotline_deliver_sweep(MONDAY + 30 * S) == 0  # 2nd attempt: 503, next in 60 s
    assert hotline_deliver_sweep(MONDAY + 89 * S) == 0
    assert hotline_deliver_sweep(MONDAY + 90 * S) == 1  # 3rd attempt: 200
    for later in (91, 200, 100_000):
        assert hotline_deliver_sweep(MONDAY + later * S) == 0
    assert [r["status"] for r in receiver.requests] == [500, 503, 200]
    assert {r["key"] for r in receiver.requests} == {f"gridgov-hotline-{update.pk}"}
    assert receiver.requests[-1]["type"] == "application/json; charset=utf-8"
    assert receiver.requests[-1]["body"] == {"update_id": update.pk, "order_number": "GD1", "status": "签收",
                                             "reason": "", "note": "", "at": "2025-03-03T10:00:00+08:00"}
    update.refresh_from_db()
    assert (update.state, update.attempts, update.last_error) == ("sent", 3, "")


def test_updates_of_one_order_go_in_order(receiver, centre, people, place, catalogue):
    case = _accepted(centre, people)
    step(case, "register", people["worker_a"], category=case.suggested_category_id, affair_kind="public")
    hotline_collect_sweep(MONDAY)
    receiver.answers = [500]
    assert hotline_deliver_sweep(MONDAY) == 0  # the first fails, the second waits behind it
    assert len(receiver.requests) == 1
    assert hotline_deliver_sweep(MONDAY + 30 * S) == 2
    assert [(r["body"]["status"], r["status"]) for r in receiver.requests] == [
        ("签收", 500), ("签收", 200), ("办理中", 200)]


def test_gives_up_after_the_maximum(receiver, settings, centre, people, place, catalogue):
    settings.GRIDGOV_HOTLINE_MAX_ATTEMPTS = 2
    _accepted(centre, people)
    hotline_collect_sweep(MONDAY)
    receiver.answers = [500, 500, 500]
    hotline_deliver_sweep(MONDAY)
    hotline_deliver_sweep(MONDAY + 30 * S)
    assert hotline_deliver_sweep(MONDAY + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 2
    update = HotlineUpdate.objects.get()
    assert (update.state, update.attempts, update.last_error) == ("failed", 2,
                                                                  "HTTP Error 500: Internal Server Error")


def test_unreachable_webhook_is_retried(settings, centre, people, place, catalogue):
    settings.GRIDGOV_HOTLINE_WEBHOOK = "http://127.0.0.1:9/nothing-listens-here"
    _accepted(centre, people)
    hotline_collect_sweep(MONDAY)
    assert hotline_deliver_sweep(MONDAY) == 0
    update = HotlineUpdate.objects.get()
    assert (update.state, update.attempts, update.next_attempt_at) == ("pending", 1, MONDAY + 30 * S)


def test_no_webhook_keeps_updates_for_the_export(settings, centre, people, place, catalogue):
    settings.GRIDGOV_HOTLINE_WEBHOOK = ""
    _accepted(centre, people)
    hotline_collect_sweep(MONDAY)
    assert hotline_deliver_sweep(MONDAY) == 0
    assert list(HotlineUpdate.objects.values_list("state", "attempts")) == [("pending", 0)]


def test_the_worker_runs_these_sweeps():
    assert all(s in sweeps() for s in SWEEPS)


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_collect_and_push_each_change_once(receiver, centre, people, place, catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    rows = [order(f"GD{i}") for i in range(10)]
    for created in hotline_orders_import(rows=rows, by=centre, now=MONDAY).created:
        step(created.case, "accept", people["worker_a"])
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(3):
                hotline_collect_sweep(MONDAY)
                hotline_deliver_sweep(MONDAY)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert HotlineUpdate.objects.count() == 10
    assert sorted(r["body"]["order_number"] for r in receiver.requests) == sorted(f"GD{i}" for i in range(10))
    assert set(HotlineUpdate.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_an_abandoned_push_is_released_after_ten_minutes(receiver, centre, people, place, catalogue):
    _accepted(centre, people)
    hotline_collect_sweep(MONDAY)
    HotlineUpdate.objects.update(state="sending", attempts=1, next_attempt_at=MONDAY + 600 * S)  # a worker died
    assert hotline_deliver_sweep(MONDAY + 599 * S) == 0
    assert receiver.requests == []
    assert hotline_deliver_sweep(MONDAY + 600 * S) == 1
    assert list(HotlineUpdate.objects.values_list("state", "attempts")) == [("sent", 2)]
