"""Sensors: MQTT ingest as the drain of a backlog, shared subscription scaling, absent-activity sweep.

1. A backlog of QoS 1 messages is queued on a private Mosquitto (own config, free port,
   max_queued_messages 0) for two persistent sessions while both are offline: the ingester's
   (shared subscription) and a bare paho subscriber's that only counts and acknowledges. Each then
   drains the same backlog; the bare subscriber's rate is the ceiling. The ingester runs as it is
   deployed: its own process (forked from this one, its own database connection), the defaults of
   `gridgov ingest`, timed from its connect until every message is committed.
2. A fresh backlog for two ingester processes on one shared subscription, drained at once, beside one.
3. The absent-activity sweep over 300,000 devices (quick: 30,000) of which 0.1 % are due.

The backlog is published by two paho processes (waiting for every PUBACK) to gridgov/v1/vendors/native/events,
the native format with `serial` in the payload: the same adapter and ingest path as device topics. Each
message is a heartbeat with a battery level from one of 1,000 devices, a second later than the one before.
"""

import datetime as dt
import json
import multiprocessing
import os
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from django.db import connection, connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from bench.figures import Figure

NAME = "sensors_ingest"
DEVICES = 1000
PUBLISHERS = 2
DRAIN_TIMEOUT_S = 900
FIRST_TS = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def run(*, quick: bool) -> list[Figure]:
    from gridgov.sensors.mosquitto import Broker

    backlog = 20_000 if quick else 200_000
    sweep_devices = 30_000 if quick else 300_000
    place = _place()
    _devices(place, DEVICES)
    figures = []
    with Broker() as broker:
        one, bare, (alone,), broker_one = _drain_vs_bare(broker, backlog, place["tag"])
        figures.append(Figure(NAME, f"MQTT 积压消费（{backlog:,} 条 QoS 1，一个接收进程，入库后确认；"
                                    f"CPU：接收进程 {alone['cores']:.2f} 核，代理 {broker_one:.2f} 核）", round(one),
                              "msg/s", round(bare), "裸 paho 订阅者：同一积压只计数并确认",
                              target="≥ 50%", ok=one >= bare / 2))
        if connection.vendor == "postgresql":
            figures.append(Figure(NAME, "MQTT 积压消费入库 PostgreSQL（上一项，一个接收进程）", round(one), "msg/s", None,
                                  target="≥ 5,000 msg/s", ok=one >= 5000))
        two, stats, broker_two = _two_ingesters(broker, backlog, place["tag"])
        split = " / ".join(f"{s['accepted']:,}" for s in stats)
        again = sum(s["duplicate"] for s in stats)
        reconnects = sum(s["connects"] - 1 for s in stats)
        cores = " + ".join(f"{s['cores']:.2f}" for s in stats)
        figures.append(Figure(NAME, f"两个接收进程共享订阅（入库 {split} 条，重复投递已去重 {again:,} 条，重连 {reconnects} 次；"
                                    f"CPU：接收进程 {cores} 核，代理 {broker_two:.2f} 核）",
                              round(two), "msg/s", round(one), "一个接收进程（第一项）", target="≥ 1.6×",
                              ok=two >= 1.6 * one))
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
        "serial": f"BD{tag}-{i % DEVICES}", "id": f"m{i}", "ts": (FIRST_TS + dt.timedelta(seconds=i)).isoformat(),
        "type": "heartbeat", "value": None, "battery": 90}).encode()) for i in ids])


def _publish_backlog(port: int, root: str, count: int, tag: int, offset: int) -> None:
    """Publish with QoS 1 from two processes, each waiting for every PUBACK."""
    topic = f"{root}gridgov/v1/vendors/native/events"
    parts = [(port, topic, tag, range(offset + k, offset + count, PUBLISHERS)) for k in range(PUBLISHERS)]
    with multiprocessing.get_context("fork").Pool(PUBLISHERS) as pool:
        acked = sum(pool.map(_publish_part, parts))
    if acked != count:
        raise RuntimeError(f"only {acked} of {count} messages were acknowledged by the broker")


def _bare(port: int, client_id: str, topic: str):
    from gridgov.sensors.ingest import RECEIVE_MAXIMUM

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True)
    client.count = 0

    def on_message(c, userdata, message):
        c.count += 1
        c.ack(message.mid, message.qos)

    client.on_message = on_message
    client.on_connect = lambda c, *a: c.subscribe([(topic, SubscribeOptions(qos=1))])
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = RECEIVE_MAXIMUM                  # the same window as the ingester's
    client.connect("127.0.0.1", port, clean_start=False, properties=properties)
    return client


def _ingester(port: int, run: str, name: str, group: str):
    """An ingester as `gridgov ingest` makes one (its defaults), on this run's topics."""
    from gridgov.sensors.ingest import Ingester

    return Ingester(client_id=f"bench-{run}-{name}", port=port, group=group, root=f"b{run}/")


def _session(client) -> None:
    """Connect once so that the broker keeps a session (and queues) for this client id."""
    client.loop_start()
    deadline = time.monotonic() + 10
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)             # SUBACK
    client.disconnect()
    client.loop_stop()


def _subscribe(port: int, run: str, names: list[str], group: str) -> None:
    for name in names:
        ingester = _ingester(port, run, name, group)
        ingester.start()
        if not ingester.subscribed.wait(10):
            raise RuntimeError(f"ingester {name} got no SUBACK")
        ingester.stop()


def _drain_vs_bare(broker, count: int, tag: int) -> tuple[float, float, list[dict], float]:
    port, run = broker.port, uuid.uuid4().hex[:8]
    _subscribe(port, run, ["one"], f"g{run}")
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

    rate, stats, broker_cpu = _drain(broker, run, ["one"], f"g{run}", count)
    return rate, bare_rate, stats, broker_cpu


def _two_ingesters(broker, count: int, tag: int) -> tuple[float, list[dict], float]:
    port, run = broker.port, uuid.uuid4().hex[:8]
    _subscribe(port, run, ["a", "b"], f"g{run}")
    _publish_backlog(port, f"b{run}/", count, tag, count)     # fresh ids
    return _drain(broker, run, ["a", "b"], f"g{run}", count)


def _drain(broker, run: str, names: list[str], group: str, count: int) -> tuple[float, list[dict], float]:
    """Fork one ingester process per name; once all are ready, let them connect and time them
    until `count` new events are committed. Each process reports its counts and the CPU it used
    (in cores: CPU seconds per second of the drain), beside the broker's."""
    from gridgov.sensors.models import DeviceEvent

    port, broker_pid = broker.port, broker.process.pid
    before = DeviceEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    context = multiprocessing.get_context("fork")
    ready, go, stop = context.Semaphore(0), context.Event(), context.Event()
    stored = context.Array("q", len(names), lock=False)
    results = context.Queue()
    connections.close_all()                  # each process opens its own connection
    processes = [context.Process(target=_ingest_process, args=(port, run, name, group, slot, ready, go, stop,
                                                               stored, results)) for slot, name in enumerate(names)]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            if not ready.acquire(timeout=60):
                raise RuntimeError("an ingester process did not start")
        started = time.monotonic()
        broker_cpu = _cpu_seconds(broker_pid)
        go.set()
        while sum(stored) < count:
            if time.monotonic() - started > DRAIN_TIMEOUT_S or not all(p.is_alive() for p in processes):
                raise RuntimeError(f"ingester processes stored {sum(stored)} of {count} messages")
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        broker_cpu = (_cpu_seconds(broker_pid) - broker_cpu) / elapsed
    finally:
        stop.set()
        stats = [results.get(timeout=60) for process in processes if process.exitcode in (None, 0)]
        for process in processes:
            process.join(timeout=60)
    committed = DeviceEvent.objects.filter(pk__gt=before).count()
    if committed != count:
        raise RuntimeError(f"{committed} events committed for {count} messages")
    stats = [counts for _, counts in sorted(stats)]
    for counts in stats:
        counts["cores"] = counts.pop("cpu") / elapsed
    return count / elapsed, stats, broker_cpu


def _ingest_process(port, run, name, group, slot, ready, go, stop, stored, results) -> None:
    """The body of `gridgov ingest` (Ingester.pump in a loop), started on a signal."""
    ingester = _ingester(port, run, name, group)
    ready.release()
    go.wait()
    cpu = time.process_time()               # all of this process's threads
    ingester.start()
    try:
        while not stop.is_set():
            ingester.pump(timeout=0.05)
            stored[slot] = ingester.stats["accepted"]
    finally:
        cpu = time.process_time() - cpu
        ingester.stop()
        connection.close()
        results.put((slot, {"cpu": cpu, **{key: ingester.stats[key] for key in
                                           ("accepted", "duplicate", "connects", "messages")}}))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (the broker), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
