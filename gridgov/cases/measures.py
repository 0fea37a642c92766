"""Performance measures of case handling, per area (code prefix), department, handler and period.

Three cohorts:
- received cohort: cases reported in the period → received, accepted, registered;
- due cohort (应结案): cases whose handling deadline (deadline_at) falls in the period → closed,
  closed on time, satisfied / rated, reworked, closed at grid level, closed within the community;
- work-order cohort: work orders issued in the period → signed in time (响应率).
结案率 = closed ÷ due and 按期结案率 = closed on time ÷ due (both over due, as published figures are).

A period of whole local days (every screen and API asks for dates) is read from the rollup
(gridgov/cases/rollup.py: counters per day and month × area × department, kept by the write path), so a
year costs twelve months of keys, not a million cases. A handler's measures, and a period that does not
start and end at midnight, are counted live: three aggregate queries over the cases and work orders, each
counting a column of its covering index (not the id) so PostgreSQL can answer from the index alone.
"""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum

from gridgov.cases import rollup
from gridgov.cases.enums import Level, Rating
from gridgov.cases.models import Case, Department, DepartmentRating, WorkOrder

MIN_RANKED = 10


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Measures:
    received: int
    accepted: int
    registered: int
    due: int
    closed: int
    closed_on_time: int
    orders: int
    signed_in_time: int
    rated: int
    satisfied: int
    reworked: int
    closed_at_grid: int
    closed_in_community: int

    @property
    def closing_rate(self):  # 结案率
        return rate(self.closed, self.due)

    @property
    def on_time_rate(self):  # 按期结案率
        return rate(self.closed_on_time, self.due)

    @property
    def response_rate(self):  # 响应率
        return rate(self.signed_in_time, self.orders)

    @property
    def satisfaction_rate(self):  # 满意率
        return rate(self.satisfied, self.rated)

    @property
    def rework_rate(self):  # 返工率
        return rate(self.reworked, self.closed)

    @property
    def grid_share(self):  # 小事不出网格
        return rate(self.closed_at_grid, self.closed)

    @property
    def community_share(self):  # 大事不出社区
        return rate(self.closed_in_community, self.closed)

    def as_dict(self) -> dict:
        rates = {name: getattr(self, name) for name in (
            "closing_rate", "on_time_rate", "response_rate", "satisfaction_rate", "rework_rate",
            "grid_share", "community_share")}
        return {**asdict(self), **{k: (None if v is None else float(v)) for k, v in rates.items()}}


def _cases(area_code: str, department_id, handler_id):
    cases = Case.objects.all()
    if area_code:
        cases = cases.filter(area_code__subtree=area_code)
    if department_id is not None:
        cases = cases.filter(lead_department_id=department_id)
    if handler_id is not None:
        cases = cases.filter(handler_id=handler_id)
    return cases


def _orders(area_code: str, department_id, handler_id):
    orders = WorkOrder.objects.all()
    if area_code:
        orders = orders.filter(area_code__subtree=area_code)
    if department_id is not None:
        orders = orders.filter(department_id=department_id)
    if handler_id is not None:
        orders = orders.filter(assignee_id=handler_id)
    return orders


CLOSED = Q(closed_at__isnull=False)
ON_TIME = CLOSED & Q(closed_at__lte=F("deadline_at"))
# The live query's definitions; rollup_rebuild counts with the same ones, per day.
RECEIVED_COUNTS = {
    "received": Count("created_at"),
    "accepted": Count("created_at", filter=Q(accepted_at__isnull=False)),
    "registered": Count("created_at", filter=Q(registered_at__isnull=False)),
}
DUE_COUNTS = {
    "due": Count("deadline_at"),
    "closed": Count("deadline_at", filter=CLOSED),
    "closed_on_time": Count("deadline_at", filter=ON_TIME),
    "rated": Count("deadline_at", filter=~Q(rating="")),
    "satisfied": Count("deadline_at", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
    "reworked": Count("deadline_at", filter=Q(reworked=True)),
    "closed_at_grid": Count("deadline_at", filter=CLOSED & Q(level=Level.GRID)),
    "closed_in_community": Count("deadline_at", filter=CLOSED & Q(level__in=[Level.GRID, Level.COMMUNITY])),
}
ORDER_COUNTS = {  # over work orders with a sign deadline
    "orders": Count("created_at"),
    "signed_in_time": Count("created_at", filter=Q(signed_at__lte=F("sign_due_at"))),
}
REVERSE_COUNTS = {  # over the departments' reverse evaluations, by their work order's day and area
    "reverse_ratings": Count("id"),
    "reverse_score": Sum("score"),
}


def measures(*, start, end, area_code: str = "", department_id: int | None = None,
             handler_id: int | None = None) -> Measures:
    """The measures for cases in `area_code`'s subtree (and a department or handler) over [start, end)."""
    days = rollup.whole_days(start, end)
    if days is None or handler_id is not None:
        return live_measures(start=start, end=end, area_code=area_code, department_id=department_id,
                             handler_id=handler_id)
    return Measures(**rollup.rollup_totals(first=days[0], end=days[1], area_code=area_code,
                                           department_id=department_id))


def live_measures(*, start, end, area_code: str = "", department_id: int | None = None,
                  handler_id: int | None = None) -> Measures:
    """The same measures counted from the cases and work orders themselves (no rollup)."""
    cases = _cases(area_code, department_id, handler_id)
    received = cases.filter(created_at__gte=start, created_at__lt=end).aggregate(**RECEIVED_COUNTS)
    due = cases.filter(deadline_at__gte=start, deadline_at__lt=end).aggregate(**DUE_COUNTS)
    orders = _orders(area_code, department_id, handler_id).filter(
        created_at__gte=start, created_at__lt=end, sign_due_at__isnull=False).aggregate(**ORDER_COUNTS)
    return Measures(**received, **due, **orders)


@dataclass
class LeagueRow:
    rank: int | None
    department_id: int
    department: str
    due: int
    closed: int
    closed_on_time: int
    closing_rate: Decimal | None
    on_time_rate: Decimal | None
    response_rate: Decimal | None
    reverse_score: float | None  # the community's mean rating of the department's whistle answers (1–5)
    reverse_ratings: int


def league_table(*, start, end, area_code: str = "", minimum: int = MIN_RANKED) -> list[LeagueRow]:
    """Departments by on-time rate, then closing rate; fewer than `minimum` due cases → listed unranked."""
    days = rollup.whole_days(start, end)
    if days is None:
        return live_league_table(start=start, end=end, area_code=area_code, minimum=minimum)
    return _league(rollup.rollup_by_department(first=days[0], end=days[1], area_code=area_code), minimum)


def live_league_table(*, start, end, area_code: str = "", minimum: int = MIN_RANKED) -> list[LeagueRow]:
    """The league table counted from the cases, work orders and ratings themselves (no rollup)."""
    counts: dict = {}
    cases = _cases(area_code, None, None).filter(deadline_at__gte=start, deadline_at__lt=end,
                                                 lead_department__isnull=False)
    due = {name: DUE_COUNTS[name] for name in ("due", "closed", "closed_on_time")}
    for r in cases.values("lead_department_id").annotate(**due).order_by():
        _merge(counts, r.pop("lead_department_id"), r)
    orders = _orders(area_code, None, None).filter(created_at__gte=start, created_at__lt=end,
                                                   sign_due_at__isnull=False, department__isnull=False)
    for r in orders.values("department_id").annotate(**ORDER_COUNTS).order_by():
        _merge(counts, r.pop("department_id"), r)
    ratings = DepartmentRating.objects.filter(work_order__created_at__gte=start, work_order__created_at__lt=end,
                                              work_order__area_code__subtree=area_code)
    for r in ratings.values("department_id").annotate(**REVERSE_COUNTS).order_by():
        _merge(counts, r.pop("department_id"), r)
    return _league(counts, minimum)


def _merge(counts: dict, department: int, values: dict) -> None:
    counts.setdefault(department, {}).update(values)


def _league(counts: dict, minimum: int) -> list[LeagueRow]:
    """The table of the departments with a case due in the period, ranked; `counts` by department id."""
    listed = {d: c for d, c in counts.items() if c.get("due", 0) > 0}
    names = dict(Department.objects.filter(pk__in=listed).values_list("id", "name"))
    table = []
    for department, c in listed.items():
        if department not in names:
            continue  # a department deleted since: its cases no longer name it
        ratings = c.get("reverse_ratings", 0)
        table.append(LeagueRow(
            rank=None, department_id=department, department=names[department],
            due=c["due"], closed=c["closed"], closed_on_time=c["closed_on_time"],
            closing_rate=rate(c["closed"], c["due"]), on_time_rate=rate(c["closed_on_time"], c["due"]),
            response_rate=rate(c.get("signed_in_time", 0), c.get("orders", 0)),
            # The mean from the sum and the count, the same in both paths (an SQL AVG may round otherwise).
            reverse_score=round(c["reverse_score"] / ratings, 2) if ratings else None, reverse_ratings=ratings))
    ranked = sorted((t for t in table if t.due >= minimum),
                    key=lambda t: (-(t.on_time_rate or 0), -(t.closing_rate or 0), t.department))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return ranked + sorted((t for t in table if t.due < minimum), key=lambda t: t.department)
