"""Admin writes go through the services: their rules apply and their errors show on the form."""

import datetime as dt
import json

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.territory.enums import Duty
from gridgov.territory.models import Area, Assignment, Building
from tests.conftest import square

pytestmark = pytest.mark.django_db



@pytest.fixture
def admin_client(db):
    user = User.objects.create_superuser(username="root", password="root-pass-123", role="system_admin")
    client = Client()
    client.force_login(user)
    return client


def test_area_added_through_the_service(admin_client, area):
    response = admin_client.post("/admin/territory/area/add/", {
        "kind": "grid", "name": "第三网格", "code": "500113002001003", "parent": area["community"].pk,
        "boundary": json.dumps(square(106.624, 29.390)),
    })
    assert response.status_code == 302
    grid = Area.objects.get(code="500113002001003")
    assert (grid.name, grid.parent, grid.centre_lat) == ("第三网格", area["community"], 29.391)


def test_area_add_shows_the_services_error_and_writes_nothing(admin_client, area):
    response = admin_client.post("/admin/territory/area/add/", {
        "kind": "grid", "name": "错编码", "code": "500113002999003", "parent": area["community"].pk,
        "boundary": "",
    })
    assert response.status_code == 200
    assert "编码 500113002999003 必须以上级编码 500113002001 开头" in response.content.decode()
    assert not Area.objects.filter(name="错编码").exists()


def test_area_change_keeps_code_and_parent_and_validates_the_boundary(admin_client, area):
    grid = area["grid_a"]
    url = f"/admin/territory/area/{grid.pk}/change/"
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = admin_client.post(url, {"name": "第一网格（新）", "boundary": json.dumps(bowtie),
                                       "code": "999"})
    assert response.status_code == 200
    assert "第1个多边形的外环无效：自相交于[0.5 0.5]" in response.content.decode()
    grid.refresh_from_db()
    assert (grid.name, grid.code) == ("第一网格", "500113002001001")

    response = admin_client.post(url, {"name": "第一网格（新）", "boundary": json.dumps(square(106.63, 29.39)),
                                       "code": "999"})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert (grid.name, grid.code, grid.boundary) == ("第一网格（新）", "500113002001001", square(106.63, 29.39))


def test_building_change_leaves_its_microgrid(admin_client, place, area):
    building = place["building_a"]
    response = admin_client.post(f"/admin/territory/building/{building.pk}/change/", {
        "name": "1栋", "lat": "29.3906", "lng": "106.6206", "entrances": "3", "floors": "30", "address": "东城路1号",
        "microgrid": area["micro_b"].pk,
    })
    assert response.status_code == 302
    building.refresh_from_db()
    assert (building.microgrid, building.area_code, building.entrances, building.lat) == (
        area["micro_a"], "50011300200100101", 3, 29.3906)


def test_assignment_rules_apply_in_admin(admin_client, area, persona):
    response = admin_client.post("/admin/territory/assignment/add/", {
        "area": area["grid_a"].pk, "user": persona["steward_a"].pk, "duty": Duty.BUILDING_STEWARD,
        "since": "2024-01-01",
    })
    assert response.status_code == 200
    assert "楼栋长（微网格员）只能安排在微网格，第一网格是网格" in response.content.decode()
    assert not Assignment.objects.exists()

    response = admin_client.post("/admin/territory/assignment/add/", {
        "area": area["micro_a"].pk, "user": persona["steward_a"].pk, "duty": Duty.BUILDING_STEWARD,
        "since": "2024-01-01",
    })
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    response = admin_client.post(f"/admin/territory/assignment/{assignment.pk}/change/", {"until": "2024-12-31"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.area, assignment.until) == (area["micro_a"], dt.date(2024, 12, 31))


def test_admin_offers_no_delete(admin_client, place):
    response = admin_client.get(f"/admin/territory/building/{place['building_a'].pk}/delete/")
    assert response.status_code == 403
    assert Building.objects.count() == 2


def test_admin_pages_are_in_chinese(admin_client, area, team):
    html = admin_client.get("/admin/territory/area/").content.decode()
    assert "选择 区域 来修改" in html
    assert "第一网格1号微网格" in html
    html = admin_client.get(f"/admin/territory/area/{area['grid_a'].pk}/change/").content.decode()
    assert "专职网格员 worker_a；社区民警 community_staff" in html


@pytest.mark.parametrize("name", ["worker_a", "worker_b", "community_staff", "resident", None])
def test_admin_is_closed_to_the_personas(client_for, area, name):
    client = client_for(name)
    response = client.post("/admin/territory/area/add/", {
        "kind": "grid", "name": "第三网格", "code": "500113002001003", "parent": area["community"].pk})
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/territory/area/add/"
    response = client.post(f"/admin/territory/area/{area['grid_a'].pk}/change/", {"name": "改名"})
    assert response.status_code == 302
    assert not Area.objects.filter(code="500113002001003").exists()
    assert Area.objects.get(pk=area["grid_a"].pk).name == "第一网格"
