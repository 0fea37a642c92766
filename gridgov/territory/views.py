from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from gridgov.accounts.enums import TERRITORY_READERS
from gridgov.territory import selectors
from gridgov.territory.figures import area_figures


def _map_config(*, under: int | None = None) -> dict:
    """What the map script needs, read by it from data- attributes (no inline script)."""
    query = f"?under={under}" if under else ""
    return {
        "areas_url": reverse("api:areas_geojson") + query,
        "buildings_url": reverse("api:buildings_geojson") + query,
        "area_url": reverse("territory:area", args=[0]),
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
    }


@login_required
def territory_map(request):
    if request.user.role not in TERRITORY_READERS or request.user.scope_code is None:
        raise Http404
    return render(request, "territory/map.html", {"map": _map_config()})


@login_required
def area_detail(request, area_id):
    area = selectors.area_get_for(request.user, area_id)
    return render(request, "territory/area_detail.html", {
        "area": area,
        "ancestors": selectors.area_ancestors_visible_to(request.user, area),
        "figures": area_figures(area),
        "children": selectors.area_children(area),
        "team": selectors.area_team(area),
        "map": _map_config(under=area.pk),
    })
