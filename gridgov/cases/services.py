"""Writes to cases. Intake, catalogue, departments; every state change goes through `case_transition`."""

import datetime as dt
import json
import math
from dataclasses import dataclass, field
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
    Whistle,
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
from gridgov.lib.groupcommit import GroupCommit
from gridgov.lib.pii import blind_index
from gridgov.territory.enums import AreaKind
from gridgov.territory.models import Area, Building
from gridgov.territory.selectors import area_indexes

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
    whistle = row.get("whistle", Whistle.NONE)
    if whistle not in Whistle.values:
        raise DomainError(f"类别 {row.get('code')} 的吹哨类型“{whistle}”无效，应为 {'、'.join(Whistle.values)} 之一",
                          code="invalid_catalogue")
    department = department_create(name=row["department"]) if row.get("department") else None
    defaults = {"name": row["name"], "parent": parent, "first_level": row.get("first_level", ""),
                "department": department, "keywords": list(row.get("keywords", [])), "is_active": True}
    # The whistle, like the deadlines, is the catalogue's first proposal; an admin's later choice is kept.
    category, created = Category.objects.update_or_create(
        code=str(row["code"]), defaults=defaults, create_defaults={**defaults, "whistle": whistle})
    return category, created


@transaction.atomic
def category_sync_from_catalogue(path) -> dict:
    """Create or update the two-level categories (and their departments) from a catalogue JSON file.

    Deadlines and whistles edited in admin are kept; categories missing from the file are deactivated.
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


def _street_code(by, memo: dict | None = None) -> str:
    code = getattr(by, "scope_code", None) or ""
    if len(code) >= 9:
        return code[:9]
    if memo is not None and "street" in memo:
        return memo["street"]
    street = Area.objects.filter(kind=AreaKind.STREET).order_by("code").first()
    if street is None:
        raise DomainError("系统中还没有街道，无法受理事件")
    if memo is not None:
        memo["street"] = street.code
    return street.code


def _check_location(*, lat, lng, building: Building | None) -> None:
    if building is not None:
        return
    if lat is None or lng is None:
        raise DomainError("请提供事件位置（经纬度或楼栋）", code="no_location")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(f"坐标超出范围：{lat}, {lng}", code="no_location")


def _building_place(building: Building) -> dict:
    return {"lat": building.lat, "lng": building.lng, "building": building, "grid_id": building.microgrid.parent_id,
            "area_code": building.area_code, "off_grid": False}


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# Degrees searched around a point before the exact distance: 0.0015° of longitude is still 100 m at 53°N,
# China's north end, and a box-sized cell grid finds every neighbour within 100 m in the 3 × 3 cells around it.
DUPLICATE_BOX = 0.0015


def _open_recently(now):
    return Q(state__in=OPEN_STATES, created_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS))


def _phone(phone: str) -> dict:
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError(f"电话号码格式错误：{phone}", code="invalid_phone")
    return {"reporter_phone": phone, "reporter_phone_index": blind_index(phone) if phone else ""}


def _photos_encode(photos) -> list[tuple]:
    check_count(list(photos))
    return [reencode(photo.data, name=photo.name) for photo in photos]


def _attachments_write(*, case: Case, encoded: list[tuple], by, event: CaseEvent | None) -> list[Attachment]:
    uploaded_by = by if by is not None and by.is_authenticated else None
    return [Attachment.objects.create(case=case, event=event, file=content, uploaded_by=uploaded_by, **meta)
            for content, meta in encoded]


def attachments_save(*, case: Case, photos, by, event: CaseEvent | None = None) -> list[Attachment]:
    return _attachments_write(case=case, encoded=_photos_encode(photos), by=by, event=event)


@dataclass(frozen=True)
class Report:
    """One report, as `case_intake` takes it (see there); `case_intake_many` takes several."""

    channel: str
    description: str
    by: object = None
    lat: float | None = None
    lng: float | None = None
    building: Building | None = None
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    photos: tuple = ()
    source: str = ""
    external_id: str = ""
    deadline_at: dt.datetime | None = None


@dataclass
class _Staged:
    """A report on its way to becoming a case: checked, then placed, triaged and clocked with the others."""

    index: int
    report: Report
    description: str
    source: str
    external_id: str
    phone: dict = field(default_factory=dict)
    encoded: list = field(default_factory=list)
    place: dict = field(default_factory=dict)
    category: Category | None = None
    p: float | None = None
    duplicates: list = field(default_factory=list)
    error: DomainError | None = None  # a check failed; told only if this report is not a repeat
    case: Case | None = None
    first: "_Staged | None" = None  # an earlier report of this batch with the same (source, external_id)


def case_intake(*, channel: str, description: str, by=None, lat: float | None = None, lng: float | None = None,
                building: Building | None = None, address: str = "", reporter_name: str = "",
                reporter_phone: str = "", anonymous: bool = False, photos=(), source: str = "",
                external_id: str = "", deadline_at: dt.datetime | None = None, now=None) -> IntakeResult:
    """Record a report: locate it, suggest a category, look for duplicates. Idempotent on (source, external_id).

    `deadline_at` is a deadline set by the source (12345's 办理时限): it is the case's resolve deadline
    from intake on, and dispatch keeps it when it is earlier than the category's own.
    """
    report = Report(channel=channel, description=description, by=by, lat=lat, lng=lng, building=building,
                    address=address, reporter_name=reporter_name, reporter_phone=reporter_phone,
                    anonymous=anonymous, photos=tuple(photos), source=source, external_id=external_id,
                    deadline_at=deadline_at)
    outcome = case_intake_many(reports=[report], now=now)[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def case_intake_many(*, reports, now=None, then=None) -> list:
    """`case_intake` for several reports at once: the same checks and the same cases, sharing the work.

    One query each for the idempotency check, the grids, the triage categories, the calendar and the
    duplicates, one INSERT each for the cases and their events, in one transaction. Every report is
    answered in its place: its IntakeResult, or the DomainError that refused it (a refused report writes
    nothing; the others are written). A report sees the earlier reports of the same call as `case_intake`
    called one after the other would: as possible duplicates, and as the first of a repeated external id.

    `then(results)`, if given, runs inside the same transaction once the cases are written, so that a
    channel can write its own rows beside them (Open311's request record) all or nothing with them.
    """
    now = now or timezone.now()
    results: list = [None] * len(reports)
    staged = []
    for index, report in enumerate(reports):
        try:
            staged.append(_stage(index, report))
        except DomainError as exc:
            results[index] = exc
    staged = _known(staged, results)
    _place_all(staged, memo={})
    new = _creators(staged, results)
    _triage_all(new)
    for s in new:
        s.case = _case_of(s, now)
    _duplicates_all(new, now)
    _clocks(new, now)
    if not new and then is None:
        return _answered(staged, results)
    with transaction.atomic():
        _write(new, now, results)
        _answered(staged, results)
        if then is not None:
            then(results)
    return results


def _answered(staged: list[_Staged], results: list) -> list:
    for s in staged:
        if results[s.index] is None:
            results[s.index] = (IntakeResult(s.case, True, [c for c in s.duplicates if c.pk is not None])
                                if s.first is None else _repeat_of(s.first, results))
    return results


_intake_writer = GroupCommit("事件受理", lambda reports: case_intake_many(reports=reports))


def case_intake_grouped(*, report: Report) -> IntakeResult:
    """`case_intake` for a web request: written in one transaction with the other reports waiting at the same
    time (group commit, see gridgov/lib/groupcommit.py) and returned once committed; raises its DomainError."""
    return _intake_writer.submit(report)


def _stage(index: int, report: Report) -> _Staged:
    _check_reporter(report.channel, report.by)
    description = (report.description or "").strip()
    if not description:
        raise DomainError("请描述问题", code="no_description")
    check_count(list(report.photos))
    external_id = (report.external_id or "").strip()
    source = report.source
    if external_id and not source:
        source = report.by.username if report.by is not None else report.channel
    return _Staged(index=index, report=report, description=description, source=source, external_id=external_id)


def _known(staged: list[_Staged], results: list) -> list[_Staged]:
    """Answer the reports whose (source, external_id) is already a case (one query); the others go on."""
    keyed = [s for s in staged if s.external_id]
    existing = {}
    if keyed:
        # The same condition as the partial unique index, so that the database searches that index.
        found = (Case.objects.filter(external_id__in={s.external_id for s in keyed},
                                     source__in={s.source for s in keyed}).exclude(external_id="")
                 .values_list("pk", "source", "external_id"))
        keys = {(s.source, s.external_id) for s in keyed}
        wanted = {pk for pk, source, external_id in found if (source, external_id) in keys}
        existing = {(c.source, c.external_id): c for c in Case.objects.filter(pk__in=wanted)} if wanted else {}
    left = []
    for s in staged:
        found = existing.get((s.source, s.external_id)) if s.external_id else None
        if found is not None:
            results[s.index] = IntakeResult(found, False, [])
        else:
            left.append(s)
    return left


def _creators(staged: list[_Staged], results: list) -> list[_Staged]:
    """The reports that make a new case, checked in order. A report with the external id of an earlier
    one that is being written is a repeat: answered with that case, as a retry is, without further checks."""
    firsts: dict = {}
    new = []
    for s in staged:
        key = (s.source, s.external_id)
        if s.external_id and key in firsts:
            s.first = firsts[key]
            continue
        try:
            if s.error is not None:
                raise s.error
            s.phone = _phone("" if s.report.anonymous else s.report.reporter_phone)
            s.encoded = _photos_encode(s.report.photos)
        except DomainError as exc:
            results[s.index] = exc
            continue
        if s.external_id:
            firsts[key] = s
        new.append(s)
    return new


def _place_all(staged: list[_Staged], memo: dict) -> None:
    """Each report's place: its building's, or its point's grid and microgrid (one index lookup for all).
    A report that cannot be placed keeps its error for `_creators`."""
    points = []
    for s in staged:
        try:
            _check_location(lat=s.report.lat, lng=s.report.lng, building=s.report.building)
        except DomainError as exc:
            s.error = exc
            continue
        if s.report.building is not None:
            s.place = _building_place(s.report.building)
        else:
            points.append(s)
    if not points:
        return
    grids, micros = area_indexes()
    coords = [(s.report.lng, s.report.lat) for s in points]
    grid_ids = grids.locate_many(coords) if grids else [None] * len(points)
    micro_ids = micros.locate_many(coords) if micros else [None] * len(points)
    wanted = {pk for pk in grid_ids + micro_ids if pk}
    codes = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "code")) if wanted else {}
    for s, grid_id, micro_id in zip(points, grid_ids, micro_ids, strict=True):
        lat, lng = s.report.lat, s.report.lng
        if grid_id is not None:
            s.place = {"lat": lat, "lng": lng, "grid_id": grid_id, "area_code": codes[micro_id or grid_id],
                       "off_grid": False}
            continue
        try:
            s.place = {"lat": lat, "lng": lng, "grid_id": None, "area_code": _street_code(s.report.by, memo),
                       "off_grid": True}
        except DomainError as exc:
            s.error = exc


def _triage_all(new: list[_Staged]) -> None:
    """Triage's suggestion for every text at once, as active leaf categories (one query)."""
    from gridgov.cases.triage import suggest_many

    if not new:
        return
    suggestions = suggest_many([s.description for s in new], 3)
    codes = {x.category_code for row in suggestions for x in row}
    rows = (Category.objects.filter(code__in=codes, is_active=True, parent__isnull=False).select_related("department")
            if codes else [])
    found = {(c.code, c.name): c for c in rows}
    leaves = None
    for s, row in zip(new, suggestions, strict=True):
        # Code and name: a database synced from another catalogue may give a code another meaning.
        hit = next(((found[(x.category_code, x.category_name)], x.p) for x in row
                    if (x.category_code, x.category_name) in found), None)
        if hit is None:
            if leaves is None:
                leaves = list(Category.objects.filter(is_active=True, parent__isnull=False).order_by("code"))
            hit = (_keyword_category(s.description, leaves), None)
        s.category, s.p = hit


def _keyword_category(text: str, leaves: list[Category]) -> Category | None:
    """The leaf with the most keyword hits in `text` (ties: lowest code): the cold start when triage names none."""
    best, best_hits = None, 0
    for category in leaves:
        hits = sum(1 for word in category.keywords if word and word in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


_DUPLICATE_COLUMNS = ["id", "lat", "lng", "category_id", "suggested_category_id"]


def _duplicates_all(new: list[_Staged], now) -> None:
    """Possible duplicates of every report: one query over the batch's bounding box (read as plain rows,
    bucketed by box-sized cells), plus the earlier reports of the batch, which are newer than any stored
    case (so after them at the same distance)."""
    asking = [s for s in new if s.category is not None]
    if not asking:
        return
    box = DUPLICATE_BOX
    lats, lngs = [s.place["lat"] for s in asking], [s.place["lng"] for s in asking]
    categories = {s.category.pk for s in asking}
    same = Q(category_id__in=categories) | Q(category__isnull=True, suggested_category_id__in=categories)
    rows = (Case.objects.filter(same, _open_recently(now), lat__range=(min(lats) - box, max(lats) + box),
                                lng__range=(min(lngs) - box, max(lngs) + box)).values_list(*_DUPLICATE_COLUMNS))
    cells: dict = {}
    for row in rows:
        cells.setdefault((math.floor(row[1] / box), math.floor(row[2] / box)), []).append(row)
    earlier: list[_Staged] = []
    for s in asking:
        lat, lng, pk = s.place["lat"], s.place["lng"], s.category.pk
        i, j = math.floor(lat / box), math.floor(lng / box)
        near = [row for di in (-1, 0, 1) for dj in (-1, 0, 1) for row in cells.get((i + di, j + dj), ())]
        scored = [(distance_m(lat, lng, row[1], row[2]), 0, row[0], row) for row in near
                  if row[3] == pk or (row[3] is None and row[4] == pk)]
        scored += [(distance_m(lat, lng, e.place["lat"], e.place["lng"]), 1, e.index, e.case) for e in earlier
                   if e.category.pk == pk]
        s.duplicates = [_stored(x[3]) for x in sorted(scored, key=lambda t: t[:3]) if x[0] <= DUPLICATE_RADIUS_M]
        earlier.append(s)


def _stored(found):
    """A stored neighbour as a Case with only the columns read (the rest load on access), or a batch case."""
    return Case.from_db("default", _DUPLICATE_COLUMNS, found) if isinstance(found, tuple) else found


def _case_of(s: _Staged, now) -> Case:
    report = s.report
    return Case(
        channel=report.channel, source=s.source, external_id=s.external_id, description=s.description,
        address=report.address, **s.place,
        reported_by=report.by if report.by is not None and report.by.is_authenticated else None,
        reporter_name="" if report.anonymous else report.reporter_name, anonymous=report.anonymous,
        **s.phone, suggested_category=s.category, suggested_p=s.p, created_at=now,
        deadline_at=report.deadline_at, external_deadline_at=report.deadline_at, state=CaseState.REPORTED)


def _clocks(new: list[_Staged], now) -> None:
    """The first stage's clock of every new case, set before the rows are written (one calendar for all)."""
    if not new:
        return
    cal = deadlines.calendar()
    for s in new:
        _start_stage(s.case, now, cal=cal)


def _write(new: list[_Staged], now, results: list) -> None:
    """The cases, their report events and photos: all together, or (a concurrent writer took an external id)
    one by one, so that only the report whose external id was taken is answered with the existing case."""
    if not new:
        return
    try:
        with transaction.atomic():
            _insert(new, now)
    except IntegrityError:
        if len(new) == 1 and not new[0].external_id:
            raise
        for s in new:  # the savepoint is rolled back: each again, in its own
            s.case.pk = None
            try:
                with transaction.atomic():
                    _insert([s], now)
            except IntegrityError:
                existing = Case.objects.filter(source=s.source, external_id=s.external_id).exclude(external_id="").first()
                if existing is None or not s.external_id:
                    raise
                results[s.index] = IntakeResult(existing, False, [])


def _insert(new: list[_Staged], now) -> None:
    for s in new:
        # A duplicate found among the earlier reports of the batch is linked once that report has its id.
        first = s.duplicates[0] if s.duplicates else None
        s.case.possible_duplicate_of = first if first is not None and first.pk is not None else None
    Case.objects.bulk_create([s.case for s in new])
    rollup_add_new([s.case for s in new])  # the measures' counters, in the same transaction
    later = []
    for s in new:
        first = s.duplicates[0] if s.duplicates else None
        if first is not None and first.pk is not None and s.case.possible_duplicate_of_id is None:
            s.case.possible_duplicate_of = first
            later.append(s.case)
    if later:
        Case.objects.bulk_update(later, ["possible_duplicate_of"])
    events = CaseEvent.objects.bulk_create([
        CaseEvent(case=s.case, action="report", from_state=CaseState.REPORTED, to_state=CaseState.REPORTED,
                  by=s.case.reported_by, note="", internal=False, data={"channel": s.report.channel}, at=now)
        for s in new])
    for s, event in zip(new, events, strict=True):
        if s.encoded:
            _attachments_write(case=s.case, encoded=s.encoded, by=s.report.by, event=event)


def _repeat_of(first: _Staged, results: list):
    """A repeat of an earlier report of the same batch is answered as a retry is: the first's case, not new."""
    answer = results[first.index]
    if isinstance(answer, DomainError):
        return answer
    return IntakeResult(answer.case, False, [])


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


def _start_stage(case: Case, now, cal=None) -> None:
    stage = STAGE_OF_STATE.get(case.state)
    if stage is None:
        if case.state != CaseState.SUSPENDED:
            case.stage_started_at = case.warn_at = case.due_at = None
        case.remind_at = case.escalate_at = None
        return
    warn, due = deadlines.stage_clock(category=case.category or case.suggested_category, stage=stage, start=now,
                                      cal=cal)
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
    5. write the changed columns with save(update_fields=...), move the case's share of the measures'
       counters (gridgov.cases.rollup), append one CaseEvent, save photos;
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

