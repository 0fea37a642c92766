"""The devices layer of the territory map: a community's devices as GeoJSON with their states.

A community of 500 buildings with 10 devices each (full: 5,000 buildings, 50,000 devices), 90 %
heard from, 5 % low on battery, 1 % with an open care alarm. Timed: what the map's request does —
`sensors.selectors.devices_geojson` for a community staff member, serialised with json.dumps.
Ceiling: the same columns and open alarms read with two bare SQL queries, the same number of
features built from the raw rows (state decided the same way, no time-zone conversion) and
serialised the same way. Median of 7 runs each, interleaved. The scenario checks both give the
same devices in the same states.
"""

import datetime as dt
import json
import statistics
import time
import uuid

from django.db import connection
from django.utils import timezone

from bench.figures import Figure

NAME = "devices_map"
PER_BUILDING = 10
RUNS = 7


def run(*, quick: bool) -> list[Figure]:
    buildings = 500 if quick else 5000
    user, code = _community(buildings)
    now = timezone.now()
    project, bare = [], []
    for _ in range(RUNS):
        (ms, states), (bare_ms, bare_states) = _timed(_project, user, now), _timed(_bare, code, now)
        if states != bare_states:
            raise AssertionError("devices_geojson and the bare SQL disagree on the devices or their states")
        project.append(ms)
        bare.append(bare_ms)
    label = f"地图设备图层（{buildings * PER_BUILDING:,} 台设备 / {buildings:,} 栋楼，含状态与告警，JSON）"
    return [Figure(NAME, label, round(statistics.median(project), 1), "ms", round(statistics.median(bare), 1),
                   "同样的列与告警用两条裸 SQL 读出，同样多的要素 json.dumps")]


def _timed(fn, *args) -> tuple[float, list]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def _project(user, now) -> list:
    from gridgov.sensors.selectors import devices_geojson

    layer = devices_geojson(user, now=now)
    json.dumps(layer, ensure_ascii=False)
    return [(f["id"], f["properties"]["state"]) for f in layer["features"]]


BARE_DEVICES = """
SELECT d.id, d.kind, d.serial, d.battery, d.last_seen_at, d.silent_due_at, w.number, b.id, b.name, e.name,
       b.lat, b.lng
  FROM sensors_device d JOIN territory_dwelling w ON w.id = d.dwelling_id
  JOIN territory_building b ON b.id = w.building_id JOIN territory_estate e ON e.id = b.estate_id
 WHERE w.area_code LIKE %s AND d.is_active ORDER BY d.serial"""
BARE_ALARMS = """
SELECT a.device_id, a.kind, a.status FROM sensors_alarm a
  JOIN sensors_device d ON d.id = a.device_id JOIN territory_dwelling w ON w.id = d.dwelling_id
 WHERE w.area_code LIKE %s AND d.is_active AND a.status IN ('active', 'acknowledged')"""


def _bare(code: str, now) -> list:
    with connection.cursor() as cursor:
        cursor.execute(BARE_ALARMS, [code + "%"])
        alarms: dict[int, list] = {}
        for device_id, kind, status in cursor.fetchall():
            alarms.setdefault(device_id, []).append((kind, status))
        cursor.execute(BARE_DEVICES, [code + "%"])
        rows = cursor.fetchall()
    features, states = [], []
    for pk, kind, serial, battery, seen, silent_due, number, building_id, building, estate, lat, lng in rows:
        state = _state(alarms.get(pk, []), _aware(seen), _aware(silent_due), battery, now)
        states.append((pk, state))
        features.append({"type": "Feature", "id": pk, "geometry": {"type": "Point", "coordinates": [lng, lat]},
                         "properties": {"serial": serial, "kind": kind, "building_id": building_id,
                                        "dwelling": f"{estate}{building} {number}", "battery": battery,
                                        "last_seen_at": str(seen) if seen else None, "state": state,
                                        "open_alarms": [k for k, _ in alarms.get(pk, [])]}})
    json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return states


def _aware(value):
    """SQLite hands back a naive datetime in UTC (or text), PostgreSQL an aware one."""
    if value is None:
        return None
    value = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _state(alarms: list, seen, silent_due, battery, now) -> str:
    kinds = {k for k, _ in alarms}
    if kinds - {"silent", "battery"}:
        return "alarm"
    if "silent" in kinds or seen is None or (silent_due is not None and silent_due <= now):
        return "silent"
    return "low_battery" if "battery" in kinds or (battery is not None and battery < 20) else "online"


def _community(buildings: int):
    """A community of its own (fresh codes), its buildings, dwellings, devices and a few alarms."""
    from gridgov.accounts.enums import Role
    from gridgov.accounts.models import User
    from gridgov.territory import services as territory
    from gridgov.territory.enums import AreaKind, EstateKind

    tag = uuid.uuid4().int % 900 + 100
    district = territory.area_create(kind=AreaKind.DISTRICT, name="地图基准区", code=f"980{tag}")
    street = territory.area_create(kind=AreaKind.STREET, name="地图基准街道", code=f"980{tag}001", parent=district)
    community = territory.area_create(kind=AreaKind.COMMUNITY, name="地图基准社区", code=f"980{tag}001001",
                                      parent=street)
    grid = territory.area_create(kind=AreaKind.GRID, name="地图基准网格", code=f"980{tag}001001001", parent=community)
    micro = territory.area_create(kind=AreaKind.MICROGRID, name="地图基准微网格", code=f"980{tag}00100100101",
                                  parent=grid)
    estate = territory.estate_create(name="地图基准小区", community=community, kind=EstateKind.OTHER)
    _fill(tag, estate, micro, buildings)
    user = User.objects.create(username=f"bench_map_{tag}", role=Role.COMMUNITY_STAFF, area=community)
    return user, community.code


def _fill(tag: int, estate, micro, buildings: int) -> None:
    from gridgov.sensors.models import Alarm, Device
    from gridgov.territory.models import Building, Dwelling

    now = timezone.now()
    Building.objects.bulk_create([
        Building(code=f"MAP-{tag}-{i}", name=f"{i}栋", estate=estate, microgrid=micro, area_code=micro.code,
                 lat=29.39 + (i // 70) * 0.0005, lng=106.62 + (i % 70) * 0.0005) for i in range(buildings)
    ], batch_size=1000)
    ids = list(Building.objects.filter(code__startswith=f"MAP-{tag}-").order_by("pk").values_list("pk", flat=True))
    Dwelling.objects.bulk_create([Dwelling(building_id=b, number=f"{j + 1:02d}01", area_code=micro.code)
                                  for b in ids for j in range(PER_BUILDING)], batch_size=5000)
    dwellings = list(Dwelling.objects.filter(building_id__in=ids).order_by("pk").values_list("pk", flat=True))
    kinds = ("door", "smoke", "gas", "water", "motion", "sos", "camera")
    Device.objects.bulk_create([
        Device(kind=kinds[i % len(kinds)], serial=f"MAP{tag}-{i:06d}", dwelling_id=d, interval_s=3600,
               last_seen_at=None if i % 10 == 9 else now - dt.timedelta(minutes=i % 50),
               silent_due_at=now + dt.timedelta(hours=2), battery=15 if i % 20 == 3 else 80)
        for i, d in enumerate(dwellings)
    ], batch_size=5000)
    alarmed = Device.objects.filter(serial__startswith=f"MAP{tag}-", serial__endswith="00").values_list("pk", flat=True)
    Alarm.objects.bulk_create([Alarm(device_id=pk, kind="care", severity="care", reason="基准", raised_at=now)
                               for pk in alarmed], batch_size=5000)
