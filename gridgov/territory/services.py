"""Writes to the territory. Views, API, admin, imports and the demo all come through here."""

from shapely import geometry

from gridgov.core.errors import DomainError
from gridgov.lib.geo import InvalidBoundary, parse_boundary
from gridgov.territory.enums import CODE_LENGTH, PARENT_KIND, AreaKind
from gridgov.territory.models import Area, Assignment, Building, Dwelling, Estate


def _check_code(*, kind: str, code: str, parent: Area | None) -> None:
    if not code.isdigit() or len(code) != CODE_LENGTH[kind]:
        raise DomainError(f"{AreaKind(kind).label}编码应为{CODE_LENGTH[kind]}位数字：{code!r}")
    if kind == AreaKind.DISTRICT:
        if parent is not None:
            raise DomainError("区县是最高层级，不能有上级")
        return
    if parent is None or parent.kind != PARENT_KIND[kind]:
        raise DomainError(f"{AreaKind(kind).label}的上级必须是{AreaKind(PARENT_KIND[kind]).label}")
    if not code.startswith(parent.code):
        raise DomainError(f"编码 {code} 必须以上级编码 {parent.code} 开头")


def _boundary_fields(boundary: dict | None) -> dict:
    if boundary is None:
        return {"boundary": None, "centre_lat": None, "centre_lng": None}
    try:
        shape = parse_boundary(boundary)
    except InvalidBoundary as exc:
        raise DomainError(str(exc), code="invalid_boundary") from None
    point = shape.representative_point()
    return {"boundary": geometry.mapping(shape), "centre_lat": point.y, "centre_lng": point.x}


def area_create(*, kind: str, name: str, code: str, parent: Area | None = None, boundary: dict | None = None) -> Area:
    _check_code(kind=kind, code=code, parent=parent)
    if Area.objects.filter(code=code).exists():
        raise DomainError(f"编码 {code} 已被使用", code="duplicate")
    return Area.objects.create(kind=kind, name=name, code=code, parent=parent, **_boundary_fields(boundary))


def area_set_boundary(*, area: Area, boundary: dict | None) -> Area:
    """Replace an area's polygon; the point → grid index notices on its next use."""
    for field, value in _boundary_fields(boundary).items():
        setattr(area, field, value)
    area.save(update_fields=["boundary", "centre_lat", "centre_lng", "updated_at"])
    return area


def estate_create(*, name: str, community: Area, kind: str, property_company: str = "", address: str = "") -> Estate:
    if community.kind != AreaKind.COMMUNITY:
        raise DomainError("小区必须属于社区")
    return Estate.objects.create(name=name, community=community, kind=kind,
                                 property_company=property_company, address=address)


def building_create(*, code: str, name: str, estate: Estate, microgrid: Area, lat: float, lng: float,
                    entrances: int = 1, floors: int = 1, address: str = "") -> Building:
    if microgrid.kind != AreaKind.MICROGRID:
        raise DomainError("楼栋必须归属一个微网格")
    if Building.objects.filter(code=code).exists():
        raise DomainError(f"楼栋编码 {code} 已被使用", code="duplicate")
    return Building.objects.create(
        code=code, name=name, estate=estate, microgrid=microgrid, area_code=microgrid.code,
        lat=lat, lng=lng, entrances=entrances, floors=floors, address=address,
    )


def dwelling_create(*, building: Building, number: str, entrance: int = 1, floor: int = 1) -> Dwelling:
    if Dwelling.objects.filter(building=building, number=number).exists():
        raise DomainError(f"{building} 已有房号 {number}", code="duplicate")
    return Dwelling.objects.create(building=building, number=number, entrance=entrance, floor=floor)


def assignment_create(*, area: Area, user, duty: str, since) -> Assignment:
    return Assignment.objects.create(area=area, user=user, duty=duty, since=since)
