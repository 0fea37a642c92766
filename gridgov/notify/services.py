"""Writes to the outbox. Messages are enqueued after the commit that caused them and sent by the worker."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gridgov.notify.channels import CHANNELS, ChannelError
from gridgov.notify.models import Outbox, OutboxState

log = logging.getLogger("gridgov.notify")
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=6)


def outbox_enqueue(*, key: str, channel: str, template: str, text: str, params: dict | None = None,
                   address: str = "", user=None) -> Outbox:
    """Queue one message; the same key twice yields the first message (idempotent).

    A channel that is switched off falls back to the console, so nothing is silently lost.
    """
    if channel not in CHANNELS:
        raise ValueError(f"未知通知渠道：{channel}")
    if not CHANNELS[channel].enabled():
        channel = "console"
    existing = Outbox.objects.filter(key=key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Outbox.objects.create(key=key, channel=channel, template=template, text=text,
                                         params=params or {}, address=address, user=user,
                                         next_attempt_at=timezone.now())
    except IntegrityError:
        return Outbox.objects.get(key=key)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … doubling after each failed attempt, at most 6 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _claim(message_id: int, now) -> bool:
    """Take the message for this worker: only one worker's UPDATE matches a pending row."""
    return bool(Outbox.objects.filter(pk=message_id, state=OutboxState.PENDING, next_attempt_at__lte=now)
                .update(state=OutboxState.SENDING, attempts=F("attempts") + 1))


def outbox_send(*, message: Outbox, now) -> bool:
    """Send one claimed message; on failure schedule the next attempt or give up."""
    try:
        CHANNELS[message.channel].send(address=message.address, text=message.text,
                                       template=message.template, params=message.params)
    except ChannelError as exc:
        failed = message.attempts >= settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS
        Outbox.objects.filter(pk=message.pk).update(
            state=OutboxState.FAILED if failed else OutboxState.PENDING,
            next_attempt_at=now + backoff(message.attempts), last_error=str(exc)[:2000],
        )
        log.warning("通知 #%s 第%s次发送失败：%s", message.pk, message.attempts, exc)
        return False
    Outbox.objects.filter(pk=message.pk).update(state=OutboxState.SENT, sent_at=timezone.now(), last_error="")
    return True


def outbox_sweep(now, *, batch: int = 200) -> int:
    """Send what is due; returns how many messages were sent."""
    sent = 0
    due = Outbox.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    for message_id in list(due.values_list("id", flat=True)[:batch]):
        if _claim(message_id, now):
            sent += outbox_send(message=Outbox.objects.get(pk=message_id), now=now)
    return sent
