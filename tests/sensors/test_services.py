import datetime as dt

import pytest
from django.utils import timezone

from gridgov.core.errors import Conflict, DomainError, NotAllowed
from gridgov.sensors import services
from gridgov.sensors.adapters import Event
from gridgov.sensors.models import Alarm, AlarmLog, CareProfile, Device, DeviceEvent, IngestReject
from tests.sensors.conftest import T0

H = dt.timedelta(hours=1)


def ev(serial, event_id, ts, type_, value=None, battery=None):
    return Event(serial=serial, event_id=event_id, ts=ts, type=type_, value=value, battery=battery)


def statuses(outcomes):
    return [(o.status, o.reason) for o in outcomes]


def test_register_arms_the_three_monitors(devices):
    door = Device.objects.get(serial="DS-A-1")
    assert door.activity_due_at == T0 + 24 * H
    assert door.silent_due_at == T0 + dt.timedelta(seconds=1200)
    assert door.battery_due_at == T0 + dt.timedelta(days=7)
    assert Device.objects.get(serial="SM-A-1").activity_due_at is None       # smoke: no activity monitor
    assert Device.objects.get(serial="WM-B-1").activity_due_at is None       # no care profile


def test_register_is_idempotent_on_serial(devices, place):
    again = services.device_register(kind="door", serial="DS-A-1", dwelling=place["dwelling_a"],
                                     resident=devices["zhang"], interval_s=900, now=T0)
    assert again.pk == devices["door"].pk
    assert Device.objects.filter(serial="DS-A-1").count() == 1
    assert Device.objects.get(serial="DS-A-1").interval_s == 900


def test_resident_must_live_in_the_dwelling(devices, place):
    with pytest.raises(DomainError) as caught:
        services.device_register(kind="door", serial="X-1", dwelling=place["dwelling_b"], resident=devices["zhang"])
    assert caught.value.code == "resident_not_in_dwelling"
    assert not Device.objects.filter(serial="X-1").exists()


def test_ingest_accepts_then_ignores_a_repeated_id_and_rejects_an_unknown_serial(devices):
    now = T0 + H
    first = services.events_ingest(events=[ev("DS-A-1", "1", now, "door_open"), ev("DS-A-1", "1", now, "door_open"),
                                           ev("NOPE", "1", now, "heartbeat")], source="http", now=now)
    again = services.events_ingest(events=[ev("DS-A-1", "1", now, "door_open")], source="http", now=now)
    assert statuses(first) == [("accepted", ""), ("duplicate", ""), ("rejected", "unknown_serial")]
    assert statuses(again) == [("duplicate", "")]
    assert DeviceEvent.objects.filter(device=devices["door"]).count() == 1
    assert list(IngestReject.objects.values_list("source", "serial", "reason")) == [("http", "NOPE", "unknown_serial")]


def test_door_activity_moves_the_deadline_and_silence_deadline_follows_receipt(devices):
    opened = T0 + 3 * H
    services.events_ingest(events=[ev("DS-A-1", "1", opened, "door_open", battery=80)], source="mqtt",
                           now=opened + dt.timedelta(seconds=5))
    door = Device.objects.get(serial="DS-A-1")
    assert door.last_activity_at == opened
    assert door.activity_due_at == opened + 24 * H
    assert door.last_seen_at == opened + dt.timedelta(seconds=5)
    assert door.silent_due_at == opened + dt.timedelta(seconds=1205)
    assert (door.battery, door.battery_due_at) == (80, opened + dt.timedelta(days=7))


def test_an_older_event_arriving_late_does_not_pull_the_deadline_back(devices):
    services.events_ingest(events=[ev("DS-A-1", "2", T0 + 5 * H, "door_open")], source="mqtt", now=T0 + 5 * H)
    services.events_ingest(events=[ev("DS-A-1", "1", T0 + 2 * H, "door_open")], source="mqtt", now=T0 + 5 * H)
    assert Device.objects.get(serial="DS-A-1").activity_due_at == T0 + 29 * H


def test_quiet_hours_move_a_deadline_to_their_end(devices):
    profile = CareProfile.objects.get(resident=devices["zhang"])
    profile.quiet_start, profile.quiet_end = dt.time(22, 0), dt.time(7, 0)
    late = timezone.make_aware(dt.datetime(2026, 11, 21, 23, 30))
    assert services.quiet_shift(late, profile) == timezone.make_aware(dt.datetime(2026, 11, 22, 7, 0))
    early = timezone.make_aware(dt.datetime(2026, 11, 22, 6, 0))
    assert services.quiet_shift(early, profile) == timezone.make_aware(dt.datetime(2026, 11, 22, 7, 0))
    noon = timezone.make_aware(dt.datetime(2026, 11, 22, 12, 0))
    assert services.quiet_shift(noon, profile) == noon


def test_door_shut_24_hours_raises_one_care_alert_for_contact_and_steward(devices, persona):
    assert services.devices_sweep_activity(T0 + 24 * H - dt.timedelta(seconds=1)) == 0
    assert services.devices_sweep_activity(T0 + 24 * H) == 1
    assert services.devices_sweep_activity(T0 + 25 * H) == 0          # claimed: never twice
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.severity, alarm.status, alarm.reason) == ("care", "care", "active", "门磁 24 小时未开门")
    assert alarm.case_due_at == T0 + 24 * H + dt.timedelta(minutes=30)
    assert alarm.needs_case is False
    [request] = alarm.notifications
    assert [(r["kind"], r["role"], r["name"]) for r in request["recipients"]] == [
        ("contact", "family", "张伟"), ("user", "building_steward", "steward_a")]
    assert "张秀英" in request["message"]
    assert "1370000" not in str(alarm.notifications)                     # no phone copied in clear


def test_care_alert_nobody_acknowledges_needs_a_care_case_after_30_minutes(devices):
    raised = T0 + 24 * H
    services.devices_sweep_activity(raised)
    assert services.alarms_sweep_case_due(raised + dt.timedelta(minutes=29)) == 0
    assert services.alarms_sweep_case_due(raised + dt.timedelta(minutes=30)) == 1
    assert services.alarms_sweep_case_due(raised + dt.timedelta(minutes=31)) == 0
    alarm = Alarm.objects.get()
    assert (alarm.needs_case, alarm.case_kind, alarm.case_due_at) == (True, "care", None)
    assert alarm.case_requested_at == raised + dt.timedelta(minutes=30)


def test_acknowledged_care_alert_needs_no_case_and_stops_reminding(devices, persona):
    raised = T0 + 24 * H
    services.devices_sweep_activity(raised)
    alarm = Alarm.objects.get()
    services.alarm_transition(alarm=alarm, to="acknowledged", by=persona["steward_a"], note="已电话联系",
                              now=raised + 10 * dt.timedelta(minutes=1))
    assert services.alarms_sweep_case_due(raised + H) == 0
    assert services.alarms_sweep_reminders(raised + H) == 0
    alarm.refresh_from_db()
    assert (alarm.status, alarm.needs_case, alarm.remind_at, alarm.case_due_at) == ("acknowledged", False, None, None)
    assert list(AlarmLog.objects.values_list("from_status", "to_status", "by__username")) == [
        ("", "active", None), ("active", "acknowledged", "steward_a")]


def test_reminders_repeat_while_active(devices):
    raised = T0 + 24 * H
    services.devices_sweep_activity(raised)
    assert services.alarms_sweep_reminders(raised + dt.timedelta(minutes=15)) == 1
    assert services.alarms_sweep_reminders(raised + dt.timedelta(minutes=16)) == 0
    alarm = Alarm.objects.get()
    assert alarm.reminders == 1
    assert alarm.remind_at == raised + dt.timedelta(minutes=30)
    assert alarm.notifications[1]["message"].startswith("【提醒】")


def test_transitions_are_data_and_a_cleared_alarm_stays_cleared(devices, persona):
    services.devices_sweep_activity(T0 + 24 * H)
    alarm = Alarm.objects.get()
    services.alarm_transition(alarm=alarm, to="cleared", by=persona["worker_a"], now=T0 + 25 * H)
    with pytest.raises(DomainError) as caught:
        services.alarm_transition(alarm=alarm, to="acknowledged", by=persona["worker_a"])
    assert caught.value.code == "bad_transition"
    assert Alarm.objects.get().status == "cleared"


def test_a_stale_transition_is_a_conflict(devices, persona):
    services.devices_sweep_activity(T0 + 24 * H)
    mine, theirs = Alarm.objects.get(), Alarm.objects.get()
    services.alarm_transition(alarm=theirs, to="acknowledged", by=persona["worker_a"])
    with pytest.raises(Conflict):
        services.alarm_transition(alarm=mine, to="acknowledged", by=persona["steward_a"])
    assert AlarmLog.objects.filter(to_status="acknowledged").count() == 1


def test_out_of_scope_worker_cannot_acknowledge(devices, persona):
    services.devices_sweep_activity(T0 + 24 * H)
    alarm = Alarm.objects.get()
    with pytest.raises(NotAllowed):
        services.alarm_transition(alarm=alarm, to="acknowledged", by=persona["worker_b"])
    alarm.refresh_from_db()
    assert (alarm.status, AlarmLog.objects.count()) == ("active", 1)


def test_smoke_raises_an_urgent_alarm_needing_a_case_at_once_and_repeats_count_once(devices):
    now = T0 + H
    services.events_ingest(events=[ev("SM-A-1", "s1", now, "smoke")], source="mqtt", now=now)
    services.events_ingest(events=[ev("SM-A-1", "s2", now, "smoke")], source="mqtt", now=now)
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.severity, alarm.needs_case, alarm.case_kind, alarm.occurrences) == (
        "smoke", "urgent", True, "urgent", 2)
    assert alarm.remind_at == now + dt.timedelta(minutes=5)
    assert [r["name"] for r in alarm.notifications[0]["recipients"]] == ["张伟", "刘医生", "steward_a"]


def test_falling_object_needs_a_case_for_its_grid(place):
    services.device_register(kind="camera", serial="CAM-1", dwelling=place["dwelling_b"], now=T0)
    services.events_ingest(events=[ev("CAM-1", "f1", T0, "falling_object")], source="mqtt", now=T0)
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.needs_case, alarm.case_kind) == ("camera", True, "grid")


def test_silent_device_raises_maintenance_and_clears_itself_when_heard_again(devices):
    assert services.devices_sweep_silent(T0 + dt.timedelta(seconds=1199)) == 0
    assert services.devices_sweep_silent(T0 + dt.timedelta(seconds=1200)) == 1        # the door (600 s × 2)
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.severity, alarm.reason) == ("silent", "maintenance", "超过 1200 秒未上报")
    later = T0 + H
    services.events_ingest(events=[ev("DS-A-1", "hb1", later, "heartbeat")], source="mqtt", now=later)
    alarm.refresh_from_db()
    assert (alarm.status, alarm.cleared_at) == ("cleared", later)


def test_low_battery_is_due_at_once_and_a_charged_battery_clears_it(devices):
    now = T0 + H
    services.events_ingest(events=[ev("SM-A-1", "b1", now, "battery", value=15)], source="mqtt", now=now)
    assert services.devices_sweep_battery(now) == 1
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.reason) == ("battery", "电量低（15%）")
    services.events_ingest(events=[ev("SM-A-1", "b2", now + H, "heartbeat", battery=95)], source="mqtt", now=now + H)
    alarm.refresh_from_db()
    assert alarm.status == "cleared"


def test_battery_not_reported_for_seven_days(devices):
    assert services.devices_sweep_battery(T0 + dt.timedelta(days=7)) == 3
    assert set(Alarm.objects.values_list("reason", flat=True)) == {"7 天未上报电量"}


def test_water_use_under_threshold_in_12_hours_raises_care(devices, place):
    li = devices["li"]
    services.care_profile_set(resident=li, now=T0)
    services.device_register(kind="water", serial="WM-B-1", dwelling=place["dwelling_b"], resident=li, now=T0)
    readings = [("r1", T0, 100.000), ("r2", T0 + 2 * H, 100.004), ("r3", T0 + 4 * H, 100.012),
                ("r4", T0 + 6 * H, 100.015)]
    services.events_ingest(events=[ev("WM-B-1", i, ts, "water_reading", value=v) for i, ts, v in readings],
                           source="mqtt", now=T0 + 6 * H)
    meter = Device.objects.get(serial="WM-B-1")
    assert (meter.reading_ref, meter.activity_due_at) == (100.012, T0 + 16 * H)
    assert services.devices_sweep_activity(T0 + 16 * H) == 1
    assert Alarm.objects.get().reason == "12 小时用水量低于 0.01 m³"


def test_care_settings_replace_contacts_in_order_and_encrypt_phones(devices):
    from django.db import connection

    profile = services.care_profile_set(resident=devices["zhang"], door_hours=12, contacts=[
        services.Contact(role="steward", name="王楼长", phone="13500003333")], now=T0)
    assert [(c.order, c.name, c.masked_phone) for c in profile.contacts.all()] == [(1, "王楼长", "135****3333")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM sensors_emergencycontact")
        assert cursor.fetchone()[0].startswith("g1:")
    assert Device.objects.get(serial="DS-A-1").activity_due_at == T0 + 12 * H


def test_care_settings_refused_for_an_out_of_scope_worker_change_nothing(devices, persona):
    with pytest.raises(NotAllowed):
        services.care_profile_set(resident=devices["zhang"], by=persona["worker_b"], door_hours=1)
    assert CareProfile.objects.get(resident=devices["zhang"]).door_hours == 24


@pytest.mark.parametrize(("settings", "message"), [
    ({"door_hours": 0}, "未开门时长须为 1 到 168 之间的整数（小时），收到“0”"),
    ({"motion_hours": 169}, "无活动时长须为 1 到 168 之间的整数（小时），收到“169”"),
    ({"water_hours": "12"}, "用水统计时长须为 1 到 168 之间的整数（小时），收到“12”"),
    ({"water_min_m3": 10.5}, "最低用水量须在 0 到 10 m³ 之间，收到“10.5”"),
    ({"water_min_m3": -0.01}, "最低用水量须在 0 到 10 m³ 之间，收到“-0.01”"),
])
def test_care_settings_out_of_range_are_refused_by_the_service_and_change_nothing(devices, settings, message):
    with pytest.raises(DomainError, match=message):
        services.care_profile_set(resident=devices["zhang"], contacts=[
            services.Contact(role="steward", name="王楼长", phone="13500003333")], **settings)
    profile = CareProfile.objects.get(resident=devices["zhang"])
    assert (profile.door_hours, profile.water_hours, profile.water_min_m3, profile.motion_hours) == (24, 12, 0.01, 24)
    assert list(profile.contacts.order_by("order").values_list("name", flat=True)) == ["张伟", "刘医生"]


def test_the_care_acknowledgement_window_is_a_setting(settings):
    import datetime as dt

    from gridgov.sensors.services import care_case_after

    assert care_case_after() == dt.timedelta(minutes=30)
    settings.GRIDGOV_CARE_ACK_MINUTES = 2
    assert care_case_after() == dt.timedelta(minutes=2)


def test_a_batch_writes_each_device_once_from_its_latest_events(devices):
    now = T0 + 4 * H
    outcomes = services.events_ingest(events=[
        ev("DS-A-1", "o", T0 + 2 * H, "door_open", battery=70),
        ev("DS-A-1", "h", T0 + 3 * H, "heartbeat", battery=60),
        ev("DS-A-1", "c", T0 + 1 * H, "door_close", battery=90),      # older, buffered: counts as activity
    ], source="mqtt", now=now)
    assert statuses(outcomes) == [("accepted", "")] * 3
    door = Device.objects.get(serial="DS-A-1")
    assert (door.last_activity_at, door.activity_due_at) == (T0 + 2 * H, T0 + 26 * H)
    assert (door.battery, door.battery_reported_at, door.battery_due_at) == (60, T0 + 3 * H, T0 + 3 * H + 7 * 24 * H)
    assert (door.last_seen_at, door.silent_due_at) == (now, now + dt.timedelta(seconds=1200))
    assert sorted(DeviceEvent.objects.filter(device=door).values_list("event_id", "battery")) == [
        ("c", 90), ("h", 60), ("o", 70)]


def test_an_older_battery_report_arriving_later_changes_nothing_but_a_low_one_is_due_at_once(devices):
    services.events_ingest(events=[ev("SM-A-1", "1", T0 + 5 * H, "battery", value=15)], source="mqtt", now=T0 + 5 * H)
    services.events_ingest(events=[ev("SM-A-1", "2", T0 + 4 * H, "heartbeat", battery=95)], source="mqtt",
                           now=T0 + 6 * H)
    smoke = Device.objects.get(serial="SM-A-1")
    assert (smoke.battery, smoke.battery_reported_at, smoke.battery_due_at) == (15, T0 + 5 * H, T0 + 5 * H)
    assert smoke.last_seen_at == T0 + 6 * H


def test_a_repeated_id_changes_nothing_even_with_other_content(devices):
    services.events_ingest(events=[ev("DS-A-1", "e1", T0 + H, "heartbeat", battery=80)], source="mqtt", now=T0 + H)
    outcomes = services.events_ingest(events=[
        ev("DS-A-1", "e1", T0 + 3 * H, "door_open", battery=5),         # same id: ignored whatever it says
        ev("DS-A-1", "e2", T0 + 2 * H, "heartbeat"),
        ev("GHOST", "e1", T0 + 2 * H, "heartbeat"),
        ev("DS-A-1", "e2", T0 + 2 * H, "heartbeat"),
    ], source="mqtt", now=T0 + 2 * H)
    assert statuses(outcomes) == [("duplicate", ""), ("accepted", ""), ("rejected", "unknown_serial"), ("duplicate", "")]
    door = Device.objects.get(serial="DS-A-1")
    assert (door.battery, door.battery_reported_at, door.last_activity_at) == (80, T0 + H, None)
    assert door.activity_due_at == T0 + 24 * H
    assert door.last_seen_at == T0 + 2 * H
    assert sorted(DeviceEvent.objects.filter(device=door).values_list("event_id", "type")) == [
        ("e1", "heartbeat"), ("e2", "heartbeat")]
    assert list(IngestReject.objects.values_list("serial", "reason")) == [("GHOST", "unknown_serial")]


def test_a_batch_of_only_duplicates_and_unknowns_writes_no_state(devices):
    services.events_ingest(events=[ev("DS-A-1", "e1", T0 + H, "heartbeat")], source="mqtt", now=T0 + H)
    outcomes = services.events_ingest(events=[ev("DS-A-1", "e1", T0 + H, "heartbeat"),
                                              ev("NOPE", "x", T0 + H, "heartbeat")], source="http", now=T0 + 2 * H)
    assert statuses(outcomes) == [("duplicate", ""), ("rejected", "unknown_serial")]
    assert Device.objects.get(serial="DS-A-1").last_seen_at == T0 + H


def test_an_inactive_device_is_an_unknown_serial(devices):
    Device.objects.filter(serial="DS-A-1").update(is_active=False)
    outcomes = services.events_ingest(events=[ev("DS-A-1", "e1", T0 + H, "heartbeat")], source="mqtt", now=T0 + H)
    assert statuses(outcomes) == [("rejected", "unknown_serial")]
    assert DeviceEvent.objects.count() == 0


def test_smoke_in_a_batch_of_heartbeats_points_its_alarm_at_its_event(devices):
    services.events_ingest(events=[ev("DS-A-1", "h1", T0 + H, "heartbeat"), ev("SM-A-1", "s9", T0 + H, "smoke"),
                                   ev("DS-A-1", "h2", T0 + H, "heartbeat")], source="mqtt", now=T0 + H)
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.device.serial, alarm.event.event_id, alarm.event.type) == ("smoke", "SM-A-1", "s9", "smoke")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("postgresql" not in __import__("os").environ.get("GRIDGOV_TEST_DATABASE_URL", ""),
                    reason="needs a database shared between threads (PostgreSQL)")
def test_two_ingesters_given_the_same_messages_at_once_store_each_once(devices):
    import threading

    from django.db import connection

    batches = [[ev("DS-A-1", f"e{i}", T0 + i * dt.timedelta(seconds=1), "heartbeat", battery=50 + i % 40)
                for i in range(start, start + 300)] for start in (0, 150)]       # 150 messages in both
    barrier, results = threading.Barrier(2), []

    def ingester(batch):
        try:
            barrier.wait()
            results.append(services.events_ingest(events=batch, source="mqtt", now=T0 + H))
        finally:
            connection.close()

    threads = [threading.Thread(target=ingester, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = sorted(o.event_id for outcomes in results for o in outcomes if o.status == "accepted")
    assert accepted == sorted(f"e{i}" for i in range(450))
    assert sum(o.status == "duplicate" for outcomes in results for o in outcomes) == 150
    assert DeviceEvent.objects.filter(device=devices["door"]).count() == 450
    door = Device.objects.get(serial="DS-A-1")
    assert (door.battery, door.battery_reported_at) == (50 + 449 % 40, T0 + 449 * dt.timedelta(seconds=1))


def test_a_batch_naming_more_devices_than_sqlite_takes_parameters_is_one_statement(devices, place):
    Device.objects.bulk_create([Device(kind="door", serial=f"GW-{i}", dwelling=place["dwelling_b"], interval_s=60)
                                for i in range(1100)])
    outcomes = services.events_ingest(events=[ev(f"GW-{i}", "1", T0, "heartbeat", battery=i % 100)
                                              for i in range(1100)], source="mqtt", now=T0 + H)
    assert [o.status for o in outcomes] == ["accepted"] * 1100
    assert Device.objects.filter(serial__startswith="GW-", last_seen_at=T0 + H).count() == 1100
    assert Device.objects.get(serial="GW-1099").battery == 99
