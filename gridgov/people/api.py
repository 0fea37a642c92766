"""/api/v1/people/: the population base. Personal data only masked, except one logged reveal."""

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from gridgov.accounts.enums import LEDGER_IMPORTERS, PEOPLE_READERS
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib.net import client_ip
from gridgov.people import ledger, selectors, services
from gridgov.territory import selectors as territory

router = Router(tags=["人口"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(request) -> None:
    if request.user.role not in PEOPLE_READERS:
        raise NotAllowed("您的角色不能查看人口信息")


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- schemas ------------------------------------------------------------------------------

class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    masked_id_number: str
    masked_phone: str
    area_code: str
    household_id: int | None
    is_active: bool


class CareOut(Schema):
    group: str
    label: str
    valid_from: dt.date
    valid_to: dt.date | None


class ResidentDetailOut(ResidentOut):
    birth_date: dt.date | None
    household_number: str | None
    household_role: str
    hukou_kind: str
    residence_since: dt.date | None
    dwelling: str | None
    care_groups: list[CareOut]

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number if obj.household_id else None

    @staticmethod
    def resolve_dwelling(obj):
        return _text(obj.household.dwelling) if obj.household_id else None

    @staticmethod
    def resolve_care_groups(obj):
        return [{"group": m.group, "label": m.get_group_display(), "valid_from": m.valid_from,
                 "valid_to": m.valid_to} for m in obj.care.order_by("valid_from", "id")]


class MoveOut(Schema):
    id: int
    kind: str
    moved_on: dt.date
    from_dwelling: str | None
    to_dwelling: str | None
    recorded_by: str | None
    note: str

    @staticmethod
    def resolve_from_dwelling(obj):
        return _text(obj.from_dwelling)

    @staticmethod
    def resolve_to_dwelling(obj):
        return _text(obj.to_dwelling)

    @staticmethod
    def resolve_recorded_by(obj):
        return _text(obj.recorded_by)


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class MoveOutIn(Schema):
    moved_on: dt.date
    note: str = ""


class HouseholdOut(Schema):
    id: int
    number: str
    dwelling: str | None
    area_code: str
    last_verified_on: dt.date | None
    is_party_household: bool
    is_active: bool

    @staticmethod
    def resolve_dwelling(obj):
        return _text(obj.dwelling)


class MoveWithinIn(Schema):
    to_dwelling_id: int
    moved_on: dt.date
    note: str = ""


class VerifyIn(Schema):
    on: dt.date | None = None


class LedgerErrorOut(Schema):
    row: int
    column: str
    reason: str


class LedgerResultOut(Schema):
    applied: bool
    households_created: int
    residents_created: int
    care_added: int
    residents_existing: int
    summary: str


class PartyOrganisationOut(Schema):
    id: int
    kind: str
    name: str
    parent_id: int | None
    area_code: str
    member_count: int

    @staticmethod
    def resolve_area_code(obj):
        return obj.area.code


class PartyMemberOut(Schema):
    id: int
    name: str
    organisation_id: int | None
    resident_id: int | None
    is_enlisted: bool
    employer: str
    enlisted_community_code: str | None
    enlisted_on: dt.date | None

    @staticmethod
    def resolve_enlisted_community_code(obj):
        return obj.enlisted_community.code if obj.enlisted_community_id else None


# --- residents ----------------------------------------------------------------------------

@router.get("/residents", response=list[ResidentOut], summary="查询居民（身份证号、电话已脱敏）")
@paginate(PageNumberPagination, page_size=50)
def list_residents(request, q: str = "", care_group: str = "", area: str = ""):
    _reader(request)
    return selectors.residents_search(request.user, query=q, care_group=care_group, area_code=area)


@router.get("/residents/{resident_id}", response=ResidentDetailOut, summary="居民详情（脱敏）")
def get_resident(request, resident_id: int):
    _reader(request)
    return selectors.resident_get_for(request.user, resident_id)


@router.get("/residents/{resident_id}/history", response=list[MoveOut], summary="居民迁移记录")
def resident_history(request, resident_id: int):
    _reader(request)
    resident = selectors.resident_get_for(request.user, resident_id)
    return selectors.resident_history(resident)


@router.post("/residents/{resident_id}/reveal", response=RevealOut,
             summary="查看完整身份证号或电话（须填事由，记入访问日志）")
def reveal(request, resident_id: int, payload: RevealIn):
    _reader(request)
    resident = selectors.resident_get_for(request.user, resident_id)
    value = services.resident_reveal(user=request.user, resident=resident, field=payload.field,
                                     reason=payload.reason, ip=client_ip(request))
    return {"field": payload.field, "value": value}


@router.post("/residents/{resident_id}/move-out", response=ResidentDetailOut, summary="登记居民迁出")
def move_out(request, resident_id: int, payload: MoveOutIn):
    _reader(request)
    resident = selectors.resident_get_for(request.user, resident_id)
    return services.resident_move_out(resident=resident, moved_on=payload.moved_on, note=payload.note,
                                      by=request.user)


# --- households ---------------------------------------------------------------------------

@router.get("/households/unverified", response=list[HouseholdOut], summary="超过 N 天未入户核实的户")
@paginate(PageNumberPagination, page_size=50)
def households_unverified(request, days: int | None = None):
    _reader(request)
    days = settings.GRIDGOV_UNVERIFIED_DAYS if days is None else max(days, 0)
    return selectors.households_unverified(request.user, days=days)


@router.get("/households/{household_id}", response=HouseholdOut, summary="户详情")
def get_household(request, household_id: int):
    _reader(request)
    return selectors.household_get_for(request.user, household_id)


@router.post("/households/{household_id}/verify", response=HouseholdOut, summary="登记入户核实（错时入户排查）")
def verify_household(request, household_id: int, payload: VerifyIn):
    _reader(request)
    household = selectors.household_get_for(request.user, household_id)
    return services.household_verify(household=household, on=payload.on or timezone.localdate(), by=request.user)


@router.post("/households/{household_id}/move-within", response=HouseholdOut, summary="登记整户辖区内迁居")
def move_within(request, household_id: int, payload: MoveWithinIn):
    _reader(request)
    household = selectors.household_get_for(request.user, household_id)
    dwelling = get_object_or_404(territory.dwellings_visible_to(request.user), pk=payload.to_dwelling_id)
    return services.household_move_within(household=household, to_dwelling=dwelling, moved_on=payload.moved_on,
                                          note=payload.note, by=request.user)


# --- ledger -------------------------------------------------------------------------------

@router.get("/ledger/template", summary="下载人口台账导入模板（.xlsx）")
def ledger_template(request):
    if request.user.role not in LEDGER_IMPORTERS:
        raise NotAllowed("您的角色不能导入人口台账")
    return _xlsx(ledger.template_bytes(), "population-ledger-template.xlsx")


@router.post("/ledger/import", response=LedgerResultOut, summary="导入人口台账（先整体校验，无误才写入）")
def ledger_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    result = ledger.ledger_import(file=file, user=request.user, dry_run=dry_run, filename=file.name or "",
                                  ip=client_ip(request))
    if result.errors:
        raise DomainError(f"台账有 {len(result.errors)} 处错误，未写入任何数据", code="ledger_invalid",
                          details=[{"row": e.row, "column": e.column, "reason": e.reason} for e in result.errors])
    return {**vars(result), "summary": result.summary}


@router.get("/ledger/export", summary="导出网格人口台账（脱敏 .xlsx，记入访问日志）")
def ledger_export(request, area: str = ""):
    content, _ = ledger.ledger_export(user=request.user, area_code=area, ip=client_ip(request))
    return _xlsx(content, f"ledger-{area or request.user.scope_code}-{timezone.localdate():%Y%m%d}.xlsx")


# --- party --------------------------------------------------------------------------------

@router.get("/party/organisations", response=list[PartyOrganisationOut], summary="党组织（党委、党支部、党小组）")
def party_organisations(request):
    _reader(request)
    return selectors.party_organisations_visible_to(request.user)


@router.get("/party/members", response=list[PartyMemberOut], summary="党员（含在职党员双报到）")
@paginate(PageNumberPagination, page_size=50)
def party_members(request, organisation: int | None = None, enlisted: bool | None = None):
    _reader(request)
    return selectors.party_members_of(request.user, organisation_id=organisation, enlisted=enlisted)

