"""Scoped reads of devices and alarms: by the dwelling's building area code prefix."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridgov.sensors.enums import DEVICE_READERS, LOW_BATTERY_PERCENT, OPEN_STATUSES, AlarmKind, AlarmStatus
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


def devices_geojson(user, *, kind: str = "") -> dict:
    """Devices as GeoJSON points at their building, with their open alarms' kinds."""
    devices = devices_search(user, kind=kind).prefetch_related(None)
    open_kinds: dict[int, list[str]] = {}
    alarms = Alarm.objects.filter(device__in=devices, status__in=OPEN_STATUSES).values_list("device_id", "kind")
    for device_id, kind_ in alarms:
        open_kinds.setdefault(device_id, []).append(kind_)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": d.pk,
         "geometry": {"type": "Point", "coordinates": [d.dwelling.building.lng, d.dwelling.building.lat]},
         "properties": {"serial": d.serial, "kind": d.kind, "kind_label": d.get_kind_display(),
                        "dwelling": str(d.dwelling), "battery": d.battery,
                        "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
                        "open_alarms": sorted(open_kinds.get(d.pk, []))}}
        for d in devices
    ]}


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
