import datetime as dt
from typing import Literal

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gridgov.territory import geojson, selectors
from gridgov.territory.enums import AreaKind
from gridgov.territory.figures import area_figures

router = Router(tags=["辖区"])


class AreaOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None


class CareGroupFigureOut(Schema):
    group: str
    label: str
    count: int


class FiguresOut(Schema):
    households: int
    residents: int
    buildings: int
    care_groups: list[CareGroupFigureOut]


class TeamMemberOut(Schema):
    duty: str
    duty_label: str
    user_id: int
    name: str
    since: dt.date


class AreaDetailOut(AreaOut):
    centre_lat: float | None
    centre_lng: float | None
    figures: FiguresOut
    children: list[AreaOut]
    team: list[TeamMemberOut]


class AreaPropertiesOut(Schema):
    kind: str
    code: str
    name: str
    parent_code: str


class AreaFeatureOut(Schema):
    type: Literal["Feature"]
    id: int
    geometry: dict | None
    properties: AreaPropertiesOut


class AreaCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[AreaFeatureOut]


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    estate: str
    microgrid_id: int
    area_code: str
    lat: float
    lng: float
    entrances: int
    floors: int
    address: str

    @staticmethod
    def resolve_estate(obj):
        return obj.estate.name


class PointOut(Schema):
    type: Literal["Point"]
    coordinates: list[float]


class BuildingPropertiesOut(Schema):
    code: str
    name: str
    area_code: str
    floors: int
    entrances: int


class BuildingFeatureOut(Schema):
    type: Literal["Feature"]
    id: int
    geometry: PointOut
    properties: BuildingPropertiesOut


class BuildingCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[BuildingFeatureOut]


class LocateOut(Schema):
    grid: AreaOut | None
    microgrid: AreaOut | None


def _areas(request, kind: str, under: int | None):
    areas = selectors.areas_visible_to(request.user)
    if under is not None:
        areas = areas.filter(code__subtree=selectors.area_get_for(request.user, under).code)
    return areas.filter(kind=kind) if kind else areas


def _buildings(request, under: int | None):
    buildings = selectors.buildings_visible_to(request.user).select_related("estate")
    if under is not None:
        buildings = buildings.filter(area_code__subtree=selectors.area_get_for(request.user, under).code)
    return buildings.order_by("code")


@router.get("/areas", response=list[AreaOut], summary="我管辖范围内的区域")
def list_areas(request, kind: AreaKind | Literal[""] = "", under: int | None = None):
    return _areas(request, kind, under)


@router.get("/areas.geojson", response=AreaCollectionOut, summary="区域边界（GeoJSON，仅含有边界的区域）")
def areas_geojson(request, kind: AreaKind | Literal[""] = "", under: int | None = None):
    areas = _areas(request, kind, under).filter(boundary__isnull=False)
    return geojson.feature_collection(geojson.area_feature(a) for a in areas)


@router.get("/areas/{area_id}", response=AreaDetailOut, summary="区域详情：统计、下级区域、网格力量")
def get_area(request, area_id: int):
    area = selectors.area_get_for(request.user, area_id)
    team = [{"duty": a.duty, "duty_label": a.get_duty_display(), "user_id": a.user_id, "name": str(a.user),
             "since": a.since} for a in selectors.area_team(area)]
    return {"id": area.pk, "kind": area.kind, "name": area.name, "code": area.code, "parent_id": area.parent_id,
            "centre_lat": area.centre_lat, "centre_lng": area.centre_lng,
            "figures": area_figures(area), "children": list(selectors.area_children(area)), "team": team}


@router.get("/buildings", response=list[BuildingOut], summary="我管辖范围内的楼栋")
@paginate(PageNumberPagination, page_size=100)
def list_buildings(request, under: int | None = None):
    return _buildings(request, under)


@router.get("/buildings.geojson", response=BuildingCollectionOut, summary="楼栋位置（GeoJSON 点）")
def buildings_geojson(request, under: int | None = None):
    return geojson.feature_collection(geojson.building_feature(b) for b in _buildings(request, under))


@router.get("/buildings/{building_id}", response=BuildingOut, summary="楼栋详情")
def get_building(request, building_id: int):
    return selectors.building_get_for(request.user, building_id)


@router.get("/locate", response=LocateOut, summary="坐标定位到网格与微网格")
def locate(request, lat: float, lng: float):
    grid, microgrid = selectors.locate(lat, lng)
    return {"grid": grid, "microgrid": microgrid}
