"""The console channel: writes the message to the log. Always on; the fallback."""

import logging

NAME = "console"
log = logging.getLogger("gridgov.notify")


def enabled() -> bool:
    return True


def send(*, address: str, text: str, template: str, params: dict) -> None:
    log.info("通知 → %s [%s] %s", address or "-", template, text)
