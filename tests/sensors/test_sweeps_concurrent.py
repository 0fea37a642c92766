"""Two workers sweeping the same due rows at once act on each row exactly once (PostgreSQL:
SELECT … FOR UPDATE SKIP LOCKED then a conditional UPDATE; SQLite serialises writers anyway)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from gridgov.sensors import services
from gridgov.sensors.models import Alarm, Device
from tests.sensors.conftest import T0

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("postgresql" not in __import__("os").environ.get("GRIDGOV_TEST_DATABASE_URL", ""),
                       reason="needs a database shared between threads (PostgreSQL)"),
]


def test_two_workers_never_raise_the_same_alarm_twice(devices, place, monkeypatch):
    for i in range(60):
        services.device_register(kind="door", serial=f"D-{i}", dwelling=place["dwelling_a"],
                                 resident=devices["zhang"], interval_s=600, now=T0)
    monkeypatch.setattr(services, "SWEEP_BATCH", 7)          # many small claims, interleaved
    due = Device.objects.filter(activity_due_at__isnull=False).count()
    barrier, results = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            results.append(services.devices_sweep_activity(T0 + dt.timedelta(hours=25)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert due == 61
    assert sum(results) == 61
    assert Alarm.objects.filter(kind="care").count() == 61
    assert Device.objects.filter(activity_due_at__isnull=False).count() == 0
