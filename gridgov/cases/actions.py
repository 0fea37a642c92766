"""What each action of the transition table changes, beyond the state (called by `case_transition` only).

Each function takes the locked case, the actor, the locked work order (if any), `now`, the note and
the action's own data, changes the case in memory, writes work orders, and returns a `Step`: the
case columns it changed, the data for the event log, and an optional follow-up action.
"""

import re
from dataclasses import dataclass, field

from gridgov.cases import deadlines
from gridgov.cases.enums import (
    APPROVERS,
    LEVEL_ORDER,
    OPEN_ORDER_STATES,
    OPEN_STATES,
    AffairKind,
    CaseState,
    ExtensionState,
    Level,
    OrderRole,
    OrderState,
    Outcome,
    Rating,
    Whistle,
)
from gridgov.cases.models import Case, CaseReporter, Category, Department, TriageCorrection, WorkOrder
from gridgov.core.errors import Conflict, DomainError, NotAllowed
from gridgov.lib.workcal import CalendarUnknown

PHONE_OR_ID = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


@dataclass
class Step:
    fields: list = field(default_factory=list)
    event_data: dict = field(default_factory=dict)
    then: str | None = None
    resume_to: str | None = None
    order: WorkOrder | None = None
    note: str = ""


def _take(data: dict, key: str, label: str, *, required: bool = True, default=None):
    value = data.pop(key, default)
    if required and (value is None or value == "" or value == []):
        raise DomainError(f"请填写{label}（{key}）", code="missing")
    return value


def _done(data: dict) -> None:
    if data:
        raise DomainError(f"不认识的参数：{', '.join(sorted(data))}", code="unknown_field")


def _choice(value: str, choices, label: str) -> str:
    if value not in choices.values:
        raise DomainError(f"{label}“{value}”无效，可选：{', '.join(choices.values)}")
    return value


def _department(value) -> Department:
    pk = value.pk if isinstance(value, Department) else value
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise DomainError(f"部门#{pk}不存在或已停用")
    return department


def _open_orders(case: Case):
    return WorkOrder.objects.filter(case=case, state__in=OPEN_ORDER_STATES)


def _lead_order(case: Case) -> WorkOrder | None:
    return _open_orders(case).filter(role=OrderRole.LEAD).order_by("-id").first()


def _alert_at(order: WorkOrder):
    """The earliest deadline of the order not yet met."""
    pending = [(order.sign_due_at, order.signed_at), (order.contact_due_at, order.contacted_at),
               (order.arrive_due_at, order.arrived_at), (order.resolve_due_at, order.resolved_at)]
    due = [d for d, met in pending if d is not None and met is None]
    return min(due) if due else None


def _save_order(order: WorkOrder, *fields: str) -> None:
    order.alert_at = _alert_at(order) if order.state in OPEN_ORDER_STATES else None
    order.save(update_fields=[*fields, "alert_at"])


def _count_rework(case: Case) -> list:
    """A redispatch after an unsatisfied rating: rework for the case and its last lead handler."""
    if case.state != CaseState.REOPENED:
        return []
    last = WorkOrder.objects.filter(case=case, role=OrderRole.LEAD, state=OrderState.DONE).order_by("-id").first()
    if last is not None:
        WorkOrder.objects.filter(pk=last.pk).update(rework_count=last.rework_count + 1)
    case.rework_count += 1
    case.reworked = True
    return ["rework_count", "reworked"]


def _issue_orders(case: Case, *, departments: list, now, whistle: str = Whistle.NONE, assignee=None,
                  claimable: bool = False) -> list[WorkOrder]:
    try:
        clock = deadlines.order_clock(category=case.category, whistle=whistle, start=now)
    except CalendarUnknown as exc:
        raise DomainError(str(exc)) from None
    if whistle == Whistle.NONE:
        clock["sign_due_at"] = clock["sign_due_at"] if departments else None
    external = case.external_deadline_at
    if external is not None and clock.get("resolve_due_at") is not None and external < clock["resolve_due_at"]:
        clock["resolve_due_at"] = external  # the source's deadline (12345's 办理时限) is the earlier one: keep it
    orders = []
    targets = [(d, None) for d in departments] or [(None, assignee)]
    for i, (department, person) in enumerate(targets):
        order = WorkOrder(case=case, area_code=case.area_code, role=OrderRole.LEAD if i == 0 else OrderRole.CO,
                          department=department,
                          assignee=person, claimable=claimable, whistle=whistle, created_at=now, **clock)
        order.alert_at = _alert_at(order)
        orders.append(order)
    WorkOrder.objects.bulk_create(orders)
    lead = orders[0]
    case.deadline_at = lead.resolve_due_at
    case.lead_department = lead.department
    case.handler = lead.assignee
    if case.dispatched_at is None:
        case.dispatched_at = now
    return ["deadline_at", "lead_department", "handler", "dispatched_at"]


# --- 受理 ------------------------------------------------------------------------------------------

def accept(*, case, by, order, now, note, data):
    _done(data)
    case.accepted_at = now
    return Step(["accepted_at"])


def reject(*, case, by, order, now, note, data):
    case.reject_reason = _take(data, "reason", "不予受理理由")
    _done(data)
    return Step(["reject_reason"], {"reason": case.reject_reason}, note=case.reject_reason)


def merge(*, case, by, order, now, note, data):
    into_id = _take(data, "into", "合并到的事件")
    _done(data)
    target = Case.objects.select_for_update().filter(pk=into_id).first()
    if target is None or target.pk == case.pk or target.state not in OPEN_STATES \
            or not target.area_code.startswith(by.scope_code or "-"):
        raise DomainError(f"只能合并到您管辖范围内另一个未办结的事件，#{into_id} 不可用")
    keep = [CaseReporter(case=target, user=case.reported_by, phone=case.reporter_phone,
                         phone_index=case.reporter_phone_index, from_case=case)]
    keep += [CaseReporter(case=target, user=r.user, phone=r.phone, phone_index=r.phone_index, from_case=case)
             for r in case.reporters.all()]
    CaseReporter.objects.bulk_create([r for r in keep if r.user_id or r.phone])
    case.merged_into = target
    case.outcome = Outcome.DUPLICATE
    return Step(["merged_into", "outcome"], {"into": target.pk})


# --- 立案 ------------------------------------------------------------------------------------------

def register(*, case, by, order, now, note, data):
    category_id = _take(data, "category", "类别")
    category = Category.objects.filter(pk=getattr(category_id, "pk", category_id), is_active=True).first()
    if category is None:
        raise DomainError(f"类别#{category_id}不存在或已停用")
    if case.suggested_category_id and case.suggested_category_id != category.pk:
        TriageCorrection.objects.create(case=case, suggested_id=case.suggested_category_id, chosen=category,
                                        by=by if by is not None and by.is_authenticated else None, at=now)
    case.category = category
    case.affair_kind = _choice(_take(data, "affair_kind", "事务类型"), AffairKind, "事务类型")
    case.whistle = _choice(data.pop("whistle", Whistle.NONE), Whistle, "吹哨类型")
    case.level = _choice(data.pop("level", Level.GRID), Level, "处置层级")
    _done(data)
    case.registered_at = now
    return Step(["category", "affair_kind", "whistle", "level", "registered_at"],
                {"category": category.code, "affair_kind": case.affair_kind, "whistle": case.whistle,
                 "level": case.level})


# --- 派单 / 接单 / 吹哨 --------------------------------------------------------------------------------

def _people(case, by, data):
    from gridgov.accounts.models import User

    lead_user = data.pop("lead_user", None)
    if lead_user is None:
        return None
    user = User.objects.filter(pk=getattr(lead_user, "pk", lead_user), is_active=True).first()
    if user is None or not (user.scope_code and case.area_code.startswith(user.scope_code)):
        raise DomainError(f"承办人#{lead_user}不存在或不在事件所在区域")
    return user


def dispatch(*, case, by, order, now, note, data):
    person = _people(case, by, data)
    lead = data.pop("lead_department", None)
    co = data.pop("co_departments", []) or []
    _done(data)
    if lead is None and person is None and case.category is not None and case.category.department_id:
        lead = case.category.department_id  # the category's default department
    if (lead is None) == (person is None):
        raise DomainError("派单须指定一个主办部门（lead_department）或一名承办人（lead_user）")
    if person is not None and co:
        raise DomainError("派给个人的工单不能再指定协办部门")
    departments = [_department(d) for d in ([lead] if lead is not None else []) + list(co)]
    if len({d.pk for d in departments}) != len(departments):
        raise DomainError("主办和协办部门不能重复")
    fields = _count_rework(case)
    fields += _issue_orders(case, departments=departments, assignee=person, now=now)
    return Step(fields, {"departments": [d.pk for d in departments], "lead_user": getattr(person, "pk", None)})


def open_claim(*, case, by, order, now, note, data):
    _done(data)
    fields = _count_rework(case)
    fields += _issue_orders(case, departments=[], claimable=True, now=now)
    return Step(fields)


def claim(*, case, by, order, now, note, data):
    _done(data)
    pool = WorkOrder.objects.filter(case=case, claimable=True, state=OrderState.OPEN, assignee__isnull=True)
    target = pool.order_by("id").first()
    # First claim locks it: a conditional UPDATE that only one claimant can win.
    won = target is not None and pool.filter(pk=target.pk).update(
        assignee=by, state=OrderState.SIGNED, signed_at=now)
    if not won:
        raise Conflict(f"事件#{case.pk}已被他人认领")
    target.refresh_from_db()
    _save_order(target)
    case.handler = by
    return Step(["handler"], {"work_order": target.pk}, order=target)


def _whistle_departments(data) -> list[Department]:
    ids = _take(data, "departments", "应哨部门")
    departments = [_department(d) for d in ids]
    if len({d.pk for d in departments}) != len(departments):
        raise DomainError("应哨部门不能重复")
    return departments


def whistle(*, case, by, order, now, note, data):
    kind = _choice(_take(data, "whistle", "吹哨类型"), Whistle, "吹哨类型")
    if kind == Whistle.NONE:
        raise DomainError("请选择快捷哨、应急哨或攻坚哨")
    if kind == Whistle.COMPLEX and by.role not in APPROVERS:
        raise NotAllowed("攻坚哨须经社区书记或街道审批，请提交吹哨申请")
    departments = _whistle_departments(data)
    _done(data)
    case.whistle = kind
    fields = _count_rework(case) + ["whistle"]
    fields += _issue_orders(case, departments=departments, whistle=kind, now=now)
    return Step(fields, {"whistle": kind, "departments": [d.pk for d in departments]})


def request_whistle(*, case, by, order, now, note, data):
    departments = _whistle_departments(data)
    _done(data)
    case.whistle = Whistle.COMPLEX
    return Step(["whistle"], {"whistle": Whistle.COMPLEX, "departments": [d.pk for d in departments]})


def approve_whistle(*, case, by, order, now, note, data):
    _done(data)
    asked = case.events.filter(action="request_whistle").order_by("-id").first()
    departments = [_department(d) for d in asked.data["departments"]]
    fields = _count_rework(case) + _issue_orders(case, departments=departments, whistle=Whistle.COMPLEX, now=now)
    return Step(fields, {"departments": [d.pk for d in departments]})


def refuse_whistle(*, case, by, order, now, note, data):
    reason = _take(data, "reason", "驳回理由")
    _done(data)
    case.whistle = Whistle.NONE
    return Step(["whistle"], {"reason": reason}, note=reason)


# --- 签收 / 退单 / 报到 / 处置 / 办结 ---------------------------------------------------------------------

def _need_order(order):
    if order is None:
        raise DomainError("请指定工单（work_order）")
    return order


def sign(*, case, by, order, now, note, data):
    _done(data)
    order = _need_order(order)
    if order.state != OrderState.OPEN:
        raise Conflict(f"工单#{order.pk}已签收")
    order.state, order.signed_at = OrderState.SIGNED, now
    _save_order(order, "state", "signed_at")
    return Step(event_data={"in_time": order.sign_due_at is None or now <= order.sign_due_at})


def return_order(*, case, by, order, now, note, data):
    reason = _take(data, "reason", "退单理由")
    _done(data)
    order = _need_order(order)
    order.state, order.return_reason = OrderState.RETURNED, reason
    _save_order(order, "state", "return_reason")
    _open_orders(case).exclude(pk=order.pk).update(state=OrderState.CANCELLED, alert_at=None)
    case.lead_department, case.handler, case.deadline_at = None, None, None
    return Step(["lead_department", "handler", "deadline_at"], {"reason": reason}, note=reason)


def contact(*, case, by, order, now, note, data):
    _done(data)
    order = _need_order(order)
    order.contacted_at = order.contacted_at or now
    _save_order(order, "contacted_at")
    return Step()


def check_in(*, case, by, order, now, note, data):
    lat, lng = _take(data, "lat", "报到纬度"), _take(data, "lng", "报到经度")
    has_photo = data.pop("has_photo", False)
    _done(data)
    if not has_photo:
        raise DomainError("报到须上传现场照片", code="missing")
    order = _need_order(order)
    order.check_in_lat, order.check_in_lng, order.arrived_at = float(lat), float(lng), order.arrived_at or now
    if order.state == OrderState.OPEN:
        order.state, order.signed_at = OrderState.SIGNED, now
    _save_order(order, "check_in_lat", "check_in_lng", "arrived_at", "state", "signed_at")
    return Step(event_data={"lat": float(lat), "lng": float(lng)})


def handle(*, case, by, order, now, note, data):
    _done(data)
    if not note:
        raise DomainError("请填写处置情况（note）", code="missing")
    return Step()


def resolve(*, case, by, order, now, note, data):
    case.result = _take(data, "result", "办理结果")
    _done(data)
    order = _need_order(order)
    order.state, order.resolved_at = OrderState.DONE, now
    _save_order(order, "state", "resolved_at")
    case.resolved_at, case.handler = now, by
    return Step(["result", "resolved_at", "handler"])


# --- 延期 ------------------------------------------------------------------------------------------

def request_extension(*, case, by, order, now, note, data):
    days = float(_take(data, "days", "延期工作日数"))
    reason = _take(data, "reason", "延期理由")
    _done(data)
    order = _need_order(order)
    if not 0 < days <= 30:
        raise DomainError(f"延期天数应在0到30个工作日之间，收到{days}")
    if order.extension_state == ExtensionState.REQUESTED:
        raise Conflict(f"工单#{order.pk}已有待审批的延期申请")
    order.extension_state, order.extension_days, order.extension_reason = ExtensionState.REQUESTED, days, reason
    order.save(update_fields=["extension_state", "extension_days", "extension_reason"])
    return Step(event_data={"days": days, "reason": reason}, note=reason)


def _pending_extension(case, order) -> WorkOrder:
    order = order or _open_orders(case).filter(extension_state=ExtensionState.REQUESTED).first()
    if order is None or order.extension_state != ExtensionState.REQUESTED:
        raise Conflict(f"事件#{case.pk}没有待审批的延期申请")
    return order


def approve_extension(*, case, by, order, now, note, data):
    _done(data)
    order = _pending_extension(case, order)
    cal = deadlines.calendar()
    order.resolve_due_at = cal.add_working_days(order.resolve_due_at, order.extension_days)
    order.extension_state = ExtensionState.APPROVED
    _save_order(order, "resolve_due_at", "extension_state")
    fields = []
    if order.role == OrderRole.LEAD:
        case.deadline_at = order.resolve_due_at
        fields.append("deadline_at")
        if case.state in (CaseState.DISPATCHED, CaseState.HANDLING):
            case.due_at = case.escalate_at = order.resolve_due_at
            case.warn_at = case.remind_at = (case.stage_started_at
                                             + (case.due_at - case.stage_started_at) * deadlines.WARN_SHARE)
            fields += ["due_at", "escalate_at", "warn_at", "remind_at"]
    return Step(fields, {"days": order.extension_days, "due": order.resolve_due_at.isoformat()}, order=order)


def refuse_extension(*, case, by, order, now, note, data):
    reason = _take(data, "reason", "驳回理由")
    _done(data)
    order = _pending_extension(case, order)
    order.extension_state = ExtensionState.REFUSED
    order.save(update_fields=["extension_state"])
    return Step(event_data={"reason": reason}, order=order, note=reason)


# --- 核查 / 结案 / 评价 / 重办 -----------------------------------------------------------------------------

def verify(*, case, by, order, now, note, data):
    _done(data)
    case.verified_at = now
    return Step(["verified_at"])


def send_back(*, case, by, order, now, note, data):
    reason = _take(data, "reason", "退回理由")
    _done(data)
    lead = WorkOrder.objects.filter(case=case, role=OrderRole.LEAD, state=OrderState.DONE).order_by("-id").first()
    if lead is not None:
        lead.state, lead.resolved_at = OrderState.SIGNED, None
        _save_order(lead, "state", "resolved_at")
    case.resolved_at = None
    return Step(["resolved_at"], {"reason": reason}, note=reason)


def close(*, case, by, order, now, note, data):
    case.outcome = _choice(data.pop("outcome", Outcome.FIXED), Outcome, "结案类型")
    _done(data)
    case.closed_at = now
    return Step(["outcome", "closed_at"], {"outcome": case.outcome})


def close_reopened(*, case, by, order, now, note, data):
    explanation = _take(data, "explanation", "督办说明")
    case.outcome = _choice(data.pop("outcome", Outcome.FIXED), Outcome, "结案类型")
    _done(data)
    case.closed_at = now
    return Step(["outcome", "closed_at"], {"explanation": explanation, "outcome": case.outcome}, note=explanation)


def withdraw(*, case, by, order, now, note, data):
    reason = data.pop("reason", "")
    _done(data)
    _open_orders(case).update(state=OrderState.CANCELLED, alert_at=None)
    case.outcome, case.closed_at = Outcome.WITHDRAWN, now
    return Step(["outcome", "closed_at"], {"reason": reason}, note=reason)


def rate(*, case, by, order, now, note, data):
    rating = _choice(_take(data, "rating", "满意度"), Rating, "满意度")
    comment = data.pop("comment", "")
    _done(data)
    if case.rated_at is not None and case.closed_at is not None and case.rated_at >= case.closed_at:
        raise Conflict(f"事件#{case.pk}本次办结已评价")
    case.rating, case.rating_comment, case.rated_at = rating, comment[:300], now
    then = "reopen" if rating == Rating.UNSATISFIED else None
    return Step(["rating", "rating_comment", "rated_at"], {"rating": rating}, then=then, note=comment)


def reopen(*, case, by, order, now, note, data):
    _done(data)
    case.closed_at, case.outcome, case.verified_at, case.resolved_at = None, "", None, None
    return Step(["closed_at", "outcome", "verified_at", "resolved_at"])


# --- 挂起 / 公示 / 备注 / 催办 / 提级 ---------------------------------------------------------------------

def suspend(*, case, by, order, now, note, data):
    reason = _take(data, "reason", "挂起理由")
    _done(data)
    case.paused_from, case.paused_at = case.state, now
    return Step(["paused_from", "paused_at"], {"reason": reason}, note=reason)


def resume(*, case, by, order, now, note, data):
    _done(data)
    cal = deadlines.calendar()
    paused_at = case.paused_at

    def shift(value):
        return deadlines.shift_after_pause(value, paused_at=paused_at, now=now, cal=cal)

    case.due_at, case.warn_at, case.deadline_at = shift(case.due_at), shift(case.warn_at), shift(case.deadline_at)
    case.remind_at, case.escalate_at = case.warn_at, case.due_at
    if case.stage_started_at is not None:
        case.stage_started_at += now - paused_at
    for open_order in _open_orders(case):
        for name in ("sign_due_at", "contact_due_at", "arrive_due_at", "resolve_due_at"):
            setattr(open_order, name, shift(getattr(open_order, name)))
        _save_order(open_order, "sign_due_at", "contact_due_at", "arrive_due_at", "resolve_due_at")
    case.paused_seconds += int((now - paused_at).total_seconds())
    resume_to, case.paused_from, case.paused_at = case.paused_from, "", None
    fields = ["due_at", "warn_at", "deadline_at", "remind_at", "escalate_at", "stage_started_at",
              "paused_seconds", "paused_from", "paused_at"]
    return Step(fields, {"paused_seconds": int((now - paused_at).total_seconds())}, resume_to=resume_to)


def publish(*, case, by, order, now, note, data):
    title = _take(data, "title", "公示标题")
    result = _take(data, "result", "公示结果")
    _done(data)
    if PHONE_OR_ID.search(title + " " + result):
        raise DomainError("公示内容不得包含手机号或身份证号", code="personal_data")
    case.published, case.public_title, case.public_result, case.published_at = True, title, result, now
    return Step(["published", "public_title", "public_result", "published_at"])


def note_(*, case, by, order, now, note, data):
    _done(data)
    if not note:
        raise DomainError("请填写备注内容（note）", code="missing")
    return Step()


def remind(*, case, by, order, now, note, data):
    _done(data)
    return Step(event_data={"due_at": case.due_at.isoformat() if case.due_at else None})


def escalate(*, case, by, order, now, note, data):
    _done(data)
    position = LEVEL_ORDER.index(case.level)
    if position + 1 >= len(LEVEL_ORDER):
        raise Conflict(f"事件#{case.pk}已在最高层级（区）")
    before, case.level = case.level, LEVEL_ORDER[position + 1]
    return Step(["level"], {"from": before, "to": case.level})


APPLY = {
    "accept": accept, "reject": reject, "merge": merge, "register": register, "dispatch": dispatch,
    "open_claim": open_claim, "claim": claim, "whistle": whistle, "request_whistle": request_whistle,
    "approve_whistle": approve_whistle, "refuse_whistle": refuse_whistle, "sign": sign,
    "return_order": return_order, "contact": contact, "check_in": check_in, "handle": handle, "resolve": resolve,
    "request_extension": request_extension, "approve_extension": approve_extension,
    "refuse_extension": refuse_extension, "verify": verify, "send_back": send_back, "close": close,
    "close_reopened": close_reopened, "withdraw": withdraw, "rate": rate, "reopen": reopen, "suspend": suspend,
    "resume": resume, "publish": publish, "note": note_, "remind": remind, "escalate": escalate,
}
