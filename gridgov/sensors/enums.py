"""Kinds, states and permissions of the sensors app, as data."""

import datetime as dt

from django.db import models

from gridgov.accounts.enums import LEDGER_IMPORTERS, PEOPLE_READERS, PEOPLE_WRITERS, Role


class DeviceKind(models.TextChoices):
    DOOR = "door", "智慧门磁"
    SMOKE = "smoke", "智能烟感"
    GAS = "gas", "燃气探测器"
    WATER = "water", "智能水表"
    MOTION = "motion", "人体红外感应"
    SOS = "sos", "紧急呼叫按钮"
    CAMERA = "camera", "高空抛物监控"


class EventType(models.TextChoices):
    DOOR_OPEN = "door_open", "开门"
    DOOR_CLOSE = "door_close", "关门"
    HEARTBEAT = "heartbeat", "心跳"
    SMOKE = "smoke", "烟雾报警"
    GAS = "gas", "燃气泄漏"
    SOS = "sos", "紧急呼叫"
    WATER_READING = "water_reading", "水表读数"
    MOTION = "motion", "有人活动"
    BATTERY = "battery", "电量上报"
    FALLING_OBJECT = "falling_object", "高空抛物"


class AlarmKind(models.TextChoices):
    CARE = "care", "关爱预警"
    SILENT = "silent", "设备离线"
    BATTERY = "battery", "电量异常"
    SMOKE = "smoke", "烟雾报警"
    GAS = "gas", "燃气泄漏"
    SOS = "sos", "紧急呼叫"
    CAMERA = "camera", "高空抛物"


class Severity(models.TextChoices):
    URGENT = "urgent", "紧急"
    CARE = "care", "关爱"
    MAINTENANCE = "maintenance", "运维"


class AlarmStatus(models.TextChoices):
    ACTIVE = "active", "待响应"
    ACKNOWLEDGED = "acknowledged", "已响应"
    CLEARED = "cleared", "已解除"


class ContactRole(models.TextChoices):
    FAMILY = "family", "家属"
    STEWARD = "steward", "楼栋长"
    DOCTOR = "doctor", "家庭医生"
    NEIGHBOUR = "neighbour", "邻居"


# The alarm state machine: from → allowed targets.
ALARM_TRANSITIONS: dict[str, frozenset[str]] = {
    AlarmStatus.ACTIVE: frozenset({AlarmStatus.ACKNOWLEDGED, AlarmStatus.CLEARED}),
    AlarmStatus.ACKNOWLEDGED: frozenset({AlarmStatus.CLEARED}),
    AlarmStatus.CLEARED: frozenset(),
}
OPEN_STATUSES = (AlarmStatus.ACTIVE, AlarmStatus.ACKNOWLEDGED)

# Event types that raise an alarm at once: type → (alarm kind, severity).
INSTANT_ALARMS: dict[str, tuple[str, str]] = {
    EventType.SMOKE: (AlarmKind.SMOKE, Severity.URGENT),
    EventType.GAS: (AlarmKind.GAS, Severity.URGENT),
    EventType.SOS: (AlarmKind.SOS, Severity.URGENT),
    EventType.FALLING_OBJECT: (AlarmKind.CAMERA, Severity.CARE),
}
ALARM_SEVERITY: dict[str, str] = {
    AlarmKind.CARE: Severity.CARE, AlarmKind.SILENT: Severity.MAINTENANCE,
    AlarmKind.BATTERY: Severity.MAINTENANCE, AlarmKind.SMOKE: Severity.URGENT,
    AlarmKind.GAS: Severity.URGENT, AlarmKind.SOS: Severity.URGENT, AlarmKind.CAMERA: Severity.CARE,
}
# How often an alarm nobody has acknowledged is repeated to its recipients.
REMIND_EVERY: dict[str, dt.timedelta] = {
    Severity.URGENT: dt.timedelta(minutes=5),
    Severity.CARE: dt.timedelta(minutes=15),
    Severity.MAINTENANCE: dt.timedelta(hours=24),
}
# Activity that re-arms the "expected activity absent" monitor, per device kind.
ACTIVITY_EVENTS: dict[str, frozenset[str]] = {
    DeviceKind.DOOR: frozenset({EventType.DOOR_OPEN, EventType.DOOR_CLOSE}),
    DeviceKind.MOTION: frozenset({EventType.MOTION}),
    DeviceKind.WATER: frozenset({EventType.WATER_READING}),
}

LOW_BATTERY_PERCENT = 20
BATTERY_REPORT_WITHIN = dt.timedelta(days=7)
SILENT_AFTER_INTERVALS = 2

DEVICE_READERS = PEOPLE_READERS
DEVICE_WRITERS = LEDGER_IMPORTERS | {Role.GRID_WORKER, Role.GRID_LEADER}
CARE_EDITORS = PEOPLE_WRITERS
ALARM_HANDLERS = PEOPLE_WRITERS | {Role.COMMAND_CENTRE}


class DeviceState(models.TextChoices):
    """A device's state on the map and in lists, worst first (selectors.device_state decides)."""

    ALARM = "alarm", "有活动告警"
    SILENT = "silent", "离线（静默）"
    LOW_BATTERY = "low_battery", "低电量"
    ONLINE = "online", "在线"


# Open alarms of these kinds say the device itself is unwell, not the resident or the home.
MAINTENANCE_ALARMS = frozenset({AlarmKind.SILENT, AlarmKind.BATTERY})
