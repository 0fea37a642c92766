"""Stage deadlines on the working-time calendar, and the traffic-light colour derived from them."""

import datetime as dt

from gridgov.cases.enums import CLOCK_STATES, Colour, Whistle
from gridgov.cases.models import CalendarOverride, Category
from gridgov.core.errors import DomainError
from gridgov.lib.workcal import Calendar, CalendarUnknown, default_calendar

WARN_SHARE = 0.75  # yellow once 75% of a stage's time is used
ESCALATE_EVERY = dt.timedelta(hours=24)  # a stage still overdue this long after an escalation escalates again

# Stage → (Category field, unit) for a case's own clock.
STAGE_LIMIT = {
    "accept": ("accept_hours", "hours"),
    "register": ("register_hours", "hours"),
    "dispatch": ("dispatch_hours", "hours"),
    "approve": ("approve_hours", "hours"),
    "claim": ("claim_hours", "hours"),
    "resolve": ("resolve_days", "days"),
    "verify": ("verify_hours", "hours"),
    "close": ("close_hours", "hours"),
}
_DEFAULT_CATEGORY = Category()  # the model defaults, for a case without a category yet


def calendar() -> Calendar:
    """The settings' office hours with the admin's overrides."""
    base = default_calendar()
    overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    return Calendar(periods=base.periods, overrides=overrides)


def _add(cal: Calendar, start, amount: float, unit: str):
    try:
        if unit == "days":
            return cal.add_working_days(start, amount)
        if unit == "hours":
            return cal.add_working_hours(start, amount)
        return start + dt.timedelta(minutes=amount)  # wall-clock minutes (urgent whistles)
    except CalendarUnknown as exc:
        raise DomainError(str(exc), code="calendar_unknown") from None


def stage_clock(*, category: Category | None, stage: str, start, cal: Calendar | None = None) -> tuple:
    """(warn_at, due_at) for a stage starting at `start`."""
    cal = cal or calendar()
    field, unit = STAGE_LIMIT[stage]
    due = _add(cal, start, getattr(category or _DEFAULT_CATEGORY, field), unit)
    return start + (due - start) * WARN_SHARE, due


def order_clock(*, category: Category | None, whistle: str, start, cal: Calendar | None = None) -> dict:
    """A work order's sign / contact / arrive / resolve deadlines by its kind of whistle.

    Urgent whistles count wall-clock minutes; the others count working time, except the contact
    deadline, which is wall-clock hours (24 h).
    """
    cal = cal or calendar()
    c = category or _DEFAULT_CATEGORY
    resolve = _add(cal, start, c.resolve_days, "days")
    if whistle == Whistle.URGENT:
        return {"sign_due_at": _add(cal, start, c.urgent_sign_minutes, "minutes"), "contact_due_at": None,
                "arrive_due_at": _add(cal, start, c.urgent_arrive_minutes, "minutes"), "resolve_due_at": resolve}
    if whistle in (Whistle.QUICK, Whistle.COMPLEX):
        days = c.quick_arrive_days if whistle == Whistle.QUICK else c.complex_arrive_days
        return {"sign_due_at": _add(cal, start, c.sign_hours, "hours"),
                "contact_due_at": start + dt.timedelta(hours=c.contact_hours),
                "arrive_due_at": _add(cal, start, days, "days"), "resolve_due_at": resolve}
    return {"sign_due_at": _add(cal, start, c.sign_hours, "hours"), "contact_due_at": None,
            "arrive_due_at": None, "resolve_due_at": resolve}


def shift_after_pause(due, *, paused_at, now, cal: Calendar):
    """The same working time left at `paused_at` is left at `now`."""
    if due is None:
        return None
    left = max(cal.working_time_between(paused_at, due), dt.timedelta())
    return cal.add_working_time(now, left)


def colour(*, state: str, warn_at, due_at, now) -> str | None:
    if state not in CLOCK_STATES or due_at is None:
        return None
    if now >= due_at:
        return Colour.RED
    if warn_at is not None and now >= warn_at:
        return Colour.YELLOW
    return Colour.GREEN


def colour_filter(value: str, now):
    """A Q over the deadline columns for one colour (for lists filtered by colour)."""
    from django.db.models import Q

    running = Q(state__in=CLOCK_STATES, due_at__isnull=False)
    if value == Colour.RED:
        return running & Q(due_at__lte=now)
    if value == Colour.YELLOW:
        return running & Q(due_at__gt=now, warn_at__lte=now)
    if value == Colour.GREEN:
        return running & Q(due_at__gt=now) & (Q(warn_at__isnull=True) | Q(warn_at__gt=now))
    raise DomainError(f"未知颜色：{value}（应为 green/yellow/red）")
