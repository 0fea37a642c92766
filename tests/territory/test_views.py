"""Territory pages for every persona: in scope exact content, out of scope 404, anonymous to login."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.mark.parametrize("name", ["worker_a", "worker_b", "community_staff"])
def test_map_page_loads_leaflet_from_our_static_files(client_for, area, name):
    response = client_for(name).get("/territory/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
    assert '<script src="/static/js/territory-map.js" defer></script>' in html
    assert 'data-areas-url="/api/v1/territory/areas.geojson"' in html
    assert 'data-buildings-url="/api/v1/territory/buildings.geojson"' in html
    assert 'data-tile-url=""' in html
    assert "http://" not in html and "https://" not in html


def test_map_page_uses_the_configured_tile_server(client_for, area, settings):
    settings.GRIDGOV_TILE_URL = "https://tiles.intranet.example/{z}/{x}/{y}.png"
    html = client_for("worker_a").get("/territory/map/").content.decode()
    assert 'data-tile-url="https://tiles.intranet.example/{z}/{x}/{y}.png"' in html


def test_map_page_is_404_for_a_resident(client_for, area):
    assert client_for("resident").get("/territory/map/").status_code == 404


def test_area_page_shows_figures_team_children_and_map(client_for, area, team):
    response = client_for("worker_a").get(f"/territory/areas/{area['grid_a'].pk}/")
    assert response.status_code == 200
    text = _text(response)
    assert "第一网格 网格 编码 500113002001001" in text
    assert "1 在住户数 1 在住居民 1 楼栋 1 独居老人" in text
    assert "专职网格员 worker_a 137****5678 2024-01-01" in text
    assert "社区民警 community_staff — 2024-01-01" in text
    assert "下级区域 名称 层级 编码 第一网格1号微网格 微网格 50011300200100101" in text
    html = response.content.decode()
    assert f'data-areas-url="/api/v1/territory/areas.geojson?under={area["grid_a"].pk}"' in html
    assert f'href="/territory/areas/{area["micro_a"].pk}/"' in html
    # Ancestors out of the worker's scope are not named.
    assert "东城社区" not in text and "界石镇" not in text


def test_area_page_breadcrumb_shows_ancestors_in_scope(client_for, area, team):
    text = _text(client_for("community_staff").get(f"/territory/areas/{area['micro_a'].pk}/"))
    assert text.count("东城社区 › 第一网格 ›") == 1
    assert "楼栋长（微网格员） steward_a" in text
    assert "界石镇" not in text


def test_area_page_without_team(client_for, area):
    text = _text(client_for("worker_b").get(f"/territory/areas/{area['grid_b'].pk}/"))
    assert "尚未安排人员。" in text
    assert "0 在住户数 0 在住居民 0 楼栋" in text


@pytest.mark.parametrize(("name", "key"), [
    ("worker_a", "grid_b"), ("worker_b", "micro_a"), ("worker_a", "community"), ("resident", "grid_a"),
])
def test_area_page_out_of_scope_is_404(client_for, area, name, key):
    assert client_for(name).get(f"/territory/areas/{area[key].pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/territory/map/", "/territory/areas/1/"])
def test_anonymous_is_sent_to_login(client_for, area, path):
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
