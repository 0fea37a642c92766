"""Writes to the population base. Every page, API call, import and the demo come through here.

Moves are appended to the Move log; a resident's current household and area are derived
from the last move and kept in columns only so that scoped reads stay one indexed query.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.enums import PEOPLE_WRITERS, PII_REVEALERS, AccessAction, Role
from gridgov.accounts.models import AccessLog
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.enums import CareGroup, HouseholdRole, HukouKind, MoveKind, PartyOrgKind
from gridgov.people.models import CareMembership, Household, Move, PartyMember, PartyOrganisation, Resident
from gridgov.territory.models import Area, Dwelling

REVEALABLE_FIELDS = {"id_number": "身份证号", "phone": "联系电话"}
PARTY_WRITERS = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})


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
    residence_since: dt.date | None = None


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


def _check_choices(person: Person) -> None:
    if not person.name.strip():
        raise DomainError("姓名不能为空")
    if person.household_role not in HouseholdRole.values:
        raise DomainError(f"{person.name}：与户主关系无效：{person.household_role}")
    if person.hukou_kind not in HukouKind.values:
        raise DomainError(f"{person.name}：户籍类型无效：{person.hukou_kind}")


def _check_writer(user) -> None:
    if user is not None and user.role not in PEOPLE_WRITERS:
        raise NotAllowed("您的角色不能修改人口信息")


def _area_code(dwelling: Dwelling) -> str:
    return Dwelling.objects.values_list("area_code", flat=True).get(pk=dwelling.pk)


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
    if not household.is_active:
        raise DomainError(f"户 {household.number} 已迁出，不能再加入成员")
    _check_choices(person)
    since = person.residence_since or moved_on
    resident = Resident.objects.create(
        name=person.name.strip(), household=household, household_role=person.household_role,
        hukou_kind=person.hukou_kind, residence_since=since, area_code=household.area_code,
        **_identity(person), **_phone(person.phone),
    )
    Move.objects.create(resident=resident, kind=MoveKind.MOVE_IN, to_dwelling=household.dwelling,
                        moved_on=since, recorded_by=by)
    return resident


@transaction.atomic
def resident_move_out(*, resident: Resident, moved_on: dt.date, by=None, note: str = "") -> Resident:
    """A resident leaves the territory. The record stays, inactive, with its history."""
    _check_writer(by)
    if not resident.is_active:
        raise DomainError(f"{resident.name} 已迁出")
    if resident.residence_since and moved_on < resident.residence_since:
        raise DomainError(f"迁出日期 {moved_on} 早于居住起始日期 {resident.residence_since}")
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
    if not household.is_active:
        raise DomainError(f"户 {household.number} 已迁出")
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
def resident_move_to_household(*, resident: Resident, household: Household, moved_on: dt.date, by=None,
                               note: str = "") -> Resident:
    """One resident moves to another household of the territory (and so, usually, another dwelling)."""
    _check_writer(by)
    if not resident.is_active or not household.is_active:
        raise DomainError(f"{resident.name} 或户 {household.number} 已迁出")
    old = resident.household
    if old is not None and old.pk == household.pk:
        raise DomainError(f"{resident.name} 已在户 {household.number} 中")
    Move.objects.create(resident=resident, kind=MoveKind.MOVE_WITHIN, from_dwelling=old.dwelling if old else None,
                        to_dwelling=household.dwelling, moved_on=moved_on, recorded_by=by, note=note)
    resident.household, resident.area_code = household, household.area_code
    resident.save(update_fields=["household", "area_code", "updated_at"])
    if old is not None and not old.members.filter(is_active=True).exists():
        old.is_active = False
        old.save(update_fields=["is_active"])
    return resident


def household_verify(*, household: Household, on: dt.date, by=None) -> Household:
    """Record an in-person check of the household (错时入户排查)."""
    _check_writer(by)
    if not household.is_active:
        raise DomainError(f"户 {household.number} 已迁出，无需核实")
    if on > timezone.localdate():
        raise DomainError("核实日期不能晚于今天")
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
    if group not in CareGroup.values:
        raise DomainError(f"重点人群类别无效：{group}")
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
    access_log_add(user=user, action=AccessAction.REVEAL, subject_type="resident", subject_id=str(resident.pk),
                   field=field, reason=reason, ip=ip)
    return getattr(resident, field)


def access_log_add(*, user, action: str, subject_type: str, subject_id: str, reason: str, field: str = "",
                   ip: str | None = None) -> AccessLog:
    """One row of the personal-data access log (who, whose data, when, why)."""
    return AccessLog.objects.create(user=user, action=action, subject_type=subject_type, subject_id=subject_id,
                                    field=field, reason=reason[:200], ip=ip)


# --- party organisations ------------------------------------------------------------------

# committee › branch › group: the kind of parent each kind needs (None: top of the tree).
PARTY_PARENT_KIND = {PartyOrgKind.COMMITTEE: None, PartyOrgKind.BRANCH: PartyOrgKind.COMMITTEE,
                     PartyOrgKind.GROUP: PartyOrgKind.BRANCH}


def _check_party_writer(user) -> None:
    if user is not None and user.role not in PARTY_WRITERS:
        raise NotAllowed("您的角色不能维护党组织信息")


def party_organisation_create(*, kind: str, name: str, area: Area, parent: PartyOrganisation | None = None,
                              by=None) -> PartyOrganisation:
    """A committee, branch or group; its area lies within its parent's (aligned with the territory)."""
    _check_party_writer(by)
    if kind not in PARTY_PARENT_KIND:
        raise DomainError(f"党组织类型无效：{kind}")
    needed = PARTY_PARENT_KIND[kind]
    if needed is None and parent is not None:
        raise DomainError("党委是最高层级，不能有上级组织")
    if needed is not None and (parent is None or parent.kind != needed):
        raise DomainError(f"{PartyOrgKind(kind).label}的上级必须是{PartyOrgKind(needed).label}")
    if parent is not None and not area.code.startswith(parent.area.code):
        raise DomainError(f"{name} 的区域必须在上级组织「{parent.name}」的区域之内")
    return PartyOrganisation.objects.create(kind=kind, name=name.strip(), parent=parent, area=area)


def party_member_add(*, name: str, organisation: PartyOrganisation | None = None, resident: Resident | None = None,
                     joined_on: dt.date | None = None, by=None) -> PartyMember:
    """A party member; linked to the resident record when they live in the territory."""
    _check_party_writer(by)
    if resident is not None and PartyMember.objects.filter(resident=resident).exists():
        raise DomainError(f"{resident.name} 已登记为党员", code="duplicate")
    return PartyMember.objects.create(name=(resident.name if resident else name).strip(), resident=resident,
                                      organisation=organisation, joined_on=joined_on)


def party_member_enlist(*, member: PartyMember, community: Area, employer: str, on: dt.date,
                        by=None) -> PartyMember:
    """在职党员双报到: the member registers with the community where they live, with their employer."""
    from gridgov.territory.enums import AreaKind

    _check_party_writer(by)
    if community.kind != AreaKind.COMMUNITY:
        raise DomainError("双报到须报到到社区")
    if not employer.strip():
        raise DomainError("请填写工作单位")
    member.is_enlisted, member.enlisted_community = True, community
    member.employer, member.enlisted_on = employer.strip(), on
    member.save(update_fields=["is_enlisted", "enlisted_community", "employer", "enlisted_on"])
    return member


def household_set_party(*, household: Household, is_party_household: bool, by=None) -> Household:
    """Mark or unmark a party household (党员中心户): one of its active members must be a party member."""
    _check_party_writer(by)
    if is_party_household and not PartyMember.objects.filter(
            resident__household=household, resident__is_active=True).exists():
        raise DomainError(f"户 {household.number} 没有在住的党员，不能设为党员中心户")
    household.is_party_household = is_party_household
    household.save(update_fields=["is_party_household"])
    return household
