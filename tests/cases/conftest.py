"""Case fixtures: the test catalogue, a department persona, and a helper to move a case along."""

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.cases import services
from gridgov.cases.models import Category, Department
from gridgov.lib.workcal import TZ
from tests.conftest import PASSWORD

CATALOGUE = Path(__file__).parent / "data" / "catalogue.json"
# Monday 2025-03-03 10:00 Shanghai: an ordinary working morning.
MONDAY = dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ)
IN_GRID_A = {"lat": 29.3905, "lng": 106.6205}


def jpeg(size=(40, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()



@pytest.fixture
def catalogue(db):
    services.category_sync_from_catalogue(CATALOGUE)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def department(catalogue):
    return Department.objects.get(name="镇综合行政执法大队")


@pytest.fixture
def people(persona, area, department):
    """The conftest personas plus a department member, a secretary, a command centre and a party member."""
    def user(name, role, where=None):
        return User.objects.create_user(username=name, password=PASSWORD, role=role, area=where, display_name=name)

    dept_staff = user("dept_staff", Role.DEPARTMENT_STAFF)
    services.department_add_member(department=department, user=dept_staff)
    other = services.department_create(name="区城市照明所")
    other_staff = user("other_dept_staff", Role.DEPARTMENT_STAFF)
    services.department_add_member(department=other, user=other_staff)
    return {**persona, "dept_staff": dept_staff, "other_dept_staff": other_staff,
            "secretary": user("secretary", Role.COMMUNITY_SECRETARY, area["community"]),
            "centre": user("centre", Role.COMMAND_CENTRE, area["street"]),
            "party_member": user("party_member", Role.PARTY_MEMBER, area["grid_a"])}


@pytest.fixture
def report(people, catalogue):
    """report(**overrides) → a new case in grid A reported by the resident on Monday morning."""
    def make(**kw):
        args = {"channel": "app", "description": "小区门口有人占道摆摊", "by": people["resident"],
                "reporter_phone": "13912345678", "now": MONDAY, **IN_GRID_A, **kw}
        return services.case_intake(**args).case

    return make


def step(case, action, by, at=MONDAY, **data):
    return services.case_transition(case=case, action=action, by=by, now=at, **data)


def to_state(case, target, p, department, at=MONDAY):
    """Drive a case through the ordinary path up to `target` (a state name)."""
    path = [
        ("accepted", "accept", p["worker_a"], {}),
        ("registered", "register", p["worker_a"], {"category": case.suggested_category_id or
                                                    Category.objects.get(code="0101").pk,
                                                    "affair_kind": "public"}),
        ("dispatched", "dispatch", p["community_staff"], {"lead_department": department.pk}),
        ("handling", "sign", p["dept_staff"], {"work_order": "lead"}),
        ("resolved", "resolve", p["dept_staff"], {"work_order": "lead", "result": "已劝离摊贩"}),
        ("verified", "verify", p["worker_a"], {}),
        ("closed", "close", p["community_staff"], {"outcome": "fixed"}),
    ]
    for state, action, by, data in path:
        if case.state == target:
            break
        if data.get("work_order") == "lead":
            data = {**data, "work_order": case.work_orders.get(role="lead", state__in=["open", "signed"]).pk}
        case = step(case, action, by, at, **data)
        assert case.state == state
    return case
