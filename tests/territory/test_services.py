import datetime as dt

import pytest

from gridgov.core.errors import DomainError
from gridgov.territory import selectors, services
from gridgov.territory.enums import AreaKind, Duty
from gridgov.territory.models import Area, Assignment
from tests.conftest import square

pytestmark = pytest.mark.django_db

BOWTIE = {"type": "Polygon", "coordinates": [[[106.0, 29.0], [106.1, 29.1], [106.1, 29.0], [106.0, 29.1],
                                              [106.0, 29.0]]]}


def feature(kind, code, name, parent_code="", geometry=None):
    return {"type": "Feature", "geometry": geometry,
            "properties": {"kind": kind, "code": code, "name": name, "parent_code": parent_code}}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def new_street():
    """A new street under the fixture's district, with one community, grid and microgrid."""
    return collection(
        feature("microgrid", "50011300300100101", "石岗1号微网格", "500113003001001", square(106.70, 29.40, 0.001)),
        feature("street", "500113003", "李家沱街道", "500113"),
        feature("grid", "500113003001001", "石岗第一网格", "500113003001", square(106.70, 29.40)),
        feature("community", "500113003001", "石岗社区", "500113003", square(106.70, 29.40, 0.004)),
    )


def snapshot():
    return list(Area.objects.order_by("code").values_list("code", "kind", "name", "parent__code", "boundary",
                                                          "updated_at"))


def test_import_creates_parents_before_children(area):
    result = services.territory_import(collection=new_street())
    assert result.created == ["500113003", "500113003001", "500113003001001", "50011300300100101"]
    assert (result.updated, result.unchanged) == ([], [])
    micro = Area.objects.get(code="50011300300100101")
    assert (micro.kind, micro.name, micro.parent.code) == (AreaKind.MICROGRID, "石岗1号微网格", "500113003001001")
    assert selectors.locate(29.4005, 106.7005)[1] == micro


def test_reimporting_the_same_file_changes_nothing(area):
    services.territory_import(collection=new_street())
    before = snapshot()
    result = services.territory_import(collection=new_street())
    assert result.unchanged == ["500113003", "500113003001", "500113003001001", "50011300300100101"]
    assert (result.created, result.updated) == ([], [])
    assert snapshot() == before


def test_reimport_updates_a_changed_boundary_and_name(area):
    services.territory_import(collection=new_street())
    changed = new_street()
    changed["features"][2]["geometry"] = square(106.71, 29.40)
    changed["features"][1]["properties"]["name"] = "李家沱"
    result = services.territory_import(collection=changed)
    assert result.updated == ["500113003", "500113003001001"]
    assert Area.objects.get(code="500113003").name == "李家沱"
    grid = Area.objects.get(code="500113003001001")
    assert grid.boundary == square(106.71, 29.40)
    assert selectors.locate(29.4005, 106.7105)[0] == grid


def test_import_of_the_export_changes_nothing(area):
    from gridgov.territory import geojson

    before = snapshot()
    exported = geojson.feature_collection(geojson.area_feature(a) for a in selectors.areas_under(area["district"]))
    result = services.territory_import(collection=exported)
    assert len(result.unchanged) == 7 and (result.created, result.updated) == ([], [])
    assert snapshot() == before


def test_an_invalid_polygon_is_named_by_ring_index_and_code_and_nothing_is_written(area):
    bad = new_street()
    bad["features"][2]["geometry"] = BOWTIE
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        services.territory_import(collection=bad)
    assert caught.value.message == "边界文件有 1 处错误，未导入任何数据"
    assert caught.value.details == [
        "第3个要素（编码 500113003001001）：第1个多边形的外环无效：自相交于[106.05 29.05]"]
    assert snapshot() == before


def test_every_problem_is_reported_at_once(area):
    bad = collection(
        feature("grid", "500113002001003", "第三网格", "500113002001", {"type": "Point", "coordinates": [1, 2]}),
        feature("grid", "50011300200100", "短编码网格", "500113002001"),
        feature("microgrid", "50011300200100301", "", "500113002001003"),
        feature("town", "500113009", "某镇", "500113"),
        feature("grid", "500113002009001", "孤儿网格", "500113002009"),
        feature("microgrid", "500113002001001", "层级不符", "500113002001"),
        feature("grid", "500113002001003", "重复", "500113002001"),
        {"type": "Feature", "geometry": None, "properties": {"kind": "street", "name": "无编码"}},
    )
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        services.territory_import(collection=bad)
    assert caught.value.details == [
        "第1个要素（编码 500113002001003）：边界必须是 Polygon 或 MultiPolygon，不是 'Point'",
        "第2个要素（编码 50011300200100）：网格编码应为15位数字：'50011300200100'",
        "第3个要素（编码 50011300200100301）：缺少名称 name",
        "第4个要素（编码 500113009）：层级 kind 应为 district/street/community/grid/microgrid，不是 'town'",
        "第5个要素（编码 500113002009001）：上级编码 500113002009 既不在文件中也不在系统中",
        "第6个要素（编码 500113002001001）：微网格编码应为17位数字：'500113002001001'",
        "第7个要素（编码 500113002001003）：编码在文件中重复",
        "第8个要素（编码 缺失）：缺少编码 code",
    ]
    assert snapshot() == before


def test_import_rejects_a_parent_of_the_wrong_level(area):
    with pytest.raises(DomainError) as caught:
        services.territory_import(collection=collection(
            feature("grid", "500113002001009", "越级网格", "500113002", square(106.63, 29.39))))
    assert caught.value.details == ["第1个要素（编码 500113002001009）：网格的上级必须是社区"]
    assert not Area.objects.filter(code="500113002001009").exists()


def test_import_needs_a_feature_collection(area):
    with pytest.raises(DomainError) as caught:
        services.territory_import(collection={"type": "Feature"})
    assert caught.value.message == "文件必须是 GeoJSON FeatureCollection"


def test_assignment_duty_must_fit_the_area(area, persona):
    with pytest.raises(DomainError) as caught:
        services.assignment_create(area=area["grid_a"], user=persona["steward_a"], duty=Duty.BUILDING_STEWARD,
                                   since=dt.date(2024, 1, 1))
    assert caught.value.message == "楼栋长（微网格员）只能安排在微网格，第一网格是网格"
    assert not Assignment.objects.exists()


def test_assignment_is_not_duplicated_and_ends(area, persona):
    since = dt.date(2024, 1, 1)
    assignment = services.assignment_create(area=area["grid_a"], user=persona["worker_a"], duty=Duty.GRID_WORKER,
                                            since=since)
    with pytest.raises(DomainError, match="worker_a已是第一网格的专职网格员"):
        services.assignment_create(area=area["grid_a"], user=persona["worker_a"], duty=Duty.GRID_WORKER, since=since)
    with pytest.raises(DomainError, match="截止日期 2023-12-31 早于起始日期 2024-01-01"):
        services.assignment_end(assignment=assignment, until=dt.date(2023, 12, 31))
    services.assignment_end(assignment=assignment, until=dt.date(2024, 6, 30))
    assert selectors.area_team(area["grid_a"], on=dt.date(2024, 6, 30)) == [assignment]
    assert selectors.area_team(area["grid_a"], on=dt.date(2024, 7, 1)) == []
    assert selectors.area_team(area["grid_a"], on=dt.date(2023, 12, 31)) == []


def test_a_towers_floor_band_is_its_own_microgrid_within_the_buildings_grid(area, place):
    from gridgov.core.errors import DomainError
    from gridgov.territory import services as territory

    band = territory.area_create(kind="microgrid", name="第一网格2号微网格", code="50011300200100102",
                                 parent=area["grid_a"], boundary=None)
    upper = territory.dwelling_create(building=place["building_a"], number="1-3001", floor=30, microgrid=band)
    assert (upper.microgrid, upper.area_code) == (band, "50011300200100102")
    assert place["dwelling_a"].area_code == "50011300200100101"
    with pytest.raises(DomainError, match="房屋的微网格必须属于楼栋所在网格（500113002001001）"):
        territory.dwelling_create(building=place["building_a"], number="1-3002", microgrid=area["micro_b"])
    assert not place["building_a"].dwellings.filter(number="1-3002").exists()
