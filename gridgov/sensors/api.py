"""Sensors API: `router` under /api/v1/sensors/ (staff, scoped) and `devices_router` under
/api/v1/devices/ (gateways posting device events with X-Gateway-Key)."""

import datetime as dt
import json

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import APIKeyHeader

from gridgov.core.errors import DomainError
from gridgov.people.selectors import resident_get_for
from gridgov.sensors import selectors, services
from gridgov.sensors.adapters import Malformed, native
from gridgov.sensors.enums import AlarmStatus, ContactRole, DeviceKind
from gridgov.territory.selectors import area_get_for, dwellings_visible_to

router = Router(tags=["感知设备"])
devices_router = Router(tags=["设备接入"])

MAX_BATCH = 1000


# --- schemas --------------------------------------------------------------------------------

class DeviceOut(Schema):
    id: int
    kind: DeviceKind
    kind_label: str = Field(alias="get_kind_display")
    vendor: str
    serial: str
    dwelling_id: int
    dwelling: str
    building_code: str = Field(alias="dwelling.building.code")
    resident_id: int | None
    installed_on: dt.date | None
    interval_s: int
    battery: int | None
    last_seen_at: dt.datetime | None
    last_activity_at: dt.datetime | None

    @staticmethod
    def resolve_dwelling(obj) -> str:
        return str(obj.dwelling)


class DeviceIn(Schema):
    kind: DeviceKind
    serial: str = Field(min_length=1, max_length=64)
    dwelling_id: int
    resident_id: int | None = None
    vendor: str = "native"
    installed_on: dt.date | None = None
    interval_s: int = Field(3600, ge=10)


class AlarmOut(Schema):
    id: int
    device_id: int
    serial: str = Field(alias="device.serial")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    severity: str
    status: str
    reason: str
    occurrences: int
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    cleared_at: dt.datetime | None
    reminders: int
    needs_case: bool
    case_kind: str
    case_id: int | None
    case_due_at: dt.datetime | None


class TransitionIn(Schema):
    to: AlarmStatus
    note: str = Field("", max_length=200)


class ContactOut(Schema):
    order: int
    role: str
    name: str
    masked_phone: str


class ContactIn(Schema):
    role: ContactRole
    name: str = Field(min_length=1, max_length=50)
    phone: str


class CareOut(Schema):
    resident_id: int
    monitor_door: bool
    monitor_water: bool
    monitor_motion: bool
    door_hours: int
    water_hours: int
    water_min_m3: float
    motion_hours: int
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj) -> list:
        return list(obj.contacts.all())


class CareIn(Schema):
    monitor_door: bool = True
    monitor_water: bool = True
    monitor_motion: bool = True
    door_hours: int = Field(24, ge=1, le=168)
    water_hours: int = Field(12, ge=1, le=168)
    water_min_m3: float = Field(0.01, ge=0, le=10)  # services.CARE_WATER_MAX_M3
    motion_hours: int = Field(24, ge=1, le=168)
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    contacts: list[ContactIn] = []


# --- staff endpoints ------------------------------------------------------------------------

@router.get("/devices", response=list[DeviceOut], summary="我管辖范围内的感知设备")
@paginate(PageNumberPagination, page_size=50)
def list_devices(request, kind: str = "", q: str = ""):
    return selectors.devices_search(request.user, kind=kind, query=q)


@router.get("/devices.geojson", summary="感知设备地图图层（GeoJSON，楼栋坐标，含状态与未解除告警）")
def devices_geojson(request, kind: str = "", under: int | None = None):
    area_code = area_get_for(request.user, under).code if under is not None else ""
    return selectors.devices_geojson(request.user, kind=kind, area_code=area_code)


@router.get("/devices/{device_id}", response=DeviceOut, summary="设备详情")
def get_device(request, device_id: int):
    return selectors.device_get_for(request.user, device_id)


@router.post("/devices", response={201: DeviceOut}, summary="登记设备（序列号已存在则更新绑定）")
def register_device(request, payload: DeviceIn):
    dwelling = get_object_or_404(dwellings_visible_to(request.user), pk=payload.dwelling_id)
    resident = resident_get_for(request.user, payload.resident_id) if payload.resident_id else None
    device = services.device_register(
        by=request.user, kind=payload.kind, serial=payload.serial, dwelling=dwelling, resident=resident,
        vendor=payload.vendor, installed_on=payload.installed_on, interval_s=payload.interval_s,
    )
    return Status(201, selectors.device_get_for(request.user, device.pk))


@router.get("/alarms", response=list[AlarmOut], summary="告警（status=open 为未解除）")
@paginate(PageNumberPagination, page_size=50)
def list_alarms(request, status: str = "", kind: str = ""):
    return selectors.alarms_search(request.user, status=status, kind=kind)


@router.get("/alarms/{alarm_id}", response=AlarmOut, summary="告警详情")
def get_alarm(request, alarm_id: int):
    return selectors.alarm_get_for(request.user, alarm_id)


@router.post("/alarms/{alarm_id}/transition", response=AlarmOut, summary="响应或解除告警")
def transition_alarm(request, alarm_id: int, payload: TransitionIn):
    alarm = selectors.alarm_get_for(request.user, alarm_id)
    services.alarm_transition(alarm=alarm, to=payload.to, by=request.user, note=payload.note)
    return selectors.alarm_get_for(request.user, alarm_id)


@router.get("/residents/{resident_id}/care", response=CareOut, summary="居民的关爱设置（电话已脱敏）")
def get_care(request, resident_id: int):
    resident = resident_get_for(request.user, resident_id)
    profile = selectors.care_profile_for(resident)
    if profile is None:
        raise DomainError("该居民尚未设置关爱监测", code="not_found")
    return profile


@router.put("/residents/{resident_id}/care", response=CareOut, summary="设置居民的关爱监测与紧急联系人")
def set_care(request, resident_id: int, payload: CareIn):
    resident = resident_get_for(request.user, resident_id)
    data = payload.dict()
    contacts = [services.Contact(**c) for c in data.pop("contacts")]
    services.care_profile_set(resident=resident, by=request.user, contacts=contacts, **data)
    return selectors.care_profile_for(resident)


# --- gateway endpoint -----------------------------------------------------------------------

class GatewayKey(APIKeyHeader):
    """`X-Gateway-Key: ggw_…` — a device gateway's key."""

    param_name = "X-Gateway-Key"

    def authenticate(self, request, key):
        gateway = services.gateway_for_key(key or "")
        if gateway is not None:
            request.gateway = gateway
        return gateway


class ItemOut(Schema):
    index: int
    serial: str
    id: str
    status: str
    reason: str = ""
    message: str = ""


class BatchOut(Schema):
    accepted: int
    duplicate: int
    rejected: int
    items: list[ItemOut]


_BATCH_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "array", "maxItems": MAX_BATCH, "items": {
        "type": "object", "required": ["serial", "id", "ts", "type"],
        "properties": {"serial": {"type": "string"}, "id": {"type": "string"}, "ts": {"type": "string"},
                       "type": {"type": "string"}, "value": {"type": ["number", "null"]},
                       "battery": {"type": ["number", "null"]}}}}}}}}


@devices_router.post("/events", auth=GatewayKey(), response=BatchOut, openapi_extra=_BATCH_DOC,
                     summary="网关批量上报设备消息（逐条答复：accepted / duplicate / rejected）")
def post_events(request):
    items = _batch(request.body)
    parsed, outcomes = [], {}
    for index, obj in enumerate(items):
        try:
            parsed.append((index, native.item(obj)))
        except Malformed as exc:
            outcomes[index] = services.Outcome("rejected", exc.reason, str(exc), exc.serial,
                                               str(obj.get("id", "")) if isinstance(obj, dict) else "")
    rejected = [services.Rejected(o.reason, o.detail, o.serial, payload=json.dumps(items[i], ensure_ascii=False)[:1000])
                for i, o in outcomes.items()]
    results = services.events_ingest(events=[e for _, e in parsed], source="http", rejected=rejected)
    outcomes.update({index: result for (index, _), result in zip(parsed, results, strict=True)})
    answers = [{"index": i, "serial": o.serial, "id": o.event_id, "status": o.status, "reason": o.reason,
                "message": o.detail} for i, o in sorted(outcomes.items())]
    counts = {status: sum(1 for a in answers if a["status"] == status) for status in ("accepted", "duplicate", "rejected")}
    return {**counts, "items": answers}


def _batch(body: bytes) -> list:
    try:
        items = json.loads(body or b"null")
    except ValueError:
        raise DomainError("请求体不是合法的 JSON", code="invalid") from None
    if not isinstance(items, list):
        raise DomainError("请求体应为消息对象的数组", code="invalid")
    if len(items) > MAX_BATCH:
        raise DomainError(f"一次最多上报 {MAX_BATCH} 条，本次 {len(items)} 条", code="too_many")
    return items
