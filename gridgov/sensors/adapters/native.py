"""GridGov's own format: one JSON object per message on gridgov/v1/devices/{serial}/events.

{"id": "<unique per device>", "ts": "<ISO 8601>", "type": "door_open", "value": null, "battery": 87}
Over HTTP each object also carries "serial".
"""

from gridgov.sensors.adapters.event import (
    EVENT_TYPES,
    Event,
    Malformed,
    number,
    parse_ts,
    percent,
    text,
)

NAME = "native"
LABEL = "GridGov 原生格式"


def matches(payload) -> bool:
    return isinstance(payload, dict) and "type" in payload


def parse(payload, *, serial: str | None = None) -> list[Event]:
    return [item(payload, serial=serial)]


def item(obj, *, serial: str | None = None) -> Event:
    if not isinstance(obj, dict):
        raise Malformed("bad_shape", "每条消息应为 JSON 对象")
    serial = serial or text(obj.get("serial"), "serial")
    event_id = text(obj.get("id"), "id", serial=serial)
    kind = obj.get("type")
    if kind not in EVENT_TYPES:
        raise Malformed("bad_type", f"未知事件类型：{kind!r}", serial=serial)
    return Event(
        serial=serial, event_id=event_id, ts=parse_ts(obj.get("ts"), serial=serial),
        type=kind, value=number(obj.get("value"), "value", serial=serial),
        battery=percent(obj.get("battery"), serial=serial),
    )
