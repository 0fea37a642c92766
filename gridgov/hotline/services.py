"""Writes for the 12345 hotline: importing its work orders as cases, and queueing and pushing status back.

Cases are written only through gridgov.cases.services; changes are read from the case log (CaseEvent),
past a high-water mark, never by hooking into the case engine.
"""

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gridgov.accounts import services as accounts
from gridgov.accounts.enums import Role
from gridgov.cases.enums import Channel
from gridgov.cases.models import CaseEvent
from gridgov.cases.services import case_intake
from gridgov.core.errors import NotAllowed
from gridgov.hotline.enums import (
    HOTLINE_IMPORTERS,
    SOURCE,
    STATUS_OF_ACTION,
    SYSTEM_USERNAME,
    DeliveryState,
    HotlineStatus,
)
from gridgov.hotline.models import HotlineCursor, HotlineOrder, HotlineUpdate
from gridgov.hotline.rows import OrderRow, rows_check

log = logging.getLogger("gridgov.hotline")
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=6)
BATCH = 500
# Events are re-read this far below the mark, so one committed late (a lower id) is still collected.
RESCAN = 1000
ABANDONED = dt.timedelta(minutes=10)  # far beyond the webhook's 10 s timeout


@dataclass(frozen=True)
class ImportResult:
    created: list[HotlineOrder]
    existing: list[HotlineOrder]


# --- the hotline's system account -------------------------------------------------------------------

def hotline_system_user():
    """The account hotline orders arrive as when no person imports them: no password, API token only."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, role=Role.SYSTEM_ADMIN, display_name="12345热线接口")
        user.set_unusable_password()
        user.save()
    return user


def hotline_token_create(*, name: str = "12345热线") -> str:
    """A new API token for the hotline's system account; returned once, stored as its SHA-256."""
    _token, key = accounts.api_token_create(user=hotline_system_user(), name=name)
    return key


# --- import -----------------------------------------------------------------------------------------

def _check_importer(by) -> None:
    if by is None or not by.is_authenticated or by.role not in HOTLINE_IMPORTERS:
        raise NotAllowed("只有社区工作人员、街道指挥中心或热线接口账号可以导入12345工单")


def _import_one(row: OrderRow, *, by, now) -> tuple[HotlineOrder, bool]:
    order = HotlineOrder.objects.filter(number=row.number).first()
    if order is not None:
        return order, False
    result = case_intake(channel=Channel.HOTLINE, by=by, description=row.content, address=row.address[:200],
                         reporter_phone=row.phone, source=SOURCE, external_id=row.number, deadline_at=row.due_at, now=now,
                         **row.place)
    try:
        with transaction.atomic():
            order = HotlineOrder.objects.create(
                number=row.number, case=result.case, called_at=row.called_at, caller_phone=row.phone,
                category_text=row.category, due_at=row.due_at, imported_by=by)
    except IntegrityError:
        return HotlineOrder.objects.get(number=row.number), False
    return order, True


def hotline_orders_import(*, rows: list[dict], by, now=None) -> ImportResult:
    """Import hotline work orders, all or none: every row is checked first (row, column, reason).

    Idempotent on the hotline's number. The hotline's 办理时限 is kept on the order (HotlineOrder.due_at).
    """
    _check_importer(by)
    checked = rows_check(rows, by=by)
    now = now or timezone.now()
    created, existing = [], []
    with transaction.atomic():
        for row in checked:
            order, new = _import_one(row, by=by, now=now)
            (created if new else existing).append(order)
    return ImportResult(created, existing)


# --- status back to the hotline ---------------------------------------------------------------------

def _terms(event: CaseEvent) -> dict:
    status = STATUS_OF_ACTION[event.action]
    note = "" if event.internal else event.note
    reason = ""
    if status == HotlineStatus.RETURNED:
        reason = event.data.get("reason") or (f"重复诉求，已并入事件#{event.data['into']}办理"
                                              if event.action == "merge" else note) or "不属于本街道办理"
        note = ""
    elif event.action == "resolve" and not note:
        note = event.case.result
    return {"status": status, "reason": reason[:300], "note": note}


def hotline_collect_sweep(now) -> int:
    """Queue every change of a hotline case past the mark, once per case event (unique), advancing the mark."""
    cursor, _ = HotlineCursor.objects.get_or_create(name="case_events")
    events = list(CaseEvent.objects.filter(id__gt=max(cursor.last_event_id - RESCAN, 0), action__in=STATUS_OF_ACTION,
                                           case__hotline_order__isnull=False)
                  .select_related("case__hotline_order").order_by("id")[:BATCH])
    if not events:
        return 0
    known = set(HotlineUpdate.objects.filter(event__in=events).values_list("event_id", flat=True))
    fresh = [HotlineUpdate(order=e.case.hotline_order, event=e, at=e.at, next_attempt_at=now, **_terms(e))
             for e in events if e.pk not in known]
    mark = max(cursor.last_event_id, events[-1].pk)
    with transaction.atomic():
        if not HotlineCursor.objects.filter(pk=cursor.pk, last_event_id=cursor.last_event_id).update(last_event_id=mark):
            return 0  # another worker moved the mark; it collects these
        HotlineUpdate.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … doubling after each failed attempt, at most 6 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def payload(update: HotlineUpdate) -> dict:
    return {"update_id": update.pk, "order_number": update.order.number, "status": update.status,
            "reason": update.reason, "note": update.note, "at": timezone.localtime(update.at).isoformat()}


def _post(url: str, update: HotlineUpdate) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(payload(update), ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": f"gridgov-hotline-{update.pk}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def hotline_update_send(*, update: HotlineUpdate, now) -> bool:
    """Push one claimed update; on failure schedule the next attempt with back-off, or give up."""
    try:
        _post(settings.GRIDGOV_HOTLINE_WEBHOOK, update)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        failed = update.attempts >= settings.GRIDGOV_HOTLINE_MAX_ATTEMPTS
        HotlineUpdate.objects.filter(pk=update.pk).update(
            state=DeliveryState.FAILED if failed else DeliveryState.PENDING,
            next_attempt_at=now + backoff(update.attempts), last_error=str(exc)[:2000])
        log.warning("12345回传 #%s 第%s次失败：%s", update.pk, update.attempts, exc)
        return False
    HotlineUpdate.objects.filter(pk=update.pk).update(state=DeliveryState.SENT, delivered_at=timezone.now(),
                                                      last_error="")
    return True


def _claim(update_id: int, now) -> bool:
    """Take the update for this worker; next_attempt_at becomes the time after which the claim counts as abandoned."""
    return bool(HotlineUpdate.objects.filter(pk=update_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
                .update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + ABANDONED))


def hotline_release_abandoned(now) -> int:
    """A worker that died while pushing leaves its update "sending": after ABANDONED it is pending again
    (the hotline may then get it twice, with the same Idempotency-Key, rather than never)."""
    return HotlineUpdate.objects.filter(state=DeliveryState.SENDING, next_attempt_at__lte=now).update(
        state=DeliveryState.PENDING)


def _earlier_waiting(update_id: int, order_id: int) -> bool:
    waiting = (DeliveryState.PENDING, DeliveryState.SENDING)
    return HotlineUpdate.objects.filter(order_id=order_id, id__lt=update_id, state__in=waiting).exists()


def hotline_deliver_sweep(now, *, batch: int = 200) -> int:
    """Push due updates in order per work order (a later one waits for an earlier one still pending)."""
    if not settings.GRIDGOV_HOTLINE_WEBHOOK:
        return 0
    hotline_release_abandoned(now)
    sent, blocked = 0, set()
    due = HotlineUpdate.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).order_by("id")
    for update_id, order_id in list(due.values_list("id", "order_id")[:batch]):
        if order_id in blocked or _earlier_waiting(update_id, order_id) or not _claim(update_id, now):
            blocked.add(order_id)
            continue
        update = HotlineUpdate.objects.select_related("order").get(pk=update_id)
        ok = hotline_update_send(update=update, now=now)
        sent += ok
        if not ok:
            blocked.add(order_id)
    return sent


