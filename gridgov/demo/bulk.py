"""Bulk writes of the population base: what people.services.household_move_in does, for many
households at once, with a handful of queries per batch instead of several per person.

It keeps every rule of the one-by-one path: ID numbers validated (gender and birth date taken
from them), ID numbers and phones encrypted by their model fields, blind indexes computed,
duplicates refused (within the batch and against the database), area codes copied from the
dwelling's building, and one move-in row per resident. A ledger import's apply step must do the
same; the bench measures it.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from gridgov.core.errors import DomainError
from gridgov.demo.households import HouseholdPlan
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.enums import MoveKind
from gridgov.people.models import Household, Move, Resident
from gridgov.people.services import Person
from gridgov.territory import services as territory
from gridgov.territory.models import Dwelling


@dataclass(frozen=True)
class Occupancy:
    """A planned household placed in a dwelling, with its move-in and last verification dates."""

    plan: HouseholdPlan
    dwelling_id: int
    moved_in_on: dt.date
    last_verified_on: dt.date | None = None
    is_party_household: bool = False


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
    return {"id_number": number, "id_number_index": blind_index(number), "gender": gender, "birth_date": birth}


def _phone(person: Person) -> dict:
    phone = (person.phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError(f"{person.name}：电话号码格式错误：{phone}", code="invalid_phone")
    return {"phone": phone, "phone_index": blind_index(phone) if phone else ""}


def _area_codes(rows: Sequence[Occupancy]) -> dict[int, str]:
    ids = {row.dwelling_id for row in rows}
    codes = dict(Dwelling.objects.filter(pk__in=ids).values_list("pk", "area_code"))
    missing = ids - codes.keys()
    if missing:
        raise DomainError(f"房屋不存在：{sorted(missing)[:5]}", code="not_found")
    return codes


def _check_households(rows: Sequence[Occupancy]) -> None:
    numbers = [row.plan.number for row in rows]
    if len(set(numbers)) != len(numbers):
        raise DomainError("同一批次中户编号重复", code="duplicate")
    taken = list(Household.objects.filter(number__in=numbers).values_list("number", flat=True)[:1])
    if taken:
        raise DomainError(f"户编号 {taken[0]} 已存在", code="duplicate")
    if any(not row.plan.people for row in rows):
        raise DomainError("迁入的户至少要有一名成员")


def _check_people(residents: Sequence[Resident]) -> None:
    indexes = [r.id_number_index for r in residents if r.id_number_index]
    seen: set[str] = set()
    for resident in residents:
        if resident.id_number_index in seen:
            raise DomainError(f"{resident.name}：身份证号在本批次中重复（重复人员）", code="duplicate_person")
        if resident.id_number_index:
            seen.add(resident.id_number_index)
    taken = Resident.objects.filter(id_number_index__in=indexes).values_list("name", flat=True)[:1]
    for name in taken:
        raise DomainError(f"{name}：身份证号已登记（重复人员）", code="duplicate_person")


@transaction.atomic
def households_bulk_move_in(*, rows: Sequence[Occupancy], by=None, batch_size: int = 2000) -> int:
    """Move many planned households into their dwellings; returns the number of residents created.

    All or nothing: a bad ID number, a duplicate person or household number rolls back the call.
    """
    _check_households(rows)
    codes = _area_codes(rows)
    households = Household.objects.bulk_create([
        Household(number=row.plan.number, dwelling_id=row.dwelling_id, area_code=codes[row.dwelling_id],
                  moved_in_on=row.moved_in_on, last_verified_on=row.last_verified_on,
                  is_party_household=row.is_party_household)
        for row in rows
    ], batch_size=batch_size)
    residents = [
        Resident(name=person.name.strip(), household=household, household_role=person.household_role,
                 hukou_kind=person.hukou_kind, residence_since=row.moved_in_on, area_code=household.area_code,
                 **_identity(person), **_phone(person))
        for row, household in zip(rows, households, strict=True) for person in row.plan.people
    ]
    _check_people(residents)
    Resident.objects.bulk_create(residents, batch_size=batch_size)
    Move.objects.bulk_create([
        Move(resident=resident, kind=MoveKind.MOVE_IN, to_dwelling_id=resident.household.dwelling_id,
             moved_on=resident.residence_since, recorded_by=by)
        for resident in residents
    ], batch_size=batch_size)
    return len(residents)


def dwellings_bulk_create(*, rows: Sequence[Dwelling], batch_size: int = 2000) -> list[Dwelling]:
    """Create many dwellings. A room number used twice in one building is refused here for the
    batch and by the database's unique constraint against existing rows."""
    keys = [(d.building_id, d.number) for d in rows]
    if len(set(keys)) != len(keys):
        raise DomainError("同一楼栋中房号重复", code="duplicate")
    for dwelling in rows:
        dwelling.area_code = territory.dwelling_area_code(building=dwelling.building, microgrid=dwelling.microgrid)
    return Dwelling.objects.bulk_create(rows, batch_size=batch_size)
