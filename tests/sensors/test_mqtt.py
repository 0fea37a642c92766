"""Reliability of the MQTT ingester against real Mosquitto brokers.

The system broker (127.0.0.1:1883) for the kill/restart and shared-subscription cases; a broker of
our own (persistent, on a free port) for the broker restart. Topics, share groups and client ids
carry a per-run token so parallel runs don't collide. The ingester's network thread is paho's;
its processing runs here, on the test's database connection.
"""

import json
import time
import uuid

import pytest

from gridgov.sensors.ingest import Ingester
from gridgov.sensors.models import DeviceEvent, IngestReject
from gridgov.sensors.mosquitto import Broker, forget_session, publish_all

SYSTEM_PORT = 1883


@pytest.fixture
def run():
    return uuid.uuid4().hex[:10]


def heartbeats(root: str, serial: str, ids) -> list[tuple[str, bytes]]:
    return [(f"{root}gridgov/v1/devices/{serial}/events",
             json.dumps({"id": f"hb-{i}", "ts": "2026-11-20T09:00:00+08:00", "type": "heartbeat",
                         "value": None, "battery": 90}).encode()) for i in ids]


def start(run: str, name: str, port: int = SYSTEM_PORT, **kwargs) -> Ingester:
    ingester = Ingester(client_id=f"test-{run}-{name}", port=port, group=f"g{run}", root=f"t{run}/",
                        batch_ms=5, batch_max=40, **kwargs).start()
    assert ingester.subscribed.wait(10), "no SUBACK"
    return ingester


def pump_until(ingesters, done, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out waiting for messages"
        for ingester in ingesters:
            ingester.pump(timeout=0.05)


def stored_ids(device) -> list[str]:
    return sorted(DeviceEvent.objects.filter(device=device).values_list("event_id", flat=True))


def expected(n: int) -> list[str]:
    return sorted(f"hb-{i}" for i in range(n))


def test_killed_ingester_restarted_loses_nothing_and_duplicates_nothing(devices, run):
    root = f"t{run}/"
    first = start(run, "a")
    crashed: list = []

    def die_before_ack(batch):
        if first.stats["messages"] >= 60 and not crashed:
            crashed.extend(batch)
            raise SystemExit("killed between commit and acknowledgement")

    first.after_commit = die_before_ack
    try:
        assert publish_all(port=SYSTEM_PORT, messages=heartbeats(root, "DS-A-1", range(150))) == 150
        with pytest.raises(SystemExit):
            pump_until([first], lambda: False)
        first.crash()
        committed_before_crash = DeviceEvent.objects.filter(device=devices["door"]).count()
        assert 60 < committed_before_crash < 150
        bad = [(f"{root}gridgov/v1/devices/DS-A-1/events", b"{oops"),
               (f"{root}gridgov/v1/devices/GHOST/events", heartbeats("", "x", [0])[0][1])]
        assert publish_all(port=SYSTEM_PORT, messages=heartbeats(root, "DS-A-1", range(150, 300)) + bad) == 152
        second = start(run, "a")
        pump_until([second], lambda: DeviceEvent.objects.filter(device=devices["door"]).count() >= 300
                   and IngestReject.objects.count() >= 2)
        pump_until([second], lambda: second.inbox.empty(), timeout=2)
        second.stop()
        assert stored_ids(devices["door"]) == expected(300)
        assert second.stats["duplicate"] >= len(crashed) > 0
        assert sorted(IngestReject.objects.values_list("reason", flat=True)) == ["bad_json", "unknown_serial"]
    finally:
        forget_session(port=SYSTEM_PORT, client_id=f"test-{run}-a")


def test_broker_restart_loses_no_acknowledged_message(devices, run):
    root = f"t{run}/"
    with Broker() as broker:
        ingester = start(run, "b", port=broker.port)
        ingester.crash()                                   # offline: its session queues for it
        assert publish_all(port=broker.port, messages=heartbeats(root, "DS-A-1", range(400))) == 400
        broker.restart()                                   # the queue survives on disk
        ingester = start(run, "b", port=broker.port)
        restarted = []

        def restart_before_ack(batch):                     # and again, mid-drain, acks in flight
            if not restarted:
                restarted.append(len(batch))
                broker.restart()

        ingester.after_commit = restart_before_ack
        pump_until([ingester], lambda: ingester.stats["connects"] >= 2
                   and DeviceEvent.objects.filter(device=devices["door"]).count() >= 400, timeout=60)
        pump_until([ingester], lambda: ingester.stats["duplicate"] >= restarted[0], timeout=30)
        ingester.stop()
        assert stored_ids(devices["door"]) == expected(400)
        assert DeviceEvent.objects.filter(device=devices["door"]).count() == 400


def test_two_ingesters_on_a_shared_subscription_split_the_load(devices, run):
    root = f"t{run}/"
    one, two = start(run, "c1"), start(run, "c2")
    try:
        assert publish_all(port=SYSTEM_PORT, messages=heartbeats(root, "DS-A-1", range(200))) == 200
        pump_until([one, two], lambda: DeviceEvent.objects.filter(device=devices["door"]).count() >= 200)
        one.stop()
        two.stop()
        assert stored_ids(devices["door"]) == expected(200)
        assert one.stats["accepted"] > 0 and two.stats["accepted"] > 0
        assert one.stats["accepted"] + two.stats["accepted"] == 200
    finally:
        forget_session(port=SYSTEM_PORT, client_id=f"test-{run}-c1")
        forget_session(port=SYSTEM_PORT, client_id=f"test-{run}-c2")


def test_a_batch_takes_what_is_waiting_up_to_its_limit_and_no_more():
    from gridgov.sensors.ingest import Message

    ingester = Ingester(client_id="test-collect", batch_ms=1000, batch_max=3)
    for mid in range(1, 6):
        ingester.inbox.put(Message(mid, 1, "t", b"{}"))
    assert [m.mid for m in ingester._collect(0.1)] == [1, 2, 3]          # full: the rest waits for the next
    ingester.batch_s = 0.01
    assert [m.mid for m in ingester._collect(0.1)] == [4, 5]              # then what came within batch_ms
    assert ingester._collect(0.01) == []
