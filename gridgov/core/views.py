from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from gridgov.accounts.enums import PEOPLE_READERS, TERRITORY_READERS
from gridgov.cases.screens import home_for


@login_required
def home(request):
    """Each role lands where its work is."""
    if target := home_for(request.user):
        return redirect(target)
    if request.user.role in PEOPLE_READERS:
        return redirect("people:residents")
    if request.user.role in TERRITORY_READERS:
        return redirect("territory:map")
    return render(request, "home.html")


def healthz(request):
    return JsonResponse({"ok": True})
