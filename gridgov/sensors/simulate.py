"""Realistic MQTT traffic for the demo's devices: door sensors and smoke detectors of the elderly
living alone, with heartbeats, batteries and doors opening through the day.

The clock can run faster (`speed`): a simulated hour of routine passes in 3600/speed seconds.
Timestamps are the real time of sending, so the server's deadlines stay true. One resident (the
first, or `target`) last opened the door `door_hours` ago minus `alert_in` seconds — a reading
buffered by the sensor and delivered at start — and does not open it again: once `alert_in`
seconds have passed the worker's next sweep raises the care alert (the 林兴玉 case).
"""

import datetime as dt
import heapq
import itertools
import json
import random
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import transaction
from django.utils import timezone

from gridgov.people.enums import CareGroup
from gridgov.people.selectors import care_members
from gridgov.sensors import services
from gridgov.sensors.enums import DeviceKind
from gridgov.sensors.models import CareProfile, Device

DOOR_EVERY_H = 3.0          # a resident goes out or comes in about every 3 simulated hours
SIM_KINDS = (DeviceKind.DOOR, DeviceKind.SMOKE)


@transaction.atomic
def setup(*, interval_s: int = 300) -> int:
    """Give every elderly resident living alone a care profile, a door sensor and a smoke detector."""
    created = 0
    members = care_members(group=CareGroup.ELDERLY_ALONE).select_related("resident__household")
    for membership in members:
        resident = membership.resident
        if not resident.is_active or resident.household is None or resident.household.dwelling_id is None:
            continue
        if not CareProfile.objects.filter(resident=resident).exists():
            services.care_profile_set(resident=resident)
        for kind, prefix in ((DeviceKind.DOOR, "DS"), (DeviceKind.SMOKE, "SM")):
            serial = f"{prefix}-{resident.pk:06d}"
            if not Device.objects.filter(serial=serial).exists():
                services.device_register(kind=kind, serial=serial, dwelling=resident.household.dwelling,
                                         resident=resident, interval_s=interval_s, installed_on=timezone.localdate())
                created += 1
    return created


def demo_devices() -> list[Device]:
    residents = care_members(group=CareGroup.ELDERLY_ALONE).values("resident_id")
    return list(Device.objects.filter(resident_id__in=residents, kind__in=SIM_KINDS, is_active=True)
                .select_related("resident").order_by("resident_id", "kind"))


@dataclass
class Plan:
    speed: float = 60.0
    alert_in_s: float = 120.0
    target_resident_id: int | None = None
    root: str = ""


class Simulator:
    def __init__(self, devices: list[Device], plan: Plan, *, seed: int = 7):
        self.devices, self.plan = devices, plan
        self.random = random.Random(seed)
        self.counter = itertools.count()
        self.battery = {d.serial: d.battery if d.battery is not None else self.random.randint(55, 100) for d in devices}
        target = plan.target_resident_id or (devices[0].resident_id if devices else None)
        self.target = next((d for d in devices if d.resident_id == target and d.kind == DeviceKind.DOOR), None)
        profile = CareProfile.objects.filter(resident_id=target).first() if target else None
        self.door_hours = profile.door_hours if profile else 24

    def message(self, device: Device, kind: str, *, ts: dt.datetime | None = None) -> tuple[str, bytes]:
        ts = ts or timezone.now()
        body = {"id": f"{int(time.time() * 1000)}-{next(self.counter)}", "ts": ts.isoformat(), "type": kind,
                "value": None, "battery": self.battery[device.serial]}
        return f"{self.plan.root}gridgov/v1/devices/{device.serial}/events", json.dumps(body).encode()

    def opening(self) -> list[tuple[str, bytes]]:
        """What is published at start: the target's last door opening, buffered since yesterday."""
        if self.target is None:
            return []
        last_open = (timezone.now() - dt.timedelta(hours=self.door_hours)
                     + dt.timedelta(seconds=self.plan.alert_in_s))
        return [self.message(self.target, "door_open", ts=last_open),
                self.message(self.target, "door_close", ts=last_open + dt.timedelta(seconds=20))]

    def schedule(self) -> list[tuple[float, int, str]]:
        """(when, device index, what) for each device's first heartbeat and first door event."""
        start, events = time.monotonic(), []
        for i, device in enumerate(self.devices):
            events.append((start + self.random.uniform(0, self._heartbeat_s(device)), i, "heartbeat"))
            if device.kind == DeviceKind.DOOR and device is not self.target:
                events.append((start + self._door_gap_s(), i, "door_open"))
        heapq.heapify(events)
        return events

    def _heartbeat_s(self, device: Device) -> float:
        return max(2.0, device.interval_s / 2 / max(self.plan.speed, 1.0))

    def _door_gap_s(self) -> float:
        return self.random.expovariate(1.0) * DOOR_EVERY_H * 3600 / self.plan.speed

    def next(self, events: list, when: float, index: int, what: str) -> list[tuple[str, bytes]]:
        """The messages due now, and the device's next event pushed onto the schedule."""
        device = self.devices[index]
        if what == "heartbeat":
            if self.random.random() < 0.02:
                self.battery[device.serial] = max(5, self.battery[device.serial] - 1)
            heapq.heappush(events, (when + self._heartbeat_s(device), index, "heartbeat"))
            return [self.message(device, "heartbeat")]
        heapq.heappush(events, (when + self._door_gap_s(), index, "door_open"))
        return [self.message(device, "door_open"), self.message(device, "door_close")]


def run(*, devices: list[Device], plan: Plan, host: str, port: int, duration_s: float | None,
        log=print) -> int:
    """Publish until `duration_s` has passed (None: forever). Returns the number of messages sent."""
    simulator = Simulator(devices, plan)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(200)
    client.connect(host, port)
    client.loop_start()
    sent = 0
    try:
        for topic, payload in simulator.opening():
            client.publish(topic, payload, qos=1)
            sent += 1
        if simulator.target is not None:
            log(f"{simulator.target.resident.name} 的门磁（{simulator.target.serial}）"
                f"将在约 {plan.alert_in_s:.0f} 秒后满 24 小时未开门")
        events, stop_at = simulator.schedule(), None if duration_s is None else time.monotonic() + duration_s
        while events and (stop_at is None or time.monotonic() < stop_at):
            when, index, what = heapq.heappop(events)
            time.sleep(max(0.0, when - time.monotonic()))
            for topic, payload in simulator.next(events, when, index, what):
                client.publish(topic, payload, qos=1)
                sent += 1
    finally:
        client.disconnect()
        client.loop_stop()
    return sent
