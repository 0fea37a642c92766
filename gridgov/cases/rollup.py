"""The measures' rollup: counters per day (and per month) × area × department, kept in step with the cases.

A case contributes to at most two keys of the day table, a work order and a reverse evaluation to one each:
- (the local day it was reported, its area_code, its lead department) → received, accepted, registered;
- (the local day of its handling deadline, its area_code, its lead department) → due, closed, closed on
  time, rated, satisfied, reworked, closed at grid level, closed within the community;
- a work order with a sign deadline: (the day it was issued, its area_code, its department) → orders,
  signed in time;
- a department's reverse evaluation: (its work order's day and area_code, the department) → ratings and
  their total score (the league table's 基层反向评价).
The month table holds the same counters summed by calendar month, so that a year reads twelve months of
keys instead of 365 days of them.

The one write path keeps them current: `case_transition` takes `rollup_snapshot(case)` after locking the
case and calls `rollup_apply(case=, before=)` after writing it (`case_intake` calls `rollup_add_new`); the
difference between the case's contribution before and after is added to the counters with `INSERT … ON
CONFLICT DO UPDATE SET n = n + excluded.n` in the same transaction (`department_rate` adds its rating
the same way), so a crash never leaves cases and counters apart and two transitions on the same key both
land. Rows written around that path (the demo's and the bench's
bulk loads) are counted by `rollup_rebuild()` (`gridgov cases rollup --rebuild`).
"""

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from gridgov.cases.enums import Level, Rating
from gridgov.cases.models import Case, CaseDayRollup, CaseMonthRollup, DepartmentRating, WorkOrder

MEASURED = ("received", "accepted", "registered", "due", "closed", "closed_on_time", "orders", "signed_in_time",
            "rated", "satisfied", "reworked", "closed_at_grid", "closed_in_community")  # the fields of Measures
COUNTERS = (*MEASURED, "reverse_ratings", "reverse_score")
# The case columns the counters are computed from (read back after a write, see `rollup_apply`).
CASE_COLUMNS = ("created_at", "accepted_at", "registered_at", "deadline_at", "closed_at", "rating", "reworked",
                "level", "area_code", "lead_department_id", "dispatched_at")
ORDER_COLUMNS = ("created_at", "area_code", "department_id", "sign_due_at", "signed_at")
SATISFIED = frozenset({Rating.SATISFIED, Rating.BASIC})
IN_COMMUNITY = frozenset({Level.GRID, Level.COMMUNITY})

Key = tuple[dt.date, str, int]  # (day, area_code, department id or 0)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- one case's contribution ------------------------------------------------------------------------------

def _case_counts(row: dict) -> dict[Key, dict[str, int]]:
    """The counters one case adds, by key; the definitions are the live query's (gridgov/cases/measures.py)."""
    department = row["lead_department_id"] or 0
    counts = {(local_day(row["created_at"]), row["area_code"], department): {
        "received": 1, "accepted": int(row["accepted_at"] is not None),
        "registered": int(row["registered_at"] is not None)}}
    deadline = row["deadline_at"]
    if deadline is None:
        return counts
    closed = row["closed_at"] is not None
    due = {"due": 1, "closed": int(closed), "closed_on_time": int(closed and row["closed_at"] <= deadline),
           "rated": int(row["rating"] != ""), "satisfied": int(row["rating"] in SATISFIED),
           "reworked": int(row["reworked"]), "closed_at_grid": int(closed and row["level"] == Level.GRID),
           "closed_in_community": int(closed and row["level"] in IN_COMMUNITY)}
    key = (local_day(deadline), row["area_code"], department)
    counts[key] = {**counts.get(key, {}), **due}
    return counts


def _order_counts(row: dict) -> dict[Key, dict[str, int]]:
    if row["sign_due_at"] is None:
        return {}
    signed = row["signed_at"] is not None and row["signed_at"] <= row["sign_due_at"]
    return {(local_day(row["created_at"]), row["area_code"], row["department_id"] or 0):
            {"orders": 1, "signed_in_time": int(signed)}}


def _add(total: dict, counts: dict, sign: int = 1) -> dict:
    for key, values in counts.items():
        into = total.setdefault(key, defaultdict(int))
        for name, n in values.items():
            into[name] += sign * n
    return total


def _contribution(row: dict, case_id: int) -> dict[Key, dict[str, int]]:
    total = _add({}, _case_counts(row))
    # Work orders are only ever issued by a dispatch, which sets dispatched_at for good: none before it.
    if row["dispatched_at"] is not None:
        for order in WorkOrder.objects.filter(case_id=case_id).values(*ORDER_COLUMNS):
            _add(total, _order_counts(order))
    return total


def rollup_snapshot(case: Case) -> dict[Key, dict[str, int]]:
    """What the case (just read and locked) and its work orders add to the counters now."""
    return _contribution({column: getattr(case, column) for column in CASE_COLUMNS}, case.pk)


def _delta(before: dict, after: dict) -> dict[Key, dict[str, int]]:
    change = _add(_add({}, after), before, -1)
    return {key: dict(values) for key, values in change.items() if any(values.values())}


def rollup_apply(*, case: Case, before: dict) -> int:
    """Add the change of the case's contribution since `before` (a `rollup_snapshot`) to the day and month
    counters, inside the caller's transaction. Returns how many day keys changed."""
    # Read back what was written rather than trust the instance: the counters follow the database.
    row = Case.objects.filter(pk=case.pk).values(*CASE_COLUMNS).first()
    return _apply(_delta(before, _contribution(row, case.pk) if row is not None else {}))


def rollup_add_new(cases: list[Case]) -> int:
    """Add cases just created (by intake, one or a batch) to the counters, inside the caller's transaction:
    their columns are the ones just written, and a new case has no work order yet. One upsert per table
    for the whole batch. Returns how many day keys changed."""
    total: dict = {}
    for case in cases:
        _add(total, _case_counts({column: getattr(case, column) for column in CASE_COLUMNS}))
    return _apply({key: dict(values) for key, values in total.items()})


def _apply(day_change: dict) -> int:
    if not day_change:
        return 0
    month_change: dict = {}
    for (day, area, department), values in day_change.items():
        _add(month_change, {(month_of(day), area, department): values})
    _upsert(CaseDayRollup, "day", day_change)
    _upsert(CaseMonthRollup, "month", month_change)
    return len(day_change)


def rollup_rating_apply(rating: DepartmentRating) -> None:
    """Add a new reverse evaluation (never changed afterwards) to its work order's day, area and department."""
    order = rating.work_order
    day = local_day(order.created_at)
    change = {"reverse_ratings": 1, "reverse_score": rating.score}
    _upsert(CaseDayRollup, "day", {(day, order.area_code, rating.department_id): change})
    _upsert(CaseMonthRollup, "month", {(month_of(day), order.area_code, rating.department_id): change})


def _upsert(model, period: str, change: dict) -> None:
    """One INSERT … ON CONFLICT DO UPDATE adding `change` to the rows of its keys (created at zero if missing).

    Keys go in sorted order, so two transactions touching the same keys lock them in the same order.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    key_columns = [period, "area_code", "department_id"]
    columns = ", ".join(connection.ops.quote_name(c) for c in [*key_columns, *COUNTERS])
    one_row = "(" + ", ".join(["%s"] * (len(key_columns) + len(COUNTERS))) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in map(connection.ops.quote_name, COUNTERS))
    params = []
    for key in sorted(change):
        params += [*key, *(change[key].get(name, 0) for name in COUNTERS)]
    sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(change))} "
           f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- counting everything again ----------------------------------------------------------------------------

def _cohorts() -> list:
    """The four cohorts, each a queryset grouped by (rollup_day, rollup_area, rollup_department) with its
    counts: cases by the day reported, cases by the deadline's day, work orders by the day issued, and the
    reverse evaluations by their work order's day."""
    from gridgov.cases.measures import DUE_COUNTS, ORDER_COUNTS, RECEIVED_COUNTS, REVERSE_COUNTS

    tz = timezone.get_default_timezone()
    cohorts = [
        (Case.objects.all(), "created_at", "area_code", "lead_department_id", RECEIVED_COUNTS),
        (Case.objects.filter(deadline_at__isnull=False), "deadline_at", "area_code", "lead_department_id",
         DUE_COUNTS),
        (WorkOrder.objects.filter(sign_due_at__isnull=False), "created_at", "area_code", "department_id",
         ORDER_COUNTS),
        (DepartmentRating.objects.all(), "work_order__created_at", "work_order__area_code", "department_id",
         REVERSE_COUNTS),
    ]
    return [(rows.annotate(rollup_day=TruncDate(moment, tzinfo=tz), rollup_area=F(area),
                           rollup_department=F(department)).order_by()
             .values("rollup_day", "rollup_area", "rollup_department").annotate(**counts), counts)
            for rows, moment, area, department, counts in cohorts]


def _recount() -> dict[Key, dict[str, int]]:
    """The day counters counted again from the cases, work orders and ratings, read into Python (what
    `rollup_differences` compares the stored rows with)."""
    total: dict = {}
    for grouped, counts in _cohorts():
        for row in grouped.iterator(chunk_size=5000):
            key = (row["rollup_day"], row["rollup_area"], row["rollup_department"] or 0)
            _add(total, {key: {name: row[name] for name in counts}})
    return total


def _by_month(days: dict) -> dict:
    months: dict = {}
    for (day, area, department), values in days.items():
        _add(months, {(month_of(day), area, department): values})
    return months


def _lock_counters() -> None:
    """Keep writers of the counters out until the rebuild commits; readers go on reading the old rows.

    A transition that has already added its change commits before the lock is granted (so the recount sees
    it); one that comes later waits at its upsert and adds its change on top of the recount. On SQLite the
    DELETE that follows takes the database's write lock, to the same effect.
    """
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (CaseDayRollup, CaseMonthRollup))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def _insert_grouped(cursor, model, period: str, parts: list[tuple[str, list]]) -> None:
    """INSERT INTO model SELECT the key and SUM of each counter over the UNION ALL of `parts` (SELECTs with
    the columns period, area_code, department_id and the counters): the database does the counting."""
    table = connection.ops.quote_name(model._meta.db_table)
    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    union = " UNION ALL ".join(sql for sql, _ in parts)
    cursor.execute(f"INSERT INTO {table} ({period}, area_code, department_id, {counters}) "
                   f"SELECT {period}, area_code, department_id, {sums} FROM ({union}) counted "
                   f"GROUP BY {period}, area_code, department_id", [p for _, params in parts for p in params])


def _cohort_select(grouped, counts: dict) -> tuple[str, list]:
    sql, params = grouped.query.sql_with_params()
    columns = ", ".join(name if name in counts else f"0 AS {name}" for name in COUNTERS)
    return (f"SELECT rollup_day AS day, rollup_area AS area_code, COALESCE(rollup_department, 0) AS department_id, "
            f"{columns} FROM ({sql}) cohort", list(params))


def _month_select() -> tuple[str, list]:
    by_month = CaseDayRollup.objects.annotate(rollup_month=TruncMonth("day")).order_by().values(
        "rollup_month", "area_code", "department_id").annotate(**{f"{c}_sum": Sum(c) for c in COUNTERS})
    sql, params = by_month.query.sql_with_params()
    columns = ", ".join(f"{c}_sum AS {c}" for c in COUNTERS)
    return f"SELECT rollup_month AS month, area_code, department_id, {columns} FROM ({sql}) days", list(params)


@transaction.atomic
def rollup_rebuild() -> dict:
    """Count the rollup again from the cases and work orders, replacing what is stored. Idempotent.

    Two INSERT … SELECT statements (days from the four cohorts, months from the days), so a million
    cases are counted by the database, not row by row in Python.
    """
    _lock_counters()
    CaseDayRollup.objects.all().delete()
    CaseMonthRollup.objects.all().delete()
    with connection.cursor() as cursor:  # after the lock: every committed change is counted, no later one lost
        _insert_grouped(cursor, CaseDayRollup, "day", [_cohort_select(*cohort) for cohort in _cohorts()])
        _insert_grouped(cursor, CaseMonthRollup, "month", [_month_select()])
    return {"days": CaseDayRollup.objects.count(), "months": CaseMonthRollup.objects.count()}


def _stored(model, period: str) -> dict:
    return {(row[period], row["area_code"], row["department_id"]): {n: row[n] for n in COUNTERS if row[n]}
            for row in model.objects.values(period, "area_code", "department_id", *COUNTERS)}


def _nonzero(counts: dict) -> dict:
    cleaned = {key: {n: v for n, v in values.items() if v} for key, values in counts.items()}
    return {key: values for key, values in cleaned.items() if values}


def rollup_differences() -> list[tuple[str, Key, dict, dict]]:
    """Keys whose stored counters differ from a fresh count: (table, key, stored, counted); empty when right."""
    days = _nonzero(_recount())
    found = []
    for table, model, period, counted in (("day", CaseDayRollup, "day", days),
                                          ("month", CaseMonthRollup, "month", _nonzero(_by_month(days)))):
        stored = _nonzero(_stored(model, period))
        for key in sorted(set(stored) | set(counted)):
            if stored.get(key, {}) != counted.get(key, {}):
                found.append((table, key, stored.get(key, {}), counted.get(key, {})))
    return found


# --- reading a period -------------------------------------------------------------------------------------

def whole_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """[first day, end day) when both bounds are local midnights (what the rollup can answer), else None."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        return None
    first, last = timezone.localtime(start), timezone.localtime(end)
    if first.time() != dt.time() or last.time() != dt.time():
        return None
    return first.date(), last.date()


def spans(first: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """Split [first, end) into day ranges read from the day table and whole months read from the month table."""
    start_month = first if first.day == 1 else _next_month(first)
    end_month = month_of(end)
    if start_month >= end_month:
        return ([(first, end)] if first < end else []), None
    days = [(a, b) for a, b in ((first, start_month), (end_month, end)) if a < b]
    return days, (start_month, end_month)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _scoped(rows, area_code: str, department_id: int | None):
    if area_code:
        rows = rows.filter(area_code__subtree=area_code)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows


def _period_rows(first: dt.date, end: dt.date, area_code: str, department_id: int | None) -> list:
    """The day-table and month-table querysets covering [first, end), scoped."""
    days, months = spans(first, end)
    sets = []
    if days:
        within = Q()
        for a, b in days:
            within |= Q(day__gte=a, day__lt=b)
        sets.append(_scoped(CaseDayRollup.objects.filter(within), area_code, department_id))
    if months:
        sets.append(_scoped(CaseMonthRollup.objects.filter(month__gte=months[0], month__lt=months[1]),
                            area_code, department_id))
    return sets


def rollup_totals(*, first: dt.date, end: dt.date, area_code: str = "", department_id: int | None = None) -> dict:
    """The counters summed over [first, end) for the area's subtree (and a department)."""
    total = dict.fromkeys(MEASURED, 0)
    for rows in _period_rows(first, end, area_code, department_id):
        for name, n in rows.aggregate(**{name: Sum(name) for name in MEASURED}).items():
            total[name] += n or 0
    return total


def rollup_by_department(*, first: dt.date, end: dt.date, area_code: str = "",
                         names=("due", "closed", "closed_on_time", "orders", "signed_in_time", "reverse_ratings",
                                "reverse_score")) -> dict:
    """{department id: counters} over [first, end) for the area's subtree; cases and orders of no department
    (0) are left out."""
    table: dict = {}
    for rows in _period_rows(first, end, area_code, None):
        grouped = (rows.exclude(department_id=0).order_by().values("department_id")
                   .annotate(**{name: Sum(name) for name in names}))
        for row in grouped:
            _add(table, {row["department_id"]: {name: row[name] or 0 for name in names}})
    return {department: dict(values) for department, values in table.items()}

