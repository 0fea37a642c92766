"""Shared fixtures: a small territory and the personas of the permission matrix.

东城社区 with grid A and grid B, one microgrid and one building each, one household each.
Personas: worker_a (grid worker of grid A), worker_b (of grid B), community_staff (of the
community), resident (no area), and the anonymous client.
"""

import datetime as dt

import pytest
from django.test import Client

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.people import services as people
from gridgov.territory import services as territory
from gridgov.territory.enums import AreaKind, EstateKind

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Argon2 takes most of a second per persona on this machine; the tests are about who may do
    what, not about hashing (tests/accounts/test_settings.py checks the production hasher).
    Session-wide, so that module-scoped fixtures (the demo street) hash the same way."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def square(lng: float, lat: float, size: float = 0.002) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat],
    ]]}


def id_number(seq: int, birth=dt.date(1950, 3, 7), gender="F") -> str:
    from gridgov.lib import idcard

    return idcard.make("500113", birth, seq, gender)


@pytest.fixture
def area(db):
    """The territory tree, as a dict of areas by short name."""
    district = territory.area_create(kind=AreaKind.DISTRICT, name="巴南区", code="500113")
    street = territory.area_create(kind=AreaKind.STREET, name="界石镇", code="500113002", parent=district)
    community = territory.area_create(kind=AreaKind.COMMUNITY, name="东城社区", code="500113002001", parent=street,
                                      boundary=square(106.620, 29.390, 0.004))
    grid_a = territory.area_create(kind=AreaKind.GRID, name="第一网格", code="500113002001001", parent=community,
                                   boundary=square(106.620, 29.390))
    grid_b = territory.area_create(kind=AreaKind.GRID, name="第二网格", code="500113002001002", parent=community,
                                   boundary=square(106.622, 29.390))
    micro_a = territory.area_create(kind=AreaKind.MICROGRID, name="第一网格1号微网格", code="50011300200100101",
                                    parent=grid_a, boundary=square(106.620, 29.390, 0.001))
    micro_b = territory.area_create(kind=AreaKind.MICROGRID, name="第二网格1号微网格", code="50011300200100201",
                                    parent=grid_b, boundary=square(106.622, 29.390, 0.001))
    return {"district": district, "street": street, "community": community,
            "grid_a": grid_a, "grid_b": grid_b, "micro_a": micro_a, "micro_b": micro_b}


@pytest.fixture
def place(area):
    """One estate, a building in each grid, and a dwelling in each building."""
    estate = territory.estate_create(name="东城公租房", community=area["community"], kind=EstateKind.PUBLIC_RENTAL,
                                     property_company="重庆市公租房管理局物业")
    building_a = territory.building_create(code="B-A-1", name="1栋", estate=estate, microgrid=area["micro_a"],
                                           lat=29.3905, lng=106.6205, entrances=2, floors=33)
    building_b = territory.building_create(code="B-B-1", name="2栋", estate=estate, microgrid=area["micro_b"],
                                           lat=29.3905, lng=106.6225, entrances=2, floors=33)
    return {
        "estate": estate, "building_a": building_a, "building_b": building_b,
        "dwelling_a": territory.dwelling_create(building=building_a, number="1-1201", entrance=1, floor=12),
        "dwelling_a2": territory.dwelling_create(building=building_a, number="1-1202", entrance=1, floor=12),
        "dwelling_b": territory.dwelling_create(building=building_b, number="1-0301", entrance=1, floor=3),
    }


@pytest.fixture
def households(place):
    """张秀英 lives alone in grid A; 李建国 and 王芳 live in grid B."""
    moved_on = dt.date(2020, 5, 1)
    household_a = people.household_move_in(
        dwelling=place["dwelling_a"], number="H-A-1", moved_on=moved_on,
        people=[people.Person(name="张秀英", id_number=id_number(1), phone="13912345678", hukou_kind="non_local")],
    )
    household_b = people.household_move_in(
        dwelling=place["dwelling_b"], number="H-B-1", moved_on=moved_on,
        people=[
            people.Person(name="李建国", id_number=id_number(2, dt.date(1980, 1, 2), "M"), phone="13800001111"),
            people.Person(name="王芳", id_number=id_number(3, dt.date(1982, 6, 9), "F"), household_role="spouse"),
        ],
    )
    return {"a": household_a, "b": household_b}


def _user(username: str, role: str, area=None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, area=area,
                                    display_name=username)
    return user


@pytest.fixture
def persona(area):
    """The users of the permission matrix, by name."""
    return {
        "worker_a": _user("worker_a", Role.GRID_WORKER, area["grid_a"]),
        "worker_b": _user("worker_b", Role.GRID_WORKER, area["grid_b"]),
        "community_staff": _user("community_staff", Role.COMMUNITY_STAFF, area["community"]),
        "resident": _user("resident", Role.RESIDENT),
        "steward_a": _user("steward_a", Role.BUILDING_STEWARD, area["micro_a"]),
        "auditor": _user("auditor", Role.AUDITOR, area["district"]),
    }


@pytest.fixture
def client_for(persona):
    """client_for("worker_a") → a Django test client signed in as that persona; None → anonymous."""

    def make(name: str | None) -> Client:
        client = Client()
        if name is not None:
            client.force_login(persona[name])
        return client

    return make
