import datetime as dt
import time
import uuid

from django.utils import timezone

from gridgov.people import services as people
from gridgov.sensors import services, simulate
from gridgov.sensors.ingest import Ingester
from gridgov.sensors.models import Alarm, CareProfile, Device, DeviceEvent
from gridgov.sensors.mosquitto import forget_session


def elderly(households):
    zhang = households["a"].members.get(name="张秀英")
    people.care_membership_add(resident=zhang, group="elderly_alone", valid_from=dt.date(2024, 1, 1))
    return zhang


def test_setup_gives_the_elderly_living_alone_a_door_sensor_and_a_smoke_detector(households):
    zhang = elderly(households)
    assert simulate.setup() == 2
    assert simulate.setup() == 0
    assert sorted(Device.objects.values_list("serial", "kind", "resident__name")) == [
        (f"DS-{zhang.pk:06d}", "door", "张秀英"), (f"SM-{zhang.pk:06d}", "smoke", "张秀英")]
    assert CareProfile.objects.filter(resident=zhang).count() == 1


def test_simulated_traffic_leads_to_the_care_alert(households):
    zhang = elderly(households)
    simulate.setup()
    run = uuid.uuid4().hex[:10]
    ingester = Ingester(client_id=f"test-{run}-sim", group=f"g{run}", root=f"t{run}/", batch_ms=5).start()
    try:
        assert ingester.subscribed.wait(10)
        plan = simulate.Plan(speed=36000, alert_in_s=60, root=f"t{run}/")
        sent = simulate.run(devices=simulate.demo_devices(), plan=plan, host="127.0.0.1", port=1883,
                            duration_s=1.0, log=lambda line: None)
        deadline = time.monotonic() + 20
        while DeviceEvent.objects.count() < sent and time.monotonic() < deadline:
            ingester.pump(timeout=0.1)
        ingester.stop()
    finally:
        forget_session(port=1883, client_id=f"test-{run}-sim")
    assert DeviceEvent.objects.count() == sent
    door = Device.objects.get(serial=f"DS-{zhang.pk:06d}")
    assert set(DeviceEvent.objects.filter(device=door).values_list("type", flat=True)) == {
        "door_open", "door_close", "heartbeat"}
    assert services.devices_sweep_activity(timezone.now()) == 0
    assert services.devices_sweep_activity(timezone.now() + dt.timedelta(seconds=90)) == 1
    assert Alarm.objects.get().reason == "门磁 24 小时未开门"
