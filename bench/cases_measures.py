"""Case measures for one street with 1,000,000 cases (quick: 20,000), read from the rollup.

Rows are bulk-generated into the (scratch, migrated) default database over 2025 — 10 communities ×
5 grids, 20 departments, 200 handlers, one work order per case, a reverse evaluation of 5% of the
departments' work orders — and the rollup is rebuilt from them
(`rollup_rebuild`, timed), as `gridgov cases rollup --rebuild` would. Then timed, p95 of REPEAT runs:

- `measures()` for the street, one community and one department, over one whole month, this month so
  far (20 days) and the whole year; ceiling: the same sums over the same rollup rows in bare SQL;
- the department league table for a month and the year; ceiling: the same GROUP BY in bare SQL;
- one handler's measures (counted live, through the handler index) for a month and the year; ceiling:
  the live query's three aggregates in bare SQL;
- for reference, the street's year counted live (what every figure cost before the rollup).

Every rollup figure is checked against the live count first: the scenario fails if they differ.
"""

import datetime as dt
import random
import statistics
import time
from dataclasses import dataclass

from django.db import connection

from bench.figures import Figure

NAME = "cases_measures"
FULL, QUICK = 1_000_000, 20_000
REPEAT = 15
TARGET_MS = 200
TZ = dt.timezone(dt.timedelta(hours=8))
YEAR = (dt.datetime(2025, 1, 1, tzinfo=TZ), dt.datetime(2026, 1, 1, tzinfo=TZ))
MONTH = (dt.datetime(2025, 6, 1, tzinfo=TZ), dt.datetime(2025, 7, 1, tzinfo=TZ))
SO_FAR = (dt.datetime(2025, 6, 1, tzinfo=TZ), dt.datetime(2025, 6, 21, tzinfo=TZ))
HANDLERS = 200
PERSON_ORDERS = 0.2  # share of cases dispatched to a person (no department) instead of a department
RATED_ORDERS = 0.05  # share of department work orders the community rated (reverse evaluation)
ROLLUP_CEILING = "bare SQL: the same SUMs over the same rollup rows"


@dataclass(frozen=True)
class Street:
    code: str
    community: str
    department_id: int
    handler_id: int
    rebuild_s: float


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


def _handlers() -> list:
    from gridgov.accounts.models import User

    return User.objects.bulk_create([User(username=f"bench_handler_{i}", password="!", role="department_staff")
                                     for i in range(HANDLERS)])


def generate(count: int, *, seed: int = 11) -> Street:
    """Write `count` cases (and one work order each) over 2025 and rebuild the rollup from them."""
    from gridgov.cases.models import Case, Department, DepartmentRating, WorkOrder
    from gridgov.cases.rollup import rollup_rebuild

    rng = random.Random(seed)
    street, grids = territory()
    departments = [Department.objects.create(name=f"基准部门{i}") for i in range(20)]
    handlers = _handlers()
    span = (YEAR[1] - YEAR[0]).total_seconds()
    for start in range(0, count, 10_000):
        cases = []
        for _ in range(min(10_000, count - start)):
            created = YEAR[0] + dt.timedelta(seconds=rng.random() * span)
            deadline = created + dt.timedelta(days=rng.choice([3, 5, 7]))
            closed = deadline + dt.timedelta(hours=rng.uniform(-96, 30)) if rng.random() < 0.93 else None
            grid = rng.choice(grids)
            person = rng.random() < PERSON_ORDERS
            cases.append(Case(
                channel="app", description="基准事件", area_code=grid.code, grid_id=grid.pk, created_at=created,
                accepted_at=created, registered_at=created, deadline_at=deadline, closed_at=closed,
                state="closed" if closed else "handling", level=rng.choice(["grid"] * 7 + ["community"] * 2 + ["street"]),
                rating=rng.choice(["", "satisfied", "satisfied", "basic", "unsatisfied"]) if closed else "",
                reworked=rng.random() < 0.03, lead_department=None if person else rng.choice(departments),
                handler=rng.choice(handlers)))
        Case.objects.bulk_create(cases, batch_size=5000)
        orders = WorkOrder.objects.bulk_create([
            WorkOrder(case=c, area_code=c.area_code, department_id=c.lead_department_id,
                      assignee_id=None if c.lead_department_id else c.handler_id, created_at=c.created_at,
                      sign_due_at=c.created_at + dt.timedelta(hours=1),
                      signed_at=c.created_at + dt.timedelta(minutes=rng.choice([20, 40, 70])),
                      resolve_due_at=c.deadline_at) for c in cases], batch_size=5000)
        DepartmentRating.objects.bulk_create([
            DepartmentRating(work_order=o, department_id=o.department_id, score=rng.randint(1, 5), by=handlers[0])
            for o in orders if o.department_id and rng.random() < RATED_ORDERS], batch_size=5000)
    started = time.perf_counter()
    rollup_rebuild()  # the rows above went around the write path, as the demo's do
    rebuild_s = time.perf_counter() - started
    _analyze()
    return Street(code=street, community=f"{street}001", department_id=departments[0].pk,
                  handler_id=handlers[0].pk, rebuild_s=rebuild_s)


def _analyze() -> None:
    if connection.vendor != "postgresql":
        return
    # A fresh visibility map allows index-only scans; VACUUM cannot run inside a transaction.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_workorder", "cases_departmentrating", "cases_casedayrollup",
                      "cases_casemonthrollup"):
            cursor.execute(f"{command} {table}")


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


# --- the ceilings: bare SQL ---------------------------------------------------------------------------------

def _in_area(column: str, code: str) -> tuple[str, list]:
    """The subtree condition as gridgov/lib/tree.py writes it: LIKE on PostgreSQL, a range on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} LIKE %s", [code + "%"]
    return f"{column} >= %s AND {column} < %s", [code, code + ":"]


def _rollup_where(period, code: str, department_id: int | None) -> list[tuple[str, str, list]]:
    """(table, WHERE, params) for the rollup rows covering the period, as the project reads them."""
    from gridgov.cases.rollup import spans, whole_days

    days, months = spans(*whole_days(*period))
    area, area_params = _in_area("area_code", code)
    extra = " AND department_id = %s" if department_id is not None else ""
    extra_params = [department_id] if department_id is not None else []
    parts = []
    if days:
        ranges = " OR ".join(["(day >= %s AND day < %s)"] * len(days))
        parts.append(("cases_casedayrollup", f"({ranges}) AND {area}{extra}",
                      [d for span in days for d in span] + area_params + extra_params))
    if months:
        parts.append(("cases_casemonthrollup", f"month >= %s AND month < %s AND {area}{extra}",
                      [*months, *area_params, *extra_params]))
    return parts


def bare_rollup_sums(period, code: str, department_id: int | None = None) -> list:
    from gridgov.cases.rollup import MEASURED

    sums = ", ".join(f"SUM({c})" for c in MEASURED)
    rows = []
    with connection.cursor() as cursor:
        for table, where, params in _rollup_where(period, code, department_id):
            cursor.execute(f"SELECT {sums} FROM {table} WHERE {where}", params)
            rows.append(cursor.fetchone())
    return rows


def bare_rollup_league(period, code: str) -> list:
    rows = []
    with connection.cursor() as cursor:
        for table, where, params in _rollup_where(period, code, None):
            cursor.execute(f"SELECT department_id, SUM(due), SUM(closed), SUM(closed_on_time), SUM(orders), "
                           f"SUM(signed_in_time), SUM(reverse_ratings), SUM(reverse_score) FROM {table} "
                           f"WHERE {where} AND department_id <> 0 GROUP BY department_id", params)
            rows += cursor.fetchall()
        cursor.execute("SELECT id, name FROM cases_department")
        rows += cursor.fetchall()
    return rows


def bare_live(period, code: str, handler_id: int | None = None) -> None:
    """The live query's three aggregates (received, due, work-order cohorts) without the ORM."""
    area, area_params = _in_area("area_code", code)
    who, who_params = ("", []) if handler_id is None else (" AND handler_id = %s", [handler_id])
    by, by_params = ("", []) if handler_id is None else (" AND assignee_id = %s", [handler_id])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(created_at), COUNT(accepted_at), COUNT(registered_at) FROM cases_case "
                       f"WHERE {area}{who} AND created_at >= %s AND created_at < %s",
                       [*area_params, *who_params, *period])
        cursor.fetchall()
        cursor.execute(
            "SELECT COUNT(deadline_at), COUNT(closed_at), "
            "SUM(CASE WHEN closed_at <= deadline_at THEN 1 ELSE 0 END), SUM(CASE WHEN rating <> '' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN reworked THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN closed_at IS NOT NULL AND level = 'grid' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN closed_at IS NOT NULL AND level IN ('grid', 'community') THEN 1 ELSE 0 END) "
            f"FROM cases_case WHERE {area}{who} AND deadline_at >= %s AND deadline_at < %s",
            [*area_params, *who_params, *period])
        cursor.fetchall()
        cursor.execute("SELECT COUNT(created_at), SUM(CASE WHEN signed_at <= sign_due_at THEN 1 ELSE 0 END) "
                       f"FROM cases_workorder WHERE {area}{by} AND created_at >= %s AND created_at < %s "
                       "AND sign_due_at IS NOT NULL", [*area_params, *by_params, *period])
        cursor.fetchall()


# --- the figures --------------------------------------------------------------------------------------------

def _figure(name: str, p95: float, ceiling: float | None, ceiling_name: str, target: bool = True) -> Figure:
    return Figure(scenario=NAME, name=name, value=round(p95, 1), unit="ms",
                  ceiling=None if ceiling is None else round(ceiling, 1), ceiling_name=ceiling_name,
                  target=f"p95 < {TARGET_MS} ms" if target else "",
                  ok=(p95 < TARGET_MS) if target else None)


def check_exact(street: Street, periods) -> None:
    """The rollup answers exactly what the live count answers, or the scenario fails."""
    from gridgov.cases.measures import league_table, live_league_table, live_measures, measures

    for _, period in periods:
        for code, department in ((street.code, None), (street.community, None), (street.code, street.department_id)):
            fast = measures(start=period[0], end=period[1], area_code=code, department_id=department)
            slow = live_measures(start=period[0], end=period[1], area_code=code, department_id=department)
            if fast != slow:
                raise AssertionError(f"汇总表与实时统计不一致：{period} {code} {department}：{fast} ≠ {slow}")
        if league_table(start=period[0], end=period[1], area_code=street.code) != \
                live_league_table(start=period[0], end=period[1], area_code=street.code):
            raise AssertionError(f"部门排行榜汇总表与实时统计不一致：{period}")


def measure(count: int) -> list[Figure]:
    from gridgov.cases.measures import league_table, live_measures, measures

    street = generate(count)
    periods = (("一个月", MONTH), ("本月至今20天", SO_FAR), ("全年", YEAR))
    check_exact(street, periods)
    figures = [Figure(scenario=NAME, name=f"重建考核汇总表（{count:,}件）", value=round(street.rebuild_s, 1), unit="s",
                      ceiling=None)]
    scopes = (("街道", street.code, None), ("社区", street.community, None), ("部门", street.code, street.department_id))
    for label, period in periods:
        for scope, code, department in scopes:
            _, p95 = timed(lambda p=period, c=code, d=department: measures(start=p[0], end=p[1], area_code=c,
                                                                            department_id=d))
            _, ceiling = timed(lambda p=period, c=code, d=department: bare_rollup_sums(p, c, d))
            figures.append(_figure(f"{scope}考核指标（{label}，{count:,}件）p95", p95, ceiling, ROLLUP_CEILING))
    for label, period in (("一个月", MONTH), ("全年", YEAR)):
        _, p95 = timed(lambda p=period: league_table(start=p[0], end=p[1], area_code=street.code))
        _, ceiling = timed(lambda p=period: bare_rollup_league(p, street.code))
        figures.append(_figure(f"部门排行榜（{label}，{count:,}件）p95", p95, ceiling,
                               "bare SQL: the same GROUP BY over the same rollup rows"))
    for label, period in (("一个月", MONTH), ("全年", YEAR)):
        _, p95 = timed(lambda p=period: measures(start=p[0], end=p[1], area_code=street.code,
                                                 handler_id=street.handler_id))
        _, ceiling = timed(lambda p=period: bare_live(p, street.code, street.handler_id))
        figures.append(_figure(f"承办人考核指标（实时，{label}，{count // HANDLERS:,}件/人）p95", p95, ceiling,
                               "bare SQL: the live query's three aggregates"))
    _, p95 = timed(lambda: live_measures(start=YEAR[0], end=YEAR[1], area_code=street.code))
    _, ceiling = timed(lambda: bare_live(YEAR, street.code))
    figures.append(_figure(f"参考：街道全年实时统计（不用汇总表，{count:,}件）p95", p95, ceiling,
                           "bare SQL: the live query's three aggregates", target=False))
    return figures


def run(*, quick: bool) -> list[Figure]:
    return measure(QUICK if quick else FULL)
