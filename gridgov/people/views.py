from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from gridgov.accounts.enums import LEDGER_IMPORTERS
from gridgov.people import selectors


@login_required
def resident_list(request):
    residents = selectors.residents_search(request.user, query=request.GET.get("q", ""),
                                           care_group=request.GET.get("care_group", ""))
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    return render(request, "people/resident_list.html", {"page": page, "q": request.GET.get("q", "")})


@login_required
def resident_detail(request, resident_id):
    resident = selectors.resident_get_for(request.user, resident_id)
    return render(request, "people/resident_detail.html", {
        "resident": resident, "moves": selectors.resident_history(resident),
        "care": selectors.resident_care_groups(resident),
    })


@login_required
def household_unverified(request):
    days = settings.GRIDGOV_UNVERIFIED_DAYS
    page = Paginator(selectors.households_unverified(request.user, days=days), 50).get_page(request.GET.get("page"))
    return render(request, "people/household_unverified.html", {"page": page, "days": days})


@login_required
def ledger_import(request):
    if request.user.role not in LEDGER_IMPORTERS:
        raise Http404
    return render(request, "people/import.html")
