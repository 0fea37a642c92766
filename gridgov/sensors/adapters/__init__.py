"""Vendor adapters: each module has NAME, LABEL, matches(payload) and parse(payload, serial=) -> [Event].

An MQTT message is read by the adapter its topic names (gridgov/v1/vendors/{NAME}/events) or,
on a device topic (gridgov/v1/devices/{serial}/events), by the first adapter whose `matches`
accepts the payload. Adding a vendor means copying a neighbour and listing it here.
"""

from gridgov.sensors.adapters import gateway_batch, native, nbiot_codes
from gridgov.sensors.adapters.event import Event, Malformed, load_json

ADAPTERS = [native, gateway_batch, nbiot_codes]
BY_NAME = {adapter.NAME: adapter for adapter in ADAPTERS}

TOPIC_ROOT = "gridgov/v1"


def parse_message(topic: str, payload: bytes | str | dict) -> list[Event]:
    """The events of one MQTT message; raises Malformed with a reason."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != TOPIC_ROOT or parts[4] != "events":
        raise Malformed("bad_topic", f"无法识别的主题：{topic}")
    data = load_json(payload)
    if parts[2] == "vendors":
        adapter = BY_NAME.get(parts[3])
        if adapter is None:
            raise Malformed("bad_topic", f"未知厂商适配器：{parts[3]}")
        return adapter.parse(data)
    if parts[2] != "devices":
        raise Malformed("bad_topic", f"无法识别的主题：{topic}")
    for adapter in ADAPTERS:
        if adapter.matches(data):
            return adapter.parse(data, serial=parts[3])
    raise Malformed("bad_shape", "消息格式不属于任何已知厂商", serial=parts[3])


__all__ = ["ADAPTERS", "BY_NAME", "Event", "Malformed", "parse_message"]
