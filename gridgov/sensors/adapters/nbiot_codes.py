"""An NB-IoT detector vendor that reports numeric event codes through its cloud platform.

{"imei": "869975031234567", "msgId": 5531, "eventCode": 1, "timestamp": "20261122101500", "batteryLevel": 76}

`timestamp` is local time (Asia/Shanghai) as yyyyMMddHHmmss. The device serial is the IMEI.
"""

import datetime as dt

from django.utils import timezone

from gridgov.sensors.adapters.event import Event, Malformed, percent, text

NAME = "nbiot_codes"
LABEL = "NB-IoT 数字事件码"

CODES = {
    1: "smoke",          # 烟雾报警
    2: "heartbeat",      # 报警消除 (the device is alive and quiet again)
    3: "heartbeat",      # 心跳
    4: "battery",        # 低电压
    5: "gas",            # 燃气泄漏
    6: "sos",            # 紧急按钮
    7: "door_open",      # 门磁打开
    8: "door_close",     # 门磁关闭
    9: "motion",         # 红外感应
}


def matches(payload) -> bool:
    return isinstance(payload, dict) and "eventCode" in payload and "imei" in payload


def parse(payload, *, serial: str | None = None) -> list[Event]:
    if not matches(payload):
        raise Malformed("bad_shape", "消息应含 imei 与 eventCode")
    serial = text(payload["imei"], "imei")
    code = payload["eventCode"]
    if code not in CODES:
        raise Malformed("bad_type", f"未知事件码：{code!r}", serial=serial)
    return [Event(serial=serial, event_id=text(payload.get("msgId"), "msgId", serial=serial),
                  ts=_ts(payload.get("timestamp"), serial=serial), type=CODES[code], value=None,
                  battery=percent(payload.get("batteryLevel"), serial=serial))]


def _ts(value, *, serial: str) -> dt.datetime:
    try:
        naive = dt.datetime.strptime(str(value), "%Y%m%d%H%M%S")
    except ValueError:
        raise Malformed("bad_ts", f"时间格式错误：{value!r}", serial=serial) from None
    return timezone.make_aware(naive)
