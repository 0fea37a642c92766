"""Point → grid for many points through territory.selectors.locate_many, beside a bare Shapely
STRtree query of the same points against the same polygons."""

import random
import time

import numpy as np
import shapely

from bench import data
from bench.figures import Figure
from gridgov.lib.geo import parse_boundary
from gridgov.territory import selectors

NAME = "locate"


def _points(s: data.Size, count: int) -> list[tuple[float, float]]:
    """(lat, lng) points over the lattice and a margin around it (some fall on no grid)."""
    rng = random.Random("gridgov-bench-locate")
    west, south, east, north = data.lattice_box(s)
    margin = (east - west) * 0.02
    return [(rng.uniform(south - margin, north + margin), rng.uniform(west - margin, east + margin))
            for _ in range(count)]


def _bare(grids, points) -> tuple[int, float]:
    tree = shapely.STRtree([parse_boundary(g.boundary) for g in grids])
    coords = np.array([(lng, lat) for lat, lng in points], dtype=float)
    started = time.perf_counter()
    hits, _ = tree.query(shapely.points(coords), predicate="intersects")
    seconds = time.perf_counter() - started
    return len(np.unique(hits)), seconds


def run(*, quick: bool) -> list[Figure]:
    s = data.size(quick)
    grids = data.territory_ensure(s)
    points = _points(s, 100_000 if quick else 1_000_000)
    selectors.locate_many(points[:1])       # build the index outside the timing
    started = time.perf_counter()
    found = selectors.locate_many(points)
    seconds = time.perf_counter() - started
    bare_found, bare_seconds = _bare(grids, points)
    located = sum(1 for grid in found if grid is not None)
    if located != bare_found:
        raise AssertionError(f"locate_many found {located} points on a grid, the bare query {bare_found}")
    return [Figure(
        scenario=NAME, name=f"定位到网格（{len(points):,} 点 / {len(grids):,} 网格）", value=round(len(points) / seconds),
        unit="points/s", ceiling=round(len(points) / bare_seconds), ceiling_name="裸 STRtree 批量查询（shapely）",
    )]
