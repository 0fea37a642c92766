"""This app's worker sweeps: functions of `now` returning how many rows they acted on.

Each sweep claims a row with a conditional UPDATE on the very column it reads (compare-and-set),
so two workers at once never act twice, and a restarted worker finds every row still waiting.
"""

import datetime as dt
import logging

from django.db import transaction

from gridgov.cases.deadlines import ESCALATE_EVERY
from gridgov.cases.enums import CLOCK_STATES, LEVEL_ORDER, Level
from gridgov.cases.models import Case, WorkOrder
from gridgov.core.errors import DomainError

log = logging.getLogger("gridgov.worker")
BATCH = 500


def _due(model, column: str, now, **extra):
    return list(model.objects.filter(**{f"{column}__lte": now}, **extra)
                .order_by(column).values_list("id", column)[:BATCH])


def case_remind_sweep(now) -> int:
    """催办: a case whose stage is 75% used gets one reminder to its handlers."""
    from gridgov.cases.services import case_transition

    done = 0
    for case_id, remind_at in _due(Case, "remind_at", now, state__in=CLOCK_STATES):
        with transaction.atomic():
            if not Case.objects.filter(pk=case_id, remind_at=remind_at).update(remind_at=None):
                continue  # another worker claimed it
            case_transition(case=Case(pk=case_id), action="remind", by=None, now=now)
            done += 1
    return done


def case_escalate_sweep(now) -> int:
    """提级: an overdue stage moves the case one level up and tells that level's supervisors; still overdue,
    once more every `escalate_every_hours` of its category (a day by default)."""
    from gridgov.cases.services import case_transition

    done = 0
    for case_id, escalate_at in _due(Case, "escalate_at", now, state__in=CLOCK_STATES):
        level, hours = Case.objects.filter(pk=case_id).values_list("level", "category__escalate_every_hours").first()
        every = dt.timedelta(hours=hours) if hours else ESCALATE_EVERY
        last = level == LEVEL_ORDER[-2] or level == Level.DISTRICT
        following = None if last else escalate_at + every * (1 + (now - escalate_at) // every)
        with transaction.atomic():
            if not Case.objects.filter(pk=case_id, escalate_at=escalate_at).update(escalate_at=following):
                continue
            try:
                case_transition(case=Case(pk=case_id), action="escalate", by=None, now=now)
            except DomainError:
                log.warning("事件#%s 无法提级", case_id)
                continue
            done += 1
    return done


def work_order_alert_sweep(now) -> int:
    """A work order missing a deadline (sign, contact, arrive, resolve) reminds its holder once per deadline."""
    from gridgov.cases.services import case_transition

    done = 0
    for order_id, alert_at in _due(WorkOrder, "alert_at", now):
        order = WorkOrder.objects.select_related("case").get(pk=order_id)
        with transaction.atomic():
            if not WorkOrder.objects.filter(pk=order_id, alert_at=alert_at).update(alert_at=_next_alert(order, alert_at)):
                continue
            if order.case.state in CLOCK_STATES:
                case_transition(case=order.case, action="remind", by=None, work_order=order_id,
                                now=now, note=f"工单#{order_id}超过时限")
                done += 1
    return done


def _next_alert(order: WorkOrder, after):
    pending = [(order.sign_due_at, order.signed_at), (order.contact_due_at, order.contacted_at),
               (order.arrive_due_at, order.arrived_at), (order.resolve_due_at, order.resolved_at)]
    later = [due for due, met in pending if due is not None and met is None and due > after]
    return min(later) if later else None


SWEEPS: list = [case_remind_sweep, case_escalate_sweep, work_order_alert_sweep]
