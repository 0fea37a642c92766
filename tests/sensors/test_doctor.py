import datetime as dt

from gridgov.sensors import services
from gridgov.sensors.doctor import section
from gridgov.sensors.selectors import device_health
from tests.sensors.conftest import T0

H = dt.timedelta(hours=1)


def test_doctor_counts_devices_and_active_alarms_by_kind(devices):
    services.events_ingest(events=[services.Event("SM-A-1", "1", T0, "smoke", battery=10),
                                   services.Event("DS-A-1", "1", T0, "door_open", battery=90)], source="mqtt", now=T0)
    services.devices_sweep_battery(T0)
    assert device_health(T0 + dt.timedelta(minutes=10)) == {
        "devices": {"online": 2, "silent": 0, "low_battery": 1},
        "alarms": {"care": 0, "silent": 0, "battery": 1, "smoke": 1, "gas": 0, "sos": 0, "camera": 0},
    }
    services.devices_sweep_silent(T0 + H)              # the door (2 × 600 s) is silent after 20 minutes
    assert device_health(T0 + H)["devices"] == {"online": 1, "silent": 1, "low_battery": 1}
    assert device_health(T0 + H)["alarms"]["silent"] == 1


def test_section_is_what_the_doctor_shows(devices):
    assert set(section()) == {"devices", "alarms"}


def test_the_worker_runs_the_sensor_sweeps(devices):
    from gridgov.core.worker import run_once

    done = run_once(T0 + 25 * H)
    assert done["devices_sweep_activity"] == 1
    assert done["devices_sweep_silent"] == 3
    assert done["alarms_sweep_case_due"] == 0
