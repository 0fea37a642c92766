"""The devices layer of the map (selectors.devices_geojson) and the state it colours devices by."""

import datetime as dt
import json

import pytest

from gridgov.sensors import services
from gridgov.sensors.enums import AlarmKind
from gridgov.sensors.models import Device
from gridgov.sensors.selectors import device_state, devices_geojson
from tests.sensors.conftest import T0

LATER = T0 + dt.timedelta(minutes=5)


@pytest.mark.parametrize("open_kinds, last_seen_at, silent_due_at, battery, state", [
    (set(), LATER, T0 + dt.timedelta(hours=1), 80, "online"),
    (set(), LATER, T0 + dt.timedelta(hours=1), None, "online"),
    (set(), None, T0 + dt.timedelta(hours=1), 80, "silent"),                 # never heard from
    (set(), T0, LATER, 80, "silent"),                                         # past its silent deadline
    ({AlarmKind.SILENT}, T0, None, 80, "silent"),                             # the sweep raised it
    (set(), LATER, T0 + dt.timedelta(hours=1), 19, "low_battery"),
    ({AlarmKind.BATTERY}, LATER, T0 + dt.timedelta(hours=1), None, "low_battery"),
    ({AlarmKind.SILENT, AlarmKind.BATTERY}, T0, None, 5, "silent"),          # silence is the worse
    ({AlarmKind.CARE}, LATER, T0 + dt.timedelta(hours=1), 80, "alarm"),
    ({AlarmKind.SMOKE, AlarmKind.SILENT}, None, None, 5, "alarm"),            # the home before the device
])
def test_device_state_is_the_worst_that_applies(open_kinds, last_seen_at, silent_due_at, battery, state):
    assert device_state(open_kinds=open_kinds, last_seen_at=last_seen_at, silent_due_at=silent_due_at,
                        battery=battery, now=LATER) == state


def ingest(serial: str, event_id: str, kind: str, *, at=T0, battery=None):
    services.events_ingest(events=[services.Event(serial, event_id, at, kind, battery=battery)], source="mqtt", now=at)


def test_the_layer_has_each_device_with_its_state_and_alarms(devices, persona):
    ingest("DS-A-1", "1", "heartbeat", battery=15)
    ingest("SM-A-1", "1", "smoke", battery=90)
    layer = devices_geojson(persona["community_staff"], now=LATER)
    assert layer["type"] == "FeatureCollection"
    assert [f["properties"] for f in layer["features"]] == [
        {"serial": "DS-A-1", "kind": "door", "kind_label": "智慧门磁",
         "building_id": devices["door"].dwelling.building_id, "building": "东城公租房1栋",
         "dwelling": "东城公租房1栋 1-1201", "battery": 15, "last_seen_at": "2026-11-20T01:00:00+00:00",
         "last_seen": "2026-11-20 09:00", "state": "low_battery", "state_label": "低电量",
         "open_alarms": [], "alarm_labels": []},
        {"serial": "SM-A-1", "kind": "smoke", "kind_label": "智能烟感",
         "building_id": devices["smoke"].dwelling.building_id, "building": "东城公租房1栋",
         "dwelling": "东城公租房1栋 1-1201", "battery": 90, "last_seen_at": "2026-11-20T01:00:00+00:00",
         "last_seen": "2026-11-20 09:00", "state": "alarm", "state_label": "有活动告警",
         "open_alarms": ["smoke"], "alarm_labels": ["烟雾报警（待响应）"]},
        {"serial": "WM-B-1", "kind": "water", "kind_label": "智能水表",
         "building_id": devices["water"].dwelling.building_id, "building": "东城公租房2栋",
         "dwelling": "东城公租房2栋 1-0301", "battery": None, "last_seen_at": None, "last_seen": "",
         "state": "silent", "state_label": "离线（静默）", "open_alarms": [], "alarm_labels": []},
    ]
    assert [(f["id"], f["geometry"]) for f in layer["features"]] == [
        (devices["door"].pk, {"type": "Point", "coordinates": [106.6205, 29.3905]}),
        (devices["smoke"].pk, {"type": "Point", "coordinates": [106.6205, 29.3905]}),
        (devices["water"].pk, {"type": "Point", "coordinates": [106.6225, 29.3905]}),
    ]


def test_the_layer_names_no_resident_and_carries_no_phone(devices, persona):
    text = json.dumps(devices_geojson(persona["community_staff"], now=LATER), ensure_ascii=False)
    assert "张秀英" not in text and "李建国" not in text and "张伟" not in text
    assert "1370000" not in text and "resident" not in text


@pytest.mark.parametrize("who, serials", [
    ("worker_a", ["DS-A-1", "SM-A-1"]), ("worker_b", ["WM-B-1"]), ("steward_a", ["DS-A-1", "SM-A-1"]),
    ("community_staff", ["DS-A-1", "SM-A-1", "WM-B-1"]), ("resident", []), ("auditor", []),
])
def test_the_layer_is_scoped_to_the_user(devices, persona, who, serials):
    assert [f["properties"]["serial"] for f in devices_geojson(persona[who])["features"]] == serials


def test_the_layer_narrows_to_an_area_and_leaves_out_retired_devices(devices, persona, area):
    staff = persona["community_staff"]
    assert [f["properties"]["serial"] for f in devices_geojson(staff, area_code=area["grid_b"].code)["features"]] == [
        "WM-B-1"]
    Device.objects.filter(serial="SM-A-1").update(is_active=False)
    assert [f["properties"]["serial"] for f in devices_geojson(staff)["features"]] == ["DS-A-1", "WM-B-1"]


def test_a_residents_devices_are_grouped_by_the_monitor_they_feed(devices, persona):
    from gridgov.sensors.selectors import resident_devices_by_monitor

    grouped = resident_devices_by_monitor(persona["worker_a"], devices["zhang"])
    assert {kind: [d.serial for d in found] for kind, found in grouped.items()} == {
        "door": ["DS-A-1"], "other": ["SM-A-1"]}
    assert resident_devices_by_monitor(persona["worker_b"], devices["zhang"]) == {}
