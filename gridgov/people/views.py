"""Pages of the population base. Reads through the selectors, writes through the services."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.accounts.enums import LEDGER_IMPORTERS, PEOPLE_READERS, PEOPLE_WRITERS, PII_REVEALERS
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib.net import client_ip
from gridgov.people import forms, ledger, selectors, services
from gridgov.territory import selectors as territory
from gridgov.territory.enums import AreaKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _role_required(roles):
    """Signed in (else to the login page) and of one of `roles` (else 403)."""
    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("您的角色不能访问此页面")
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


readers_only = _role_required(PEOPLE_READERS)
writers_only = _role_required(PEOPLE_WRITERS)


def _page(request, queryset):
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _grids(user):
    return territory.areas_visible_to(user).filter(kind=AreaKind.GRID).order_by("code")


@readers_only
def resident_list(request):
    grids = list(_grids(request.user))
    form = forms.ResidentFilterForm(request.GET or None, grids=grids)
    filters = form.cleaned_data if form.is_valid() else {}
    residents = selectors.residents_search(request.user, query=filters.get("q", ""),
                                           care_group=filters.get("care_group", ""),
                                           area_code=filters.get("grid", ""))
    return render(request, "people/resident_list.html", {
        "page": _page(request, residents), "form": form,
        "can_export": request.user.role in ledger.LEDGER_EXPORTERS, "grid": filters.get("grid", ""),
    })


@readers_only
def resident_detail(request, resident_id):
    resident = selectors.resident_get_for(request.user, resident_id)
    return render(request, "people/resident_detail.html", {
        "resident": resident, "household": resident.household, "moves": selectors.resident_history(resident),
        "care": selectors.resident_care_groups(resident), "care_all": resident.care.order_by("valid_from"),
        "can_reveal": request.user.role in PII_REVEALERS, "can_write": request.user.role in PEOPLE_WRITERS,
    })


@readers_only
def resident_reveal(request, resident_id):
    """htmx: GET swaps the 「查看」 button for a reason form; POST swaps in the full value (logged)."""
    resident = selectors.resident_get_for(request.user, resident_id)
    if request.user.role not in PII_REVEALERS:
        raise PermissionDenied("您的角色无权查看完整个人信息")
    form = forms.RevealForm(request.POST or None, initial={"field": request.GET.get("field", "id_number")})
    context = {"resident": resident, "form": form, "field": form["field"].value()}
    if request.method == "POST" and form.is_valid():
        try:
            context["value"] = services.resident_reveal(
                user=request.user, resident=resident, field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"], ip=client_ip(request))
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "people/_reveal.html", context)


def _write(request, form, action) -> bool:
    """Run `action()` (a service call) when the form is valid; a refused write is a 403."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True


@writers_only
def resident_move_out(request, resident_id):
    resident = selectors.resident_get_for(request.user, resident_id)
    form = forms.MoveOutForm(request.POST or None)
    if _write(request, form, lambda: services.resident_move_out(resident=resident, by=request.user,
                                                                 **form.cleaned_data)):
        messages.success(request, f"已登记 {resident.name} 迁出")
        return redirect("people:resident", resident.pk)
    return render(request, "people/move_form.html", {"form": form, "title": f"登记迁出：{resident.name}",
                                                       "back": resident})


@readers_only
def household_detail(request, household_id):
    household = selectors.household_get_for(request.user, household_id)
    return render(request, "people/household_detail.html", {
        "household": household, "members": household.members.order_by("-is_active", "id"),
        "moves": selectors.household_history(household), "dwellings": selectors.household_dwellings(household),
        "can_write": request.user.role in PEOPLE_WRITERS,
    })


@writers_only
def household_move_within(request, household_id):
    household = selectors.household_get_for(request.user, household_id)
    dwellings = (territory.dwellings_visible_to(request.user).exclude(pk=household.dwelling_id)
                 .select_related("building__estate"))
    form = forms.MoveWithinForm(request.POST or None, dwellings=dwellings)
    if _write(request, form, lambda: services.household_move_within(household=household, by=request.user,
                                                                     **form.cleaned_data)):
        messages.success(request, f"户 {household.number} 已迁至 {household.dwelling}")
        return redirect("people:household", household.pk)
    return render(request, "people/move_form.html", {"form": form, "title": f"辖区内迁居：户 {household.number}",
                                                       "back": household})


@writers_only
@require_POST
def household_verify(request, household_id):
    household = selectors.household_get_for(request.user, household_id)
    try:
        services.household_verify(household=household, on=timezone.localdate(), by=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"户 {household.number} 已核实")
    target = request.POST.get("next", "")
    if target.startswith("/people/"):
        return redirect(target)
    return redirect("people:household", household.pk)


def _days(request) -> int:
    try:
        return max(int(request.GET.get("days", "")), 0)
    except ValueError:
        return settings.GRIDGOV_UNVERIFIED_DAYS


@readers_only
def household_unverified(request):
    days = _days(request)
    return render(request, "people/household_unverified.html", {
        "page": _page(request, selectors.households_unverified(request.user, days=days)), "days": days,
        "can_write": request.user.role in PEOPLE_WRITERS,
    })


@readers_only
def party_list(request):
    return render(request, "people/party_list.html", {
        "organisations": selectors.party_organisations_visible_to(request.user),
        "page": _page(request, selectors.party_members_of(request.user)),
        "party_households": selectors.party_households_visible_to(request.user)[:200],
    })


@_role_required(LEDGER_IMPORTERS)
def ledger_import(request):
    form = forms.LedgerImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledger.ledger_import(file=upload, user=request.user, dry_run=form.cleaned_data["dry_run"],
                                          filename=upload.name, ip=client_ip(request))
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(request, "people/import.html", {"form": form, "result": result})


@_role_required(LEDGER_IMPORTERS)
def ledger_template(request):
    return _xlsx(ledger.template_bytes(), "population-ledger-template.xlsx")


@_role_required(ledger.LEDGER_EXPORTERS)
def ledger_export(request):
    try:
        content, _ = ledger.ledger_export(user=request.user, area_code=request.GET.get("area", ""),
                                          ip=client_ip(request))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        raise
    area = request.GET.get("area", "") or request.user.scope_code
    return _xlsx(content, f"ledger-{area}-{timezone.localdate():%Y%m%d}.xlsx")
