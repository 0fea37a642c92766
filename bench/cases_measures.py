"""Case measures for one street with 1,000,000 cases (quick: 20,000), beside a bare GROUP BY.

Rows are bulk-generated into the (scratch, migrated) default database; then the street's measures
for one month and for the whole year are timed, and the same rows counted by a bare
`SELECT state, COUNT(*) … GROUP BY state` as the ceiling.
"""

import datetime as dt
import random
import statistics
import time

from django.db import connection

from bench.figures import Figure

NAME = "cases_measures"
FULL, QUICK = 1_000_000, 20_000
REPEAT = 15
TARGET_MS = 200
TZ = dt.timezone(dt.timedelta(hours=8))
YEAR = (dt.datetime(2025, 1, 1, tzinfo=TZ), dt.datetime(2026, 1, 1, tzinfo=TZ))
MONTH = (dt.datetime(2025, 6, 1, tzinfo=TZ), dt.datetime(2025, 7, 1, tzinfo=TZ))


def territory() -> tuple[str, list]:
    from gridgov.territory.enums import AreaKind
    from gridgov.territory.models import Area

    district = Area.objects.create(kind=AreaKind.DISTRICT, name="基准区", code="990100")
    street = Area.objects.create(kind=AreaKind.STREET, name="基准街道", code="990100001", parent=district)
    grids = []
    for c in range(1, 11):
        community = Area.objects.create(kind=AreaKind.COMMUNITY, name=f"社区{c}", code=f"{street.code}{c:03d}",
                                        parent=street)
        grids += [Area.objects.create(kind=AreaKind.GRID, name=f"网格{c}-{g}", code=f"{community.code}{g:03d}",
                                      parent=community) for g in range(1, 6)]
    return street.code, grids


def generate(count: int, *, seed: int = 11) -> str:
    """Write `count` cases (and one work order each) over 2025; returns the street's code."""
    from gridgov.cases.models import Case, Department, WorkOrder

    rng = random.Random(seed)
    street, grids = territory()
    departments = [Department.objects.create(name=f"基准部门{i}") for i in range(20)]
    span = (YEAR[1] - YEAR[0]).total_seconds()
    for start in range(0, count, 10_000):
        cases = []
        for _ in range(min(10_000, count - start)):
            created = YEAR[0] + dt.timedelta(seconds=rng.random() * span)
            deadline = created + dt.timedelta(days=rng.choice([3, 5, 7]))
            closed = deadline + dt.timedelta(hours=rng.uniform(-96, 30)) if rng.random() < 0.93 else None
            grid = rng.choice(grids)
            cases.append(Case(
                channel="app", description="基准事件", area_code=grid.code, grid_id=grid.pk, created_at=created,
                accepted_at=created, registered_at=created, deadline_at=deadline, closed_at=closed,
                state="closed" if closed else "handling", level=rng.choice(["grid"] * 7 + ["community"] * 2 + ["street"]),
                rating=rng.choice(["", "satisfied", "satisfied", "basic", "unsatisfied"]) if closed else "",
                reworked=rng.random() < 0.03, lead_department=rng.choice(departments)))
        Case.objects.bulk_create(cases, batch_size=5000)
        WorkOrder.objects.bulk_create([
            WorkOrder(case=c, area_code=c.area_code, department_id=c.lead_department_id, created_at=c.created_at,
                      sign_due_at=c.created_at + dt.timedelta(hours=1),
                      signed_at=c.created_at + dt.timedelta(minutes=rng.choice([20, 40, 70])),
                      resolve_due_at=c.deadline_at) for c in cases], batch_size=5000)
    if connection.vendor == "postgresql":
        # A fresh visibility map allows index-only scans; VACUUM cannot run inside a transaction.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} cases_case")
            cursor.execute(f"{command} cases_workorder")
    return street


def timed(fn) -> tuple[float, float]:
    """(p50, p95) in milliseconds over REPEAT runs after one warm-up."""
    fn()
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(round(0.95 * (len(runs) - 1))))]


def bare_group_by(street: str, period) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, COUNT(*) FROM cases_case WHERE area_code LIKE %s "
                       "AND deadline_at >= %s AND deadline_at < %s GROUP BY state", [street + "%", *period])
        cursor.fetchall()


def measure(count: int) -> list[Figure]:
    from gridgov.cases.measures import league_table, measures

    street = generate(count)
    figures = []
    for label, period in (("一个月", MONTH), ("全年", YEAR)):
        _, p95 = timed(lambda period=period: measures(start=period[0], end=period[1], area_code=street))
        _, ceiling = timed(lambda period=period: bare_group_by(street, period))
        figures.append(Figure(scenario=NAME, name=f"街道考核指标（{label}，{count:,}件）p95", value=round(p95, 1),
                              unit="ms", ceiling=round(ceiling, 1), ceiling_name="bare COUNT(*) GROUP BY state",
                              target=f"p95 < {TARGET_MS} ms", ok=p95 < TARGET_MS))
    _, p95 = timed(lambda: league_table(start=MONTH[0], end=MONTH[1], area_code=street))
    figures.append(Figure(scenario=NAME, name=f"部门排行榜（一个月，{count:,}件）p95", value=round(p95, 1), unit="ms",
                          ceiling=None, target=f"p95 < {TARGET_MS} ms", ok=p95 < TARGET_MS))
    return figures


def run(*, quick: bool) -> list[Figure]:
    return measure(QUICK if quick else FULL)
