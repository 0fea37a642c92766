"""Alarms into the case engine and the notify outbox (gridgov.sensors.escalation)."""

import datetime as dt

from django.utils import timezone

from gridgov.cases.models import Case, WorkOrder
from gridgov.cases.tasks import case_escalate_sweep
from gridgov.notify.channels import CHANNELS
from gridgov.notify.models import Outbox
from gridgov.sensors import escalation, services
from gridgov.sensors.adapters import Event
from gridgov.sensors.models import Alarm
from tests.sensors.conftest import T0

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
SMS = "sms" if CHANNELS["sms"].enabled() else "console"     # a switched-off channel falls back to the console


def smoke(event_id: str, at=T0):
    return Event(serial="SM-A-1", event_id=event_id, ts=at, type="smoke", value=None, battery=None)


def actions(case):
    return list(case.events.order_by("id").values_list("action", "from_state", "to_state"))


def outbox_rows():
    return [(m.channel, m.address, m.user.username if m.user else None, m.template)
            for m in Outbox.objects.filter(template="sensor_alarm").order_by("id")]


# --- instant alarms -----------------------------------------------------------------------------

def test_smoke_opens_one_urgent_case_in_grid_a_with_contacts_masked(devices, area, place):
    services.events_ingest(events=[smoke("e1")], source="mqtt", now=T0)
    alarm = Alarm.objects.get()
    case = Case.objects.get()
    assert alarm.case_id == case.pk
    assert (case.channel, case.source, case.external_id) == ("sensor", "sensors", f"alarm-{alarm.pk}")
    assert (case.state, case.whistle, case.level, case.affair_kind) == ("registered", "urgent", "grid", "public")
    assert case.category.code == "SENSOR-URGENT"
    assert case.grid_id == area["grid_a"].pk
    assert case.area_code == place["building_a"].area_code
    assert case.reported_by is None
    assert actions(case) == [("report", "reported", "reported"), ("accept", "reported", "accepted"),
                             ("register", "accepted", "registered")]
    assert f"告警#{alarm.pk}" in case.description
    assert str(place["dwelling_a"]) in case.description
    assert "居民：张秀英" in case.description
    assert "紧急联系人：家属 张伟 137****1111；家庭医生 刘医生 136****2222" in case.description
    assert "13700001111" not in case.description


def test_repeated_smoke_still_one_case(devices):
    services.events_ingest(events=[smoke("e1")], source="mqtt", now=T0)
    services.events_ingest(events=[smoke("e2", T0 + MIN)], source="mqtt", now=T0 + MIN)
    services.events_ingest(events=[smoke("e2", T0 + MIN)], source="mqtt", now=T0 + 2 * MIN)   # redelivery
    alarm = Alarm.objects.get()
    assert alarm.occurrences == 2
    assert Case.objects.count() == 1
    assert Case.objects.get().pk == alarm.case_id


def test_opening_the_case_twice_returns_the_same_case(devices):
    services.events_ingest(events=[smoke("e1")], source="mqtt", now=T0)
    alarm = Alarm.objects.get()
    again = escalation.alarm_case_open(alarm=alarm, now=T0 + MIN)
    escalation.raise_case_for_alarm(alarm, case_kind="urgent", now=T0 + MIN)
    assert again.pk == alarm.case_id
    assert Case.objects.count() == 1


def test_smoke_messages_every_contact_and_the_steward(devices):
    services.events_ingest(events=[smoke("e1")], source="mqtt", now=T0)
    alarm = Alarm.objects.get()
    assert outbox_rows() == [(SMS, "13700001111", None, "sensor_alarm"), (SMS, "13600002222", None, "sensor_alarm"),
                             ("console", "", "steward_a", "sensor_alarm")]
    recipients = alarm.notifications[0]["recipients"]
    assert list(Outbox.objects.filter(template="sensor_alarm").order_by("id").values_list("key", flat=True)) == [
        f"alarm:{alarm.pk}:0:{r['kind']}:{r['id']}" for r in recipients]


def test_falling_object_opens_a_grid_case_for_worker_a(devices, place, persona):
    services.device_register(kind="camera", serial="CAM-A-1", dwelling=place["dwelling_a2"], now=T0)
    services.events_ingest(events=[Event(serial="CAM-A-1", event_id="f1", ts=T0, type="falling_object", value=None,
                                         battery=None)], source="http", now=T0)
    alarm = Alarm.objects.get()
    case = Case.objects.get(pk=alarm.case_id)
    assert (case.state, case.whistle, case.category.code, case.handler) == (
        "dispatched", "none", "SENSOR-GRID", persona["worker_a"])
    assert list(WorkOrder.objects.values_list("case_id", "assignee__username", "role", "state")) == [
        (case.pk, "worker_a", "lead", "open")]


# --- the care chain -----------------------------------------------------------------------------

RAISED = T0 + 24 * H      # the door sensor's 24-hour window ends


def test_care_alert_messages_first_contact_and_steward_once(devices):
    services.devices_sweep_activity(RAISED)
    alarm = Alarm.objects.get()
    assert outbox_rows() == [(SMS, "13700001111", None, "sensor_alarm"), ("console", "", "steward_a", "sensor_alarm")]
    assert escalation.alarm_notifications_enqueue(alarm=alarm) == 2        # again: same keys, no new rows
    assert Outbox.objects.filter(template="sensor_alarm").count() == 2
    assert Case.objects.count() == 0


def test_unacknowledged_care_alert_becomes_a_care_case_for_worker_a(devices, persona, area):
    services.devices_sweep_activity(RAISED)
    assert services.alarms_sweep_case_due(RAISED + 29 * MIN) == 0
    assert Case.objects.count() == 0
    assert services.alarms_sweep_case_due(RAISED + 30 * MIN) == 1
    assert services.alarms_sweep_case_due(RAISED + 31 * MIN) == 0
    alarm = Alarm.objects.get()
    case = Case.objects.get()
    assert (alarm.needs_case, alarm.case_kind, alarm.case_id) == (True, "care", case.pk)
    assert (case.state, case.whistle, case.level, case.affair_kind, case.category.code) == (
        "dispatched", "none", "grid", "household", "SENSOR-CARE")
    assert case.grid_id == area["grid_a"].pk
    assert case.handler == persona["worker_a"]
    assert actions(case) == [("report", "reported", "reported"), ("accept", "reported", "accepted"),
                             ("register", "accepted", "registered"), ("dispatch", "registered", "dispatched")]
    assert case.events.get(action="dispatch").note == "请上门查看（现场报到须拍照）"
    [order] = WorkOrder.objects.all()
    assert (order.case_id, order.assignee, order.role, order.state) == (case.pk, persona["worker_a"], "lead", "open")
    # 2 hours by the clock to visit, weekend or not: the case opened on Saturday 09:30, the visit is due 11:30
    saturday_1130 = timezone.make_aware(dt.datetime(2026, 11, 21, 11, 30))
    assert RAISED + 30 * MIN == timezone.make_aware(dt.datetime(2026, 11, 21, 9, 30))
    assert (order.resolve_due_at, case.deadline_at, case.due_at, case.escalate_at) == (saturday_1130,) * 4


def test_two_sweeps_and_a_repeat_request_still_one_care_case(devices):
    services.devices_sweep_activity(RAISED)
    services.alarms_sweep_case_due(RAISED + 30 * MIN)
    services.alarms_sweep_case_due(RAISED + 60 * MIN)
    alarm = Alarm.objects.get()
    escalation.raise_case_for_alarm(alarm, case_kind="care", now=RAISED + 61 * MIN)
    assert Case.objects.count() == 1
    assert WorkOrder.objects.count() == 1


def test_acknowledged_before_30_minutes_no_case(devices, persona):
    services.devices_sweep_activity(RAISED)
    services.alarm_transition(alarm=Alarm.objects.get(), to="acknowledged", by=persona["steward_a"],
                              note="已电话联系", now=RAISED + 20 * MIN)
    assert services.alarms_sweep_case_due(RAISED + 2 * H) == 0
    assert Case.objects.count() == 0
    assert Alarm.objects.get().case_id is None


def test_unhandled_care_case_escalates_to_community_then_street(devices):
    services.devices_sweep_activity(RAISED)
    services.alarms_sweep_case_due(RAISED + 30 * MIN)
    case = Case.objects.get()
    due = case.escalate_at
    assert case_escalate_sweep(due - MIN) == 0
    assert case_escalate_sweep(due) == 1
    assert Case.objects.get().level == "community"
    assert Case.objects.get().escalate_at == due + 2 * H      # SENSOR-CARE re-escalates every 2 hours, not daily
    assert case_escalate_sweep(due + 2 * H - MIN) == 0
    assert case_escalate_sweep(due + 2 * H) == 1
    case = Case.objects.get()
    assert (case.level, case.escalate_at) == ("street", due + 4 * H)
    assert case_escalate_sweep(due + 4 * H) == 1
    assert (Case.objects.get().level, Case.objects.get().escalate_at) == ("district", None)
    assert [e["to"] for e in case.events.filter(action="escalate").order_by("id").values_list("data", flat=True)] == [
        "community", "street", "district"]


def test_the_worker_raises_a_care_alert_within_one_sweep_interval_of_its_deadline(devices):
    from gridgov.core.worker import run_once
    from gridgov.sensors.models import Device

    interval = dt.timedelta(seconds=30)           # GRIDGOV_WORKER_INTERVAL's default
    due = Device.objects.get(serial="DS-A-1").activity_due_at
    assert due == RAISED
    first_tick = due - dt.timedelta(seconds=20)   # the worker's ticks fall anywhere against the deadline
    run_once(first_tick)                          # every sweep: the silent and battery ones raise their own alarms
    assert Alarm.objects.filter(kind="care").count() == 0
    run_once(first_tick + interval)
    alarm = Alarm.objects.get(kind="care")
    assert (alarm.kind, alarm.status, alarm.raised_at) == ("care", "active", first_tick + interval)
    assert dt.timedelta(0) <= alarm.raised_at - due < interval
