"""Scoped reads of devices and alarms: by the dwelling's building area code prefix."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridgov.sensors.enums import (
    ACTIVITY_EVENTS,
    DEVICE_READERS,
    LOW_BATTERY_PERCENT,
    MAINTENANCE_ALARMS,
    OPEN_STATUSES,
    AlarmKind,
    AlarmStatus,
    DeviceKind,
    DeviceState,
)
from gridgov.sensors.models import Alarm, CareProfile, Device


def _scope(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or user.role not in DEVICE_READERS:
        return None
    return user.scope_code


def devices_visible_to(user):
    code = _scope(user)
    if code is None:
        return Device.objects.none()
    return Device.objects.filter(dwelling__area_code__subtree=code)


def device_get_for(user, device_id: int) -> Device:
    devices = devices_visible_to(user).select_related("dwelling__building", "resident")
    return get_object_or_404(devices, pk=device_id)


def devices_search(user, *, kind: str = "", query: str = ""):
    devices = devices_visible_to(user).select_related("dwelling__building__estate", "resident")
    if kind:
        devices = devices.filter(kind=kind)
    if query.strip():
        devices = devices.filter(Q(serial__startswith=query.strip()) | Q(resident__name__startswith=query.strip()))
    return devices.order_by("serial")


def device_state(*, open_kinds: set[str], last_seen_at, silent_due_at, battery: int | None,
                 now: dt.datetime) -> str:
    """The worst of: an open alarm about the home (not the device's own health), silence (never
    heard, past its silent deadline, or a silent alarm open), a low battery; else online."""
    if open_kinds - MAINTENANCE_ALARMS:
        return DeviceState.ALARM
    if (AlarmKind.SILENT in open_kinds or last_seen_at is None
            or (silent_due_at is not None and silent_due_at <= now)):
        return DeviceState.SILENT
    if AlarmKind.BATTERY in open_kinds or (battery is not None and battery < LOW_BATTERY_PERCENT):
        return DeviceState.LOW_BATTERY
    return DeviceState.ONLINE


_MAP_COLUMNS = ("pk", "kind", "serial", "battery", "last_seen_at", "silent_due_at", "dwelling__number",
                "dwelling__building_id", "dwelling__building__name", "dwelling__building__estate__name",
                "dwelling__building__lat", "dwelling__building__lng")


def _open_alarms(devices) -> dict[int, list[tuple[str, str]]]:
    """device id → [(alarm kind, status)] of its open alarms, in one query."""
    found: dict[int, list[tuple[str, str]]] = {}
    alarms = (Alarm.objects.filter(device__in=devices.values("pk"), status__in=OPEN_STATUSES)
              .order_by("device_id", "kind").values_list("device_id", "kind", "status"))
    for device_id, kind, status in alarms:
        found.setdefault(device_id, []).append((kind, status))
    return found


def devices_geojson(user, *, kind: str = "", area_code: str = "", now: dt.datetime | None = None) -> dict:
    """The devices layer of the map: active devices in scope as GeoJSON points at their building,
    each with its state and open alarms. No resident is named: the layer is for places and devices."""
    now = now or timezone.now()
    devices = devices_visible_to(user).filter(is_active=True)
    if kind:
        devices = devices.filter(kind=kind)
    if area_code:
        devices = devices.filter(dwelling__area_code__subtree=area_code)
    alarms = _open_alarms(devices)
    rows = devices.order_by("serial").values_list(*_MAP_COLUMNS)
    tz = timezone.get_current_timezone()
    return {"type": "FeatureCollection", "features": [_device_feature(row, alarms.get(row[0], []), now, tz)
                                                       for row in rows]}


# Labels looked up once, not through the enums per device: a community's layer has thousands.
_KIND_LABELS = dict(DeviceKind.choices)
_STATE_LABELS = dict(DeviceState.choices)
_ALARM_LABELS = {(k, s): f"{kl}（{sl}）" for k, kl in AlarmKind.choices for s, sl in AlarmStatus.choices}


def _device_feature(row: tuple, alarms: list[tuple[str, str]], now: dt.datetime, tz) -> dict:
    pk, kind, serial, battery, last_seen_at, silent_due_at, number, building_id, building, estate, lat, lng = row
    state = device_state(open_kinds={k for k, _ in alarms}, last_seen_at=last_seen_at,
                         silent_due_at=silent_due_at, battery=battery, now=now)
    building = f"{estate}{building}"
    return {"type": "Feature", "id": pk, "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "serial": serial, "kind": kind, "kind_label": _KIND_LABELS[kind],
                "building_id": building_id, "building": building, "dwelling": f"{building} {number}",
                "battery": battery, "last_seen_at": last_seen_at.isoformat() if last_seen_at else None,
                "last_seen": f"{last_seen_at.astimezone(tz):%Y-%m-%d %H:%M}" if last_seen_at else "",
                "state": state, "state_label": _STATE_LABELS[state],
                "open_alarms": [k for k, _ in alarms], "alarm_labels": [_ALARM_LABELS[a] for a in alarms],
            }}


def alarms_visible_to(user):
    code = _scope(user)
    if code is None:
        return Alarm.objects.none()
    return Alarm.objects.filter(device__dwelling__area_code__subtree=code)


def alarm_get_for(user, alarm_id: int) -> Alarm:
    return get_object_or_404(alarms_visible_to(user).select_related("device__dwelling__building", "device__resident"),
                             pk=alarm_id)


def alarms_search(user, *, status: str = "", kind: str = ""):
    alarms = alarms_visible_to(user).select_related("device__dwelling__building", "device__resident")
    if status == "open":
        alarms = alarms.filter(status__in=OPEN_STATUSES)
    elif status:
        alarms = alarms.filter(status=status)
    if kind:
        alarms = alarms.filter(kind=kind)
    return alarms.order_by("-raised_at", "-id")


def resident_devices_by_monitor(user, resident) -> dict[str, list[Device]]:
    """The resident's active devices in scope, under the kind of the care monitor they feed
    (door, water, motion); devices that only raise instant alarms under "other"."""
    found: dict[str, list[Device]] = {}
    for device in devices_visible_to(user).filter(resident=resident, is_active=True).order_by("serial"):
        found.setdefault(device.kind if device.kind in ACTIVITY_EVENTS else "other", []).append(device)
    return found


def care_profile_for(resident) -> CareProfile | None:
    return CareProfile.objects.filter(resident=resident).prefetch_related("contacts").first()


def device_health(now: dt.datetime | None = None) -> dict:
    """Whole-deployment figures for `gridgov doctor` (not scoped: the operator's view)."""
    now = now or timezone.now()
    devices = Device.objects.filter(is_active=True)
    alarmed = Alarm.objects.filter(kind=AlarmKind.SILENT, status__in=OPEN_STATUSES).values("device_id")
    silent_q = Q(silent_due_at__lte=now) | Q(pk__in=alarmed)
    silent = devices.filter(silent_q).count()
    online = devices.filter(last_seen_at__isnull=False).exclude(silent_q).count()
    low = devices.filter(battery__lt=LOW_BATTERY_PERCENT).count()
    active = dict(Alarm.objects.filter(status=AlarmStatus.ACTIVE).values_list("kind").annotate(n=Count("id")))
    return {"devices": {"online": online, "silent": silent, "low_battery": low},
            "alarms": {kind: active.get(kind, 0) for kind in AlarmKind.values}}
