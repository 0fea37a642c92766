"""A WeCom (企业微信) group robot webhook: the department's own, or GRIDGOV_WECOM_WEBHOOK; off when empty."""

from django.conf import settings

from gridgov.notify.channels.http import post_json

NAME = "wecom"


def enabled() -> bool:
    return bool(settings.GRIDGOV_WECOM_WEBHOOK)


def send(*, address: str, text: str, template: str, params: dict) -> None:
    from gridgov.notify.channels import ChannelError

    url = address or settings.GRIDGOV_WECOM_WEBHOOK
    if not url:
        raise ChannelError("企业微信机器人地址未配置")
    answer = post_json(url, {"msgtype": "text", "text": {"content": text}})
    if answer.get("errcode") != 0:
        raise ChannelError(f"企业微信拒绝：{answer}")
