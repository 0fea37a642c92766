"""Reading Open311 parameters. An empty parameter is the same as an absent one (the spec's "optional")."""

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from gridgov.open311.errors import bad_request

MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def number(data, name: str) -> float | None:
    raw = text(data, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad_request(f"参数 {name} 应为数字，收到“{raw}”") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise bad_request(f"参数 {name} 应为有限数字，收到“{raw}”")
    return value


def when(data, name: str) -> dt.datetime | None:
    """A w3c/ISO 8601 date-time (a bare date is midnight); without an offset it is Beijing time."""
    raw = text(data, name)
    return parse_when(raw, name) if raw else None


def parse_when(raw: str, name: str) -> dt.datetime:
    try:
        value = parse_datetime(raw.replace(" ", "+", 1) if "T" in raw and " " in raw else raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        value = None
    if value is None:
        raise bad_request(f"参数 {name} 应为 ISO 8601 日期时间（如 2026-01-31T09:00:00+08:00），收到“{raw}”")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def url(data, name: str) -> str:
    raw = text(data, name)
    if raw:
        parts = urlparse(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(raw) > 500:
            raise bad_request(f"参数 {name} 应为 http(s) 网址（不超过500字符），收到“{raw[:100]}”")
    return raw


def description(data, name: str = "description") -> str:
    value = text(data, name)
    if len(value) > MAX_DESCRIPTION:
        raise bad_request(f"参数 {name} 超过{MAX_DESCRIPTION}字（{len(value)}字）")
    return value


def comma_list(data, name: str) -> list[str]:
    return [part.strip() for part in text(data, name).split(",") if part.strip()]


def attributes(data) -> dict[str, list[str]]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2 → {code: [values]}, empties dropped."""
    found: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            values = [v.strip() for v in data.getlist(key) if v.strip()]
            if values:
                found.setdefault(match.group(1), []).extend(values)
    return found


@dataclass
class RequestInput:
    service_code: str
    lat: float | None
    lng: float | None
    address_string: str
    address_id: str
    description: str
    media_url: str
    email: str
    first_name: str
    last_name: str
    phone: str
    device_id: str
    account_id: str
    external_id: str
    attributes: dict = field(default_factory=dict)


def request_input(data) -> RequestInput:
    """The POST requests form, checked for shape (not yet against the catalogue)."""
    lat, lng = number(data, "lat"), number(data, "long")
    if (lat is None) != (lng is None):
        raise bad_request("lat 和 long 须同时提供")
    values = {name: text(data, name) for name in (
        "service_code", "address_string", "address_id", "email", "first_name", "last_name", "phone",
        "device_id", "account_id", "external_id")}
    if not values["service_code"]:
        raise bad_request("缺少参数 service_code")
    if lat is None and not values["address_string"] and not values["address_id"]:
        raise bad_request("请提供位置：lat 和 long，或 address_string，或 address_id")
    for name in ("device_id", "account_id", "external_id"):
        if len(values[name]) > 100:
            raise bad_request(f"参数 {name} 超过100字符")
    return RequestInput(lat=lat, lng=lng, description=description(data), media_url=url(data, "media_url"),
                        attributes=attributes(data), **values)
