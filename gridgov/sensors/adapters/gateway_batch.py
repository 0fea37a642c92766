"""A home gateway (Zigbee/LoRa style) that batches several devices' readings into one message.

{"gw": "GW-0001", "time": 1732240000, "data": [
    {"dev": "DS-001", "seq": 8812, "t": "door", "v": 1, "bat": 87},
    {"dev": "WM-001", "seq": 301, "t": "water", "v": 12345},
    {"dev": "DS-001", "seq": 8813, "t": "hb"}]}

`v` of a door record is 1 (opened) or 0 (closed); water is a cumulative meter reading in litres;
`ts` of a record (Unix seconds) overrides the message's `time`. The event id is "<gw>-<seq>".
"""

from gridgov.sensors.adapters.event import Event, Malformed, number, parse_ts, percent, text

NAME = "gateway_batch"
LABEL = "多设备网关批量上报"

_SIMPLE = {"hb": "heartbeat", "smoke": "smoke", "gas": "gas", "sos": "sos", "pir": "motion",
           "bat": "battery", "fall": "falling_object"}


def matches(payload) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("data"), list) and "gw" in payload


def parse(payload, *, serial: str | None = None) -> list[Event]:
    if not matches(payload):
        raise Malformed("bad_shape", "网关消息应含 gw 与 data 列表")
    gateway = text(payload["gw"], "gw")
    return [_record(r, gateway=gateway, time=payload.get("time")) for r in payload["data"]]


def _record(record, *, gateway: str, time) -> Event:
    if not isinstance(record, dict):
        raise Malformed("bad_shape", "data 的每一项应为对象")
    serial = text(record.get("dev"), "dev")
    seq = text(record.get("seq"), "seq", serial=serial)
    kind, value = _kind(record.get("t"), record.get("v"), serial=serial)
    return Event(serial=serial, event_id=f"{gateway}-{seq}", ts=parse_ts(record.get("ts", time), serial=serial),
                 type=kind, value=value, battery=percent(record.get("bat"), serial=serial))


def _kind(code, value, *, serial: str) -> tuple[str, float | None]:
    value = number(value, "v", serial=serial)
    if code == "door":
        return ("door_open" if value else "door_close"), None
    if code == "water":
        if value is None:
            raise Malformed("bad_value", "水表记录缺少读数 v", serial=serial)
        return "water_reading", value / 1000.0
    if code in _SIMPLE:
        return _SIMPLE[code], value
    raise Malformed("bad_type", f"未知记录类型：{code!r}", serial=serial)
