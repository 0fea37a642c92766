"""Writes to the population base. Every page, API call, import and the demo come through here.

Moves are appended to the Move log; a resident's current household and area are derived
from the last move and kept in columns only so that scoped reads stay one indexed query.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from gridgov.accounts.enums import PEOPLE_WRITERS, PII_REVEALERS, AccessAction
from gridgov.accounts.models import AccessLog
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.enums import MoveKind
from gridgov.people.models import CareMembership, Household, Move, Resident
from gridgov.territory.models import Area, Building, Dwelling

REVEALABLE_FIELDS = {"id_number": "身份证号", "phone": "联系电话"}


@dataclass(frozen=True)
class Person:
    """What a resident is registered with; ID number and phone in plain text (encrypted on save)."""

    name: str
    id_number: str = ""
    phone: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    household_role: str = "head"
    hukou_kind: str = "local"


def _identity(person: Person) -> dict:
    number = idcard.normalise(person.id_number)
    if not number:
        if person.gender not in ("M", "F"):
            raise DomainError(f"{person.name}：无身份证号时必须填写性别")
        return {"id_number": "", "id_number_index": "", "gender": person.gender, "birth_date": person.birth_date}
    try:
        birth, gender = idcard.parse(number)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(f"{person.name}：{exc}", code="invalid_id_number") from None
    index = blind_index(number)
    if Resident.objects.filter(id_number_index=index).exists():
        raise DomainError(f"{person.name}：身份证号已登记（重复人员）", code="duplicate_person")
    return {"id_number": number, "id_number_index": index, "gender": gender, "birth_date": birth}


def _phone(phone: str) -> dict:
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError(f"电话号码格式错误：{phone}", code="invalid_phone")
    return {"phone": phone, "phone_index": blind_index(phone) if phone else ""}


def _check_writer(user) -> None:
    if user is not None and user.role not in PEOPLE_WRITERS:
        raise NotAllowed("您的角色不能修改人口信息")


def _area_code(dwelling: Dwelling) -> str:
    return Building.objects.values_list("area_code", flat=True).get(pk=dwelling.building_id)


@transaction.atomic
def household_move_in(*, dwelling: Dwelling, number: str, people: list[Person], moved_on: dt.date,
                      by=None, verified: bool = True) -> Household:
    """A household moves into a dwelling: creates the household, its residents and their moves."""
    _check_writer(by)
    if not people:
        raise DomainError("迁入的户至少要有一名成员")
    if Household.objects.filter(number=number).exists():
        raise DomainError(f"户编号 {number} 已存在", code="duplicate")
    code = _area_code(dwelling)
    household = Household.objects.create(
        number=number, dwelling=dwelling, area_code=code, moved_in_on=moved_on,
        last_verified_on=moved_on if verified else None,
    )
    for person in people:
        resident_add_to_household(household=household, person=person, moved_on=moved_on, by=by)
    return household


@transaction.atomic
def resident_add_to_household(*, household: Household, person: Person, moved_on: dt.date, by=None) -> Resident:
    """A person moves in to join an existing household."""
    _check_writer(by)
    resident = Resident.objects.create(
        name=person.name.strip(), household=household, household_role=person.household_role,
        hukou_kind=person.hukou_kind, residence_since=moved_on, area_code=household.area_code,
        **_identity(person), **_phone(person.phone),
    )
    Move.objects.create(resident=resident, kind=MoveKind.MOVE_IN, to_dwelling=household.dwelling,
                        moved_on=moved_on, recorded_by=by)
    return resident


@transaction.atomic
def resident_move_out(*, resident: Resident, moved_on: dt.date, by=None, note: str = "") -> Resident:
    """A resident leaves the territory. The record stays, inactive, with its history."""
    _check_writer(by)
    if not resident.is_active:
        raise DomainError(f"{resident.name} 已迁出")
    household = resident.household
    Move.objects.create(resident=resident, kind=MoveKind.MOVE_OUT, from_dwelling=household.dwelling if household else None,
                        moved_on=moved_on, recorded_by=by, note=note)
    resident.is_active = False
    resident.save(update_fields=["is_active", "updated_at"])
    if household and not household.members.filter(is_active=True).exists():
        household.is_active = False
        household.save(update_fields=["is_active"])
    return resident


@transaction.atomic
def household_move_out(*, household: Household, moved_on: dt.date, by=None, note: str = "") -> Household:
    _check_writer(by)
    for resident in household.members.filter(is_active=True):
        resident_move_out(resident=resident, moved_on=moved_on, by=by, note=note)
    household.refresh_from_db()
    return household


@transaction.atomic
def household_move_within(*, household: Household, to_dwelling: Dwelling, moved_on: dt.date,
                          by=None, note: str = "") -> Household:
    """The whole household moves to another dwelling of the territory."""
    _check_writer(by)
    if household.dwelling_id == to_dwelling.pk:
        raise DomainError("新旧房屋相同")
    code = _area_code(to_dwelling)
    for resident in household.members.filter(is_active=True):
        Move.objects.create(resident=resident, kind=MoveKind.MOVE_WITHIN, from_dwelling=household.dwelling,
                            to_dwelling=to_dwelling, moved_on=moved_on, recorded_by=by, note=note)
    household.members.filter(is_active=True).update(area_code=code)
    household.dwelling, household.area_code = to_dwelling, code
    household.save(update_fields=["dwelling", "area_code"])
    return household


@transaction.atomic
def building_move_to_microgrid(*, building: Building, microgrid: Area) -> Building:
    """Re-home a building; its households and residents follow in their scoped columns."""
    from gridgov.territory.enums import AreaKind

    if microgrid.kind != AreaKind.MICROGRID:
        raise DomainError("楼栋必须归属一个微网格")
    building.microgrid, building.area_code = microgrid, microgrid.code
    building.save(update_fields=["microgrid", "area_code"])
    households = Household.objects.filter(dwelling__building=building)
    Resident.objects.filter(household__in=households).update(area_code=microgrid.code)
    households.update(area_code=microgrid.code)
    return building


def household_verify(*, household: Household, on: dt.date, by=None) -> Household:
    """Record an in-person check of the household (错时入户排查)."""
    _check_writer(by)
    household.last_verified_on = on
    household.save(update_fields=["last_verified_on"])
    return household


def resident_update_contact(*, resident: Resident, phone: str, by=None) -> Resident:
    _check_writer(by)
    for field, value in _phone(phone).items():
        setattr(resident, field, value)
    resident.save(update_fields=["phone", "phone_index", "updated_at"])
    return resident


def care_membership_add(*, resident: Resident, group: str, valid_from: dt.date, note: str = "", by=None) -> CareMembership:
    _check_writer(by)
    open_same = resident.care.filter(group=group, valid_to__isnull=True).first()
    if open_same:
        raise DomainError(f"{resident.name} 已在「{open_same.get_group_display()}」中")
    return CareMembership.objects.create(resident=resident, group=group, valid_from=valid_from, note=note)


def care_membership_end(*, membership: CareMembership, valid_to: dt.date, by=None) -> CareMembership:
    _check_writer(by)
    if valid_to < membership.valid_from:
        raise DomainError("截止日期不能早于起始日期")
    membership.valid_to = valid_to
    membership.save(update_fields=["valid_to"])
    return membership


@transaction.atomic
def resident_reveal(*, user, resident: Resident, field: str, reason: str, ip: str | None = None) -> str:
    """The full value of one personal field, for a role that needs it; the reveal is logged."""
    if user.role not in PII_REVEALERS:
        raise NotAllowed("您的角色无权查看完整个人信息")
    if field not in REVEALABLE_FIELDS:
        raise DomainError(f"不能查看字段 {field}")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("请填写查看事由")
    AccessLog.objects.create(user=user, action=AccessAction.REVEAL, subject_type="resident",
                             subject_id=str(resident.pk), field=field, reason=reason[:200], ip=ip)
    return getattr(resident, field)
