"""Where an alarm leaves the sensors app: a case to open, a notification to send.

The case engine (gridgov.cases) and the notify outbox (gridgov.notify) are wired here and only
here. Until they are, each function records the need on the alarm itself, so nothing is lost:
`needs_case` / `case_kind` / `case_requested_at` for a case (`case_id` is set once it exists),
and `notifications` (a list of requests) for messages.
"""

import datetime as dt

from gridgov.sensors.models import Alarm


def raise_case_for_alarm(alarm: Alarm, *, case_kind: str, now: dt.datetime, save: bool = True) -> Alarm:
    """Ask for a case for this alarm: "urgent" (smoke, gas, SOS), "care" (care alert nobody
    acknowledged in time) or "grid" (falling object, for the grid's worker). Idempotent.
    `save=False` for an alarm about to be inserted (the sweeps insert many at once)."""
    if alarm.needs_case:
        return alarm
    alarm.needs_case, alarm.case_kind, alarm.case_requested_at, alarm.case_due_at = True, case_kind, now, None
    if save:
        alarm.save(update_fields=["needs_case", "case_kind", "case_requested_at", "case_due_at"])
    return alarm


def notification_request(alarm: Alarm, *, recipients: list[dict], message: str, now: dt.datetime,
                         save: bool = True) -> dict:
    """Ask for `message` to be sent to `recipients` ({"kind": "contact"|"user", "id", "role", "name"}).
    Phones are not copied here: the sender looks them up (encrypted) by id."""
    request = {"at": now.isoformat(), "recipients": recipients, "message": message}
    alarm.notifications = [*alarm.notifications, request]
    if save:
        alarm.save(update_fields=["notifications"])
    return request
