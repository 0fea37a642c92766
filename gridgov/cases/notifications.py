"""Who hears of a case event, and by which channel. Runs after the commit that logged the event."""

from gridgov.accounts.models import User
from gridgov.cases.enums import DISPATCHERS, LEVEL_CODE_LENGTH, SUPERVISORS
from gridgov.cases.models import CaseEvent, DepartmentMember, WorkOrder
from gridgov.notify.services import outbox_enqueue

TO_REPORTERS = {"accept", "reject", "merge", "resolve", "close", "close_reopened", "withdraw", "reopen", "publish"}
TO_HOLDERS = {"dispatch", "whistle", "approve_whistle", "remind", "approve_extension", "refuse_extension",
              "send_back"}
TO_DISPATCHERS = {"return_order", "request_extension", "request_whistle", "escalate"}


def _reporters(event: CaseEvent) -> list[tuple[str, str, User | None]]:
    """(channel, address, user) for the case's reporter and co-reporters, not anonymous ones."""
    case = event.case
    people = [(case.reporter_phone, case.reported_by)]
    people += [(r.phone, r.user) for r in case.reporters.select_related("user")]
    return [("sms", phone, user) if phone else ("console", "", user) for phone, user in people if phone or user]


def _holders(event: CaseEvent) -> list[tuple[str, str, User | None]]:
    orders = WorkOrder.objects.filter(case=event.case, state__in=["open", "signed"]).select_related("department")
    out = []
    for order in orders:
        if order.assignee_id:
            out.append(("console", "", order.assignee))
            continue
        if order.department and order.department.wecom_webhook:
            out.append(("wecom", order.department.wecom_webhook, None))
        members = DepartmentMember.objects.filter(department_id=order.department_id).select_related("user")
        out += [("console", "", m.user) for m in members]
    return out


def _dispatchers(event: CaseEvent) -> list[tuple[str, str, User | None]]:
    case = event.case
    code = case.area_code[:LEVEL_CODE_LENGTH[case.level]]
    roles = SUPERVISORS if event.action == "escalate" else DISPATCHERS
    users = User.objects.filter(role__in=roles, is_active=True, area__code=code)
    return [("console", "", u) for u in users]


def _text(event: CaseEvent) -> str:
    case = event.case
    from gridgov.cases.enums import TRANSITIONS

    label = TRANSITIONS[event.action].label if event.action in TRANSITIONS else event.action
    line = f"【基层智治】事件#{case.pk}“{case.description[:20]}”{label}，当前状态：{case.get_state_display()}"
    if event.action == "reject":
        line += f"。理由：{case.reject_reason}"
    return line


def notify_case_event(event_id: int) -> int:
    event = CaseEvent.objects.select_related("case").get(pk=event_id)
    recipients = []
    if event.action in TO_REPORTERS:
        recipients += _reporters(event)
    if event.action in TO_HOLDERS:
        recipients += _holders(event)
    if event.action in TO_DISPATCHERS:
        recipients += _dispatchers(event)
    text = _text(event)
    for channel, address, user in recipients:
        who = user.pk if user is not None else address
        outbox_enqueue(key=f"case-event:{event.pk}:{channel}:{who}", channel=channel, template=f"case_{event.action}",
                       text=text, params={"case": event.case_id, "action": event.action}, address=address, user=user)
    return len(recipients)
