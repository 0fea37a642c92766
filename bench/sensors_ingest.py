"""Sensors: MQTT ingest as the drain of a backlog, shared subscription scaling, absent-activity sweep.

1. A backlog of QoS 1 messages is queued on a private Mosquitto (own config, free port,
   max_queued_messages 0) for two persistent sessions while both are offline: the ingester's
   (shared subscription) and a bare paho subscriber's that only counts and acknowledges. Each then
   drains the same backlog; the bare subscriber's rate is the ceiling.
2. The same backlog for two ingesters on one shared subscription, drained at once (two threads,
   two database connections), beside one.
3. The absent-activity sweep over 300,000 devices (quick: 30,000) of which 0.1 % are due.

The backlog is published by two paho processes (waiting for every PUBACK) to gridgov/v1/vendors/native/events,
the native format with `serial` in the payload: the same adapter and ingest path as device topics.
"""

import datetime as dt
import json
import multiprocessing
import threading
import time
import uuid

import paho.mqtt.client as mqtt
from django.db import connection
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from bench.figures import Figure

NAME = "sensors_ingest"
DEVICES = 1000
PUBLISHERS = 2


def run(*, quick: bool) -> list[Figure]:
    from gridgov.sensors.mosquitto import Broker

    backlog = 20_000 if quick else 200_000
    sweep_devices = 30_000 if quick else 300_000
    place = _place()
    _devices(place, DEVICES)
    figures = []
    with Broker() as broker:
        one, bare = _drain_vs_bare(broker.port, backlog, place["tag"])
        figures.append(Figure(NAME, f"MQTT 积压消费（{backlog:,} 条 QoS 1，入库后确认）", round(one), "msg/s",
                              round(bare), "裸 paho 订阅者：同一积压只计数并确认"))
        two, split = _two_ingesters(broker.port, backlog, place["tag"])
        figures.append(Figure(NAME, f"两个接收进程共享订阅（入库 {split[0]:,} / {split[1]:,} 条，重复投递已去重 {split[2]:,} 条）", round(two), "msg/s",
                              round(one), "一个接收进程（上一项）"))
    empty_ms, due_ms, bare_ms, due = _sweep(place, sweep_devices)
    figures.append(Figure(NAME, f"无活动扫描：{sweep_devices:,} 台设备、无到期", round(empty_ms, 1), "ms", None,
                          target="< 1000 ms", ok=empty_ms < 1000))
    figures.append(Figure(NAME, f"无活动扫描：{sweep_devices:,} 台设备、{due} 台到期（生成 {due} 条关爱预警）",
                          round(due_ms, 1), "ms", round(bare_ms, 1), "裸条件 UPDATE 认领同样的到期行（不生成告警）",
                          target="< 1000 ms", ok=due_ms < 1000))
    return figures


# --- data ------------------------------------------------------------------------------------

def _place() -> dict:
    from gridgov.people import services as people
    from gridgov.sensors.services import care_profile_set
    from gridgov.territory import services as territory
    from gridgov.territory.enums import AreaKind, EstateKind
    from gridgov.territory.models import Dwelling

    tag = uuid.uuid4().int % 900 + 100
    district = territory.area_create(kind=AreaKind.DISTRICT, name="基准区", code=f"990{tag}")
    street = territory.area_create(kind=AreaKind.STREET, name="基准街道", code=f"990{tag}001", parent=district)
    community = territory.area_create(kind=AreaKind.COMMUNITY, name="基准社区", code=f"990{tag}001001", parent=street)
    grid = territory.area_create(kind=AreaKind.GRID, name="基准网格", code=f"990{tag}001001001", parent=community)
    micro = territory.area_create(kind=AreaKind.MICROGRID, name="基准微网格", code=f"990{tag}00100100101", parent=grid)
    estate = territory.estate_create(name="基准小区", community=community, kind=EstateKind.OTHER)
    building = territory.building_create(code=f"BENCH-{tag}", name="1栋", estate=estate, microgrid=micro,
                                         lat=29.39, lng=106.62)
    Dwelling.objects.bulk_create([Dwelling(building=building, number=f"{i:04d}") for i in range(1000)])
    dwellings = list(Dwelling.objects.filter(building=building).order_by("number"))
    household = people.household_move_in(dwelling=dwellings[0], number=f"BENCH-H-{tag}", moved_on=dt.date(2020, 1, 1),
                                         people=[people.Person(name="基准老人", gender="F")])
    resident = household.members.get()
    care_profile_set(resident=resident)
    return {"tag": tag, "dwellings": dwellings, "resident": resident}


def _devices(place: dict, count: int, *, prefix: str = "BD", due=None) -> None:
    from gridgov.sensors.models import Device

    dwellings, now = place["dwellings"], timezone.now()
    batch = []
    for i in range(count):
        batch.append(Device(kind="door", serial=f"{prefix}{place['tag']}-{i}", dwelling=dwellings[i % len(dwellings)],
                            resident=place["resident"] if due else None, interval_s=3600,
                            activity_due_at=due(i) if due else None, silent_due_at=now + dt.timedelta(days=1),
                            battery_due_at=now + dt.timedelta(days=7)))
        if len(batch) == 5000:
            Device.objects.bulk_create(batch)
            batch = []
    Device.objects.bulk_create(batch)


# --- MQTT ------------------------------------------------------------------------------------

def _publish_part(args) -> int:
    from gridgov.sensors.mosquitto import publish_all

    port, topic, tag, ids = args
    return publish_all(port=port, messages=[(topic, json.dumps({
        "serial": f"BD{tag}-{i % DEVICES}", "id": f"m{i}", "ts": "2026-11-20T09:00:00+08:00", "type": "heartbeat",
        "value": None, "battery": 90}).encode()) for i in ids])


def _publish_backlog(port: int, root: str, count: int, tag: int, offset: int) -> None:
    """Publish with QoS 1 from two processes, each waiting for every PUBACK."""
    topic = f"{root}gridgov/v1/vendors/native/events"
    parts = [(port, topic, tag, range(offset + k, offset + count, PUBLISHERS)) for k in range(PUBLISHERS)]
    with multiprocessing.get_context("fork").Pool(PUBLISHERS) as pool:
        acked = sum(pool.map(_publish_part, parts))
    if acked != count:
        raise RuntimeError(f"only {acked} of {count} messages were acknowledged by the broker")


def _bare(port: int, client_id: str, topic: str):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True)
    client.count = 0

    def on_message(c, userdata, message):
        c.count += 1
        c.ack(message.mid, message.qos)

    client.on_message = on_message
    client.on_connect = lambda c, *a: c.subscribe([(topic, SubscribeOptions(qos=1))])
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = 2000
    client.connect("127.0.0.1", port, clean_start=False, properties=properties)
    return client


def _ingester(port: int, run: str, name: str, group: str):
    from gridgov.sensors.ingest import Ingester

    return Ingester(client_id=f"bench-{run}-{name}", port=port, group=group, root=f"b{run}/", batch_ms=10)


def _session(client) -> None:
    """Connect once so that the broker keeps a session (and queues) for this client id."""
    client.loop_start()
    deadline = time.monotonic() + 10
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)             # SUBACK
    client.disconnect()
    client.loop_stop()


def _drain_vs_bare(port: int, count: int, tag: int) -> tuple[float, float]:
    run = uuid.uuid4().hex[:8]
    ingester = _ingester(port, run, "one", f"g{run}")
    ingester.start()
    ingester.subscribed.wait(10)
    ingester.stop()
    topic = f"b{run}/gridgov/v1/vendors/+/events"
    _session(_bare(port, f"bench-{run}-bare", topic))
    _publish_backlog(port, f"b{run}/", count, tag, 0)

    bare = _bare(port, f"bench-{run}-bare", topic)
    started = time.monotonic()
    bare.loop_start()
    while bare.count < count:
        time.sleep(0.005)
    bare_rate = count / (time.monotonic() - started)
    bare.disconnect()
    bare.loop_stop()

    ingester = _ingester(port, run, "one", f"g{run}")
    started = time.monotonic()
    ingester.start()
    while ingester.stats["accepted"] + ingester.stats["duplicate"] < count:
        ingester.pump(timeout=0.5)
    rate = count / (time.monotonic() - started)
    ingester.stop()
    return rate, bare_rate


def _two_ingesters(port: int, count: int, tag: int) -> tuple[float, tuple[int, int, int]]:
    run = uuid.uuid4().hex[:8]
    group = f"g{run}"
    for name in ("a", "b"):
        ingester = _ingester(port, run, name, group)
        ingester.start()
        ingester.subscribed.wait(10)
        ingester.stop()
    _publish_backlog(port, f"b{run}/", count, tag, count)     # fresh ids
    ingesters = [_ingester(port, run, name, group) for name in ("a", "b")]

    def done() -> bool:
        return sum(i.stats["accepted"] + i.stats["duplicate"] for i in ingesters) >= count

    def drain(ingester) -> None:
        try:
            while not done():
                ingester.pump(timeout=0.2)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=drain, args=(i.start(),)) for i in ingesters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = count / (time.monotonic() - started)
    for ingester in ingesters:
        ingester.stop()
    duplicates = sum(i.stats["duplicate"] for i in ingesters)
    return rate, (ingesters[0].stats["accepted"], ingesters[1].stats["accepted"], duplicates)


# --- the sweep -------------------------------------------------------------------------------

def _sweep(place: dict, count: int) -> tuple[float, float, float, int]:
    from gridgov.sensors.models import Alarm, Device
    from gridgov.sensors.services import devices_sweep_activity

    now = timezone.now()
    due_every = 1000                                    # 0.1 % due
    future = now + dt.timedelta(hours=12)
    _devices(place, count, prefix="SW", due=lambda i: future + dt.timedelta(seconds=i % 3600))
    started = time.perf_counter()
    devices_sweep_activity(now)
    empty_ms = (time.perf_counter() - started) * 1000

    ids = list(Device.objects.filter(serial__startswith=f"SW{place['tag']}-").order_by("pk")
               .values_list("pk", flat=True)[::due_every])
    past = now - dt.timedelta(minutes=1)
    Device.objects.filter(pk__in=ids).update(activity_due_at=past)
    started = time.perf_counter()
    devices_sweep_activity(now)
    due_ms = (time.perf_counter() - started) * 1000
    raised = Alarm.objects.filter(device_id__in=ids, kind="care").count()
    assert raised == len(ids), f"expected {len(ids)} care alerts, got {raised}"

    Device.objects.filter(pk__in=ids).update(activity_due_at=past)
    started = time.perf_counter()
    Device.objects.filter(activity_due_at__lte=now).update(activity_due_at=None)
    bare_ms = (time.perf_counter() - started) * 1000
    return empty_ms, due_ms, bare_ms, len(ids)
