"""Case screens: the desk queue and case page, the field worker's phone pages, the resident's pages, the public board.

Reads go through gridgov.cases.selectors (out of scope is 404); every change goes through
`case_intake` or `case_transition`, whose errors are shown as they are.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gridgov.cases import screens, selectors
from gridgov.cases.enums import TRANSITIONS, CaseState, Channel, Colour
from gridgov.cases.forms import PHOTO_ACTIONS, DepartmentRatingForm, RateForm, ReportForm, action_form
from gridgov.cases.services import Photo, case_intake, case_transition, department_rate
from gridgov.core.errors import DomainError
from gridgov.territory.enums import AreaKind
from gridgov.territory.models import Area

FILTERS = ("state", "category", "grid", "colour", "channel", "q")


def _photos(request) -> list[Photo]:
    return [Photo(name=f.name, data=f.read()) for f in request.FILES.getlist("photos")]


def _next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _refused(request, error: DomainError, back: str):
    return render(request, "cases/refused.html", {"error": error, "back": back}, status=error.status)


# --- the desk: queue, case page, supervision board ------------------------------------------------------

def _need_queue_reader(user) -> None:
    if not screens.reads_queue(user):
        raise Http404


@login_required
def queue(request):
    _need_queue_reader(request.user)
    params = {name: request.GET.get(name, "").strip() for name in FILTERS}
    cases = screens.queue(request.user, **params)
    page = Paginator(cases, screens.PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    unfiltered = screens.queue(request.user, **{**params, "state": ""})
    return render(request, "cases/queue.html", {
        "page": page, "rows": [(c, screens.colour_of(c, now)) for c in page], "params": params,
        "counts": screens.state_counts(unfiltered), "total": page.paginator.count,
        "states": CaseState.choices, "colours": Colour.choices, "channels": Channel.choices,
        "grids": Area.objects.filter(kind=AreaKind.GRID, code__subtree=request.user.scope_code).order_by("code"),
    })


@login_required
def case_detail(request, case_id):
    case = selectors.case_get_for(request.user, case_id)
    offers = screens.actions_for(request.user, case)
    staff_view = selectors.sees_internal(request.user, case)
    before, after = screens.photos_by_side(case, internal=staff_view)
    return render(request, "cases/case_detail.html", {
        "case": case, "colour": screens.colour_of(case), "staff_view": staff_view,
        "events": screens.labelled(selectors.case_events_for(request.user, case)),
        "orders": case.work_orders.select_related("department", "assignee"),
        "before": before, "after": after,
        "forms": [(o, action_form(o.action, case=case, auto_id=screens.form_id(o))) for o in offers],
        "photo_actions": PHOTO_ACTIONS, "track_url": _track_url(case) if staff_view else "",
        "tile_url": settings.GRIDGOV_TILE_URL,
        "to_rate": [(o, DepartmentRatingForm(auto_id=f"id_rate_order_{o.pk}_%s"))
                    for o in screens.orders_to_rate(request.user, case)],
    })


def _track_url(case) -> str:
    return reverse("cases:track", args=[screens.track_token(case)])


@login_required
@require_POST
def case_act(request, case_id, action):
    """Apply one action to a case; the transition function decides whether the user may."""
    case = selectors.case_get_for(request.user, case_id)
    if action not in TRANSITIONS or action in screens.HIDDEN_ACTIONS:
        raise Http404
    back = _next(request, reverse("cases:case", args=[case.pk]))
    form = action_form(action, case=case, data=request.POST)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}"
                          f"{' '.join(v)}" for k, v in form.errors.items())
        return _refused(request, DomainError(f"{TRANSITIONS[action].label}未完成：{errors}"), back)
    order = request.POST.get("work_order") or None
    try:
        case_transition(case=case, action=action, by=request.user, work_order=int(order) if order else None,
                        photos=_photos(request) if action in PHOTO_ACTIONS else (), **form.transition_args())
    except (DomainError, ValueError) as exc:
        error = exc if isinstance(exc, DomainError) else DomainError(f"参数错误：{exc}")
        return _refused(request, error, back)
    messages.success(request, f"事件#{case.pk}已{TRANSITIONS[action].label}")
    return redirect(back)


@login_required
@require_POST
def rate_department(request, case_id, order_id):
    """基层反向评价 of a department's answer to a whistle on this case."""
    case = selectors.case_get_for(request.user, case_id)
    order = get_object_or_404(case.work_orders.all(), pk=order_id)
    back = reverse("cases:case", args=[case.pk])
    form = DepartmentRatingForm(request.POST)
    if not form.is_valid():
        return _refused(request, DomainError("请选择1到5分"), back)
    try:
        department_rate(work_order=order, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc, back)
    messages.success(request, f"已评价{order.department}：{form.cleaned_data['score']}分")
    return redirect(back)


@login_required
def board(request):
    _need_queue_reader(request.user)
    now = timezone.now()
    groups = screens.supervision(request.user, now=now)
    return render(request, "cases/board.html", {"groups": [
        ("超期（红灯）", Colour.RED, groups[Colour.RED]), ("临期（黄灯）", Colour.YELLOW, groups[Colour.YELLOW])]})


@login_required
def stats(request):
    """结案率, 按期结案率, 满意率 of the user's area and the areas below it; the departments' league table."""
    if not screens.reads_stats(request.user):
        raise Http404
    try:
        first, last = screens.period(request.GET.get("start", ""), request.GET.get("end", ""),
                                     today=timezone.localdate())
    except DomainError as exc:
        return _refused(request, exc, reverse("cases:stats"))
    return render(request, "cases/stats.html", {"first": first, "last": last,
                                                "choices": screens.period_choices(timezone.localdate()),
                                                **screens.stats_for(request.user, first=first, last=last)})


# --- the field: my work orders, claimable tasks, one work order --------------------------------------------

@login_required
def orders_mine(request):
    orders = list(selectors.work_orders_mine(request.user).order_by("resolve_due_at", "id"))
    if not orders and not screens.works_orders(request.user):
        raise Http404
    now = timezone.now()
    return render(request, "cases/orders_mine.html", {"rows": [(o, screens.colour_of(o.case, now)) for o in orders]})


def _position(request) -> tuple[float | None, float | None]:
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return None, None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else (None, None)


@login_required
def orders_claimable(request):
    if not screens.claims_orders(request.user):
        raise Http404
    lat, lng = _position(request)
    orders = selectors.work_orders_claimable_for(request.user, lat=lat, lng=lng)
    return render(request, "cases/orders_claimable.html", {"orders": orders, "lat": lat, "lng": lng})


@login_required
def order_detail(request, order_id):
    order = screens.order_get_for(request.user, order_id)
    case = order.case
    offers = [o for o in screens.actions_for(request.user, case) if o.order is not None and o.order.pk == order.pk]
    before, after = screens.photos_by_side(case, internal=selectors.sees_internal(request.user, case))
    return render(request, "cases/order_detail.html", {
        "order": order, "case": case, "before": before, "after": after,
        "forms": [(o, action_form(o.action, case=case, auto_id=screens.form_id(o))) for o in offers],
        "photo_actions": PHOTO_ACTIONS, "tile_url": settings.GRIDGOV_TILE_URL,
    })


# --- the resident: report, my reports, tracking link, rating --------------------------------------------

RESIDENT_LOGIN = "accounts:phone_login"


@login_required(login_url=RESIDENT_LOGIN)
def report(request):
    form = ReportForm(request.POST or None, initial={"reporter_phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = case_intake(
                channel=Channel.APP, description=d["description"], by=request.user, lat=d["lat"], lng=d["lng"],
                building=d["building"], address=d["address"], reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"], anonymous=d["anonymous"], photos=_photos(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已收到您的反映，编号#{result.case.pk}。请保存本页链接以便查询进度。")
            return redirect("cases:track", token=screens.track_token(result.case))
    return render(request, "cases/report.html", {"form": form, "max_photos": 9,
                                                 "tile_url": settings.GRIDGOV_TILE_URL})


@login_required(login_url=RESIDENT_LOGIN)
def buildings(request):
    """<option>s of buildings matching ?building_q=, for the report form's building picker (htmx)."""
    return render(request, "cases/_building_options.html",
                  {"buildings": screens.buildings_matching(request.GET.get("building_q", "")[:50])})


@login_required(login_url=RESIDENT_LOGIN)
def my_reports(request):
    cases = screens.my_reports(request.user)
    return render(request, "cases/my_reports.html", {
        "rows": [(c, screens.track_token(c)) for c in cases]})


def track(request, token):
    """The reporter's progress page, reached by its secret link; no internal notes, no staff names."""
    case = screens.case_for_token(token)
    if case is None:
        raise Http404
    before, after = screens.photos_by_side(case, internal=False)
    may_rate = request.user.is_authenticated and any(
        o.action == "rate" for o in screens.actions_for(request.user, case))
    return render(request, "cases/track.html", {
        "case": case, "events": screens.labelled(screens.public_track(case)), "before": before, "after": after,
        "photo_token": token,
        "rate_form": RateForm(auto_id="id_rate_%s") if may_rate else None,
    })


def photo(request, attachment_id):
    """One photo, after the same checks as the page that shows it (`?t=` carries a tracking link's token)."""
    tracked = screens.case_for_token(request.GET.get("t", "")) if request.GET.get("t") else None
    attachment = selectors.attachment_get_for(request.user, attachment_id,
                                              tracked_case_id=tracked.pk if tracked else None)
    return screens.photo_response(attachment)


def public_board(request):
    return render(request, "cases/public_board.html", {"notices": screens.public_notices()})
