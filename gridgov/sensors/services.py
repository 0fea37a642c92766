"""Writes of the sensors app: devices, care settings, ingested events, alarms and the sweeps.

Every page, API call, import, the MQTT ingester and the worker come through here.
"""

import datetime as dt
import json
import operator
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridgov.core.errors import Conflict, DomainError, NotAllowed
from gridgov.lib.keys import key_hash, new_key
from gridgov.people.models import Resident
from gridgov.sensors import escalation
from gridgov.sensors.adapters import Event
from gridgov.sensors.enums import (
    ACTIVITY_EVENTS,
    ALARM_HANDLERS,
    ALARM_SEVERITY,
    ALARM_TRANSITIONS,
    BATTERY_REPORT_WITHIN,
    CARE_EDITORS,
    DEVICE_WRITERS,
    INSTANT_ALARMS,
    LOW_BATTERY_PERCENT,
    OPEN_STATUSES,
    REMIND_EVERY,
    SILENT_AFTER_INTERVALS,
    AlarmKind,
    AlarmStatus,
    DeviceKind,
    EventType,
    Severity,
)
from gridgov.sensors.models import (
    Alarm,
    AlarmLog,
    CareProfile,
    Device,
    DeviceEvent,
    EmergencyContact,
    Gateway,
    IngestReject,
)
from gridgov.territory.enums import Duty
from gridgov.territory.models import Assignment, Dwelling

SWEEP_BATCH = 1000


# --- devices --------------------------------------------------------------------------------

def _check_device_writer(by, dwelling: Dwelling) -> None:
    if by is None:
        return
    from gridgov.territory.selectors import dwellings_visible_to

    if by.role not in DEVICE_WRITERS:
        raise NotAllowed("您的角色不能登记感知设备")
    if not dwellings_visible_to(by).filter(pk=dwelling.pk).exists():
        raise NotAllowed(f"房屋 {dwelling} 不在您的管辖范围内")


def care_case_after() -> dt.timedelta:
    """How long a care alert may stay unacknowledged before it becomes a care case (default 30 min)."""
    return dt.timedelta(minutes=settings.GRIDGOV_CARE_ACK_MINUTES)


def _check_resident_dwelling(resident: Resident | None, dwelling: Dwelling) -> None:
    if resident is not None and (resident.household is None or resident.household.dwelling_id != dwelling.pk):
        raise DomainError(f"{resident.name} 不住在 {dwelling}", code="resident_not_in_dwelling")


@transaction.atomic
def device_register(*, kind: str, serial: str, dwelling: Dwelling, by=None, vendor: str = "native",
                    resident: Resident | None = None, installed_on: dt.date | None = None,
                    interval_s: int = 3600, now: dt.datetime | None = None) -> Device:
    """A new device, or the existing one with this serial re-bound (idempotent on serial)."""
    _check_device_writer(by, dwelling)
    _check_resident_dwelling(resident, dwelling)
    if kind not in DeviceKind.values:
        raise DomainError(f"未知设备类型：{kind}")
    if interval_s < 10:
        raise DomainError("上报间隔不能少于 10 秒")
    now = now or timezone.now()
    fields = {"kind": kind, "vendor": vendor, "dwelling": dwelling, "resident": resident,
              "installed_on": installed_on, "interval_s": interval_s}
    device, created = Device.objects.get_or_create(serial=serial.strip(), defaults={
        **fields, "silent_due_at": now + interval_s * SILENT_AFTER_INTERVALS * dt.timedelta(seconds=1),
        "battery_due_at": now + BATTERY_REPORT_WITHIN,
    })
    if not created:
        for name, value in fields.items():
            setattr(device, name, value)
        device.save(update_fields=[*fields])
    device_rearm_activity(device=device, now=now)
    return device


def _activity_window(device: Device, profile: CareProfile | None) -> dt.timedelta | None:
    """How long this device may see no activity before a care alert; None: not monitored."""
    if profile is None:
        return None
    hours = {DeviceKind.DOOR: profile.door_hours if profile.monitor_door else None,
             DeviceKind.WATER: profile.water_hours if profile.monitor_water else None,
             DeviceKind.MOTION: profile.motion_hours if profile.monitor_motion else None}.get(device.kind)
    return None if hours is None else dt.timedelta(hours=hours)


def quiet_shift(due: dt.datetime, profile: CareProfile | None) -> dt.datetime:
    """A deadline falling inside the resident's quiet hours moves to their end (local time)."""
    if profile is None or profile.quiet_start is None or profile.quiet_end is None:
        return due
    local = timezone.localtime(due)
    start, end, at = profile.quiet_start, profile.quiet_end, local.time()
    inside = (start <= at < end) if start < end else (at >= start or at < end)
    if not inside:
        return due
    end_day = local.date() if at < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(end_day, end), local.tzinfo)


def _activity_due(device: Device, profile: CareProfile | None, since: dt.datetime) -> dt.datetime | None:
    window = _activity_window(device, profile)
    return None if window is None else quiet_shift(since + window, profile)


def device_rearm_activity(*, device: Device, now: dt.datetime) -> Device:
    """Recompute the absent-activity deadline after a change of binding or care settings."""
    profile = CareProfile.objects.filter(resident_id=device.resident_id).first() if device.resident_id else None
    device.activity_due_at = _activity_due(device, profile, device.last_activity_at or now)
    device.save(update_fields=["activity_due_at"])
    return device


# --- care settings --------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    phone: str


def _check_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError(f"电话号码格式错误：{phone}", code="invalid_phone")
    return phone


# The care settings' limits, for every input path (page, API, import): up to a week of silence, and a
# water minimum that guards against a slipped digit (a home uses about 0.1 m³ a day).
CARE_HOURS = (1, 168)
CARE_WATER_MAX_M3 = 10
CARE_HOUR_FIELDS = {"door_hours": "未开门时长", "water_hours": "用水统计时长", "motion_hours": "无活动时长"}


def _check_care_limits(settings: dict) -> None:
    low, high = CARE_HOURS
    for name, label in CARE_HOUR_FIELDS.items():
        if name in settings and not (isinstance(settings[name], int) and low <= settings[name] <= high):
            raise DomainError(f"{label}须为 {low} 到 {high} 之间的整数（小时），收到“{settings[name]}”",
                              code="invalid_care_setting")
    water = settings.get("water_min_m3")
    if water is not None and not (0 <= float(water) <= CARE_WATER_MAX_M3):
        raise DomainError(f"最低用水量须在 0 到 {CARE_WATER_MAX_M3} m³ 之间，收到“{water}”", code="invalid_care_setting")


@transaction.atomic
def care_profile_set(*, resident: Resident, by=None, contacts: list[Contact] | None = None,
                     now: dt.datetime | None = None, **settings) -> CareProfile:
    """Create or replace a resident's care settings (and contacts, in order); re-arm their devices."""
    if by is not None:
        from gridgov.people.selectors import residents_visible_to

        if by.role not in CARE_EDITORS or not residents_visible_to(by).filter(pk=resident.pk).exists():
            raise NotAllowed("您不能修改该居民的关爱设置")
    allowed = {f.name for f in CareProfile._meta.get_fields()} - {"id", "resident", "updated_at", "contacts"}
    unknown = set(settings) - allowed
    if unknown:
        raise DomainError(f"未知设置项：{', '.join(sorted(unknown))}")
    _check_care_limits(settings)
    profile, _ = CareProfile.objects.update_or_create(resident=resident, defaults=settings)
    if contacts is not None:
        checked = [(c, _check_phone(c.phone)) for c in contacts]
        profile.contacts.all().delete()
        EmergencyContact.objects.bulk_create([
            EmergencyContact(profile=profile, order=i, role=c.role, name=c.name.strip(), phone=phone)
            for i, (c, phone) in enumerate(checked, start=1)
        ])
    for device in Device.objects.filter(resident=resident, is_active=True):
        device_rearm_activity(device=device, now=now or timezone.now())
    return profile


# --- gateways -------------------------------------------------------------------------------

def gateway_create(*, name: str) -> tuple[Gateway, str]:
    """A new HTTP gateway and its key (shown once)."""
    key = new_key("ggw")
    gateway = Gateway.objects.create(name=name, prefix=key[:8], key_hash=key_hash(key))
    return gateway, key


def gateway_for_key(key: str) -> Gateway | None:
    gateway = Gateway.objects.filter(key_hash=key_hash(key or ""), is_active=True).first()
    if gateway is not None:
        Gateway.objects.filter(pk=gateway.pk).update(last_used_at=timezone.now())
    return gateway


# --- ingestion ------------------------------------------------------------------------------

@dataclass
class Outcome:
    status: str                 # accepted | duplicate | rejected
    reason: str = ""
    detail: str = ""
    serial: str = ""
    event_id: str = ""


@dataclass
class Rejected:
    """A message (or item) no adapter could read, to be counted as rejected."""

    reason: str
    detail: str
    serial: str = ""
    topic: str = ""
    payload: str = ""


def reject_record(*, source: str, rejected: list[Rejected]) -> None:
    IngestReject.objects.bulk_create([
        IngestReject(source=source, topic=r.topic[:200], serial=r.serial[:64], reason=r.reason[:30],
                     detail=r.detail[:300], payload=r.payload[:1000]) for r in rejected
    ])


class _State:
    """What a batch needs of one device, read as a tuple: a model instance per device would cost
    more than the batch's SQL. `activity` and `battery` collect the batch's latest."""

    __slots__ = ("pk", "kind", "resident_id", "interval_s", "reading_ref", "activity", "activity_due", "battery")

    def __init__(self, pk: int, kind: str, resident_id: int | None, interval_s: int, reading_ref: float | None):
        self.pk, self.kind, self.resident_id, self.interval_s = pk, kind, resident_id, interval_s
        self.reading_ref = reading_ref
        self.activity: dt.datetime | None = None            # the latest activity in the batch
        self.activity_due: dt.datetime | None = None
        self.battery: tuple[dt.datetime, int] | None = None  # (ts, level) of the latest battery report


@transaction.atomic
def events_ingest(*, events: list[Event], source: str, rejected: list[Rejected] = (),
                  now: dt.datetime | None = None) -> list[Outcome]:
    """Store a batch of events in one transaction; one Outcome per event, in order.

    A repeated (serial, id) is a duplicate and changes nothing; an unknown serial is rejected and
    recorded in IngestReject. Each device's state is written once, from the batch's latest events,
    its devices locked in id order only from then to the commit, so that ingesters sharing the
    subscription wait for each other as little as they can (docs/device-protocol.md).
    """
    now = now or timezone.now()
    devices = _batch_devices({e.serial for e in events})
    candidates, keys = [], set()            # (index, event, state): each (device, event id) once
    for index, event in enumerate(events):
        state = devices.get(event.serial)
        if state is not None and (state.pk, event.event_id) not in keys:
            keys.add((state.pk, event.event_id))
            candidates.append((index, event, state))
    adapt = _db_datetime()
    stored = _insert_events([(s.pk, e) for _, e, s in candidates], now, adapt) if candidates else None
    fresh = candidates if stored is None else [c for c in candidates if (c[2].pk, c[1].event_id) in stored]
    outcomes, rejects = _outcomes(events, devices, {index for index, _, _ in fresh})
    if fresh:
        _lock_state({state.pk: state for _, _, state in fresh})
        touched = _advance([(event, state) for _, event, state in fresh])
        _save_state(touched, now, adapt)
        _raise_instant([(event, state) for _, event, state in fresh], now)
        _clear_recovered([state.pk for state in touched], now)
    reject_record(source=source, rejected=[*rejected, *rejects])
    return outcomes


def _batch_devices(serials: set[str]) -> dict[str, _State]:
    condition, params = _in_list("serial", list(serials), "varchar")
    with _cursor() as cursor:
        cursor.execute(f"SELECT serial, id, kind, resident_id, interval_s, reading_ref FROM {Device._meta.db_table} "
                       f"WHERE {condition} AND is_active", params)
        return {serial: _State(*rest) for serial, *rest in cursor.fetchall()}


def _lock_state(states: dict[int, _State]) -> None:
    """PostgreSQL: lock the devices whose state this batch moves, in id order (so that two batches
    never deadlock), and re-read what moves step by step (a water meter's reference reading).
    FOR NO KEY UPDATE, the lock an UPDATE takes anyway: another batch's events referring to these
    devices still commit. SQLite: the transaction holds the database's write lock already."""
    if not connection.features.has_select_for_update:
        return
    condition, params = _in_list("id", sorted(states), "bigint")
    with _cursor() as cursor:
        cursor.execute(f"SELECT id, reading_ref FROM {Device._meta.db_table} WHERE {condition} "
                       "ORDER BY id FOR NO KEY UPDATE", params)
        for pk, reading_ref in cursor.fetchall():
            states[pk].reading_ref = reading_ref


def _cursor():
    """A cursor for the batch's bulk statements. On PostgreSQL one that binds its parameters on
    the server, so that a batch's arrays can go in binary (`%b`, five times cheaper to dump than
    text): Django's client-side binding quotes every element in Python (a third of a batch's time)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def _in_list(column: str, values: list, kind: str) -> tuple[str, list]:
    """`column` is one of `values`, as one parameter however many there are (a batch of gateway
    messages can name more devices than SQLite allows parameters): an array on PostgreSQL, a
    JSON array on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%b::{kind}[])", [values]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]


def _outcomes(events: list[Event], devices: dict[str, _State], accepted: set[int]) -> tuple[list, list]:
    outcomes, rejects = [], []
    for index, event in enumerate(events):
        if event.serial not in devices:
            detail = f"未登记的设备：{event.serial}"
            outcomes.append(Outcome("rejected", "unknown_serial", detail, event.serial, event.event_id))
            rejects.append(Rejected("unknown_serial", detail, event.serial))
        else:
            outcomes.append(Outcome("accepted" if index in accepted else "duplicate", serial=event.serial,
                                    event_id=event.event_id))
    return outcomes, rejects


def _db_datetime():
    """The backend's datetime adapter without its per-value checks, for one batch: PostgreSQL
    takes aware datetimes as they are; SQLite stores Django's text form of the UTC wall time
    (each value converted once per batch: an event's time is also its device's battery time)."""
    if connection.vendor == "postgresql":
        return lambda value: value
    tz, utc, memo = connection.timezone, connection.timezone in (dt.UTC, zoneinfo.ZoneInfo("UTC")), {}

    def adapt(value):
        text = memo.get(value)
        if text is None and value is not None:
            if value.tzinfo is None:
                text = str(value)
            elif utc:               # "2026-11-20 01:00:00[.ffffff]+00:00" without its offset
                text = value.astimezone(dt.UTC).isoformat(" ")[:-6]
            else:
                text = str(value.astimezone(tz).replace(tzinfo=None))
            memo[value] = text
        return text
    return adapt


_EVENT_TABLE = DeviceEvent._meta.db_table
_EVENT_COLUMNS = "device_id, event_id, type, ts, value, battery, received_at"


def _insert_events(rows: list[tuple[int, Event]], now: dt.datetime, adapt) -> set[tuple[int, str]] | None:
    """Insert the events not stored yet (ON CONFLICT DO NOTHING); return the (device id, event id)
    pairs this call stored, or None when it stored them all. The unique constraint decides, so two
    ingesters given the same message at once store it once."""
    received = adapt(now)
    values = [(pk, e.event_id, e.type, adapt(e.ts), e.value, e.battery) for pk, e in rows]
    with _cursor() as cursor:
        if connection.vendor == "postgresql":
            values.sort(key=lambda row: row[:2])     # two batches' rows in one order: they never deadlock
            cursor.execute(
                f"INSERT INTO {_EVENT_TABLE} ({_EVENT_COLUMNS}) SELECT d, e, t, ts, v, b, %s FROM unnest("
                "%b::bigint[], %b::varchar[], %b::varchar[], %b::timestamptz[], %b::float8[], %b::smallint[]) "
                "AS x(d, e, t, ts, v, b) ON CONFLICT (device_id, event_id) DO NOTHING RETURNING device_id, event_id",
                [received, *(list(column) for column in zip(*values, strict=True))])
            stored = set(cursor.fetchall())
            return None if len(stored) == len(values) else stored
        # SQLite: the transaction holds the database's write lock, so the rows with ids above the
        # current maximum are exactly the ones this statement inserted.
        cursor.execute(f"SELECT MAX(id) FROM {_EVENT_TABLE}")
        before = cursor.fetchone()[0] or 0
        cursor.executemany(f"INSERT INTO {_EVENT_TABLE} ({_EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                           "ON CONFLICT (device_id, event_id) DO NOTHING", [(*v, received) for v in values])
        if cursor.rowcount == len(values):
            return None
        cursor.execute(f"SELECT device_id, event_id FROM {_EVENT_TABLE} WHERE id > %s", [before])
        return set(cursor.fetchall())


def _advance(fresh: list[tuple[Event, _State]]) -> list[_State]:
    """Walk the batch's new events in time order, collecting each device's latest activity and
    battery report (a water meter's reference reading moves event by event)."""
    active = {s.resident_id for e, s in fresh if s.resident_id and e.type in ACTIVITY_EVENTS.get(s.kind, ())}
    profiles = {p.resident_id: p for p in CareProfile.objects.filter(resident_id__in=active)} if active else {}
    touched = {}
    for event, state in sorted(fresh, key=lambda pair: pair[0].ts):
        touched[state.pk] = state
        if _is_activity(state, event, profiles.get(state.resident_id)):
            state.activity = event.ts if state.activity is None else max(state.activity, event.ts)
        level = event.battery
        if level is None and event.type == EventType.BATTERY and event.value is not None:
            level = int(event.value)
        if level is not None:
            state.battery = (event.ts, level)
    for state in touched.values():
        if state.activity is not None:
            state.activity_due = _activity_due(state, profiles.get(state.resident_id), state.activity)
    return list(touched.values())


# A device's moving state, written once per batch. The deadline columns only move forward: an
# activity older than the stored one, or a battery report older than the stored one, changes
# nothing, so the comparison is made in SQL against the row as it is when written.
_NEWER_ACTIVITY = "{act} IS NOT NULL AND ({col:last_activity_at} IS NULL OR {col:last_activity_at} < {act})"
_NEWER_BATTERY = "{bts} IS NOT NULL AND ({col:battery_reported_at} IS NULL OR {col:battery_reported_at} <= {bts})"
_STATE_SET = ", ".join([
    "last_seen_at = {seen}", "silent_due_at = {silent}", "reading_ref = {ref}",
    f"last_activity_at = CASE WHEN {_NEWER_ACTIVITY} THEN {{act}} ELSE {{col:last_activity_at}} END",
    f"activity_due_at = CASE WHEN {_NEWER_ACTIVITY} THEN {{act_due}} ELSE {{col:activity_due_at}} END",
    f"battery = CASE WHEN {_NEWER_BATTERY} THEN {{bat}} ELSE {{col:battery}} END",
    f"battery_reported_at = CASE WHEN {_NEWER_BATTERY} THEN {{bts}} ELSE {{col:battery_reported_at}} END",
    f"battery_due_at = CASE WHEN {_NEWER_BATTERY} THEN {{bat_due}} ELSE {{col:battery_due_at}} END",
])
_STATE_ARRAYS = (("id", "bigint"), ("silent", "timestamptz"), ("ref", "float8"), ("act", "timestamptz"),
                 ("act_due", "timestamptz"), ("bat", "smallint"), ("bts", "timestamptz"), ("bat_due", "timestamptz"))


_STATE_VALUES = ("seen", "silent", "ref", "act", "act_due", "bat", "bts", "bat_due", "id")


def _state_sql(vendor: str) -> tuple[str, operator.itemgetter]:
    """The UPDATE of many devices' state, and what picks its per-device values, in their order,
    from a tuple of _STATE_VALUES.

    PostgreSQL: one UPDATE … FROM unnest(arrays) for the whole batch. SQLite: one statement
    executed per device (executemany), each value a parameter in the order it appears."""
    table = Device._meta.db_table
    order: list[str] = []

    def fill(match) -> str:
        name = match.group(1)
        if name.startswith("col:"):
            return f"d.{name[4:]}" if vendor == "postgresql" else name[4:]
        if vendor == "postgresql":
            return "%s" if name == "seen" else f"v.{name}"
        order.append(name)
        return "%s"

    assignments = re.sub(r"\{([a-z_:]+)\}", fill, _STATE_SET)
    if vendor == "postgresql":
        arrays = ", ".join(f"%b::{kind}[]" for _, kind in _STATE_ARRAYS)
        names = ", ".join(name for name, _ in _STATE_ARRAYS)
        sql, order = (f"UPDATE {table} AS d SET {assignments} FROM unnest({arrays}) AS v({names}) "
                      "WHERE d.id = v.id"), [name for name, _ in _STATE_ARRAYS]
    else:
        sql, order = f"UPDATE {table} SET {assignments} WHERE id = %s", [*order, "id"]
    return sql, operator.itemgetter(*[_STATE_VALUES.index(name) for name in order])


_STATE_SQL: dict[str, tuple[str, operator.itemgetter]] = {}


def _save_state(devices: list[_State], now: dt.datetime, adapt) -> None:
    """Every device heard from: seen now, silent deadline re-armed; the activity and battery
    deadlines from the batch's latest (one statement, or one executemany on SQLite)."""
    if connection.vendor not in _STATE_SQL:
        _STATE_SQL[connection.vendor] = _state_sql(connection.vendor)
    sql, pick = _STATE_SQL[connection.vendor]
    silent_after: dict[int, object] = {}          # interval → the silent deadline (devices share intervals)
    seen, rows = adapt(now), []
    for state in devices:
        silent = silent_after.get(state.interval_s)
        if silent is None:
            silent = silent_after[state.interval_s] = adapt(now + dt.timedelta(seconds=state.interval_s
                                                                                * SILENT_AFTER_INTERVALS))
        bts, bat, bat_due = None, None, None
        if state.battery is not None:
            bts, bat = state.battery
            bat_due = adapt(now if bat < LOW_BATTERY_PERCENT else bts + BATTERY_REPORT_WITHIN)
            bts = adapt(bts)
        act = state.activity
        act_due = adapt(state.activity_due) if act is not None else None
        rows.append(pick((seen, silent, state.reading_ref, adapt(act), act_due, bat, bts, bat_due, state.pk)))
    with _cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [adapt(now), *(list(column) for column in zip(*rows, strict=True))])
        else:
            cursor.executemany(sql, rows)


def _raise_instant(fresh: list[tuple[Event, _State]], now: dt.datetime) -> None:
    """Smoke, gas, SOS, a falling object: an alarm at once, pointing at the event that raised it."""
    raising = sorted(((e, s) for e, s in fresh if e.type in INSTANT_ALARMS), key=lambda pair: pair[0].ts)
    if not raising:
        return
    devices = Device.objects.select_related("dwelling__building", "resident").in_bulk({s.pk for _, s in raising})
    rows = {(r.device_id, r.event_id): r for r in DeviceEvent.objects.filter(
        device_id__in={s.pk for _, s in raising}, event_id__in={e.event_id for e, _ in raising})}
    for event, state in raising:
        kind, _ = INSTANT_ALARMS[event.type]
        alarm_raise(device=devices[state.pk], kind=kind, reason=EventType(event.type).label, now=now,
                    event=rows[(state.pk, event.event_id)])


def _is_activity(device, event: Event, profile: CareProfile | None) -> bool:
    if event.type not in ACTIVITY_EVENTS.get(device.kind, ()):
        return False
    if event.type != EventType.WATER_READING:
        return True
    if event.value is None:
        return False
    if device.reading_ref is None or event.value < device.reading_ref:
        device.reading_ref = event.value        # first reading, or a replaced meter: start counting
        return True
    threshold = profile.water_min_m3 if profile is not None else 0.01
    if event.value - device.reading_ref >= threshold:
        device.reading_ref = event.value
        return True
    return False


def _clear_recovered(device_ids: list[int], now: dt.datetime) -> None:
    """A device heard from again clears its silent alarm; a good battery clears its battery alarm."""
    condition, params = _in_list("device_id", device_ids, "bigint")
    with _cursor() as cursor:        # one plain query per batch: usually it finds nothing
        cursor.execute(f"SELECT id FROM {Alarm._meta.db_table} WHERE {condition} AND status IN (%s, %s) "
                       "AND kind IN (%s, %s)", [*params, *OPEN_STATUSES, AlarmKind.SILENT, AlarmKind.BATTERY])
        ids = [pk for (pk,) in cursor.fetchall()]
    if not ids:
        return
    recovered = list(Alarm.objects.filter(pk__in=ids).order_by("pk"))
    battery = dict(Device.objects.filter(pk__in={a.device_id for a in recovered if a.kind == AlarmKind.BATTERY})
                   .values_list("pk", "battery"))
    for alarm in recovered:
        level = battery.get(alarm.device_id)
        if alarm.kind == AlarmKind.BATTERY and (level is None or level < LOW_BATTERY_PERCENT):
            continue
        alarm_transition(alarm=alarm, to=AlarmStatus.CLEARED, note="设备恢复正常，自动解除", now=now)


# --- alarms ---------------------------------------------------------------------------------

def alarm_raise(*, device: Device, kind: str, reason: str, now: dt.datetime, event: DeviceEvent | None = None) -> Alarm:
    """Raise an alarm, or count one more occurrence of the open alarm of this device and kind."""
    open_alarm = Alarm.objects.filter(device=device, kind=kind, status__in=OPEN_STATUSES).first()
    if open_alarm is not None:
        Alarm.objects.filter(pk=open_alarm.pk).update(occurrences=F("occurrences") + 1)
        if open_alarm.needs_case and open_alarm.case_id is None:     # the engine refused it before: retry
            escalation.alarm_case_open(alarm=open_alarm, now=now)
        return open_alarm
    alarm = _new_alarm(device, kind, reason, now, _directory([device]), event=event)
    try:
        with transaction.atomic():
            alarm.save(force_insert=True)
    except IntegrityError:      # another process raised it first
        return Alarm.objects.get(device=device, kind=kind, status__in=OPEN_STATUSES)
    AlarmLog.objects.create(alarm=alarm, from_status="", to_status=AlarmStatus.ACTIVE, at=now, note=reason[:200])
    escalation.alarm_after_insert(alarm=alarm, now=now)
    return alarm


def alarms_raise_many(*, raises: list[tuple[Device, str, str]], now: dt.datetime) -> int:
    """alarm_raise for many (device, kind, reason) at once, in a handful of queries (the sweeps)."""
    open_pairs = set(Alarm.objects.filter(device__in=[d for d, _, _ in raises], status__in=OPEN_STATUSES,
                                          kind__in={k for _, k, _ in raises}).values_list("device_id", "kind"))
    for kind in {k for d, k, _ in raises if (d.pk, k) in open_pairs}:
        Alarm.objects.filter(device_id__in=[d.pk for d, k, _ in raises if k == kind and (d.pk, k) in open_pairs],
                             kind=kind, status__in=OPEN_STATUSES).update(occurrences=F("occurrences") + 1)
    fresh = [(d, k, r) for d, k, r in raises if (d.pk, k) not in open_pairs]
    directory = _directory([d for d, _, _ in fresh])
    alarms = [_new_alarm(d, k, r, now, directory) for d, k, r in fresh]
    try:
        with transaction.atomic():
            alarms = Alarm.objects.bulk_create(alarms)
    except IntegrityError:      # one was raised meanwhile: fall back to one at a time
        return len([alarm_raise(device=d, kind=k, reason=r, now=now) for d, k, r in fresh])
    AlarmLog.objects.bulk_create([AlarmLog(alarm=a, from_status="", to_status=AlarmStatus.ACTIVE, at=now,
                                           note=a.reason) for a in alarms])
    for alarm in alarms:
        escalation.alarm_after_insert(alarm=alarm, now=now)
    return len(alarms)


def _new_alarm(device: Device, kind: str, reason: str, now: dt.datetime, directory: "_Directory", *,
               event: DeviceEvent | None = None) -> Alarm:
    """An unsaved alarm with its deadlines, its case request (urgent, camera) and its first notification."""
    severity = ALARM_SEVERITY[kind]
    alarm = Alarm(device=device, kind=kind, severity=severity, reason=reason[:200], event=event, raised_at=now,
                  remind_at=now + REMIND_EVERY[severity],
                  case_due_at=now + care_case_after() if kind == AlarmKind.CARE else None)
    if severity == Severity.URGENT:
        escalation.raise_case_for_alarm(alarm, case_kind="urgent", now=now, save=False)
    elif kind == AlarmKind.CAMERA:
        escalation.raise_case_for_alarm(alarm, case_kind="grid", now=now, save=False)
    _notify(alarm, device, now, directory, save=False)
    return alarm


@dataclass
class _Directory:
    """Who is told about alarms of some devices: residents' contacts and the staff on duty by area code."""

    contacts: dict
    on_duty: dict


def _area_prefixes(device: Device) -> list[str]:
    code = device.dwelling.building.area_code
    return [code[:n] for n in (15, 17) if len(code) >= n]


def _directory(devices: list[Device]) -> _Directory:
    contacts, on_duty, today = {}, {}, timezone.localdate()
    residents = {d.resident_id for d in devices if d.resident_id}
    if residents:
        for contact in (EmergencyContact.objects.filter(profile__resident_id__in=residents)
                        .select_related("profile").order_by("order")):
            contacts.setdefault(contact.profile.resident_id, []).append(contact)
    codes = {code for d in devices for code in _area_prefixes(d)}
    if codes:
        for assignment in (Assignment.objects.filter(area__code__in=codes, since__lte=today)
                           .filter(Q(until__isnull=True) | Q(until__gte=today))
                           .select_related("user", "area").order_by("duty", "id")):
            on_duty.setdefault(assignment.area.code, []).append(assignment)
    return _Directory(contacts, on_duty)


def alarm_recipients(alarm: Alarm, device: Device, directory: _Directory) -> list[dict]:
    """Care: the first emergency contact and the building steward. Urgent: every contact and the
    steward. Maintenance and camera: the building steward and the grid worker."""
    contacts = []
    if alarm.kind not in (AlarmKind.SILENT, AlarmKind.BATTERY, AlarmKind.CAMERA) and device.resident_id:
        contacts = directory.contacts.get(device.resident_id, [])
        contacts = contacts[:1] if alarm.kind == AlarmKind.CARE else contacts
    duties = {Duty.BUILDING_STEWARD}
    if alarm.severity == Severity.MAINTENANCE or alarm.kind == AlarmKind.CAMERA:
        duties.add(Duty.GRID_WORKER)
    staff = sorted((a for code in _area_prefixes(device) for a in directory.on_duty.get(code, []) if a.duty in duties),
                   key=lambda a: (a.duty, a.pk))
    return [{"kind": "contact", "id": c.pk, "role": c.role, "name": c.name} for c in contacts] + [
        {"kind": "user", "id": a.user_id, "role": a.duty, "name": str(a.user)} for a in staff
    ]


def _notify(alarm: Alarm, device: Device, now: dt.datetime, directory: _Directory, *, reminder: bool = False,
            save: bool = True) -> None:
    place = device.dwelling
    who = f"{device.resident.name}（{place}）" if device.resident_id else str(place)
    prefix = "【提醒】" if reminder else ""
    message = f"{prefix}{alarm.get_kind_display()}：{who}，{alarm.reason}。请尽快确认。"
    escalation.notification_request(alarm, recipients=alarm_recipients(alarm, device, directory), message=message,
                                    now=now, save=save)


def _check_handler(alarm: Alarm, by) -> None:
    if by is None:
        return
    from gridgov.sensors.selectors import alarms_visible_to

    if by.role not in ALARM_HANDLERS or not alarms_visible_to(by).filter(pk=alarm.pk).exists():
        raise NotAllowed("您不能处理该告警")


@transaction.atomic
def alarm_transition(*, alarm: Alarm, to: str, by=None, note: str = "", now: dt.datetime | None = None) -> Alarm:
    """Move an alarm along active → acknowledged → cleared (or active → cleared).

    Checks the allowed transitions (ALARM_TRANSITIONS) and the user's scope; stamps the time;
    stops reminders and the care-case deadline once someone has responded; appends an AlarmLog
    row. A conditional UPDATE makes two people acting at once safe: the second gets a conflict.
    `by=None` is the system (a recovered device clearing its own alarm).
    """
    _check_handler(alarm, by)
    now = now or timezone.now()
    if to not in AlarmStatus.values:
        raise DomainError(f"未知的告警状态：{to}", code="bad_transition")
    if to not in ALARM_TRANSITIONS.get(alarm.status, ()):
        raise DomainError(f"告警不能从「{AlarmStatus(alarm.status).label}」变为「{AlarmStatus(to).label}」",
                          code="bad_transition")
    stamp = {"acknowledged_at": now} if to == AlarmStatus.ACKNOWLEDGED else {"cleared_at": now}
    changes = {"status": to, "remind_at": None, "case_due_at": None, **stamp}
    if not Alarm.objects.filter(pk=alarm.pk, status=alarm.status).update(**changes):
        raise Conflict("告警状态已被他人更新，请刷新后重试")
    AlarmLog.objects.create(alarm=alarm, from_status=alarm.status, to_status=to, by=by, at=now, note=note[:200])
    for name, value in changes.items():
        setattr(alarm, name, value)
    return alarm


# --- sweeps (the worker) ----------------------------------------------------------------------

def _claim(queryset, column: str, now: dt.datetime) -> list[int]:
    """Claim up to SWEEP_BATCH due rows inside the caller's transaction: a locked select (other
    workers skip these rows) and a conditional UPDATE clearing the deadline."""
    due = {f"{column}__lte": now}
    ids = list(queryset.select_for_update(skip_locked=True).filter(**due)
               .order_by(column).values_list("pk", flat=True)[:SWEEP_BATCH])
    if ids:
        queryset.model.objects.filter(pk__in=ids, **due).update(**{column: None})
    return ids


def _sweep(queryset, column: str, now: dt.datetime, act) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = _claim(queryset, column, now)
            act(ids, now)
        done += len(ids)
        if len(ids) < SWEEP_BATCH:
            return done


def devices_sweep_activity(now: dt.datetime) -> int:
    """Expected activity absent (door, water, motion) → a care alert."""
    return _sweep(Device.objects.filter(is_active=True), "activity_due_at", now, _raise_care)


def devices_sweep_silent(now: dt.datetime) -> int:
    """No message for twice the reporting interval → a maintenance alarm."""
    return _sweep(Device.objects.filter(is_active=True), "silent_due_at", now, _raise_silent)


def devices_sweep_battery(now: dt.datetime) -> int:
    """Battery under 20 % or not reported for 7 days → a maintenance alarm."""
    return _sweep(Device.objects.filter(is_active=True), "battery_due_at", now, _raise_battery)


def alarms_sweep_reminders(now: dt.datetime) -> int:
    """Repeat an active alarm nobody acknowledged to its recipients."""
    return _sweep(Alarm.objects.filter(status=AlarmStatus.ACTIVE), "remind_at", now, _remind)


def alarms_sweep_case_due(now: dt.datetime) -> int:
    """A care alert nobody acknowledged within 30 minutes must become a care case."""
    return _sweep(Alarm.objects.filter(status=AlarmStatus.ACTIVE), "case_due_at", now, _care_case)


def _devices(ids: list[int]):
    return Device.objects.filter(pk__in=ids).select_related("dwelling__building__estate", "resident")


_CARE_REASON = {DeviceKind.DOOR: "门磁 {h} 小时未开门", DeviceKind.WATER: "{h} 小时用水量低于 {m} m³",
                DeviceKind.MOTION: "{h} 小时未检测到活动"}


def _raise_care(ids: list[int], now: dt.datetime) -> None:
    devices = list(_devices(ids))
    profiles = {p.resident_id: p for p in CareProfile.objects.filter(resident_id__in={d.resident_id for d in devices})}
    raises = []
    for device in devices:
        profile = profiles.get(device.resident_id)
        window = _activity_window(device, profile)
        if window is not None:
            hours = int(window.total_seconds() // 3600)
            raises.append((device, AlarmKind.CARE, _CARE_REASON[device.kind].format(h=hours, m=profile.water_min_m3)))
    alarms_raise_many(raises=raises, now=now)


def _raise_silent(ids: list[int], now: dt.datetime) -> None:
    alarms_raise_many(raises=[(d, AlarmKind.SILENT, f"超过 {d.interval_s * SILENT_AFTER_INTERVALS} 秒未上报")
                              for d in _devices(ids)], now=now)


def _raise_battery(ids: list[int], now: dt.datetime) -> None:
    def reason(device: Device) -> str:
        low = device.battery is not None and device.battery < LOW_BATTERY_PERCENT
        return f"电量低（{device.battery}%）" if low else "7 天未上报电量"

    alarms_raise_many(raises=[(d, AlarmKind.BATTERY, reason(d)) for d in _devices(ids)], now=now)


def _remind(ids: list[int], now: dt.datetime) -> None:
    alarms = list(Alarm.objects.filter(pk__in=ids).select_related("device__dwelling__building__estate", "device__resident"))
    directory = _directory([a.device for a in alarms])
    for alarm in alarms:
        Alarm.objects.filter(pk=alarm.pk).update(remind_at=now + REMIND_EVERY[alarm.severity],
                                                 reminders=F("reminders") + 1)
        _notify(alarm, alarm.device, now, directory, reminder=True)


def _care_case(ids: list[int], now: dt.datetime) -> None:
    for alarm in Alarm.objects.filter(pk__in=ids):
        escalation.raise_case_for_alarm(alarm, case_kind="care", now=now)
