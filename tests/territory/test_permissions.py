"""The whole matrix: every territory page and read endpoint × every persona, against every object.

In scope: 200 with exactly the persona's subtree. Out of scope: 404. Anonymous: 401 / login.
"""

import pytest

pytestmark = pytest.mark.django_db

AREAS = {
    "worker_a": ["500113002001001", "50011300200100101"],
    "worker_b": ["500113002001002", "50011300200100201"],
    "community_staff": ["500113002001", "500113002001001", "50011300200100101", "500113002001002",
                        "50011300200100201"],
    "resident": [],
}
BUILDINGS = {"worker_a": ["B-A-1"], "worker_b": ["B-B-1"], "community_staff": ["B-A-1", "B-B-1"], "resident": []}
PERSONAS = list(AREAS)


@pytest.mark.parametrize("name", PERSONAS)
def test_area_lists(client_for, place, name):
    client = client_for(name)
    assert [a["code"] for a in client.get("/api/v1/territory/areas").json()] == AREAS[name]
    features = client.get("/api/v1/territory/areas.geojson").json()["features"]
    assert [f["properties"]["code"] for f in features] == AREAS[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_every_area_reads_as_in_or_out_of_scope(client_for, area, name):
    client = client_for(name)
    for each in area.values():
        expected = 200 if each.code in AREAS[name] else 404
        assert client.get(f"/api/v1/territory/areas/{each.pk}").status_code == expected, each.code
        assert client.get(f"/territory/areas/{each.pk}/").status_code == expected, each.code
        assert client.get("/api/v1/territory/areas", {"under": each.pk}).status_code == expected, each.code
        assert client.get("/api/v1/territory/buildings.geojson", {"under": each.pk}).status_code == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_building_lists_and_every_building(client_for, place, name):
    client = client_for(name)
    assert [b["code"] for b in client.get("/api/v1/territory/buildings").json()["items"]] == BUILDINGS[name]
    features = client.get("/api/v1/territory/buildings.geojson").json()["features"]
    assert [f["properties"]["code"] for f in features] == BUILDINGS[name]
    for key in ("building_a", "building_b"):
        building = place[key]
        expected = 200 if building.code in BUILDINGS[name] else 404
        assert client.get(f"/api/v1/territory/buildings/{building.pk}").status_code == expected


@pytest.mark.parametrize(("name", "status"), [("worker_a", 200), ("worker_b", 200), ("community_staff", 200),
                                               ("resident", 404)])
def test_map_page(client_for, area, name, status):
    assert client_for(name).get("/territory/map/").status_code == status
