"""What every vendor adapter produces: plain events in GridGov's own vocabulary."""

import datetime as dt
import json
from typing import NamedTuple

import orjson
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gridgov.sensors.enums import EventType

EVENT_TYPES = frozenset(EventType.values)


class Malformed(ValueError):
    """A payload (or one item of it) that cannot be read; `reason` is a short code, str() says why."""

    def __init__(self, reason: str, detail: str, *, serial: str = ""):
        super().__init__(detail)
        self.reason = reason
        self.serial = serial


class Event(NamedTuple):
    """One event as GridGov understands it. A tuple: the ingester makes thousands a second."""

    serial: str
    event_id: str
    ts: dt.datetime
    type: str
    value: float | None = None
    battery: int | None = None


def load_json(payload: bytes | str | dict | list):
    if isinstance(payload, (dict, list)):
        return payload
    try:
        return orjson.loads(payload)        # a device message: four times faster than json
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(payload)          # what only json reads: UTF-16/32, a byte order mark, NaN
    except (ValueError, UnicodeDecodeError):
        raise Malformed("bad_json", "消息不是合法的 JSON") from None


def parse_ts(value, *, serial: str = "") -> dt.datetime:
    """ISO 8601 text (with offset; naive means Asia/Shanghai) or Unix seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise Malformed("bad_ts", f"时间格式错误：{value!r}", serial=serial)
    return parsed if parsed.tzinfo is not None else timezone.make_aware(parsed)     # a fixed offset, or none


def number(value, field: str, *, serial: str = "") -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Malformed("bad_value", f"{field} 应为数字或 null：{value!r}", serial=serial)
    return float(value)


def percent(value, *, serial: str = "") -> int | None:
    battery = number(value, "battery", serial=serial)
    if battery is None:
        return None
    if not 0 <= battery <= 100:
        raise Malformed("bad_value", f"battery 应在 0–100 之间：{value!r}", serial=serial)
    return int(round(battery))


def text(value, field: str, *, serial: str = "", max_length: int = 64) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise Malformed("missing_field", f"{field} 缺失或格式错误：{value!r}", serial=serial)
    return value.strip()
