"""The territory API for every persona: in scope exact content, out of scope 404, anonymous 401."""

import pytest

pytestmark = pytest.mark.django_db

AREA_NAMES = {
    "worker_a": ["第一网格", "第一网格1号微网格"],
    "worker_b": ["第二网格", "第二网格1号微网格"],
    "community_staff": ["东城社区", "第一网格", "第一网格1号微网格", "第二网格", "第二网格1号微网格"],
    "resident": [],
}


@pytest.mark.parametrize("name", AREA_NAMES)
def test_areas_list_is_the_personas_subtree(client_for, place, name):
    response = client_for(name).get("/api/v1/territory/areas")
    assert response.status_code == 200
    assert [a["name"] for a in response.json()] == AREA_NAMES[name]


def test_areas_list_filters_by_kind_and_subtree(client_for, area):
    client = client_for("community_staff")
    grids = client.get("/api/v1/territory/areas", {"kind": "grid"}).json()
    assert grids == [
        {"id": area["grid_a"].pk, "kind": "grid", "name": "第一网格", "code": "500113002001001",
         "parent_id": area["community"].pk},
        {"id": area["grid_b"].pk, "kind": "grid", "name": "第二网格", "code": "500113002001002",
         "parent_id": area["community"].pk},
    ]
    under = client.get("/api/v1/territory/areas", {"under": area["grid_b"].pk}).json()
    assert [a["code"] for a in under] == ["500113002001002", "50011300200100201"]


def test_areas_list_rejects_an_unknown_kind(client_for, area):
    response = client_for("community_staff").get("/api/v1/territory/areas", {"kind": "planet"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_areas_under_an_area_out_of_scope_is_404(client_for, area):
    response = client_for("worker_a").get("/api/v1/territory/areas", {"under": area["grid_b"].pk})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在或不在您的管辖范围内"}


def test_area_detail_has_figures_children_and_team(client_for, area, team):
    response = client_for("worker_a").get(f"/api/v1/territory/areas/{area['grid_a'].pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": area["grid_a"].pk, "kind": "grid", "name": "第一网格", "code": "500113002001001",
        "parent_id": area["community"].pk,
        "centre_lat": area["grid_a"].centre_lat, "centre_lng": area["grid_a"].centre_lng,
        "figures": {"households": 1, "residents": 1, "buildings": 1,
                    "care_groups": [{"group": "elderly_alone", "label": "独居老人", "count": 1}]},
        "children": [{"id": area["micro_a"].pk, "kind": "microgrid", "name": "第一网格1号微网格",
                      "code": "50011300200100101", "parent_id": area["grid_a"].pk}],
        "team": [
            {"duty": "grid_worker", "duty_label": "专职网格员", "user_id": team["worker"].user_id,
             "name": "worker_a", "since": "2024-01-01"},
            {"duty": "community_police", "duty_label": "社区民警", "user_id": team["police"].user_id,
             "name": "community_staff", "since": "2024-01-01"},
        ],
    }


def test_community_figures_count_the_whole_subtree(client_for, area, team):
    figures = client_for("community_staff").get(f"/api/v1/territory/areas/{area['community'].pk}").json()["figures"]
    assert figures == {"households": 2, "residents": 3, "buildings": 2,
                       "care_groups": [{"group": "elderly_alone", "label": "独居老人", "count": 1}]}


@pytest.mark.parametrize(("name", "key"), [
    ("worker_a", "grid_b"), ("worker_b", "grid_a"), ("worker_a", "community"), ("resident", "grid_a"),
])
def test_area_detail_out_of_scope_is_404(client_for, area, name, key):
    response = client_for(name).get(f"/api/v1/territory/areas/{area[key].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_areas_geojson_is_a_feature_collection_of_the_scope(client_for, area):
    response = client_for("worker_a").get("/api/v1/territory/areas.geojson")
    assert response.status_code == 200
    assert response.json() == {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": area["grid_a"].pk, "geometry": area["grid_a"].boundary,
         "properties": {"kind": "grid", "code": "500113002001001", "name": "第一网格",
                        "parent_code": "500113002001"}},
        {"type": "Feature", "id": area["micro_a"].pk, "geometry": area["micro_a"].boundary,
         "properties": {"kind": "microgrid", "code": "50011300200100101", "name": "第一网格1号微网格",
                        "parent_code": "500113002001001"}},
    ]}
    assert area["grid_a"].boundary == {"type": "Polygon", "coordinates": [
        [[106.62, 29.39], [106.622, 29.39], [106.622, 29.392], [106.62, 29.392], [106.62, 29.39]]]}


def test_areas_geojson_leaves_out_areas_without_boundary(client_for, area, persona):
    persona["community_staff"].area = area["street"]
    persona["community_staff"].save(update_fields=["area"])
    features = client_for("community_staff").get("/api/v1/territory/areas.geojson").json()["features"]
    assert [f["properties"]["code"] for f in features] == [
        "500113002001", "500113002001001", "50011300200100101", "500113002001002", "50011300200100201"]


def test_buildings_list_and_detail(client_for, place):
    client = client_for("worker_a")
    response = client.get("/api/v1/territory/buildings")
    assert response.json() == {"count": 1, "items": [{
        "id": place["building_a"].pk, "code": "B-A-1", "name": "1栋", "estate": "东城公租房",
        "microgrid_id": place["building_a"].microgrid_id, "area_code": "50011300200100101",
        "lat": 29.3905, "lng": 106.6205, "entrances": 2, "floors": 33, "address": ""}]}
    assert client.get(f"/api/v1/territory/buildings/{place['building_a'].pk}").json()["code"] == "B-A-1"
    assert client.get(f"/api/v1/territory/buildings/{place['building_b'].pk}").status_code == 404


def test_buildings_geojson(client_for, place, area):
    response = client_for("community_staff").get("/api/v1/territory/buildings.geojson",
                                                  {"under": area["grid_b"].pk})
    assert response.json() == {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": place["building_b"].pk,
        "geometry": {"type": "Point", "coordinates": [106.6225, 29.3905]},
        "properties": {"code": "B-B-1", "name": "东城公租房2栋", "area_code": "50011300200100201",
                       "floors": 33, "entrances": 2}}]}


def test_resident_sees_no_buildings(client_for, place):
    assert client_for("resident").get("/api/v1/territory/buildings").json() == {"count": 0, "items": []}
    assert client_for("resident").get("/api/v1/territory/buildings.geojson").json() == {
        "type": "FeatureCollection", "features": []}
    response = client_for("resident").get(f"/api/v1/territory/buildings/{place['building_a'].pk}")
    assert response.status_code == 404


def test_locate(client_for, area):
    response = client_for("resident").get("/api/v1/territory/locate", {"lat": 29.3905, "lng": 106.6205})
    assert response.json()["grid"]["code"] == "500113002001001"
    assert response.json()["microgrid"]["code"] == "50011300200100101"


@pytest.mark.parametrize("path", [
    "/api/v1/territory/areas", "/api/v1/territory/areas.geojson", "/api/v1/territory/areas/1",
    "/api/v1/territory/buildings", "/api/v1/territory/buildings.geojson", "/api/v1/territory/buildings/1",
    "/api/v1/territory/locate?lat=29.39&lng=106.62",
])
def test_anonymous_gets_401(client_for, area, path):
    response = client_for(None).get(path)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效的 API 令牌"}
