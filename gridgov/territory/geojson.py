"""Areas and buildings as GeoJSON features: for the map, the API and `gridgov territory export`."""

from gridgov.territory.models import Area, Building


def parent_code(area: Area) -> str:
    """The parent's code, read from the area's own code (codes are materialised paths)."""
    from gridgov.territory.enums import CODE_LENGTH, PARENT_KIND

    parent_kind = PARENT_KIND.get(area.kind)
    return area.code[:CODE_LENGTH[parent_kind]] if parent_kind else ""


def area_feature(area: Area) -> dict:
    return {
        "type": "Feature",
        "id": area.pk,
        "geometry": area.boundary,
        "properties": {"kind": area.kind, "code": area.code, "name": area.name, "parent_code": parent_code(area)},
    }


def building_feature(building: Building) -> dict:
    return {
        "type": "Feature",
        "id": building.pk,
        "geometry": {"type": "Point", "coordinates": [building.lng, building.lat]},
        "properties": {"code": building.code, "name": str(building), "area_code": building.area_code,
                       "floors": building.floors, "entrances": building.entrances},
    }


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}
