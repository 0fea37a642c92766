import datetime as dt

import pytest

from gridgov.sensors import services
from gridgov.sensors.models import Alarm, AlarmLog
from tests.sensors.conftest import T0


@pytest.fixture
def care_alarm(devices):
    services.devices_sweep_activity(T0 + dt.timedelta(hours=24))
    return Alarm.objects.get()


def test_device_page_lists_only_devices_in_scope(devices, client_for):
    page = client_for("worker_a").get("/sensors/").content.decode()
    assert "DS-A-1" in page and "SM-A-1" in page and "WM-B-1" not in page


def test_device_detail_out_of_scope_is_404(devices, client_for):
    assert client_for("worker_b").get(f"/sensors/devices/{devices['door'].pk}/").status_code == 404
    assert "智慧门磁 DS-A-1" in client_for("worker_a").get(f"/sensors/devices/{devices['door'].pk}/").content.decode()


def test_alarm_page_shows_the_alarm_with_its_actions(care_alarm, client_for):
    page = client_for("steward_a").get("/sensors/alarms/").content.decode()
    assert "门磁 24 小时未开门" in page and 'value="acknowledged"' in page


def test_steward_acknowledges_from_the_page(care_alarm, client_for):
    response = client_for("steward_a").post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "acknowledged"})
    assert (response.status_code, response.url) == (302, "/sensors/alarms/")
    care_alarm.refresh_from_db()
    assert care_alarm.status == "acknowledged"


@pytest.mark.parametrize("who", ["worker_b", "resident", "auditor"])
def test_refused_page_transition_changes_nothing(care_alarm, client_for, who):
    response = client_for(who).post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "cleared"})
    assert response.status_code == 404
    care_alarm.refresh_from_db()
    assert (care_alarm.status, AlarmLog.objects.count()) == ("active", 1)


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get("/sensors/alarms/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_target_state_is_refused_with_a_message(care_alarm, client_for):
    client = client_for("steward_a")
    response = client.post(f"/sensors/alarms/{care_alarm.pk}/transition/", {"to": "exploded"}, follow=True)
    assert "未知的告警状态：exploded" in response.content.decode()
    care_alarm.refresh_from_db()
    assert care_alarm.status == "active"
