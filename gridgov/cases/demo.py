"""A year of plausible case history for the demo: every state, whistles, ratings, reworks.

Rows are simulated along the transition table and written with bulk_create (thousands of cases in
seconds); each case's event log follows the same path the transition function would have written.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.cases.enums import (
    CASE_STAFF,
    CLOCK_STATES,
    STAGE_OF_STATE,
    CaseState,
    Level,
    OrderState,
    Whistle,
)
from gridgov.cases.models import Case, CaseEvent, Category, Department, DepartmentRating, WorkOrder
from gridgov.cases.rollup import rollup_rebuild
from gridgov.cases.services import category_sync_from_catalogue, department_create
from gridgov.cases.triage.corpus import corpus_pairs
from gridgov.lib.workcal import CalendarUnknown
from gridgov.territory.enums import AreaKind
from gridgov.territory.models import Area

S = CaseState
TEXTS = {
    "占道": "{place}门口有人占道摆摊，影响通行", "垃圾": "{place}垃圾桶满了好几天没人清运，气味很大",
    "路灯": "{place}路灯不亮，晚上出行不安全", "漏水": "{place}楼道水管漏水", "噪音": "{place}夜间施工噪音扰民",
    "停车": "{place}车辆乱停乱放堵住消防通道", "井盖": "{place}井盖松动有安全隐患", "绿化": "{place}绿化带树木倒伏",
}
PLACES = ["小区东门", "3栋楼下", "菜市场", "幼儿园旁", "公交站", "社区广场", "老街口", "农贸市场"]
FALLBACK_CATALOGUE = [
    ("01", "市容环境", "镇综合行政执法大队", [("0101", "占道经营", ["占道", "摆摊"]), ("0102", "垃圾清运", ["垃圾"])]),
    ("02", "市政设施", "镇建设环保办", [("0201", "路灯损坏", ["路灯"]), ("0202", "井盖缺失", ["井盖"]),
                                     ("0203", "供水管网", ["漏水", "水管"])]),
    ("03", "社会秩序", "派出所", [("0301", "噪音扰民", ["噪音"]), ("0302", "违章停车", ["停车"])]),
    ("04", "园林绿化", "镇农业服务中心", [("0401", "树木倒伏", ["绿化", "树木"])]),
]
# Final states of the history and how often they occur among cases older than a fortnight.
ENDINGS = [(S.CLOSED, 86), (S.REJECTED, 4), (S.MERGED, 3), (S.REOPENED, 1), (S.SUSPENDED, 1), (S.VERIFIED, 1),
           (S.RESOLVED, 1), (S.HANDLING, 1), (S.DISPATCHED, 1), (S.CLAIMING, 1)]
RECENT = [(S.REPORTED, 15), (S.ACCEPTED, 10), (S.REGISTERED, 10), (S.WHISTLE_PENDING, 3), (S.CLAIMING, 5),
          (S.DISPATCHED, 15), (S.HANDLING, 20), (S.RESOLVED, 8), (S.VERIFIED, 5), (S.CLOSED, 9)]
PATH = [S.REPORTED, S.ACCEPTED, S.REGISTERED, S.DISPATCHED, S.HANDLING, S.RESOLVED, S.VERIFIED, S.CLOSED]


def _ensure_catalogue() -> list[Category]:
    if not Category.objects.filter(parent__isnull=False, is_active=True).exists():
        from pathlib import Path

        real = Path(__file__).parent / "triage" / "data" / "catalogue.json"
        if real.exists():
            category_sync_from_catalogue(real)
        else:
            for code, name, dept, children in FALLBACK_CATALOGUE:
                top = Category.objects.create(code=code, name=name, first_level="城乡建设",
                                              department=department_create(name=dept))
                for ccode, cname, words in children:
                    Category.objects.create(code=ccode, name=cname, parent=top, first_level="城乡建设",
                                            department=top.department, keywords=words)
    return list(Category.objects.filter(parent__isnull=False, is_active=True).select_related("department"))


@dataclass
class Sim:
    """One simulated case: the row, its work orders and its log."""

    case: Case
    orders: list = field(default_factory=list)
    events: list = field(default_factory=list)
    rating: tuple | None = None


# The corpus is written all over China; the demo street's queue should read as 界石镇's own. A text is
# local when it names the street's places, or names no province, city, county or district at all
# (once the common words that merely contain 市/区/县 are taken out).
LOCAL_PLACES = re.compile("界石|东城|龙岗|南湖|公平村|桥口坝|巴南")
NOT_PLACES = re.compile("小区|社区|城区|园区|景区|校区|片区|辖区|市场|超市|市民|城市|市容|市政|市面|区域|区别|县城|厂区|矿区|"
                        "山区|营业区|商业区|住宅区|居住区|宿舍区|教学区|办公区|街区|郊区|老区|新区|开发区|区里|市里|县里|"
                        "区政府|市政府|县政府|区委|市委|县委|市长|县长|区长|菜市|夜市|早市|门市|上市")
PLACE_WORDS = re.compile("[省市县区州]")


def reads_local(text: str) -> bool:
    return bool(LOCAL_PLACES.search(text)) or not PLACE_WORDS.search(NOT_PLACES.sub("", text))


class History:
    def __init__(self, *, seed: int, end: dt.datetime):
        from gridgov.cases.deadlines import calendar

        self.rng = random.Random(seed)
        self.end = end
        self.cal = calendar()
        self.grids = list(Area.objects.filter(kind=AreaKind.GRID).order_by("code"))
        if not self.grids:
            raise ValueError("没有网格：请先建立辖区")
        self.categories = _ensure_catalogue()
        # Texts of the triage corpus by leaf code, so a case reads like its category (own generator:
        # the history's other draws stay as they were); those set in another city are left out.
        self.texts: dict[str, list[str]] = {}
        for text, code in corpus_pairs():
            if reads_local(text):
                self.texts.setdefault(code, []).append(text)
        self.text_rng = random.Random(seed + 1)
        self.departments = list(Department.objects.filter(is_active=True).order_by("name"))
        staff = list(User.objects.filter(role__in=CASE_STAFF, area__isnull=False).select_related("area"))
        self.staff = staff
        self.residents = list(User.objects.filter(role="resident")[:200])
        self.raters = [u for u in staff if u.role in ("community_staff", "community_secretary", "command_centre")]

    def working(self, start, hours: float) -> dt.datetime:
        try:
            return self.cal.add_working_hours(start, hours)
        except CalendarUnknown:
            return start + dt.timedelta(hours=hours * 24 / 7)

    def staff_for(self, code: str):
        near = [u for u in self.staff if code.startswith(u.area.code)]
        return self.rng.choice(near) if near else None

    def ending(self, created) -> str:
        table = RECENT if self.end - created < dt.timedelta(days=14) else ENDINGS
        return self.rng.choices([s for s, _ in table], [w for _, w in table])[0]

    def point(self, grid: Area) -> tuple[float, float]:
        ring = (grid.boundary or {}).get("coordinates", [[[0, 0]]])[0]
        if grid.boundary and grid.boundary.get("type") == "Polygon" and len(ring) >= 4:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            return (grid.centre_lat or (min(ys) + max(ys)) / 2) + self.rng.uniform(-1, 1) * (max(ys) - min(ys)) / 8, \
                (grid.centre_lng or (min(xs) + max(xs)) / 2) + self.rng.uniform(-1, 1) * (max(xs) - min(xs)) / 8
        return grid.centre_lat or 29.39, grid.centre_lng or 106.62

    def created_at(self) -> dt.datetime:
        day = self.end - dt.timedelta(days=self.rng.uniform(0, 365))
        local = timezone.localtime(day).replace(hour=self.rng.choice([8, 9, 10, 11, 14, 15, 16, 19, 21]),
                                               minute=self.rng.randrange(60))
        return min(local, self.end - dt.timedelta(minutes=5))

    def description(self, category: Category, word: str) -> str:
        place = self.rng.choice(PLACES)
        texts = self.texts.get(category.code)
        return self.text_rng.choice(texts) if texts else TEXTS[word].format(place=place)

    def one(self, forced: str | None = None) -> Sim:
        rng = self.rng
        grid = rng.choice(self.grids)
        category = rng.choice(self.categories)
        word = rng.choice(list(TEXTS))
        # Cases made to end in a given state start a month back, so that their path fits before `end`.
        created = self.end - dt.timedelta(days=30) if forced else self.created_at()
        lat, lng = self.point(grid)
        reporter = rng.choice(self.residents) if self.residents and rng.random() < 0.6 else None
        case = Case(channel=rng.choice(["app", "app", "patrol", "patrol", "hotline", "walk_in", "api"]),
                    description=self.description(category, word), lat=lat, lng=lng, grid=grid,
                    area_code=grid.code, reported_by=reporter, created_at=created, suggested_category=category,
                    reporter_phone=f"139{rng.randrange(10**8):08d}" if rng.random() < 0.4 else "",
                    level=rng.choices(list(Level), [70, 20, 8, 2])[0])
        sim = Sim(case)
        self.walk(sim, forced or self.ending(created), category)
        return sim

    def log(self, sim: Sim, action: str, before: str, after: str, at, by=None, **data):
        sim.events.append(CaseEvent(action=action, from_state=before, to_state=after, by=by, at=at, data=data))
        sim.case.state = after

    def walk(self, sim: Sim, ending: str, category: Category):
        rng, case = self.rng, sim.case
        by = self.staff_for(case.area_code)
        at = case.created_at
        self.log(sim, "report", S.REPORTED, S.REPORTED, at, case.reported_by, channel=case.channel)
        if ending == S.REPORTED:
            return self.clock(case, at, category)
        at = self.working(at, rng.uniform(0.2, 2.5))
        if ending in (S.REJECTED, S.MERGED):
            case.reject_reason = "不属于本辖区受理范围" if ending == S.REJECTED else ""
            case.outcome = "duplicate" if ending == S.MERGED else ""
            self.log(sim, "reject" if ending == S.REJECTED else "merge", S.REPORTED, ending, at, by)
            return self.clock(case, at, category)
        case.accepted_at = at
        self.log(sim, "accept", S.REPORTED, S.ACCEPTED, at, by)
        if ending == S.ACCEPTED:
            return self.clock(case, at, category)
        at = self.working(at, rng.uniform(0.5, 3.5))
        case.registered_at, case.category, case.affair_kind = at, category, rng.choice(["public", "shared",
                                                                                         "household"])
        case.whistle = rng.choices(list(Whistle), [85, 10, 3, 2])[0]
        self.log(sim, "register", S.ACCEPTED, S.REGISTERED, at, by, category=category.code)
        if ending in (S.REGISTERED, S.SUSPENDED, S.WHISTLE_PENDING):
            if ending != S.REGISTERED:
                action = "suspend" if ending == S.SUSPENDED else "request_whistle"
                case.paused_from, case.paused_at = (S.REGISTERED, at) if ending == S.SUSPENDED else ("", None)
                self.log(sim, action, S.REGISTERED, ending, at, by)
            return self.clock(case, at, category)
        at = self.working(at, rng.uniform(0.2, 3.5))
        self.dispatch(sim, at, category, claim=ending == S.CLAIMING)
        if ending in (S.CLAIMING, S.DISPATCHED):
            return self.clock(case, at, category)
        self.finish(sim, at, ending, by, category)

    def dispatch(self, sim: Sim, at, category: Category, *, claim: bool):
        rng, case = self.rng, sim.case
        department = category.department or (rng.choice(self.departments) if self.departments else None)
        resolve = self.working(at, 7 * rng.choice([3, 5, 5, 7]))
        whistle = case.whistle if department is not None else Whistle.NONE
        order = WorkOrder(role="lead", department=None if claim else department, claimable=claim, whistle=whistle,
                          created_at=at, sign_due_at=None if claim else self.working(at, 1), resolve_due_at=resolve)
        sim.orders.append(order)
        case.dispatched_at, case.deadline_at, case.lead_department = at, resolve, order.department
        action = "open_claim" if claim else ("whistle" if whistle != Whistle.NONE else "dispatch")
        self.log(sim, action, S.REGISTERED, S.CLAIMING if claim else S.DISPATCHED, at)

    def finish(self, sim: Sim, at, ending: str, by, category: Category):
        rng, case, order = self.rng, sim.case, sim.orders[0]
        late = rng.random() < 0.2
        order.signed_at = at + dt.timedelta(minutes=rng.choice([10, 30, 50, 50, 90 if late else 40]))
        order.state = OrderState.SIGNED
        self.log(sim, "sign", S.DISPATCHED, S.HANDLING, order.signed_at)
        if ending == S.HANDLING:
            return self.clock(case, at, category, order.resolve_due_at)
        span = order.resolve_due_at - at
        done = at + span * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.9))
        if done >= self.end:
            return self.clock(case, at, category, order.resolve_due_at)
        order.resolved_at, order.state, case.resolved_at = done, OrderState.DONE, done
        case.result = "已现场处置完毕"
        self.log(sim, "resolve", S.HANDLING, S.RESOLVED, done)
        if order.whistle != Whistle.NONE and order.department_id and self.raters and rng.random() < 0.7:
            sim.rating = (rng.choice(self.raters), rng.choices([5, 4, 3, 2, 1], [40, 35, 15, 7, 3])[0])
        if ending == S.RESOLVED:
            return self.clock(case, done, category)
        case.verified_at = done + dt.timedelta(hours=rng.uniform(0.5, 20))
        self.log(sim, "verify", S.RESOLVED, S.VERIFIED, case.verified_at, by)
        if ending == S.VERIFIED:
            return self.clock(case, case.verified_at, category)
        case.closed_at, case.outcome = case.verified_at + dt.timedelta(hours=rng.uniform(0.1, 4)), "fixed"
        self.log(sim, "close", S.VERIFIED, S.CLOSED, case.closed_at, by)
        self.rate(sim, ending, by, category)

    def rate(self, sim: Sim, ending: str, by, category: Category):
        rng, case = self.rng, sim.case
        rated = case.closed_at + dt.timedelta(days=rng.uniform(0.5, 3))
        if ending != S.REOPENED and (rated >= self.end or rng.random() < 0.25):
            return self.clock(case, case.closed_at, category)
        case.rating = "unsatisfied" if ending == S.REOPENED else rng.choices(
            ["satisfied", "basic", "unsatisfied"], [85, 11, 4])[0]
        case.rated_at = rated
        self.log(sim, "rate", S.CLOSED, S.CLOSED, rated, case.reported_by, rating=case.rating)
        if case.rating != "unsatisfied":
            return self.clock(case, rated, category)
        self.log(sim, "reopen", S.CLOSED, S.REOPENED, rated, case.reported_by)
        case.closed_at, case.outcome = None, ""
        if ending == S.REOPENED:
            return self.clock(case, rated, category)
        redo = self.working(rated, 2)
        case.rework_count, case.reworked = 1, True
        sim.orders[0].rework_count = 1
        self.log(sim, "dispatch", S.REOPENED, S.DISPATCHED, redo, by)
        self.log(sim, "sign", S.DISPATCHED, S.HANDLING, redo + dt.timedelta(minutes=20))
        self.log(sim, "resolve", S.HANDLING, S.RESOLVED, redo + dt.timedelta(days=1))
        self.log(sim, "verify", S.RESOLVED, S.VERIFIED, redo + dt.timedelta(days=1, hours=2), by)
        case.closed_at, case.outcome = redo + dt.timedelta(days=1, hours=3), "fixed"
        self.log(sim, "close", S.VERIFIED, S.CLOSED, case.closed_at, by)
        self.clock(case, case.closed_at, category)

    def clock(self, case: Case, since, category: Category, due=None):
        """The open stage's columns, as the transition function would have left them."""
        stage = STAGE_OF_STATE.get(case.state)
        if case.state not in CLOCK_STATES or stage is None:
            return
        from gridgov.cases.deadlines import stage_clock

        try:
            warn, stage_due = stage_clock(category=case.category or category, stage=stage, start=since, cal=self.cal)
        except Exception:  # an unknown calendar year: leave the clock unset rather than guess
            return
        case.stage_started_at, case.warn_at, case.due_at = since, warn, due or stage_due
        case.remind_at, case.escalate_at = None, case.due_at + dt.timedelta(days=1)


@transaction.atomic
def create_case_history(*, seed: int = 7, count: int = 3000, end: dt.datetime | None = None) -> int:
    """Write `count` cases of a year ending at `end` (default now) on the existing territory; returns count."""
    history = History(seed=seed, end=end or timezone.now())
    forced = [S.REPORTED, S.ACCEPTED, S.REJECTED, S.MERGED, S.REGISTERED, S.WHISTLE_PENDING, S.CLAIMING,
              S.DISPATCHED, S.HANDLING, S.RESOLVED, S.VERIFIED, S.CLOSED, S.REOPENED, S.SUSPENDED]
    sims = [history.one(forced[i] if i < len(forced) else None) for i in range(count)]
    Case.objects.bulk_create([s.case for s in sims], batch_size=500)
    orders, events = [], []
    for sim in sims:
        for order in sim.orders:
            order.case, order.area_code = sim.case, sim.case.area_code
            orders.append(order)
        for event in sim.events:
            event.case = sim.case
            events.append(event)
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    DepartmentRating.objects.bulk_create([
        DepartmentRating(work_order=s.orders[0], department_id=s.orders[0].department_id, score=s.rating[1],
                         by=s.rating[0]) for s in sims if s.rating], batch_size=500)
    rollup_rebuild()  # the rows above went around the write path: count the measures' rollup from them
    return count
