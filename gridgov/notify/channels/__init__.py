"""Notification channels. Each module has the same shape:

    NAME: str
    def enabled() -> bool
    def send(*, address: str, text: str, template: str, params: dict) -> None   # raises ChannelError
"""

from gridgov.notify.channels import console, sms, wecom


class ChannelError(Exception):
    """Sending failed; the outbox tries again later."""


CHANNELS = {module.NAME: module for module in (console, sms, wecom)}
