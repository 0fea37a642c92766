"""A district-sized territory and population for the scenarios, generated from a fixed seed.

Full size: 1,500 grids, 400,000 households, 1,000,000 residents; quick: 1/20 of that. The
territory is written with bulk inserts (it is set-up, not measured); people are planned in
chunks of grids so that the import can be timed chunk by chunk without holding a million
people in memory.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from gridgov.demo import shapes
from gridgov.demo.bulk import Occupancy, dwellings_bulk_create
from gridgov.demo.households import HouseholdPlan, plan_households
from gridgov.demo.names import IdNumbers
from gridgov.lib.geo import parse_boundary
from gridgov.territory.enums import AreaKind, EstateKind
from gridgov.territory.models import Area, Building, Dwelling, Estate

DISTRICT_CODE = "500199"
ORIGIN = (106.40, 29.20)       # south-west corner of the lattice (lng, lat)
CELL = 0.004                   # grid size in degrees (about 400 m)
BUILDINGS_PER_GRID = 3
GRIDS_PER_CHUNK = 10


@dataclass(frozen=True)
class Size:
    streets: int
    communities: int      # per street
    grids: int            # per community
    households: int
    residents: int
    columns: int          # grids per row of the lattice

    @property
    def grid_count(self) -> int:
        return self.streets * self.communities * self.grids


FULL = Size(15, 10, 10, 400_000, 1_000_000, 50)
QUICK = Size(3, 5, 5, 20_000, 50_000, 15)


def size(quick: bool) -> Size:
    return QUICK if quick else FULL


def grid_box(index: int, columns: int) -> shapes.Box:
    row, col = divmod(index, columns)
    west, south = ORIGIN[0] + col * CELL, ORIGIN[1] + row * CELL
    return (west, south, west + CELL, south + CELL)


def lattice_box(s: Size) -> shapes.Box:
    rows = -(-s.grid_count // s.columns)
    return (ORIGIN[0], ORIGIN[1], ORIGIN[0] + s.columns * CELL, ORIGIN[1] + rows * CELL)


def _areas(kind: str, rows: list[tuple[str, str, Area | None, shapes.Box | None]]) -> list[Area]:
    areas = []
    for code, name, parent, box in rows:
        boundary = shapes.polygon(box) if box else None
        centre = parse_boundary(boundary).representative_point() if boundary else None
        areas.append(Area(kind=kind, code=code, name=name, parent=parent, boundary=boundary,
                          centre_lat=centre.y if centre else None, centre_lng=centre.x if centre else None))
    return Area.objects.bulk_create(areas, batch_size=2000)


def territory_ensure(s: Size) -> list[Area]:
    """The district's grids (created on first use), in lattice order."""
    grids = list(Area.objects.filter(code__startswith=DISTRICT_CODE, kind=AreaKind.GRID).order_by("code"))
    if grids:
        return grids
    [district] = _areas(AreaKind.DISTRICT, [(DISTRICT_CODE, "测试区", None, None)])
    streets = _areas(AreaKind.STREET, [(f"{DISTRICT_CODE}{i:03d}", f"第{i}街道", district, None)
                                       for i in range(1, s.streets + 1)])
    communities = _areas(AreaKind.COMMUNITY, [(f"{st.code}{i:03d}", f"{st.name}第{i}社区", st, None)
                                              for st in streets for i in range(1, s.communities + 1)])
    grid_rows = [(f"{c.code}{i:03d}", f"{c.name}第{i}网格", c, None)
                 for c in communities for i in range(1, s.grids + 1)]
    grid_rows = [(code, name, parent, grid_box(n, s.columns)) for n, (code, name, parent, _) in enumerate(grid_rows)]
    grids = _areas(AreaKind.GRID, grid_rows)
    _areas(AreaKind.MICROGRID, [(f"{g.code}01", f"{g.name}1号微网格", g, grid_box(n, s.columns))
                                for n, g in enumerate(grids)])
    return grids


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def dwellings_ensure(s: Size, grids: list[Area]) -> list[list[int]]:
    """Each grid's dwelling ids: exactly as many dwellings as the grid has households."""
    if not Building.objects.filter(area_code__startswith=DISTRICT_CODE).exists():
        _buildings_create(s, grids)
    by_grid: dict[str, list[int]] = {g.code: [] for g in grids}
    for pk, code in (Dwelling.objects.filter(building__area_code__startswith=DISTRICT_CODE)
                     .order_by("building__code", "number").values_list("pk", "building__area_code").iterator(10_000)):
        by_grid[code[:15]].append(pk)
    return [by_grid[g.code] for g in grids]


def _buildings_create(s: Size, grids: list[Area]) -> None:
    micros = {m.parent_id: m for m in Area.objects.filter(code__startswith=DISTRICT_CODE, kind=AreaKind.MICROGRID)}
    communities = Area.objects.filter(code__startswith=DISTRICT_CODE, kind=AreaKind.COMMUNITY)
    estates = {c.pk: Estate(name=f"{c.name}小区", community=c, kind=EstateKind.OTHER) for c in communities}
    Estate.objects.bulk_create(list(estates.values()))
    buildings = []
    for n, grid in enumerate(grids):
        micro = micros[grid.pk]
        for b, (lat, lng) in enumerate(shapes.inner_points(grid_box(n, s.columns), BUILDINGS_PER_GRID), start=1):
            buildings.append(Building(code=f"{micro.code}-{b}", name=f"{b}栋", estate=estates[grid.parent_id],
                                      microgrid=micro, area_code=micro.code, lat=lat, lng=lng, floors=30))
    buildings = Building.objects.bulk_create(buildings, batch_size=2000)
    counts = _spread(s.households, len(grids))
    rows = []
    for n, count in enumerate(counts):
        mine = buildings[n * BUILDINGS_PER_GRID:(n + 1) * BUILDINGS_PER_GRID]
        for i in range(count):
            rows.append(Dwelling(building=mine[i % BUILDINGS_PER_GRID], floor=i // 12 + 1,
                                 number=f"{i // BUILDINGS_PER_GRID + 1:05d}"))
        if len(rows) >= 50_000:
            dwellings_bulk_create(rows=rows)
            rows = []
    dwellings_bulk_create(rows=rows)


def chunk_plans(s: Size, chunk: int, grids_in_chunk: int, first_grid: int) -> list[HouseholdPlan]:
    """The households of one chunk of grids; the same every time (own seed, own ID region)."""
    households = sum(_spread(s.households, s.grid_count)[first_grid:first_grid + grids_in_chunk])
    residents = sum(_spread(s.residents, s.grid_count)[first_grid:first_grid + grids_in_chunk])
    plans = plan_households(random.Random(f"gridgov-bench-{chunk}"), prefix=f"BENCH{chunk:04d}", count=households,
                            residents=residents, local_share=0.3, ids=IdNumbers(), regions=(f"{900000 + chunk}",))
    plans.sort(key=lambda p: p.number)
    return plans


def chunks(s: Size, dwellings: list[list[int]]) -> Iterator[list[Occupancy]]:
    """The whole district's households, chunk by chunk, placed in their grids' dwellings."""
    moved_in = dt.date(2020, 1, 1)
    for chunk, first in enumerate(range(0, s.grid_count, GRIDS_PER_CHUNK)):
        count = min(GRIDS_PER_CHUNK, s.grid_count - first)
        rooms = [pk for grid_rooms in dwellings[first:first + count] for pk in grid_rooms]
        plans = chunk_plans(s, chunk, count, first)
        yield [Occupancy(plan=plan, dwelling_id=pk, moved_in_on=moved_in, last_verified_on=moved_in)
               for plan, pk in zip(plans, rooms, strict=True)]
