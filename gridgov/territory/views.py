from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def territory_map(request):
    return render(request, "territory/map.html")
