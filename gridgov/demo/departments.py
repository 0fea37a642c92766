"""The case engine's side of the demo: the triage catalogue's categories and departments, one staff
account per department, a year of case history, and the triage model.

Departments come from the catalogue (gridgov/cases/triage/data/catalogue.json). Three of them are
staffed by the accounts of the logins table (department_staff, police_dongcheng, utility_dongcheng);
every other department gets its own account dept_01, dept_02, … (password DEMO_PASSWORD).
"""

from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.cases.models import Department, DepartmentMember
from gridgov.cases.services import category_sync_from_catalogue, department_add_member
from gridgov.demo.staff import DEMO_PASSWORD
from gridgov.demo.street import STREET
from gridgov.territory.models import Area

CATALOGUE = Path(__file__).resolve().parent.parent / "cases" / "triage" / "data" / "catalogue.json"
# Accounts of the logins table that act for a catalogue department.
STAFFED = {"department_staff": "镇城市管理办公室", "police_dongcheng": "镇派出所", "utility_dongcheng": "区自来水公司"}


def catalogue_sync() -> dict:
    return category_sync_from_catalogue(CATALOGUE)


@transaction.atomic
def department_staff_create() -> list[DepartmentMember]:
    """Link the listed department accounts and create dept_NN for every other active department."""
    for username, name in STAFFED.items():
        user = User.objects.filter(username=username).first()
        department = Department.objects.filter(name=name).first()
        if user is not None and department is not None:
            department_add_member(department=department, user=user)
    street = Area.objects.filter(code=STREET[0]).first()
    password = make_password(DEMO_PASSWORD)
    unstaffed = Department.objects.filter(is_active=True, members__isnull=True).order_by("name")
    for n, department in enumerate(unstaffed, start=1):
        username = f"dept_{n:02d}"
        user, _ = User.objects.get_or_create(username=username, defaults={
            "password": password, "role": Role.DEPARTMENT_STAFF, "area": street,
            "display_name": f"{department.name}值班员"})
        department_add_member(department=department, user=user)
    return list(DepartmentMember.objects.select_related("department", "user").order_by("department__name"))


def department_login_rows() -> list[tuple[str, str, str, str]]:
    """(角色, 用户名, 密码, 部门) for every department's staff account."""
    members = DepartmentMember.objects.select_related("department", "user").order_by("user__username")
    return [(m.user.get_role_display(), m.user.username, DEMO_PASSWORD, m.department.name) for m in members]

