"""Where an alarm leaves the sensors app: a case in the case engine, messages in the notify outbox.

Each need is first recorded on the alarm (`needs_case` / `case_kind` / `case_requested_at`, and
`notifications`, a list of requests), then acted on once the alarm row exists:
- `alarm_case_open` opens the case through the case engine (intake on channel "sensor", then the
  system's accept → register → dispatch transitions, each logged) and sets `alarm.case_id` in the
  same transaction; one case per alarm (the alarm row is locked, and the intake is idempotent on
  source "sensors" + external id "alarm-<id>").
- `alarm_notifications_enqueue` turns every recorded request into Outbox rows with idempotent keys.
A case the engine refuses (no street, unknown calendar) is logged and left requested, never lost.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.cases.enums import AffairKind, Channel, Level, Whistle
from gridgov.cases.models import Case
from gridgov.core.errors import DomainError
from gridgov.sensors.models import Alarm, EmergencyContact

log = logging.getLogger("gridgov.sensors")

CASE_SOURCE = "sensors"


@dataclass(frozen=True)
class CasePlan:
    """How the case engine takes one kind of alarm case: its category (created once, editable in
    admin), the register data, and whether it is dispatched at once to the grid worker as a visit."""

    code: str
    name: str
    affair_kind: str
    whistle: str
    visit: bool
    limits: dict = field(default_factory=dict)
    visit_within: dt.timedelta | None = None  # a wall-clock deadline for the visit, night and weekend alike


# Care cases: somebody may be lying on the floor, so the visit is due 2 hours later by the clock, not
# in working hours; past that the case engine's escalation sweep moves it grid → community, and
# 2 hours later (the category's re-escalation interval) to the street.
CARE_VISIT_WITHIN = dt.timedelta(hours=2)

CASE_PLANS: dict[str, CasePlan] = {
    "urgent": CasePlan("SENSOR-URGENT", "感知设备紧急告警（烟感/燃气/紧急呼叫）", AffairKind.PUBLIC, Whistle.URGENT,
                       visit=False, limits={"accept_hours": 0.25, "register_hours": 0.25, "dispatch_hours": 0.25}),
    "care": CasePlan("SENSOR-CARE", "独居老人关爱上门", AffairKind.HOUSEHOLD, Whistle.NONE, visit=True,
                     limits={"escalate_every_hours": CARE_VISIT_WITHIN.total_seconds() / 3600},
                     visit_within=CARE_VISIT_WITHIN),
    "grid": CasePlan("SENSOR-GRID", "高空抛物", AffairKind.PUBLIC, Whistle.NONE, visit=True),
}


# --- recording --------------------------------------------------------------------------------

def raise_case_for_alarm(alarm: Alarm, *, case_kind: str, now: dt.datetime, save: bool = True) -> Alarm:
    """Ask for a case for this alarm: "urgent" (smoke, gas, SOS), "care" (care alert nobody
    acknowledged in time) or "grid" (falling object, for the grid's worker). Idempotent.
    `save=False` for an alarm about to be inserted: the caller opens the case after the insert
    (`alarm_after_insert`)."""
    if not alarm.needs_case:
        alarm.needs_case, alarm.case_kind, alarm.case_requested_at, alarm.case_due_at = True, case_kind, now, None
        if save:
            alarm.save(update_fields=["needs_case", "case_kind", "case_requested_at", "case_due_at"])
    if save and alarm.pk is not None:
        alarm_case_open(alarm=alarm, now=now)
    return alarm


def notification_request(alarm: Alarm, *, recipients: list[dict], message: str, now: dt.datetime,
                         save: bool = True) -> dict:
    """Record `message` for `recipients` ({"kind": "contact"|"user", "id", "role", "name"}) and, for a
    saved alarm, enqueue it. Phones are not copied here: they are looked up (encrypted) by id."""
    request = {"at": now.isoformat(), "recipients": recipients, "message": message}
    alarm.notifications = [*alarm.notifications, request]
    if save:
        alarm.save(update_fields=["notifications"])
        alarm_notifications_enqueue(alarm=alarm)
    return request


def alarm_after_insert(*, alarm: Alarm, now: dt.datetime) -> None:
    """What an alarm inserted unsaved-first (by `alarm_raise` or the sweeps) still needs: its first
    messages in the outbox and, when asked for, its case."""
    alarm_notifications_enqueue(alarm=alarm)
    if alarm.needs_case and alarm.case_id is None:
        alarm_case_open(alarm=alarm, now=now)


# --- the notify outbox --------------------------------------------------------------------------

def alarm_notifications_enqueue(*, alarm: Alarm) -> int:
    """One Outbox row per recipient of every recorded request: SMS to an emergency contact's phone,
    the console (in-app) for staff. Keys `alarm:<id>:<request>:<kind>:<id>` make repeats harmless."""
    from gridgov.notify.services import outbox_enqueue

    contact_ids = {r["id"] for req in alarm.notifications for r in req["recipients"] if r["kind"] == "contact"}
    user_ids = {r["id"] for req in alarm.notifications for r in req["recipients"] if r["kind"] == "user"}
    contacts = EmergencyContact.objects.in_bulk(contact_ids)
    users = User.objects.in_bulk(user_ids)
    done = 0
    for index, request in enumerate(alarm.notifications):
        for recipient in request["recipients"]:
            key = f"alarm:{alarm.pk}:{index}:{recipient['kind']}:{recipient['id']}"
            params = {"alarm": alarm.pk, "kind": alarm.kind, "role": recipient["role"]}
            if recipient["kind"] == "contact" and recipient["id"] in contacts:
                outbox_enqueue(key=key, channel="sms", template="sensor_alarm", text=request["message"],
                               params=params, address=contacts[recipient["id"]].phone)
            elif recipient["kind"] == "user" and recipient["id"] in users:
                outbox_enqueue(key=key, channel="console", template="sensor_alarm", text=request["message"],
                               params=params, user=users[recipient["id"]])
            else:
                continue
            done += 1
    return done


# --- the case engine ----------------------------------------------------------------------------

def grid_worker_for(grid_id: int | None, *, today: dt.date | None = None) -> User | None:
    """The grid worker of a grid: the territory assignment on duty today, else a user with the
    grid worker role whose area is that grid (lowest id)."""
    from gridgov.territory.enums import Duty
    from gridgov.territory.models import Assignment

    if grid_id is None:
        return None
    today = today or timezone.localdate()
    on_duty = (Assignment.objects.filter(area_id=grid_id, duty=Duty.GRID_WORKER, since__lte=today,
                                         user__is_active=True)
               .filter(Q(until__isnull=True) | Q(until__gte=today)).select_related("user").order_by("id").first())
    if on_duty is not None:
        return on_duty.user
    return User.objects.filter(role=Role.GRID_WORKER, area_id=grid_id, is_active=True).order_by("id").first()


def _description(alarm: Alarm) -> str:
    """What the case says: alarm, dwelling, resident and emergency contacts (phones masked: the
    full numbers stay encrypted on the contacts, reachable by the alarm)."""
    device = alarm.device
    lines = [f"{alarm.get_kind_display()}：{alarm.reason}（设备 {device.get_kind_display()} {device.serial}，"
             f"告警#{alarm.pk}）", f"房屋：{device.dwelling}"]
    if device.resident_id:
        resident = device.resident
        lines.append(f"居民：{resident.name}")
        contacts = EmergencyContact.objects.filter(profile__resident_id=resident.pk).order_by("order")
        if contacts:
            lines.append("紧急联系人：" + "；".join(f"{c.get_role_display()} {c.name} {c.masked_phone}"
                                                 for c in contacts))
    return "\n".join(lines)


def _open(alarm: Alarm, now: dt.datetime) -> Case:
    from gridgov.cases.services import case_intake, case_transition, category_ensure

    plan = CASE_PLANS[alarm.case_kind]
    dwelling = alarm.device.dwelling
    intake = case_intake(channel=Channel.SENSOR, by=None, building=dwelling.building, address=str(dwelling),
                         description=_description(alarm), source=CASE_SOURCE, external_id=f"alarm-{alarm.pk}",
                         deadline_at=now + plan.visit_within if plan.visit_within else None, now=now)
    case = intake.case
    if not intake.created:
        return case
    category = category_ensure(code=plan.code, name=plan.name, **plan.limits)
    case = case_transition(case=case, action="accept", by=None, now=now, internal=True,
                           note=f"感知设备告警#{alarm.pk}自动受理")
    case = case_transition(case=case, action="register", by=None, now=now, category=category,
                           affair_kind=plan.affair_kind, whistle=plan.whistle, level=Level.GRID)
    worker = grid_worker_for(case.grid_id, today=timezone.localdate(now)) if plan.visit else None
    if worker is not None:
        try:
            case = case_transition(case=case, action="dispatch", by=None, now=now, lead_user=worker,
                                   note="请上门查看（现场报到须拍照）")
        except DomainError as exc:      # stays registered: the dispatch stage's clock escalates it
            log.warning("事件#%s 无法派给网格员 %s：%s", case.pk, worker, exc)
    return case


def alarm_case_open(*, alarm: Alarm, now: dt.datetime) -> Case | None:
    """The case of this alarm, opened once: the alarm row is locked, the case created through the
    engine and `alarm.case_id` set in one transaction. None (logged) if the engine refuses."""
    try:
        with transaction.atomic():
            locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
            if locked.case_id is None:
                full = Alarm.objects.select_related("device__dwelling__building", "device__resident").get(pk=alarm.pk)
                locked.case_id = _open(full, now).pk
                Alarm.objects.filter(pk=locked.pk).update(case_id=locked.case_id)
    except DomainError as exc:
        log.warning("告警#%s 无法转为工单：%s", alarm.pk, exc)
        return None
    alarm.case_id = locked.case_id
    return Case.objects.get(pk=locked.case_id)
