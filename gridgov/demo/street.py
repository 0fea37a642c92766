"""The demo street 界石镇 (Banan district, Chongqing) with three communities of different kinds.

东城社区 follows its source document (seeds/000): 15 public-rental towers, 4,993 households,
11,940 residents (99% non-local hukou), 15 grids, 76 microgrids, 15 party groups, 15 party
households and 27 elderly residents living alone. 红星社区 is an old state-enterprise estate with
no property company; 金域社区 a high-density commercial estate.

Each 东城 tower stands in the first microgrid of its grid and is split into floor bands, one per
microgrid of the grid, so every microgrid holds 50–80 households as the source document says.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gridgov.demo import shapes
from gridgov.demo.bulk import Occupancy, dwellings_bulk_create, households_bulk_move_in
from gridgov.demo.households import HouseholdPlan, plan_households
from gridgov.demo.names import IdNumbers
from gridgov.people import services as people
from gridgov.people.enums import CareGroup, HouseholdRole, PartyOrgKind
from gridgov.people.models import Household, PartyMember, PartyOrganisation, Resident
from gridgov.territory import services as territory
from gridgov.territory.enums import AreaKind, EstateKind
from gridgov.territory.models import Area, Building, Dwelling

SEED = "gridgov-demo-2016"
DISTRICT = ("500113", "巴南区")
STREET = ("500113002", "界石镇")
STREET_BOX: shapes.Box = (106.608, 29.384, 106.644, 29.396)
GRID_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class CommunitySpec:
    suffix: str                     # the community's three digits under the street
    name: str
    short: str                      # used in usernames
    box: shapes.Box
    grid_rows: int
    grid_cols: int
    microgrids: tuple[int, ...]     # microgrids per grid
    estate: str
    estate_kind: str
    property_company: str
    road: str
    buildings_per_microgrid: int    # 0: one tower per grid, in the grid's first microgrid
    floors: int
    entrances: int
    rooms_per_floor: int
    households: int
    residents: int
    elderly_alone: int
    local_share: float
    settled_from: dt.date

    @property
    def code(self) -> str:
        return STREET[0] + self.suffix


COMMUNITIES = (
    CommunitySpec(
        "001", "东城社区", "dongcheng", (106.608, 29.384, 106.623, 29.396), 3, 5, (6,) + (5,) * 14,
        "东城公租房", EstateKind.PUBLIC_RENTAL, "重庆市公租房管理局界石物业服务中心", "界石镇东城大道",
        0, 33, 2, 6, 4993, 11940, 27, 0.01, dt.date(2016, 3, 1),
    ),
    CommunitySpec(
        "002", "红星社区", "hongxing", (106.623, 29.384, 106.632, 29.396), 5, 1, (6,) * 5,
        "红星机械厂家属区", EstateKind.OLD_ENTERPRISE, "", "界石镇红星路",
        3, 6, 2, 2, 1800, 3800, 60, 0.75, dt.date(1988, 1, 1),
    ),
    CommunitySpec(
        "003", "金域社区", "jinyu", (106.632, 29.384, 106.644, 29.396), 2, 3, (6,) * 6,
        "金域华府", EstateKind.COMMERCIAL, "重庆金域物业服务有限公司", "界石镇金域大道",
        1, 18, 2, 2, 2448, 6900, 12, 0.45, dt.date(2015, 6, 1),
    ),
)
MOVED_OUT_HOUSEHOLDS = 30      # per community: earlier tenants who have left
MOVED_WITHIN_HOUSEHOLDS = 40   # per community: households that changed dwelling inside it


def community_code(short: str) -> str:
    return next(spec.code for spec in COMMUNITIES if spec.short == short)


# --- territory --------------------------------------------------------------------------------

def _territory_top() -> Area:
    district = territory.area_create(kind=AreaKind.DISTRICT, name=DISTRICT[1], code=DISTRICT[0])
    return territory.area_create(kind=AreaKind.STREET, name=STREET[1], code=STREET[0], parent=district,
                                 boundary=shapes.polygon(STREET_BOX))


def _grids(spec: CommunitySpec, community: Area) -> list[tuple[Area, list[tuple[Area, shapes.Box]]]]:
    """The community's grids, each with its microgrids and their boxes."""
    result = []
    boxes = shapes.tile(spec.box, rows=spec.grid_rows, cols=spec.grid_cols)
    for g, (box, parts) in enumerate(zip(boxes, spec.microgrids, strict=True), start=1):
        grid = territory.area_create(kind=AreaKind.GRID, name=f"{spec.name}第{g}网格", code=f"{spec.code}{g:03d}",
                                     parent=community, boundary=shapes.polygon(box))
        micros = []
        for m, micro_box in enumerate(shapes.strips(box, parts), start=1):
            micro = territory.area_create(kind=AreaKind.MICROGRID, name=f"第{g}网格{m}号微网格",
                                          code=f"{grid.code}{m:02d}", parent=grid, boundary=shapes.polygon(micro_box))
            micros.append((micro, micro_box))
        result.append((grid, micros))
    return result


def _buildings(spec: CommunitySpec, estate, grids) -> list[Building]:
    buildings = []
    for _grid, micros in grids:
        placed = micros[:1] if spec.buildings_per_microgrid == 0 else micros
        per_micro = max(spec.buildings_per_microgrid, 1)
        for micro, box in placed:
            for lat, lng in shapes.inner_points(box, per_micro):
                number = len(buildings) + 1
                buildings.append(territory.building_create(
                    code=f"{micro.code}-{number}", name=f"{number}栋", estate=estate, microgrid=micro,
                    lat=round(lat, 7), lng=round(lng, 7), entrances=spec.entrances, floors=spec.floors,
                    address=f"{spec.road}{number * 2}号",
                ))
    return buildings


def _floor_bands(spec: CommunitySpec, building: Building, grids) -> list[Area | None]:
    """A tower that is its grid's only building is split into floor bands, one per microgrid of
    the grid (the practice in 东城's public-rental towers); other buildings keep their microgrid."""
    if spec.buildings_per_microgrid != 0:
        return [None] * spec.floors
    micros = next(m for _grid, m in grids if m[0][0].pk == building.microgrid_id)
    return [micros[(f * len(micros)) // spec.floors][0] for f in range(spec.floors)]


def _dwellings(spec: CommunitySpec, buildings: list[Building], grids) -> dict[int, list[Dwelling]]:
    rows = [
        Dwelling(building=b, entrance=e, floor=f, number=f"{e}-{f:02d}{r:02d}", microgrid=band[f - 1])
        for b in buildings for band in [_floor_bands(spec, b, grids)] for e in range(1, spec.entrances + 1)
        for f in range(1, spec.floors + 1) for r in range(1, spec.rooms_per_floor + 1)
    ]
    by_building: dict[int, list[Dwelling]] = {b.pk: [] for b in buildings}
    for dwelling in dwellings_bulk_create(rows=rows):
        by_building[dwelling.building_id].append(dwelling)
    return by_building


# --- people -----------------------------------------------------------------------------------

def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _verified_on(rng: random.Random, moved_in: dt.date, today: dt.date) -> dt.date | None:
    if rng.random() < 0.12:
        return None
    return max(moved_in, today - dt.timedelta(days=rng.randrange(365)))


def _occupied(rng: random.Random, rooms: list[Dwelling], count: int) -> list[int]:
    """Which rooms are lived in: `count` of them, spread evenly over the rooms' microgrids."""
    bands: dict[str, list[int]] = {}
    for i, room in enumerate(rooms):
        bands.setdefault(room.area_code, []).append(i)
    shares = _spread(count, len(bands))
    return sorted(i for rooms_of_band, share in zip(bands.values(), shares, strict=True)
                  for i in rng.sample(rooms_of_band, share))


def _settle(spec: CommunitySpec, rng: random.Random, plans: list[HouseholdPlan], buildings: list[Building],
            dwellings: dict[int, list[Dwelling]], today: dt.date) -> dict[int, list[Dwelling]]:
    """Move the planned households in; one party household per building (东城) or per grid.
    Returns each building's dwellings left vacant."""
    verify = random.Random(f"{SEED}-verify-{spec.code}")
    rows, vacant, cursor = [], {}, 0
    seen_grids: set[str] = set()
    for building, count in zip(buildings, _spread(len(plans), len(buildings)), strict=True):
        rooms = dwellings[building.pk]
        taken = _occupied(rng, rooms, count)
        vacant[building.pk] = [rooms[i] for i in sorted(set(range(len(rooms))) - set(taken))]
        grid_code = building.area_code[:15]
        for n, i in enumerate(taken):
            moved_in = spec.settled_from + dt.timedelta(days=rng.randrange((dt.date(2025, 6, 30) - spec.settled_from).days))
            party = n == 0 and (spec.buildings_per_microgrid == 0 or grid_code not in seen_grids)
            rows.append(Occupancy(plan=plans[cursor], dwelling_id=rooms[i].pk, moved_in_on=moved_in,
                                  last_verified_on=_verified_on(verify, moved_in, today), is_party_household=party))
            cursor += 1
        seen_grids.add(grid_code)
    households_bulk_move_in(rows=rows)
    return vacant


def _history(spec: CommunitySpec, rng: random.Random, gone: list[HouseholdPlan],
             vacant: dict[int, list[Dwelling]], today: dt.date) -> None:
    """Earlier tenants who moved out, and households that moved within the community."""
    pool = [d for rooms in vacant.values() for d in rooms]
    rng.shuffle(pool)
    rows = [Occupancy(plan=plan, dwelling_id=pool[i].pk, moved_in_on=dt.date(2019, 1, 1) + dt.timedelta(days=i))
            for i, plan in enumerate(gone)]
    households_bulk_move_in(rows=rows)
    for household in Household.objects.filter(number__in=[p.number for p in gone]).order_by("number"):
        people.household_move_out(household=household, moved_on=today - dt.timedelta(days=rng.randrange(20, 360)),
                                  note="租约到期退租")
    targets = pool[len(gone):len(gone) + MOVED_WITHIN_HOUSEHOLDS]
    movers = list(Household.objects.filter(area_code__subtree=spec.code, is_active=True)
                  .order_by("number")[:MOVED_WITHIN_HOUSEHOLDS * 5:5])
    for household, target in zip(movers, targets, strict=True):
        people.household_move_within(household=household, to_dwelling=target,
                                     moved_on=today - dt.timedelta(days=rng.randrange(10, 300)), note="换房")


def _care(spec: CommunitySpec, rng: random.Random, elderly: list[str]) -> None:
    residents = Resident.objects.filter(area_code__subtree=spec.code, is_active=True)
    alone = list(residents.filter(household__number__in=elderly).order_by("household__number"))
    for resident in alone:
        people.care_membership_add(resident=resident, group=CareGroup.ELDERLY_ALONE,
                                   valid_from=dt.date(2024, 1, 1), note="已安装烟感报警器")
    others = list(residents.exclude(household__number__in=elderly).order_by("id"))
    for group, count in ((CareGroup.DISABLED, 12), (CareGroup.HARDSHIP, 10), (CareGroup.CHILD_IN_DIFFICULTY, 4)):
        for resident in rng.sample(others, count):
            people.care_membership_add(resident=resident, group=group, valid_from=dt.date(2024, 3, 1))


def _party(spec: CommunitySpec, rng: random.Random, committee: PartyOrganisation, community: Area,
           grids) -> None:
    branch = PartyOrganisation.objects.create(kind=PartyOrgKind.BRANCH, name=f"{spec.name}党支部",
                                              parent=committee, area=community)
    groups = {grid.code: PartyOrganisation.objects.create(kind=PartyOrgKind.GROUP, name=f"{grid.name}党小组",
                                                          parent=branch, area=grid)
              for grid, _ in grids}
    heads = Resident.objects.filter(household__is_party_household=True, household__area_code__subtree=spec.code,
                                    household_role=HouseholdRole.HEAD).order_by("household__number")
    members = [PartyMember(name=r.name, resident=r, organisation=groups[r.area_code[:15]],
                           joined_on=dt.date(rng.randint(1985, 2015), rng.randint(1, 12), 1)) for r in heads]
    adults = list(Resident.objects.filter(area_code__subtree=spec.code, is_active=True,
                                          birth_date__lte=dt.date(2000, 1, 1))
                  .exclude(pk__in=[r.pk for r in heads]).order_by("id"))
    for r in rng.sample(adults, 48 if spec.short == "dongcheng" else 10):   # 流入党员
        members.append(PartyMember(name=r.name, resident=r, organisation=groups[r.area_code[:15]],
                                   joined_on=dt.date(rng.randint(1990, 2020), rng.randint(1, 12), 1)))
    PartyMember.objects.bulk_create(members)


def _enlisted(rng: random.Random, community: Area, count: int) -> None:
    """在职党员双报到: party members who work elsewhere and registered with the community."""
    from gridgov.demo.names import given_name, surname

    employers = ("界石镇人民政府", "巴南区教委", "国网重庆市南供电公司", "巴南区人民医院", "界石派出所")
    PartyMember.objects.bulk_create([
        PartyMember(name=surname(rng) + given_name(rng, rng.choice("MF")), is_enlisted=True,
                    employer=rng.choice(employers), enlisted_community=community,
                    enlisted_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(600)))
        for _ in range(count)
    ])


@dataclass(frozen=True)
class CommunityPlan:
    households: list[HouseholdPlan]    # living here now
    gone: list[HouseholdPlan]          # lived here and moved out


def community_plan(spec: CommunitySpec, ids: IdNumbers) -> CommunityPlan:
    """Everyone the community is created with; pure data from the seed (and the IDs already used)."""
    rng = random.Random(f"{SEED}-plan-{spec.code}")
    households = plan_households(rng, prefix=spec.short.upper(), count=spec.households, residents=spec.residents,
                                 elderly_alone=spec.elderly_alone, local_share=spec.local_share, ids=ids)
    gone = plan_households(rng, prefix=f"{spec.short.upper()}-OUT", count=MOVED_OUT_HOUSEHOLDS,
                           residents=MOVED_OUT_HOUSEHOLDS * 2, local_share=spec.local_share, ids=ids)
    return CommunityPlan(households, gone)


def street_plans() -> dict[str, CommunityPlan]:
    """The plan of every community, in creation order, without writing anything."""
    ids = IdNumbers()
    return {spec.code: community_plan(spec, ids) for spec in COMMUNITIES}


def _community(spec: CommunitySpec, plan: CommunityPlan, street: Area, committee: PartyOrganisation,
               today: dt.date) -> None:
    rng = random.Random(f"{SEED}-{spec.code}")
    community = territory.area_create(kind=AreaKind.COMMUNITY, name=spec.name, code=spec.code, parent=street,
                                      boundary=shapes.polygon(spec.box))
    grids = _grids(spec, community)
    estate = territory.estate_create(name=spec.estate, community=community, kind=spec.estate_kind,
                                     property_company=spec.property_company, address=spec.road)
    buildings = _buildings(spec, estate, grids)
    vacant = _settle(spec, rng, plan.households, buildings, _dwellings(spec, buildings, grids), today)
    _history(spec, rng, plan.gone, vacant, today)
    _care(spec, rng, [p.number for p in plan.households if p.elderly_alone])
    _party(spec, rng, committee, community, grids)
    _enlisted(rng, community, 20 if spec.short == "dongcheng" else 5)


@transaction.atomic
def street_create(*, today: dt.date | None = None) -> Area:
    """Create the whole demo street with its people. Expects an empty territory."""
    today = today or timezone.localdate()
    street = _territory_top()
    committee = PartyOrganisation.objects.create(kind=PartyOrgKind.COMMITTEE, name="界石镇楼宇聚集片区功能型党委",
                                                 area=street)
    for spec, plan in zip(COMMUNITIES, street_plans().values(), strict=True):
        _community(spec, plan, street, committee, today)
    return street
