"""Writes to cases. Intake, catalogue, departments; every state change goes through `case_transition`."""

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gridgov.accounts.enums import Role
from gridgov.cases import deadlines
from gridgov.cases.actions import APPLY
from gridgov.cases.enums import (
    CASE_STAFF,
    OPEN_STATES,
    RATERS_OF_DEPARTMENTS,
    REPORTERS_ON_PATROL,
    RESUME,
    STAGE_OF_STATE,
    TRANSITIONS,
    CaseState,
    Channel,
    DepartmentKind,
)
from gridgov.cases.models import (
    Attachment,
    CalendarOverride,
    Case,
    CaseEvent,
    CaseReporter,
    Category,
    Department,
    DepartmentMember,
    DepartmentRating,
    WorkOrder,
)
from gridgov.cases.photos import check_count, reencode
from gridgov.cases.rollup import rollup_add_new, rollup_apply, rollup_rating_apply, rollup_snapshot
from gridgov.cases.rules import allowed
from gridgov.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gridgov.lib.pii import blind_index
from gridgov.territory.enums import AreaKind
from gridgov.territory.models import Area, Building
from gridgov.territory.selectors import locate

DUPLICATE_RADIUS_M = 100
DUPLICATE_DAYS = 7


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    created: bool
    duplicates: list


# --- departments, categories, calendar -----------------------------------------------------------

def department_create(*, name: str, kind: str = DepartmentKind.GOVERNMENT, phone: str = "",
                      wecom_webhook: str = "") -> Department:
    if kind not in DepartmentKind.values:
        raise DomainError(f"未知单位类型：{kind}")
    department, _ = Department.objects.get_or_create(
        name=name.strip(), defaults={"kind": kind, "phone": phone, "wecom_webhook": wecom_webhook})
    return department


def department_add_member(*, department: Department, user) -> DepartmentMember:
    if user.role != Role.DEPARTMENT_STAFF:
        raise DomainError(f"{user} 的角色不是部门工作人员，不能加入 {department}")
    member, _ = DepartmentMember.objects.update_or_create(user=user, defaults={"department": department})
    return member


def _catalogue_row(row: dict, *, parent: Category | None) -> tuple[Category, bool]:
    department = department_create(name=row["department"]) if row.get("department") else None
    category, created = Category.objects.update_or_create(code=str(row["code"]), defaults={
        "name": row["name"], "parent": parent, "first_level": row.get("first_level", ""),
        "department": department, "keywords": list(row.get("keywords", [])), "is_active": True,
    })
    return category, created


@transaction.atomic
def category_sync_from_catalogue(path) -> dict:
    """Create or update the two-level categories (and their departments) from a catalogue JSON file.

    Deadlines edited in admin are kept; categories missing from the file are deactivated.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = document["categories"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"类别目录 {path} 无法读取：{exc}", code="invalid_catalogue") from None
    seen, created = set(), 0
    for where, row in enumerate(rows, start=1):
        try:
            top, new = _catalogue_row(row, parent=None)
            seen.add(top.code)
            created += new
            for child in row.get("children", []):
                category, new = _catalogue_row(child, parent=top)
                seen.add(category.code)
                created += new
        except (KeyError, TypeError) as exc:
            raise DomainError(f"类别目录第{where}个一级类别缺少字段：{exc}", code="invalid_catalogue") from None
    deactivated = Category.objects.exclude(code__in=seen).filter(is_active=True).update(is_active=False)
    return {"created": created, "updated": len(seen) - created, "deactivated": deactivated}


def category_ensure(*, code: str, name: str, **limits) -> Category:
    """A category the system itself files cases under (sensor alarms): created with `limits` the first
    time, kept as edited in admin afterwards, re-activated if a catalogue sync switched it off."""
    category, created = Category.objects.get_or_create(code=code, defaults={"name": name, **limits})
    if not created and not category.is_active:
        Category.objects.filter(pk=category.pk).update(is_active=True)
        category.is_active = True
    return category


def category_suggest(text: str) -> Category | None:
    """The active second-level category with the most keyword hits in `text` (ties: lowest code)."""
    best, best_hits = None, 0
    for category in Category.objects.filter(is_active=True, parent__isnull=False).order_by("code"):
        hits = sum(1 for word in category.keywords if word and word in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def category_triage(text: str) -> tuple[Category | None, float | None]:
    """The triage suggestion for `text` (trained model, else the catalogue's keyword rules) as a Category row
    with its probability; when triage names no active category of that code and name, the categories'
    own keywords (p None)."""
    from gridgov.cases.triage import suggest

    for suggestion in suggest(text, 3):
        # Code and name: a database synced from another catalogue may give a code another meaning.
        category = Category.objects.filter(code=suggestion.category_code, name=suggestion.category_name,
                                           is_active=True, parent__isnull=False).first()
        if category is not None:
            return category, suggestion.p
    return category_suggest(text), None


def calendar_override_set(*, date: dt.date, is_working_day: bool, note: str = "") -> CalendarOverride:
    override, _ = CalendarOverride.objects.update_or_create(
        date=date, defaults={"is_working_day": is_working_day, "note": note})
    return override


# --- intake --------------------------------------------------------------------------------------

def _check_reporter(channel: str, by) -> None:
    authenticated = by is not None and by.is_authenticated
    if channel not in Channel.values:
        raise DomainError(f"未知渠道：{channel}")
    if channel == Channel.SENSOR:
        if by is not None and (not authenticated or by.role not in CASE_STAFF):
            raise NotAllowed("传感器事件只能由系统或网格工作人员上报")
        return
    if not authenticated:
        raise NotAllowed("请先登录再上报")
    if channel == Channel.PATROL and by.role not in REPORTERS_ON_PATROL:
        raise NotAllowed("只有网格员、网格长和楼栋长可以巡查上报")
    if channel in (Channel.HOTLINE, Channel.WALK_IN, Channel.API) and by.role not in CASE_STAFF | {Role.SYSTEM_ADMIN}:
        raise NotAllowed("只有工作人员可以代为登记或通过接口上报")


def _street_code(by) -> str:
    code = getattr(by, "scope_code", None) or ""
    if len(code) >= 9:
        return code[:9]
    street = Area.objects.filter(kind=AreaKind.STREET).order_by("code").first()
    if street is None:
        raise DomainError("系统中还没有街道，无法受理事件")
    return street.code


def _place(*, lat, lng, building: Building | None, by) -> dict:
    if building is not None:
        return {"lat": building.lat, "lng": building.lng, "building": building, "grid_id": building.microgrid.parent_id,
                "area_code": building.area_code, "off_grid": False}
    if lat is None or lng is None:
        raise DomainError("请提供事件位置（经纬度或楼栋）", code="no_location")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(f"坐标超出范围：{lat}, {lng}", code="no_location")
    grid, micro = locate(lat, lng)
    if grid is None:
        return {"lat": lat, "lng": lng, "grid_id": None, "area_code": _street_code(by), "off_grid": True}
    return {"lat": lat, "lng": lng, "grid_id": grid.pk, "area_code": (micro or grid).code, "off_grid": False}


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def case_find_duplicates(*, category: Category | None, lat: float, lng: float, now, exclude: int | None = None) -> list:
    """Open cases of the same category within 100 m reported in the last 7 days, nearest first."""
    if category is None:
        return []
    box = 0.0015
    same = Q(category=category) | Q(category__isnull=True, suggested_category=category)
    near = Case.objects.filter(same, state__in=OPEN_STATES,
                               created_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS),
                               lat__range=(lat - box, lat + box), lng__range=(lng - box, lng + box))
    if exclude is not None:
        near = near.exclude(pk=exclude)
    scored = [(distance_m(lat, lng, c.lat, c.lng), c.pk, c) for c in near]
    return [c for d, _, c in sorted(scored, key=lambda t: t[:2]) if d <= DUPLICATE_RADIUS_M]


def _phone(phone: str) -> dict:
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError(f"电话号码格式错误：{phone}", code="invalid_phone")
    return {"reporter_phone": phone, "reporter_phone_index": blind_index(phone) if phone else ""}


def attachments_save(*, case: Case, photos, by, event: CaseEvent | None = None) -> list[Attachment]:
    check_count(list(photos))
    saved = []
    for photo in photos:
        content, meta = reencode(photo.data, name=photo.name)
        saved.append(Attachment.objects.create(case=case, event=event, file=content,
                                               uploaded_by=by if by is not None and by.is_authenticated else None,
                                               **meta))
    return saved


def case_intake(*, channel: str, description: str, by=None, lat: float | None = None, lng: float | None = None,
                building: Building | None = None, address: str = "", reporter_name: str = "",
                reporter_phone: str = "", anonymous: bool = False, photos=(), source: str = "",
                external_id: str = "", deadline_at: dt.datetime | None = None, now=None) -> IntakeResult:
    """Record a report: locate it, suggest a category, look for duplicates. Idempotent on (source, external_id).

    `deadline_at` is a deadline set by the source (12345's 办理时限): it is the case's resolve deadline
    from intake on, and dispatch keeps it when it is earlier than the category's own.
    """
    now = now or timezone.now()
    _check_reporter(channel, by)
    description = (description or "").strip()
    if not description:
        raise DomainError("请描述问题", code="no_description")
    check_count(list(photos))
    external_id = (external_id or "").strip()
    if external_id and not source:
        source = by.username if by is not None else channel
    if external_id:
        existing = Case.objects.filter(source=source, external_id=external_id).first()
        if existing:
            return IntakeResult(existing, False, [])
    place = _place(lat=lat, lng=lng, building=building, by=by)
    suggested, suggested_p = category_triage(description)
    duplicates = case_find_duplicates(category=suggested, lat=place["lat"], lng=place["lng"], now=now)
    fields = {
        "channel": channel, "source": source, "external_id": external_id, "description": description,
        "address": address, **place, "reported_by": by if by is not None and by.is_authenticated else None,
        "reporter_name": "" if anonymous else reporter_name, "anonymous": anonymous,
        **_phone("" if anonymous else reporter_phone), "suggested_category": suggested,
        "suggested_p": suggested_p,
        "possible_duplicate_of": duplicates[0] if duplicates else None, "created_at": now,
        "deadline_at": deadline_at, "external_deadline_at": deadline_at,
    }
    try:
        with transaction.atomic():
            case = Case.objects.create(**fields, state=CaseState.REPORTED)
            _start_stage(case, now)
            case.save(update_fields=_CLOCK_FIELDS)
            rollup_add_new([case])
            event = _log(case, action="report", before=CaseState.REPORTED, by=by, order=None, now=now,
                         note="", internal=False, data={"channel": channel})
            attachments_save(case=case, photos=photos, by=by, event=event)
    except IntegrityError:
        existing = Case.objects.filter(source=source, external_id=external_id).first()
        if existing is None:
            raise
        return IntakeResult(existing, False, [])
    return IntakeResult(case, True, duplicates)


def case_me_too(*, case: Case, by, phone: str = "") -> CaseReporter:
    """Another resident reports the same open problem: kept as a co-reporter instead of a new case."""
    if by is None or not by.is_authenticated:
        raise NotAllowed("请先登录")
    if case.state not in OPEN_STATES:
        raise Conflict("该事件已办结，请重新上报")
    if case.reported_by_id == by.pk or case.reporters.filter(user=by).exists():
        raise Conflict("您已反映过此事件")
    return CaseReporter.objects.create(case=case, user=by, phone=_phone(phone)["reporter_phone"],
                                       phone_index=_phone(phone)["reporter_phone_index"])


# --- the transition --------------------------------------------------------------------------------

_CLOCK_FIELDS = ["stage_started_at", "warn_at", "due_at", "remind_at", "escalate_at"]


def _start_stage(case: Case, now) -> None:
    stage = STAGE_OF_STATE.get(case.state)
    if stage is None:
        if case.state != CaseState.SUSPENDED:
            case.stage_started_at = case.warn_at = case.due_at = None
        case.remind_at = case.escalate_at = None
        return
    warn, due = deadlines.stage_clock(category=case.category or case.suggested_category, stage=stage, start=now)
    if stage == "resolve" and case.deadline_at is not None:
        due, warn = case.deadline_at, now + (case.deadline_at - now) * deadlines.WARN_SHARE
    case.stage_started_at, case.warn_at, case.due_at = now, warn, due
    case.remind_at, case.escalate_at = warn, due


def _log(case, *, action, before, by, order, now, note, internal, data) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, action=action, from_state=before, to_state=case.state,
        by=by if by is not None and by.is_authenticated else None, work_order=order,
        note=note, internal=internal, data=data, at=now)


def _stage_changes(before: str, after: str) -> bool:
    stage = STAGE_OF_STATE.get(after)
    return stage is None or stage != STAGE_OF_STATE.get(before)


def _order_for(case: Case, work_order) -> WorkOrder | None:
    if work_order is None:
        return None
    order_id = work_order.pk if isinstance(work_order, WorkOrder) else int(work_order)
    order = WorkOrder.objects.select_for_update().filter(pk=order_id, case=case).first()
    if order is None:
        raise NotFound(f"事件#{case.pk}没有工单#{order_id}")
    return order


def case_transition(*, case: Case, action: str, by, work_order=None, note: str = "", internal: bool = False,
                    photos=(), now=None, **data) -> Case:
    """Apply one action of the transition table to a case, all or nothing.

    1. lock the case row and check the table: the action is allowed from the current state;
    2. check the actor against the action's predicates (gridgov.cases.rules);
    3. apply the action's own changes (gridgov.cases.actions) and the new state;
    4. start the next stage's clock when the stage changes (due, warn, remind and escalate times);
    5. write the changed columns with save(update_fields=...), append one CaseEvent, save photos;
    6. schedule the notifications with transaction.on_commit.
    Returns the updated case. Raises NotAllowed, Conflict or DomainError and changes nothing.
    """
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise DomainError(f"未知操作：{action}", code="unknown_action")
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        order = _order_for(case, work_order)
        if not allowed(spec.who, by, case, order):
            raise NotAllowed(f"您无权对事件#{case.pk}执行“{spec.label}”")
        if case.state not in spec.sources:
            raise Conflict(f"事件#{case.pk}当前为“{case.get_state_display()}”，不能{spec.label}", code="wrong_state")
        before = case.state
        counted = rollup_snapshot(case)  # its share of the measures' counters, before the change
        if action == "check_in":
            data["has_photo"] = bool(photos)  # 报到 needs a photo of the site
        step = APPLY[action](case=case, by=by, order=order, now=now, note=note, data=dict(data))
        fields = set(step.fields)
        if spec.target == RESUME:
            case.state = step.resume_to
        elif spec.target is not None:
            case.state = spec.target
        if case.state != before:
            fields.add("state")
            if action != "resume" and _stage_changes(before, case.state):
                _start_stage(case, now)
                fields.update(_CLOCK_FIELDS)
        case.save(update_fields=sorted(fields | {"updated_at"}))
        rollup_apply(case=case, before=counted)
        event = _log(case, action=action, before=before, by=by, order=order or step.order, now=now,
                     note=note or step.note, internal=internal, data=step.event_data)
        if photos:
            attachments_save(case=case, photos=photos, by=by, event=event)
        transaction.on_commit(lambda: _notify(event.pk))
        if step.then:
            case = case_transition(case=case, action=step.then, by=by, now=now)
    return case


def _notify(event_id: int) -> None:
    from gridgov.cases.notifications import notify_case_event

    notify_case_event(event_id)


# --- reverse evaluation ----------------------------------------------------------------------------

def department_rate(*, work_order: WorkOrder, by, score: int, comment: str = "") -> DepartmentRating:
    """The community rates a department's answer to a whistle, 1–5, once per work order."""
    from gridgov.cases.rules import _in_scope

    if by is None or not by.is_authenticated or by.role not in RATERS_OF_DEPARTMENTS \
            or not _in_scope(by, work_order.case):
        raise NotAllowed("只有本社区或街道工作人员可以评价部门")
    if not work_order.whistle or work_order.whistle == "none" or work_order.department_id is None:
        raise DomainError("只能评价应哨的部门工单")
    if work_order.signed_at is None:
        raise Conflict("部门尚未应哨，不能评价")
    if not 1 <= int(score) <= 5:
        raise DomainError(f"评分应为1到5，收到{score}")
    try:
        with transaction.atomic():
            rating = DepartmentRating.objects.create(work_order=work_order, department_id=work_order.department_id,
                                                     score=int(score), comment=comment, by=by)
            rollup_rating_apply(rating)
            return rating
    except IntegrityError:
        raise Conflict(f"工单#{work_order.pk}已评价过") from None

