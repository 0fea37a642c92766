import json

import pytest

from gridgov.sensors import services
from gridgov.sensors.models import Alarm, AlarmLog, CareProfile, Device, DeviceEvent, IngestReject
from tests.sensors.conftest import T0


def serials(response):
    return sorted(item["serial"] for item in response.json()["items"])


@pytest.mark.parametrize("who, expected", [
    ("worker_a", ["DS-A-1", "SM-A-1"]),
    ("steward_a", ["DS-A-1", "SM-A-1"]),
    ("worker_b", ["WM-B-1"]),
    ("community_staff", ["DS-A-1", "SM-A-1", "WM-B-1"]),
    ("resident", []),
    ("auditor", []),
])
def test_device_list_is_scoped(devices, client_for, who, expected):
    response = client_for(who).get("/api/v1/sensors/devices")
    assert response.status_code == 200
    assert serials(response) == expected


def test_anonymous_gets_401(devices, client_for):
    response = client_for(None).get("/api/v1/sensors/devices")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_out_of_scope_device_is_not_found(devices, client_for):
    assert client_for("worker_b").get(f"/api/v1/sensors/devices/{devices['door'].pk}").status_code == 404
    body = client_for("worker_a").get(f"/api/v1/sensors/devices/{devices['door'].pk}").json()
    assert (body["serial"], body["kind_label"], body["building_code"], body["dwelling"]) == (
        "DS-A-1", "智慧门磁", "B-A-1", "东城公租房1栋 1-1201")


def test_geojson_places_devices_at_their_building(devices, client_for):
    services.events_ingest(events=[services.Event("SM-A-1", "s", T0, "smoke")], source="mqtt", now=T0)
    body = client_for("worker_a").get("/api/v1/sensors/devices.geojson").json()
    assert body["type"] == "FeatureCollection"
    assert [(f["properties"]["serial"], f["geometry"]["coordinates"], f["properties"]["open_alarms"])
            for f in body["features"]] == [("DS-A-1", [106.6205, 29.3905], []), ("SM-A-1", [106.6205, 29.3905], ["smoke"])]


def register(client, dwelling, serial="NEW-1"):
    return client.post("/api/v1/sensors/devices", content_type="application/json",
                       data={"kind": "gas", "serial": serial, "dwelling_id": dwelling.pk, "interval_s": 600})


def test_grid_worker_registers_a_device_in_their_grid(devices, place, client_for):
    response = register(client_for("worker_a"), place["dwelling_a2"])
    assert response.status_code == 201
    assert (response.json()["serial"], response.json()["kind"]) == ("NEW-1", "gas")
    assert Device.objects.get(serial="NEW-1").dwelling == place["dwelling_a2"]


@pytest.mark.parametrize("who, status", [("worker_b", 404), ("steward_a", 403), ("resident", 404), ("auditor", 404)])
def test_refused_registration_changes_nothing(devices, place, client_for, who, status):
    response = register(client_for(who), place["dwelling_a2"])
    assert response.status_code == status
    assert not Device.objects.filter(serial="NEW-1").exists()


@pytest.fixture
def care_alarm(devices):
    services.devices_sweep_activity(T0 + 24 * 3600 * services.dt.timedelta(seconds=1))
    return Alarm.objects.get()


def test_steward_acknowledges_a_care_alert(care_alarm, client_for):
    response = client_for("steward_a").post(f"/api/v1/sensors/alarms/{care_alarm.pk}/transition",
                                            content_type="application/json", data={"to": "acknowledged", "note": "已上门"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["case_due_at"]) == ("acknowledged", None)


@pytest.mark.parametrize("who, status", [("worker_b", 404), ("auditor", 404), ("resident", 404)])
def test_refused_transition_changes_nothing(care_alarm, client_for, who, status):
    response = client_for(who).post(f"/api/v1/sensors/alarms/{care_alarm.pk}/transition",
                                    content_type="application/json", data={"to": "cleared"})
    assert response.status_code == status
    care_alarm.refresh_from_db()
    assert (care_alarm.status, AlarmLog.objects.count()) == ("active", 1)


def test_bad_transition_is_a_400_with_a_chinese_message(care_alarm, client_for):
    client = client_for("worker_a")
    url = f"/api/v1/sensors/alarms/{care_alarm.pk}/transition"
    client.post(url, content_type="application/json", data={"to": "cleared"})
    response = client.post(url, content_type="application/json", data={"to": "acknowledged"})
    assert (response.status_code, response.json()["code"]) == (400, "bad_transition")
    assert response.json()["message"] == "告警不能从「已解除」变为「已响应」"


def test_alarm_list_filters_open_alarms(care_alarm, client_for):
    body = client_for("worker_a").get("/api/v1/sensors/alarms?status=open").json()
    assert [(a["kind"], a["reason"], a["serial"]) for a in body["items"]] == [("care", "门磁 24 小时未开门", "DS-A-1")]
    assert client_for("worker_b").get("/api/v1/sensors/alarms").json()["items"] == []


def test_care_settings_show_masked_phones(devices, client_for):
    body = client_for("worker_a").get(f"/api/v1/sensors/residents/{devices['zhang'].pk}/care").json()
    assert body["door_hours"] == 24
    assert body["contacts"] == [{"order": 1, "role": "family", "name": "张伟", "masked_phone": "137****1111"},
                                {"order": 2, "role": "doctor", "name": "刘医生", "masked_phone": "136****2222"}]


def test_care_settings_update_and_refusal(devices, client_for):
    url = f"/api/v1/sensors/residents/{devices['zhang'].pk}/care"
    data = {"door_hours": 12, "quiet_start": "22:00", "quiet_end": "07:00",
            "contacts": [{"role": "steward", "name": "王楼长", "phone": "13500003333"}]}
    refused = client_for("worker_b").put(url, content_type="application/json", data=data)
    assert refused.status_code == 404
    assert CareProfile.objects.get(resident=devices["zhang"]).door_hours == 24
    response = client_for("worker_a").put(url, content_type="application/json", data=data)
    assert response.status_code == 200
    assert (response.json()["door_hours"], response.json()["quiet_start"]) == (12, "22:00:00")
    assert [c["masked_phone"] for c in response.json()["contacts"]] == ["135****3333"]


# --- the gateway endpoint -------------------------------------------------------------------

def post_events(client, items, key=None):
    headers = {"HTTP_X_GATEWAY_KEY": key} if key else {}
    return client.post("/api/v1/devices/events", data=json.dumps(items), content_type="application/json", **headers)


def item(serial, id_, type_="heartbeat", **extra):
    return {"serial": serial, "id": id_, "ts": "2026-11-20T09:00:00+08:00", "type": type_, "value": None,
            "battery": 88, **extra}


def test_gateway_batch_answers_per_item(devices, client_for):
    _, key = services.gateway_create(name="东城网关")
    client = client_for(None)
    post_events(client, [item("DS-A-1", "1")], key)
    response = post_events(client, [item("DS-A-1", "1"), item("DS-A-1", "2", "door_open"), item("GHOST", "1"),
                                    item("SM-A-1", "3", "boom"), {"serial": "SM-A-1"}], key)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (1, 1, 3)
    assert [(i["index"], i["status"], i["reason"]) for i in body["items"]] == [
        (0, "duplicate", ""), (1, "accepted", ""), (2, "rejected", "unknown_serial"),
        (3, "rejected", "bad_type"), (4, "rejected", "missing_field")]
    assert body["items"][3]["message"] == "未知事件类型：'boom'"
    assert sorted(DeviceEvent.objects.values_list("event_id", flat=True)) == ["1", "2"]
    assert IngestReject.objects.filter(source="http").count() == 3


@pytest.mark.parametrize("key", [None, "ggw_wrong"])
def test_gateway_without_a_valid_key_stores_nothing(devices, client_for, key):
    services.gateway_create(name="东城网关")
    response = post_events(client_for(None), [item("DS-A-1", "1")], key)
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert DeviceEvent.objects.count() == 0


def test_a_staff_session_is_not_a_gateway(devices, client_for):
    response = post_events(client_for("community_staff"), [item("DS-A-1", "1")])
    assert response.status_code == 401
    assert DeviceEvent.objects.count() == 0


def test_gateway_body_must_be_a_bounded_array(devices, client_for):
    _, key = services.gateway_create(name="东城网关")
    client = client_for(None)
    assert post_events(client, {"serial": "DS-A-1"}, key).json()["code"] == "invalid"
    too_many = post_events(client, [item("DS-A-1", str(i)) for i in range(1001)], key)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "too_many")
    assert DeviceEvent.objects.count() == 0
