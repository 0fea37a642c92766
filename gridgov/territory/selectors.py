"""Scoped reads of the territory. Nothing else queries areas or buildings for a user."""

import datetime as dt
import threading

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridgov.accounts.enums import TERRITORY_READERS
from gridgov.lib.geo import AreaIndex, parse_boundary
from gridgov.territory.enums import AreaKind, Duty
from gridgov.territory.models import Area, Assignment, Building, Dwelling


def _scope(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or user.role not in TERRITORY_READERS:
        return None
    return user.scope_code


def areas_visible_to(user):
    code = _scope(user)
    if code is None:
        return Area.objects.none()
    return Area.objects.filter(code__subtree=code)


def area_get_for(user, area_id: int) -> Area:
    return get_object_or_404(areas_visible_to(user), pk=area_id)


def buildings_visible_to(user):
    code = _scope(user)
    if code is None:
        return Building.objects.none()
    # A steward of a tower's floor band sees the tower too.
    return Building.objects.filter(
        Q(area_code__subtree=code) | Q(pk__in=Dwelling.objects.filter(area_code__subtree=code).values("building_id"))
    )


def building_get_for(user, building_id: int) -> Building:
    return get_object_or_404(buildings_visible_to(user).select_related("estate", "microgrid"), pk=building_id)


def dwellings_visible_to(user):
    code = _scope(user)
    if code is None:
        return Dwelling.objects.none()
    return Dwelling.objects.filter(area_code__subtree=code)


def area_ancestors(area: Area) -> list[Area]:
    """The area's ancestors from the top, found by code prefix (one query)."""
    from gridgov.territory.enums import CODE_LENGTH

    prefixes = [area.code[:n] for n in sorted(CODE_LENGTH.values()) if n < len(area.code)]
    return list(Area.objects.filter(code__in=prefixes).order_by("code"))


def area_ancestors_visible_to(user, area: Area) -> list[Area]:
    """The area's ancestors the user may see (their own area and below), from the top."""
    code = _scope(user) or "\0"
    return [a for a in area_ancestors(area) if a.code.startswith(code)]


def area_children(area: Area):
    return Area.objects.filter(parent=area).order_by("code")


def areas_under(area: Area):
    """The area and its whole subtree."""
    return Area.objects.filter(code__subtree=area.code).order_by("code")


def area_team(area: Area, *, on: dt.date | None = None) -> list[Assignment]:
    """The area's current team (1+3+N on a grid, the steward on a microgrid), leaders first."""
    on = on or timezone.localdate()
    team = (Assignment.objects.filter(area=area, since__lte=on)
            .filter(Q(until__isnull=True) | Q(until__gte=on)).select_related("user"))
    order = {duty: i for i, duty in enumerate(Duty.values)}
    return sorted(team, key=lambda a: (order[a.duty], a.user.display_name or a.user.username, a.pk))


# --- point → grid ---------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_cache: dict = {"version": None, "grids": None, "microgrids": None}


def _territory_version():
    figures = Area.objects.filter(kind__in=[AreaKind.GRID, AreaKind.MICROGRID]).aggregate(
        changed=Max("updated_at"), count=Count("id"),
    )
    return figures["changed"], figures["count"]


def _build(kind: str) -> AreaIndex | None:
    rows = list(Area.objects.filter(kind=kind, boundary__isnull=False).values_list("id", "boundary"))
    if not rows:
        return None
    return AreaIndex([pk for pk, _ in rows], [parse_boundary(b) for _, b in rows])


def area_indexes() -> tuple[AreaIndex | None, AreaIndex | None]:
    """The STRtree indexes of grids and microgrids, rebuilt when any boundary changed."""
    version = _territory_version()
    with _index_lock:
        if _index_cache["version"] != version:
            _index_cache.update(version=version, grids=_build(AreaKind.GRID), microgrids=_build(AreaKind.MICROGRID))
        return _index_cache["grids"], _index_cache["microgrids"]


def locate(lat: float, lng: float) -> tuple[Area | None, Area | None]:
    """The grid and microgrid containing the point; (None, None) when it is on no grid."""
    grids, microgrids = area_indexes()
    grid_id = grids.locate(lng, lat) if grids else None
    micro_id = microgrids.locate(lng, lat) if microgrids else None
    found = Area.objects.in_bulk([pk for pk in (grid_id, micro_id) if pk])
    return found.get(grid_id), found.get(micro_id)


def locate_many(points: list[tuple[float, float]]) -> list[int | None]:
    """[(lat, lng), …] → grid ids (None off every grid), for batch work and the benchmark."""
    grids, _ = area_indexes()
    if grids is None:
        return [None] * len(points)
    return grids.locate_many([(lng, lat) for lat, lng in points])
