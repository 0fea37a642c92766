"""A grid worker's resident search by name prefix (people.selectors.residents_search, first page
of 50 with its count, as the resident list shows it), beside the same page read with bare SQL."""

import random
import statistics
import time

from django.core.paginator import Paginator
from django.db import connection

from bench import data
from bench.district import population_ensure
from bench.figures import Figure
from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.people import selectors
from gridgov.people.models import Resident
from gridgov.territory.models import Area

NAME = "search"
PAGE = 50


def _worker(grid: Area) -> User:
    user, _ = User.objects.get_or_create(username="bench_grid_worker",
                                         defaults={"role": Role.GRID_WORKER, "area": grid})
    return user


def _queries(grid: Area, count: int) -> list[str]:
    names = list(Resident.objects.filter(area_code__startswith=grid.code).values_list("name", flat=True))
    rng = random.Random("gridgov-bench-search")
    return [name[:rng.choice((1, 2))] for name in rng.choices(names, k=count)]


def _project(user: User, query: str) -> int:
    page = Paginator(selectors.residents_search(user, query=query), PAGE).get_page(1)   # counts, then reads
    return len(list(page.object_list))


def _bare(code: str, query: str) -> int:
    where = "area_code LIKE %s AND is_active AND name LIKE %s"
    params = [code + "%", query + "%"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM people_resident WHERE {where}", params)
        cursor.fetchone()
        cursor.execute(f"SELECT id, name, area_code FROM people_resident WHERE {where} "
                       f"ORDER BY area_code, name, id LIMIT {PAGE}", params)
        return len(cursor.fetchall())


def _timed(fn, *args) -> tuple[float, int]:
    started = time.perf_counter()
    rows = fn(*args)
    return (time.perf_counter() - started) * 1000, rows


def _percentile(values: list[float], p: int) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 3)


def run(*, quick: bool) -> list[Figure]:
    population_ensure(quick)
    grid = Area.objects.filter(code__startswith=data.DISTRICT_CODE, kind="grid").order_by("code")[7]
    user = _worker(grid)
    queries = _queries(grid, 200 if quick else 1000)
    project, bare = [], []
    for query in queries:
        (ms, rows), (bare_ms, bare_rows) = _timed(_project, user, query), _timed(_bare, grid.code, query)
        if rows != bare_rows:
            raise AssertionError(f"「{query}」: residents_search gave {rows} rows, bare SQL {bare_rows}")
        project.append(ms)
        bare.append(bare_ms)
    label = f"网格员按姓名前缀查居民（{len(queries)} 次，首页 {PAGE} 条含总数）"
    return [
        Figure(scenario=NAME, name=f"{label} p50", value=_percentile(project, 50), unit="ms",
               ceiling=_percentile(bare, 50), ceiling_name="同一页的裸 SQL（COUNT + LIMIT）"),
        Figure(scenario=NAME, name=f"{label} p95", value=_percentile(project, 95), unit="ms",
               ceiling=_percentile(bare, 95), ceiling_name="同一页的裸 SQL（COUNT + LIMIT）"),
    ]
