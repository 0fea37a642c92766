"""Read helpers for the case screens: what a user may do next, queue filters, tracking tokens, the public board.

Everything a user sees comes from the scoped selectors (gridgov.cases.selectors); what a user may do
comes from the one transition table (gridgov.cases.enums.TRANSITIONS) and its predicates
(gridgov.cases.rules). Nothing here writes.
"""

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gridgov.cases import deadlines, measures
from gridgov.cases.enums import (
    CASE_STAFF,
    CLAIMERS,
    CLOCK_STATES,
    OPEN_ORDER_STATES,
    RATERS_OF_DEPARTMENTS,
    TRANSITIONS,
    CaseState,
    Colour,
    ExtensionState,
    Whistle,
)
from gridgov.cases.models import Attachment, Case, CaseReporter, WorkOrder
from gridgov.cases.rules import allowed, department_of
from gridgov.cases.selectors import AREA_READERS, cases_visible_to
from gridgov.core.errors import DomainError
from gridgov.lib.workcal import TZ
from gridgov.territory.selectors import area_children

# Predicates that need a work order: the action is offered once per open order the user holds.
ORDER_PREDICATES = frozenset({"order_holder", "lead_holder"})
# Actions the machine takes (催办) are never offered on a screen.
HIDDEN_ACTIONS = frozenset({"remind"})
TRACK_SALT = "gridgov.cases.track"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Offer:
    """One action the user may take now, on the case or on one of its work orders."""

    action: str
    label: str
    order: WorkOrder | None = None


def _moot(action: str, case: Case, orders: list) -> bool:
    """Actions the table allows in this state that have nothing to act on yet (no form is shown for them)."""
    if action in ("approve_extension", "refuse_extension"):
        return not any(o.extension_state == ExtensionState.REQUESTED for o in orders)
    if action == "rate":
        return not rating_open(case)
    return False


def actions_for(user, case: Case) -> list[Offer]:
    """Every action of the table the user may take on the case in its current state, in table order."""
    orders = [o for o in case.work_orders.all() if o.state in OPEN_ORDER_STATES]
    offers = []
    for action, spec in TRANSITIONS.items():
        if action in HIDDEN_ACTIONS or case.state not in spec.sources or _moot(action, case, orders):
            continue
        if allowed(tuple(w for w in spec.who if w not in ORDER_PREDICATES), user, case, None):
            offers.append(Offer(action, spec.label))
        elif ORDER_PREDICATES & set(spec.who):
            offers += [Offer(action, spec.label, o) for o in orders if allowed(spec.who, user, case, o)]
    return offers


# --- the queue ---------------------------------------------------------------------------------------

def reads_queue(user) -> bool:
    return user.is_authenticated and user.role in AREA_READERS and bool(user.scope_code)


def queue(user, *, state="", category="", grid="", colour="", channel="", q="", now=None):
    """The user's cases narrowed by the queue's filters (unknown filter values narrow to nothing)."""
    now = now or timezone.now()
    cases = cases_visible_to(user).select_related("category", "grid")
    if state:
        cases = cases.filter(state=state)
    if category:
        cases = cases.filter(_category(category))
    if grid:
        cases = cases.filter(grid__code=grid)
    if colour:
        cases = cases.filter(deadlines.colour_filter(colour, now)) if colour in Colour.values else cases.none()
    if channel:
        cases = cases.filter(channel=channel)
    if q:
        cases = cases.filter(_search(q))
    return cases


def _category(code: str) -> Q:
    """The category or its children; a case not yet registered counts under its suggested category."""
    registered = Q(category__code=code) | Q(category__parent__code=code)
    suggested = Q(suggested_category__code=code) | Q(suggested_category__parent__code=code)
    return registered | (Q(category__isnull=True) & suggested)


def _search(q: str) -> Q:
    q = q.strip().lstrip("#")
    match = Q(description__icontains=q) | Q(address__icontains=q)
    return match | Q(pk=int(q)) if q.isdigit() else match


def state_counts(cases) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in the table's order, over the given cases."""
    counts = dict(cases.order_by().values_list("state").annotate(n=Count("id")))
    return [(value, label, counts.get(value, 0)) for value, label in CaseState.choices]


def colour_of(case: Case, now=None) -> str | None:
    return deadlines.colour(state=case.state, warn_at=case.warn_at, due_at=case.due_at, now=now or timezone.now())


def supervision(user, *, now=None) -> dict:
    """The yellow and red cases the user sees, most overdue first."""
    now = now or timezone.now()
    visible = cases_visible_to(user).filter(state__in=CLOCK_STATES).select_related("category", "grid")
    return {colour: list(visible.filter(deadlines.colour_filter(colour, now)).order_by("due_at", "id"))
            for colour in (Colour.RED, Colour.YELLOW)}


# --- the resident's tracking link ---------------------------------------------------------------------

def track_token(case: Case) -> str:
    """A secret, stable link token for one case: its id and a keyed hash of it."""
    return f"{case.pk}-{salted_hmac(TRACK_SALT, str(case.pk)).hexdigest()[:32]}"


def case_for_token(token: str) -> Case | None:
    head, _, mac = token.partition("-")
    if not head.isdigit():
        return None
    expected = salted_hmac(TRACK_SALT, head).hexdigest()[:32]
    if not hmac.compare_digest(expected, mac):
        return None
    return Case.objects.select_related("category").filter(pk=int(head)).first()


def public_track(case: Case):
    """The events a reporter may see: no internal notes, oldest first."""
    return case.events.filter(internal=False).prefetch_related("attachments").order_by("at", "id")


# --- the public board (公示) -------------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    case: Case
    before: list
    after: list


def public_notices(*, limit: int = PAGE_SIZE) -> list[Notice]:
    """Published closed cases with their photos before (report) and after (handling); no personal data."""
    cases = list(Case.objects.filter(published=True, state=CaseState.CLOSED)
                 .select_related("category", "grid").order_by("-published_at", "-id")[:limit])
    photos = (Attachment.objects.filter(case__in=cases).exclude(event__internal=True)
              .select_related("event").order_by("id"))
    before, after = {}, {}
    for photo in photos:
        side = before if photo.event is None or photo.event.action == "report" else after
        side.setdefault(photo.case_id, []).append(photo)
    return [Notice(c, before.get(c.pk, []), after.get(c.pk, [])) for c in cases]


def photos_by_side(case: Case, *, internal: bool = True) -> tuple[list, list]:
    """(before, after) photos of a case: those sent with the report, and those added while handling it;
    without `internal`, not those sent with an internal note."""
    photos = list(case.attachments.select_related("event").order_by("id"))
    if not internal:
        photos = [p for p in photos if p.event is None or not p.event.internal]
    before = [p for p in photos if p.event is None or p.event.action == "report"]
    return before, [p for p in photos if p not in before]


# --- who lands where, and the field worker's pages --------------------------------------------------------

ACTION_LABELS = {"report": "上报", **{action: spec.label for action, spec in TRANSITIONS.items()}}
DESK_ROLES = frozenset(CASE_STAFF - {"grid_worker"})


def form_id(offer: Offer) -> str:
    """A distinct HTML id pattern per offered form, so several forms can share one page."""
    return f"id_{offer.action}_{offer.order.pk if offer.order else 0}_%s"


def works_orders(user) -> bool:
    """Whoever may hold a work order: case staff, claimers and department members."""
    return user.is_authenticated and (user.role in CASE_STAFF | CLAIMERS or department_of(user) is not None)


def claims_orders(user) -> bool:
    return user.is_authenticated and user.role in CLAIMERS and bool(user.scope_code)


def home_for(user) -> str | None:
    """The case screen a role starts its day on, or None when cases are not its main work."""
    if not user.is_authenticated:
        return None
    if user.role in DESK_ROLES and user.scope_code:
        return "cases:queue"
    # Grid workers keep landing on their residents (their patrol work); 我的工单 is one tap away in the menu.
    if user.role in {"party_member", "volunteer", "department_staff"}:
        return "cases:orders"
    if user.role == "resident":
        return "cases:mine"
    return None


def order_get_for(user, order_id: int) -> WorkOrder:
    """A work order the user holds or held (as assignee or department member), on a case the user sees."""
    department = department_of(user)
    mine = Q(assignee=user) | (Q(department_id=department) if department else Q(pk__in=[]))
    orders = WorkOrder.objects.filter(mine, case__in=cases_visible_to(user)).select_related("case", "department")
    return get_object_or_404(orders, pk=order_id)


def my_reports(user):
    """The cases the user reported or joined ("me too"), newest first."""
    mine = Q(reported_by=user) | Q(pk__in=CaseReporter.objects.filter(user=user).values("case_id"))
    return cases_visible_to(user).filter(mine).select_related("category").order_by("-created_at", "-id")


def rating_open(case: Case) -> bool:
    """Closed and not yet rated since this close."""
    if case.state != CaseState.CLOSED:
        return False
    return case.rated_at is None or (case.closed_at is not None and case.rated_at < case.closed_at)


def labelled(events) -> list[tuple]:
    """(event, Chinese label of its action) for a timeline."""
    return [(e, ACTION_LABELS.get(e.action, e.action)) for e in events]


# Who sees which case screen in the menu (each view checks again).
QUEUE_ROLES = AREA_READERS
ORDER_ROLES = frozenset(CASE_STAFF | CLAIMERS | {"department_staff"})
RESIDENT_ROLES = frozenset({"resident"})


# --- measures (结案率, 按期结案率, 满意率) ------------------------------------------------------------------

STATS_ROLES = frozenset(CASE_STAFF | {"auditor"})
RATE_FIELDS = (("closing_rate", "结案率"), ("on_time_rate", "按期结案率"), ("satisfaction_rate", "满意率"))


def reads_stats(user) -> bool:
    return user.is_authenticated and user.role in STATS_ROLES and bool(user.scope_code)


def period_choices(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The periods offered with one click: this month so far, last month, this year so far, last year."""
    month = today.replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    year = today.replace(month=1, day=1)
    return [("本月", month, today), ("上月", last_month, month - dt.timedelta(days=1)),
            ("本年", year, today), ("上年", year.replace(year=year.year - 1), year - dt.timedelta(days=1))]


def period(start: str, end: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] dates from the query (ISO); by default this month so far, or last month while this
    month is less than a week old (on the 1st, "this month" is a day with nothing due yet). A bad date is a
    DomainError."""
    _, default_first, default_last = period_choices(today)[0 if today.day > 7 else 1]
    try:
        first = dt.date.fromisoformat(start) if start else default_first
        last = dt.date.fromisoformat(end) if end else default_last
    except ValueError:
        raise DomainError(f"日期格式错误：{start or end}（应为 YYYY-MM-DD）") from None
    if last < first:
        raise DomainError("结束日期不能早于开始日期")
    return first, last


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time(), TZ), dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), TZ))


def stats_for(user, *, first: dt.date, last: dt.date) -> dict:
    """The measures of the user's area, of each area below it, and the departments' league table."""
    start, end = _bounds(first, last)
    area = user.area
    children = [(child, measures.measures(start=start, end=end, area_code=child.code))
                for child in area_children(area)]
    league = measures.league_table(start=start, end=end, area_code=area.code)
    satisfaction = [measures.measures(start=start, end=end, area_code=area.code,
                                      department_id=row.department_id).satisfaction_rate for row in league]
    return {
        "area": area,
        "total": measures.measures(start=start, end=end, area_code=area.code),
        "children": children,
        "league": list(zip(league, satisfaction, strict=True)),
        "charts": {"areas": _chart([c.name for c, _ in children], [m for _, m in children]),
                   "league": league_chart(league, satisfaction)},
    }


def _number(value):
    return None if value is None else float(value)


def _series(rows: list, fields) -> list[dict]:
    return [{"name": label, "data": [_number(getattr(r, f)) for r in rows]} for f, label in fields]


def _chart(names: list[str], rows: list) -> dict:
    """What an ECharts bar chart needs: category names and one series per rate (null where nothing was due)."""
    return {"names": names, "series": _series(rows, RATE_FIELDS)}


def league_chart(rows, satisfaction: list) -> dict:
    """Departments' three rates, with the community's reverse evaluation (1–5) on a second axis."""
    series = _series(rows, RATE_FIELDS[:2]) + [
        {"name": "满意率", "data": [_number(v) for v in satisfaction]},
        {"name": "基层反向评价", "data": [r.reverse_score for r in rows], "axis": 1}]
    return {"names": [r.department for r in rows], "series": series}


def orders_to_rate(user, case: Case) -> list[WorkOrder]:
    """Whistle orders a department has answered and nobody has rated yet, when the user may rate departments."""
    if not (user.is_authenticated and user.role in RATERS_OF_DEPARTMENTS):
        return []
    return list(case.work_orders.exclude(whistle=Whistle.NONE).filter(
        department__isnull=False, signed_at__isnull=False, rating__isnull=True).select_related("department"))


# --- picking a building on the report form ---------------------------------------------------------------

BUILDING_MATCHES = 20


def buildings_matching(q: str) -> list:
    """Buildings whose estate or building name contains every word of `q` (names are public, not personal data)."""
    from gridgov.territory.models import Building

    words = q.split()
    if not words:
        return []
    found = Building.objects.select_related("estate")
    for word in words:
        found = found.filter(Q(name__icontains=word) | Q(estate__name__icontains=word) | Q(address__icontains=word))
    return list(found.order_by("estate__name", "name", "id")[:BUILDING_MATCHES])


def photo_response(attachment: Attachment) -> FileResponse:
    """The photo's bytes, never cached by shared caches (who may see it is checked per request)."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
