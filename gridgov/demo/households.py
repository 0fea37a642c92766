"""Households with plausible members, planned before anything is written.

A plan is pure data (people.services.Person values), so a test can plan twice and compare,
and the bench can plan a district in chunks.
"""

import random
from dataclasses import dataclass

from gridgov.demo import names
from gridgov.people.enums import HouseholdRole, HukouKind
from gridgov.people.services import Person

_SIZES = (1, 2, 3, 4, 5, 6)
_SIZE_WEIGHTS = (22, 30, 26, 14, 6, 2)


@dataclass(frozen=True)
class HouseholdPlan:
    number: str
    people: tuple[Person, ...]
    elderly_alone: bool = False


@dataclass(frozen=True)
class _Member:
    role: str
    gender: str
    birth: object
    surname: str


def household_sizes(rng: random.Random, *, count: int, residents: int, singles: int) -> list[int]:
    """`count` sizes summing to exactly `residents`; the first `singles` are fixed at 1."""
    if not count <= residents <= 6 * count - 5 * singles or singles > count:
        raise ValueError(f"{count} households cannot hold {residents} residents")
    free = [rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0] for _ in range(count - singles)]
    while sum(free) + singles != residents:
        i = rng.randrange(len(free))
        if sum(free) + singles > residents and free[i] > 1:
            free[i] -= 1
        elif sum(free) + singles < residents and free[i] < 6:
            free[i] += 1
    return [1] * singles + free


def _members(rng: random.Random, size: int, *, elderly_alone: bool) -> list[_Member]:
    head_gender = rng.choice("MF")
    family = names.surname(rng)
    if elderly_alone:
        return [_Member(HouseholdRole.HEAD, head_gender, names.birth_date(rng, min_age=70, max_age=92), family)]
    if size == 1:
        return [_Member(HouseholdRole.HEAD, head_gender, names.birth_date(rng, min_age=20, max_age=60), family)]
    head_birth = names.birth_date(rng, min_age=26, max_age=64)
    head_age = names.REFERENCE_DAY.year - head_birth.year
    members = [_Member(HouseholdRole.HEAD, head_gender, head_birth, family)]
    other = "F" if head_gender == "M" else "M"
    spouse_age = max(20, head_age + rng.randint(-5, 5))
    members.append(_Member(HouseholdRole.SPOUSE, other, names.birth_date(rng, min_age=spouse_age, max_age=spouse_age),
                           names.surname(rng)))
    if size >= 4 and head_age <= 55 and rng.random() < 0.5:
        parent_age = min(head_age + rng.randint(22, 30), 92)
        members.append(_Member(HouseholdRole.PARENT, rng.choice("MF"),
                               names.birth_date(rng, min_age=parent_age, max_age=parent_age), family))
    oldest_child = max(min(head_age - 21, 30), 0)
    while len(members) < size:
        members.append(_Member(HouseholdRole.CHILD, rng.choice("MF"),
                               names.birth_date(rng, min_age=0, max_age=oldest_child), family))
    return members


def _person(rng: random.Random, member: _Member, *, local: bool, ids: names.IdNumbers,
            regions: tuple[str, ...] | None) -> Person:
    if regions:
        region = rng.choice(regions)
    else:
        region = names.LOCAL_REGION if local else rng.choice(names.NON_LOCAL_REGIONS)
    age = names.REFERENCE_DAY.year - member.birth.year
    return Person(
        name=member.surname + names.given_name(rng, member.gender),
        id_number=ids.make(rng, region=region, birth=member.birth, gender=member.gender),
        phone=names.phone(rng) if age >= 16 and rng.random() < 0.92 else "",
        household_role=member.role,
        hukou_kind=HukouKind.LOCAL if local else HukouKind.NON_LOCAL,
    )


def plan_households(rng: random.Random, *, prefix: str, count: int, residents: int, elderly_alone: int = 0,
                    local_share: float = 0.01, ids: names.IdNumbers, start: int = 1,
                    regions: tuple[str, ...] | None = None) -> list[HouseholdPlan]:
    """`count` households with exactly `residents` members, `elderly_alone` of them elderly living alone,
    and exactly floor(residents × local_share) residents of local hukou. Numbers are `prefix`-00001 ….

    `regions` fixes the ID numbers' region codes (the bench gives each chunk its own, so that
    chunks planned separately never share an ID number)."""
    sizes = household_sizes(rng, count=count, residents=residents, singles=elderly_alone)
    skeletons = [_members(rng, size, elderly_alone=i < elderly_alone) for i, size in enumerate(sizes)]
    local = set(rng.sample(range(residents), int(residents * local_share)))
    plans, seat = [], 0
    for i, members in enumerate(skeletons):
        people = []
        for member in members:
            people.append(_person(rng, member, local=seat in local, ids=ids, regions=regions))
            seat += 1
        plans.append(HouseholdPlan(f"{prefix}-{start + i:05d}", tuple(people), elderly_alone=i < elderly_alone))
    rng.shuffle(plans)
    return plans
