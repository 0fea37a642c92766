import datetime as dt

import pytest

from gridgov.sensors.adapters import Malformed, parse_message
from gridgov.sensors.adapters.event import Event

UTC = dt.UTC


def test_native_message_takes_its_serial_from_the_topic():
    events = parse_message("gridgov/v1/devices/DS-1/events",
                           b'{"id": "e1", "ts": "2026-11-20T09:00:00+08:00", "type": "door_open", '
                           b'"value": null, "battery": 87}')
    assert events == [Event(serial="DS-1", event_id="e1", ts=dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
                            type="door_open", value=None, battery=87)]


def test_gateway_batch_yields_one_event_per_record():
    payload = {"gw": "GW-7", "time": 1763600000, "data": [
        {"dev": "DS-1", "seq": 10, "t": "door", "v": 1, "bat": 55},
        {"dev": "WM-1", "seq": 11, "t": "water", "v": 12345},
        {"dev": "DS-1", "seq": 12, "t": "door", "v": 0, "ts": 1763600060},
    ]}
    events = parse_message("gridgov/v1/vendors/gateway_batch/events", payload)
    ts = dt.datetime.fromtimestamp(1763600000, tz=UTC)
    assert events == [
        Event("DS-1", "GW-7-10", ts, "door_open", None, 55),
        Event("WM-1", "GW-7-11", ts, "water_reading", 12.345, None),
        Event("DS-1", "GW-7-12", ts + dt.timedelta(seconds=60), "door_close", None, None),
    ]


def test_numeric_codes_vendor_is_recognised_on_a_device_topic_by_its_payload():
    events = parse_message("gridgov/v1/devices/869975031234567/events",
                           b'{"imei": "869975031234567", "msgId": 5531, "eventCode": 1, '
                           b'"timestamp": "20261120090000", "batteryLevel": 76}')
    assert events == [Event("869975031234567", "5531", dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC), "smoke", None, 76)]


@pytest.mark.parametrize("topic, payload, reason", [
    ("gridgov/v1/devices/DS-1/events", b"{not json", "bad_json"),
    ("gridgov/v1/devices/DS-1/events", b'{"id": "1", "ts": "yesterday", "type": "door_open"}', "bad_ts"),
    ("gridgov/v1/devices/DS-1/events", b'{"id": "1", "ts": "2026-11-20T09:00:00", "type": "explode"}', "bad_type"),
    ("gridgov/v1/devices/DS-1/events", b'{"ts": "2026-11-20T09:00:00", "type": "door_open"}', "missing_field"),
    ("gridgov/v1/devices/DS-1/events", b'{"id": "1", "ts": "2026-11-20T09:00:00", "type": "battery", '
                                       b'"battery": 140}', "bad_value"),
    ("gridgov/v1/devices/DS-1/events", b'{"hello": 1}', "bad_shape"),
    ("gridgov/v1/vendors/acme/events", b'{}', "bad_topic"),
    ("other/topic", b'{}', "bad_topic"),
    ("gridgov/v1/vendors/nbiot_codes/events", b'{"imei": "1", "msgId": 2, "eventCode": 99, '
                                              b'"timestamp": "20261120090000"}', "bad_type"),
])
def test_malformed_messages_say_why(topic, payload, reason):
    with pytest.raises(Malformed) as caught:
        parse_message(topic, payload)
    assert caught.value.reason == reason


@pytest.mark.parametrize("payload", [
    b'{"id": "e1", "ts": "2026-11-20T09:00:00+08:00", "type": "door_open"}',
    '\ufeff{"id": "e1", "ts": "2026-11-20T09:00:00+08:00", "type": "door_open"}'.encode(),      # a BOM
    '{"id": "e1", "ts": "2026-11-20T09:00:00+08:00", "type": "door_open"}'.encode("utf-16"),
])
def test_json_is_read_fast_and_what_only_the_standard_library_reads_still_is(payload):
    [event] = parse_message("gridgov/v1/devices/DS-1/events", payload)
    assert (event.serial, event.event_id, event.type) == ("DS-1", "e1", "door_open")
    assert event.ts == dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def test_bytes_that_are_not_json_in_any_encoding_are_bad_json():
    with pytest.raises(Malformed) as caught:
        parse_message("gridgov/v1/devices/DS-1/events", b"\xff\xfe\xfd{")
    assert (caught.value.reason, str(caught.value)) == ("bad_json", "消息不是合法的 JSON")
