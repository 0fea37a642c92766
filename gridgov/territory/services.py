"""Writes to the territory. Views, API, admin, imports and the demo all come through here."""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db import transaction
from shapely import geometry

from gridgov.core.errors import DomainError
from gridgov.lib.geo import InvalidBoundary, parse_boundary
from gridgov.territory.enums import CODE_LENGTH, DUTY_AREA_KINDS, PARENT_KIND, AreaKind, Duty
from gridgov.territory.models import Area, Assignment, Building, Dwelling, Estate


def _code_problem(*, kind: str, code: str, parent_kind: str | None, parent_code: str | None) -> str | None:
    """What is wrong with a code under its parent, or None (the parent given by kind and code)."""
    if not code.isdigit() or len(code) != CODE_LENGTH[kind]:
        return f"{AreaKind(kind).label}编码应为{CODE_LENGTH[kind]}位数字：{code!r}"
    if kind == AreaKind.DISTRICT:
        return "区县是最高层级，不能有上级" if parent_code else None
    if parent_code is None or parent_kind != PARENT_KIND[kind]:
        return f"{AreaKind(kind).label}的上级必须是{AreaKind(PARENT_KIND[kind]).label}"
    if not code.startswith(parent_code):
        return f"编码 {code} 必须以上级编码 {parent_code} 开头"
    return None


def _check_code(*, kind: str, code: str, parent: Area | None) -> None:
    problem = _code_problem(kind=kind, code=code, parent_kind=parent.kind if parent else None,
                            parent_code=parent.code if parent else None)
    if problem:
        raise DomainError(problem)


def _boundary_fields(boundary: dict | None) -> dict:
    if boundary is None:
        return {"boundary": None, "centre_lat": None, "centre_lng": None}
    try:
        shape = parse_boundary(boundary)
    except InvalidBoundary as exc:
        raise DomainError(str(exc), code="invalid_boundary") from None
    point = shape.representative_point()
    # Through JSON so that the object in memory equals what the database gives back (lists, not tuples).
    stored = json.loads(json.dumps(geometry.mapping(shape)))
    return {"boundary": stored, "centre_lat": point.y, "centre_lng": point.x}


def area_create(*, kind: str, name: str, code: str, parent: Area | None = None, boundary: dict | None = None) -> Area:
    _check_code(kind=kind, code=code, parent=parent)
    if Area.objects.filter(code=code).exists():
        raise DomainError(f"编码 {code} 已被使用", code="duplicate")
    return Area.objects.create(kind=kind, name=name, code=code, parent=parent, **_boundary_fields(boundary))


def area_rename(*, area: Area, name: str) -> Area:
    name = name.strip()
    if not name:
        raise DomainError("区域名称不能为空")
    area.name = name
    area.save(update_fields=["name", "updated_at"])
    return area


def area_set_boundary(*, area: Area, boundary: dict | None) -> Area:
    """Replace an area's polygon; the point → grid index notices on its next use."""
    for name, value in _boundary_fields(boundary).items():
        setattr(area, name, value)
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


def dwelling_area_code(*, building: Building, microgrid: Area | None) -> str:
    """The dwelling's microgrid code: its own (a floor band of a tower) or its building's.

    A tower's floor bands are microgrids of the grid the building stands in."""
    if microgrid is None:
        return building.area_code
    if microgrid.kind != AreaKind.MICROGRID or microgrid.code[:15] != building.area_code[:15]:
        raise DomainError(f"房屋的微网格必须属于楼栋所在网格（{building.area_code[:15]}）")
    return microgrid.code


def dwelling_create(*, building: Building, number: str, entrance: int = 1, floor: int = 1,
                    microgrid: Area | None = None) -> Dwelling:
    code = dwelling_area_code(building=building, microgrid=microgrid)
    if Dwelling.objects.filter(building=building, number=number).exists():
        raise DomainError(f"{building} 已有房号 {number}", code="duplicate")
    return Dwelling.objects.create(building=building, number=number, entrance=entrance, floor=floor,
                                   microgrid=microgrid, area_code=code)


def estate_update(*, estate: Estate, name: str, kind: str, property_company: str = "", address: str = "") -> Estate:
    if not name.strip():
        raise DomainError("小区名称不能为空")
    estate.name, estate.kind = name.strip(), kind
    estate.property_company, estate.address = property_company, address
    estate.save(update_fields=["name", "kind", "property_company", "address"])
    return estate


def building_update(*, building: Building, name: str, lat: float, lng: float, entrances: int, floors: int,
                    address: str = "") -> Building:
    """Change a building's description; its code, estate and microgrid stay (people hang on them)."""
    building.name, building.lat, building.lng = name, lat, lng
    building.entrances, building.floors, building.address = entrances, floors, address
    building.save(update_fields=["name", "lat", "lng", "entrances", "floors", "address"])
    return building


def assignment_create(*, area: Area, user, duty: str, since: dt.date) -> Assignment:
    """Put a staff member on an area's team; the duty must fit the area's level."""
    if area.kind not in DUTY_AREA_KINDS[duty]:
        kinds = "、".join(AreaKind(k).label for k in DUTY_AREA_KINDS[duty])
        raise DomainError(f"{Duty(duty).label}只能安排在{kinds}，{area.name}是{area.get_kind_display()}")
    if not user.is_active:
        raise DomainError(f"账号 {user.username} 已停用，不能安排职责")
    current = Assignment.objects.filter(area=area, user=user, duty=duty, until__isnull=True)
    if current.exists():
        raise DomainError(f"{user}已是{area.name}的{Duty(duty).label}", code="duplicate")
    return Assignment.objects.create(area=area, user=user, duty=duty, since=since)


def assignment_end(*, assignment: Assignment, until: dt.date) -> Assignment:
    if until < assignment.since:
        raise DomainError(f"截止日期 {until} 早于起始日期 {assignment.since}")
    assignment.until = until
    assignment.save(update_fields=["until"])
    return assignment


# --- boundary import ------------------------------------------------------------------------

@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class _Row:
    index: int
    kind: str
    code: str
    name: str
    parent_code: str | None
    boundary: dict | None


def _feature_row(index: int, feature) -> tuple[_Row | None, str | None]:
    """One feature → its row (when it has a kind and a code) and what is wrong with it, if anything."""
    feature = feature if isinstance(feature, dict) else {}
    props = feature.get("properties") or {}
    code = str(props.get("code") or "").strip()
    where = f"第{index}个要素（编码 {code or '缺失'}）"
    kind = str(props.get("kind") or "").strip()
    name = str(props.get("name") or "").strip()
    if kind not in AreaKind.values:
        return None, f"{where}：层级 kind 应为 {'/'.join(AreaKind.values)}，不是 {kind!r}"
    if not code:
        return None, f"{where}：缺少编码 code"
    row = _Row(index, kind, code, name, str(props.get("parent_code") or "").strip() or None, feature.get("geometry"))
    if not name:
        return row, f"{where}：缺少名称 name"
    if row.boundary is not None:
        try:
            parse_boundary(row.boundary)
        except InvalidBoundary as exc:
            return row, f"{where}：{exc}"
    return row, None


def _row_problem(row: _Row, kinds_by_code: dict[str, str], existing: dict[str, Area]) -> str | None:
    where = f"第{row.index}个要素（编码 {row.code}）"
    if row.parent_code and row.parent_code not in kinds_by_code:
        return f"{where}：上级编码 {row.parent_code} 既不在文件中也不在系统中"
    problem = _code_problem(kind=row.kind, code=row.code, parent_kind=kinds_by_code.get(row.parent_code or ""),
                            parent_code=row.parent_code)
    if problem:
        return f"{where}：{problem}"
    old = existing.get(row.code)
    if old and old.kind != row.kind:
        return f"{where}：系统中该编码是{old.get_kind_display()}，文件中是{AreaKind(row.kind).label}"
    return None


def _rows_checked(features: list) -> list[_Row]:
    """Every feature checked before anything is written; all problems reported at once.

    A feature with a kind and a code still counts as a parent for the others when something
    else about it is wrong, so that one bad polygon gives one message, not one per child.
    """
    rows, errors, seen = [], [], set()
    for index, feature in enumerate(features, start=1):
        row, error = _feature_row(index, feature)
        if row and row.code in seen:
            row, error = None, f"第{index}个要素（编码 {row.code}）：编码在文件中重复"
        if error:
            errors.append((index, error))
        if row:
            seen.add(row.code)
            rows.append((row, error))
    existing = Area.objects.in_bulk([r.code for r, _ in rows] + [r.parent_code for r, _ in rows if r.parent_code],
                                    field_name="code")
    kinds_by_code = {code: a.kind for code, a in existing.items()} | {r.code: r.kind for r, _ in rows}
    errors += [(r.index, p) for r, e in rows if not e and (p := _row_problem(r, kinds_by_code, existing))]
    if errors:
        raise DomainError(f"边界文件有 {len(errors)} 处错误，未导入任何数据", code="invalid_import",
                          details=[message for _, message in sorted(errors)])
    return sorted((r for r, _ in rows), key=lambda r: len(r.code))


def _same_boundary(stored: dict | None, new: dict | None) -> bool:
    if stored is None or new is None:
        return stored is new
    return parse_boundary(stored).equals_exact(parse_boundary(new), 0)


def _import_row(row: _Row, result: ImportResult) -> None:
    area = Area.objects.filter(code=row.code).first()
    if area is None:
        parent = Area.objects.get(code=row.parent_code) if row.parent_code else None
        area_create(kind=row.kind, name=row.name, code=row.code, parent=parent, boundary=row.boundary)
        result.created.append(row.code)
        return
    changed = False
    if area.name != row.name:
        area_rename(area=area, name=row.name)
        changed = True
    if not _same_boundary(area.boundary, row.boundary):
        area_set_boundary(area=area, boundary=row.boundary)
        changed = True
    (result.updated if changed else result.unchanged).append(row.code)


def territory_import(*, collection: dict) -> ImportResult:
    """Import areas from a GeoJSON FeatureCollection; all or nothing, idempotent.

    Each feature's properties: kind, code, name, parent_code (empty for a district). Every
    feature is validated first; on any problem nothing is written and the DomainError's
    details list each problem with the feature's index and code. An area already present
    keeps its kind and parent; its name and boundary are updated when they differ.
    """
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise DomainError("文件必须是 GeoJSON FeatureCollection", code="invalid_import")
    rows = _rows_checked(list(collection.get("features") or []))
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            _import_row(row, result)
    return result
