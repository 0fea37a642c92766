"""/api/v1/cases/: intake, scoped reads, one POST endpoint per transition, work orders, measures."""

import base64
import binascii
import datetime as dt
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gridgov.cases import measures as case_measures
from gridgov.cases import screens, selectors, services
from gridgov.cases.deadlines import colour, colour_filter
from gridgov.cases.enums import CASE_STAFF, TRANSITIONS
from gridgov.cases.models import CaseEvent, WorkOrder
from gridgov.cases.rules import department_of
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib.workcal import TZ
from gridgov.territory.models import Building

router = Router(tags=["事件与工单"])


# --- schemas ---------------------------------------------------------------------------------------

class IntakeIn(Schema):
    channel: Literal["app", "patrol", "hotline", "walk_in", "api", "sensor"]
    description: str = Field(..., min_length=1, max_length=2000)
    lat: float | None = None
    lng: float | None = None
    building_id: int | None = None
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    anonymous: bool = False
    source: str = Field("", max_length=50)
    external_id: str = Field("", max_length=100)
    photos: list[str] = Field([], description="照片，base64 编码，最多9张")


class SuggestionOut(Schema):
    category: str
    name: str
    department: str | None
    whistle: str
    p: float | None


class IntakeOut(Schema):
    id: int
    created: bool
    state: str
    grid_id: int | None
    off_grid: bool
    suggested_category: str | None
    suggestion: SuggestionOut | None
    possible_duplicates: list[int]


def suggestion_out(case) -> dict | None:
    """Triage's proposal for the dispatcher: category, its default department and its whistle."""
    category = case.suggested_category
    if category is None:
        return None
    return {"category": category.code, "name": category.name, "whistle": category.whistle,
            "department": category.department.name if category.department_id else None, "p": case.suggested_p}


class CaseOut(Schema):
    id: int
    state: str
    state_label: str
    channel: str
    description: str
    address: str
    lat: float | None
    lng: float | None
    grid_id: int | None
    area_code: str
    off_grid: bool
    category: str | None
    suggested_category: str | None
    affair_kind: str
    whistle: str
    level: str
    colour: str | None
    due_at: dt.datetime | None
    deadline_at: dt.datetime | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    anonymous: bool
    masked_reporter_phone: str
    reject_reason: str
    result: str
    outcome: str
    rating: str
    rework_count: int
    published: bool
    possible_duplicate_of: int | None
    merged_into: int | None

    @staticmethod
    def resolve_state_label(case):
        return case.get_state_display()

    @staticmethod
    def resolve_category(case):
        return _code(case.category)

    @staticmethod
    def resolve_suggested_category(case):
        return _code(case.suggested_category)

    @staticmethod
    def resolve_colour(case):
        return colour(state=case.state, warn_at=case.warn_at, due_at=case.due_at, now=timezone.now())

    @staticmethod
    def resolve_possible_duplicate_of(case):
        return case.possible_duplicate_of_id

    @staticmethod
    def resolve_merged_into(case):
        return case.merged_into_id


class EventOut(Schema):
    id: int
    action: str
    label: str
    from_state: str
    to_state: str
    by: str
    at: dt.datetime
    note: str
    internal: bool
    attachments: list[str]


class OrderOut(Schema):
    id: int
    case_id: int
    role: str
    department: str | None
    assignee_id: int | None
    claimable: bool
    whistle: str
    state: str
    sign_due_at: dt.datetime | None
    contact_due_at: dt.datetime | None
    arrive_due_at: dt.datetime | None
    resolve_due_at: dt.datetime | None
    extension_state: str


class CaseDetailOut(Schema):
    case: CaseOut
    events: list[EventOut]
    work_orders: list[OrderOut]
    co_reporters: int


def _code(category) -> str | None:
    return category.code if category else None


def event_out(event: CaseEvent) -> dict:
    label = TRANSITIONS[event.action].label if event.action in TRANSITIONS else "上报"
    return {"id": event.pk, "action": event.action, "label": label, "from_state": event.from_state,
            "to_state": event.to_state, "by": str(event.by) if event.by else "系统", "at": event.at,
            "note": event.note, "internal": event.internal,
            "attachments": [reverse("api:case_photo", args=[a.pk]) for a in event.attachments.all()]}


def order_out(order: WorkOrder) -> dict:
    return {**{f: getattr(order, f) for f in (
        "id", "case_id", "role", "assignee_id", "claimable", "whistle", "state", "sign_due_at", "contact_due_at",
        "arrive_due_at", "resolve_due_at", "extension_state")},
        "department": order.department.name if order.department_id else None}


def _photos(encoded: list[str]) -> list[services.Photo]:
    photos = []
    for i, text in enumerate(encoded, start=1):
        try:
            photos.append(services.Photo(f"照片{i}", base64.b64decode(text.split(",")[-1], validate=True)))
        except (binascii.Error, ValueError):
            raise DomainError(f"第{i}张照片不是有效的 base64", code="photo_format") from None
    return photos


# --- intake and reads --------------------------------------------------------------------------------

@router.post("/intake", response={200: IntakeOut, 201: IntakeOut}, summary="上报事件（按 source + external_id 幂等）")
def intake(request, payload: IntakeIn):
    building = None
    if payload.building_id is not None:
        building = Building.objects.select_related("microgrid").filter(pk=payload.building_id).first()
        if building is None:
            raise DomainError(f"楼栋#{payload.building_id}不存在")
    result = services.case_intake_grouped(report=services.Report(
        channel=payload.channel, description=payload.description, by=request.user, lat=payload.lat, lng=payload.lng,
        building=building, address=payload.address, reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone, anonymous=payload.anonymous, photos=tuple(_photos(payload.photos)),
        source=payload.source, external_id=payload.external_id))
    case = result.case
    return Status(201 if result.created else 200, {
        "id": case.pk, "created": result.created, "state": case.state, "grid_id": case.grid_id,
        "off_grid": case.off_grid, "suggested_category": _code(case.suggested_category),
        "suggestion": suggestion_out(case), "possible_duplicates": [c.pk for c in result.duplicates]})


@router.get("", response=list[CaseOut], summary="事件列表（按权限范围）")
@paginate(PageNumberPagination, page_size=50)
def list_cases(request, state: str = "", category: str = "", grid: int | None = None, colour: str = "",
               channel: str = ""):
    cases = selectors.cases_visible_to(request.user).select_related("category", "suggested_category")
    if state:
        cases = cases.filter(state=state)
    if category:
        cases = cases.filter(category__code__startswith=category)
    if grid is not None:
        cases = cases.filter(grid_id=grid)
    if colour:
        cases = cases.filter(colour_filter(colour, timezone.now()))
    if channel:
        cases = cases.filter(channel=channel)
    return cases


@router.get("/work-orders/mine", response=list[OrderOut], summary="我的待办工单")
def my_work_orders(request):
    return [order_out(o) for o in selectors.work_orders_mine(request.user)]


@router.get("/work-orders/claimable", response=list[OrderOut], summary="附近可认领的工单")
def claimable_work_orders(request, lat: float | None = None, lng: float | None = None, radius_m: float = 2000):
    return [order_out(o) for o in selectors.work_orders_claimable_for(request.user, lat=lat, lng=lng,
                                                                     radius_m=radius_m)]


class RateDepartmentIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)


class RateDepartmentOut(Schema):
    id: int
    department: str
    score: int


@router.post("/work-orders/{order_id}/rate-department", response=RateDepartmentOut,
             summary="基层反向评价：为应哨部门打分（1–5）")
def rate_department(request, order_id: int, payload: RateDepartmentIn):
    order = selectors.work_order_get_for(request.user, order_id)
    rating = services.department_rate(work_order=order, by=request.user, score=payload.score, comment=payload.comment)
    return {"id": rating.pk, "department": rating.department.name, "score": rating.score}


# --- measures --------------------------------------------------------------------------------------

class MeasuresOut(Schema):
    received: int
    accepted: int
    registered: int
    due: int
    closed: int
    closed_on_time: int
    orders: int
    signed_in_time: int
    rated: int
    satisfied: int
    reworked: int
    closed_at_grid: int
    closed_in_community: int
    closing_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    satisfaction_rate: float | None
    rework_rate: float | None
    grid_share: float | None
    community_share: float | None


class LeagueOut(Schema):
    rank: int | None
    department_id: int
    department: str
    due: int
    closed: int
    closed_on_time: int
    closing_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    reverse_score: float | None
    reverse_ratings: int


def _period(start: dt.date, end: dt.date):
    if end < start:
        raise DomainError("结束日期不能早于开始日期")
    return dt.datetime.combine(start, dt.time(), TZ), dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TZ)


def _measure_scope(user, area_code: str) -> tuple[str, int | None]:
    """Territory staff measure their subtree; department staff their own department."""
    if user.role in CASE_STAFF | {"auditor"} and user.scope_code:
        code = area_code or user.scope_code
        if not code.startswith(user.scope_code):
            raise NotAllowed(f"区域 {code} 不在您的管辖范围内")
        return code, None
    department = department_of(user)
    if department is not None:
        return area_code, department
    raise NotAllowed("您无权查看考核指标")


@router.get("/measures", response=MeasuresOut, summary="考核指标（结案率、按期结案率、响应率、满意率……）")
def get_measures(request, start: dt.date, end: dt.date, area_code: str = "", handler: int | None = None):
    code, department = _measure_scope(request.user, area_code)
    since, until = _period(start, end)
    return case_measures.measures(start=since, end=until, area_code=code, department_id=department,
                                  handler_id=handler).as_dict()


@router.get("/league", response=list[LeagueOut], summary="部门排行榜（至少10件参与排名）与基层反向评价")
def league(request, start: dt.date, end: dt.date, area_code: str = ""):
    code, department = _measure_scope(request.user, area_code)
    if department is not None:
        raise NotAllowed("部门排行榜仅对街道和社区开放")
    since, until = _period(start, end)
    return [row.__dict__ for row in case_measures.league_table(start=since, end=until, area_code=code)]


# --- one case ------------------------------------------------------------------------------------------

@router.get("/{case_id}", response=CaseDetailOut, summary="事件详情与处理记录（居民看不到内部备注）")
def get_case(request, case_id: int):
    case = selectors.case_get_for(request.user, case_id)
    staff_view = selectors.sees_internal(request.user, case)
    orders = [order_out(o) for o in case.work_orders.select_related("department")] if staff_view else []
    return {"case": case, "events": [event_out(e) for e in selectors.case_events_for(request.user, case)],
            "work_orders": orders, "co_reporters": case.reporters.count()}


@router.get("/photos/{attachment_id}", url_name="case_photo", summary="事件照片（与事件详情同样的权限）",
            response={200: None})
def get_photo(request, attachment_id: int):
    return screens.photo_response(selectors.attachment_get_for(request.user, attachment_id))


class MeTooIn(Schema):
    phone: str = Field("", max_length=20)


class OkOut(Schema):
    id: int
    state: str


@router.post("/{case_id}/me-too", response=OkOut, summary="我也反映（不重复立案）")
def me_too(request, case_id: int, payload: MeTooIn):
    case = selectors.case_open_for_joining(case_id)
    services.case_me_too(case=case, by=request.user, phone=payload.phone)
    return {"id": case.pk, "state": case.state}


# --- transitions: one endpoint per action --------------------------------------------------------------

class NoteIn(Schema):
    note: str = Field("", max_length=2000)
    internal: bool = False


class ReasonIn(NoteIn):
    reason: str = Field(..., min_length=1, max_length=300)


class MergeIn(NoteIn):
    into: int


class RegisterIn(NoteIn):
    category: int
    affair_kind: Literal["public", "household", "shared"]
    whistle: Literal["none", "quick", "urgent", "complex"] = "none"
    level: Literal["grid", "community", "street", "district"] = "grid"


class DispatchIn(NoteIn):
    lead_department: int | None = None
    lead_user: int | None = None
    co_departments: list[int] = []


class WhistleIn(NoteIn):
    whistle: Literal["quick", "urgent", "complex"]
    departments: list[int] = Field(..., min_length=1)


class RequestWhistleIn(NoteIn):
    departments: list[int] = Field(..., min_length=1)


class OrderIn(NoteIn):
    work_order: int


class OrderReasonIn(OrderIn):
    reason: str = Field(..., min_length=1, max_length=300)


class CheckInIn(OrderIn):
    lat: float
    lng: float
    photos: list[str] = Field(..., min_length=1, max_length=9)


class ResolveIn(OrderIn):
    result: str = Field(..., min_length=1, max_length=2000)
    photos: list[str] = Field([], max_length=9)


class ExtensionIn(OrderIn):
    days: float = Field(..., gt=0, le=30)
    reason: str = Field(..., min_length=1, max_length=300)


class DecideExtensionIn(NoteIn):
    work_order: int | None = None


class RefuseExtensionIn(DecideExtensionIn):
    reason: str = Field(..., min_length=1, max_length=300)


class CloseIn(NoteIn):
    outcome: Literal["fixed", "not_ours", "duplicate", "cannot"] = "fixed"


class CloseReopenedIn(CloseIn):
    explanation: str = Field(..., min_length=1, max_length=300)


class WithdrawIn(NoteIn):
    reason: str = Field("", max_length=300)


class RateIn(NoteIn):
    rating: Literal["satisfied", "basic", "unsatisfied"]
    comment: str = Field("", max_length=300)


class PublishIn(NoteIn):
    title: str = Field(..., min_length=1, max_length=100)
    result: str = Field(..., min_length=1, max_length=2000)


class TransitionOut(Schema):
    id: int
    state: str
    state_label: str
    level: str
    due_at: dt.datetime | None


def _apply(request, case_id: int, action: str, payload: Schema) -> dict:
    case = selectors.case_get_for(request.user, case_id)
    data = payload.dict()
    note, internal = data.pop("note", ""), data.pop("internal", False)
    photos = _photos(data.pop("photos", []) or [])
    data = {k: v for k, v in data.items() if v is not None and v != []}
    case = services.case_transition(case=case, action=action, by=request.user, note=note, internal=internal,
                                    photos=photos, **data)
    return {"id": case.pk, "state": case.state, "state_label": case.get_state_display(), "level": case.level,
            "due_at": case.due_at}


def _endpoint(action: str, schema: type[Schema]):
    def view(request, case_id: int, payload: schema):  # type: ignore[valid-type]
        return _apply(request, case_id, action, payload)

    view.__name__ = f"case_{action}"
    router.post(f"/{{case_id}}/{action.replace('_', '-')}", response=TransitionOut,
                summary=TRANSITIONS[action].label, operation_id=f"case_{action}")(view)


ENDPOINTS = {
    "accept": NoteIn, "reject": ReasonIn, "merge": MergeIn, "register": RegisterIn, "dispatch": DispatchIn,
    "open_claim": NoteIn, "claim": NoteIn, "whistle": WhistleIn, "request_whistle": RequestWhistleIn,
    "approve_whistle": NoteIn, "refuse_whistle": ReasonIn, "sign": OrderIn, "return_order": OrderReasonIn,
    "contact": OrderIn, "check_in": CheckInIn, "handle": OrderIn, "resolve": ResolveIn,
    "request_extension": ExtensionIn, "approve_extension": DecideExtensionIn, "refuse_extension": RefuseExtensionIn,
    "verify": NoteIn, "send_back": ReasonIn, "close": CloseIn, "close_reopened": CloseReopenedIn,
    "withdraw": WithdrawIn, "rate": RateIn, "reopen": NoteIn, "suspend": ReasonIn, "resume": NoteIn,
    "publish": PublishIn, "note": NoteIn, "escalate": NoteIn,
}
for _action, _schema in ENDPOINTS.items():
    _endpoint(_action, _schema)
