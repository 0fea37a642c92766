"""SMS through an HTTP gateway (GRIDGOV_SMS_URL; off when empty).

The gateway receives {"phone", "template", "params", "text"} and answers {"code": 0} on success.
"""

from django.conf import settings

from gridgov.notify.channels.http import post_json

NAME = "sms"


def enabled() -> bool:
    return bool(settings.GRIDGOV_SMS_URL)


def send(*, address: str, text: str, template: str, params: dict) -> None:
    from gridgov.notify.channels import ChannelError

    if not address:
        raise ChannelError("短信缺少手机号")
    answer = post_json(settings.GRIDGOV_SMS_URL, {"phone": address, "template": template, "params": params,
                                                  "text": text})
    if answer.get("code") != 0:
        raise ChannelError(f"短信网关拒绝：{answer}")
