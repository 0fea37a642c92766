"""The demo street, generated once for the module: 东城社区's figures are its source document's."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.cases.enums import CaseState
from gridgov.cases.models import Case, Category, Department, DepartmentMember
from gridgov.cases.triage.corpus import corpus_pairs
from gridgov.demo import loader
from gridgov.demo.staff import DEMO_PASSWORD
from gridgov.demo.street import community_code, street_plans
from gridgov.people.enums import CareGroup, HukouKind, MoveKind, PartyOrgKind
from gridgov.people.models import CareMembership, Household, Move, PartyOrganisation, Resident
from gridgov.territory.enums import AreaKind, Duty, EstateKind
from gridgov.territory.models import Area, Assignment, Building, Estate
from gridgov.territory.selectors import locate

DONGCHENG = community_code("dongcheng")


@pytest.fixture(scope="module")
def street(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        loader.demo_load()
        yield
        loader.demo_wipe()


pytestmark = pytest.mark.usefixtures("street")


def dongcheng(model, **filters):
    return model.objects.filter(area_code__startswith=DONGCHENG, **filters)


@pytest.mark.django_db
def test_dongcheng_has_the_figures_of_its_source_document():
    assert Building.objects.filter(area_code__startswith=DONGCHENG).count() == 15
    assert dongcheng(Household, is_active=True).count() == 4993
    assert dongcheng(Resident, is_active=True).count() == 11940
    assert Area.objects.filter(code__startswith=DONGCHENG, kind=AreaKind.GRID).count() == 15
    assert Area.objects.filter(code__startswith=DONGCHENG, kind=AreaKind.MICROGRID).count() == 76
    assert PartyOrganisation.objects.filter(kind=PartyOrgKind.GROUP, area__code__startswith=DONGCHENG).count() == 15
    assert dongcheng(Household, is_party_household=True).count() == 15
    assert CareMembership.objects.filter(group=CareGroup.ELDERLY_ALONE,
                                         resident__area_code__startswith=DONGCHENG).count() == 27


@pytest.mark.django_db
def test_dongcheng_is_99_percent_non_local_and_its_groups_sit_under_its_branch():
    residents = dongcheng(Resident, is_active=True)
    assert residents.filter(hukou_kind=HukouKind.NON_LOCAL).count() / residents.count() >= 0.99
    branch = PartyOrganisation.objects.get(kind=PartyOrgKind.BRANCH, area__code=DONGCHENG)
    assert branch.parent.kind == PartyOrgKind.COMMITTEE
    assert set(branch.children.values_list("kind", flat=True)) == {PartyOrgKind.GROUP}


@pytest.mark.django_db
def test_grids_hold_300_to_500_and_microgrids_50_to_80_households_and_every_elderly_resident_alone_lives_alone():
    for grid in Area.objects.filter(code__startswith=DONGCHENG, kind=AreaKind.GRID):
        assert 300 <= Household.objects.filter(is_active=True, area_code__startswith=grid.code).count() <= 500
    for micro in Area.objects.filter(code__startswith=DONGCHENG, kind=AreaKind.MICROGRID):
        assert 50 <= Household.objects.filter(is_active=True, area_code=micro.code).count() <= 80, micro.code
    for care in CareMembership.objects.filter(group=CareGroup.ELDERLY_ALONE).select_related("resident__household"):
        assert care.resident.household.members.filter(is_active=True).count() == 1
        assert care.resident.birth_date.year <= 1955


@pytest.mark.django_db
def test_every_building_point_lies_in_its_microgrid():
    for building in Building.objects.all():
        grid, microgrid = locate(building.lat, building.lng)
        assert (grid.pk, microgrid.pk) == (building.microgrid.parent_id, building.microgrid_id), building.code


@pytest.mark.django_db
def test_the_neighbours_are_an_old_estate_without_property_company_and_a_commercial_estate():
    kinds = dict(Estate.objects.values_list("kind", "property_company"))
    assert kinds[EstateKind.OLD_ENTERPRISE] == ""
    assert kinds[EstateKind.COMMERCIAL] != ""
    assert Area.objects.filter(kind=AreaKind.COMMUNITY).count() == 3


@pytest.mark.django_db
def test_personal_data_is_encrypted_and_indexed_and_history_is_recorded():
    resident = dongcheng(Resident).exclude(phone="").order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [resident.pk])
        stored = cursor.fetchone()
    assert stored[0].startswith("g1:") and stored[1].startswith("g1:")
    assert Resident.objects.filter(id_number_index=resident.id_number_index).get() == resident
    assert resident.area_code == resident.household.dwelling.building.area_code
    assert Move.objects.filter(kind=MoveKind.MOVE_OUT, resident__area_code__startswith=DONGCHENG).count() == 60
    assert Move.objects.filter(kind=MoveKind.MOVE_WITHIN).exists()
    assert dongcheng(Household, last_verified_on__isnull=True).exists()
    assert dongcheng(Household, last_verified_on__isnull=False).exists()


def _fingerprint(pairs) -> str:
    return hashlib.sha256("\n".join(f"{n} {i}" for n, i in pairs).encode()).hexdigest()


@pytest.mark.django_db
def test_the_generator_is_deterministic():
    first, second = street_plans()[DONGCHENG], street_plans()[DONGCHENG]
    planned = sorted((p.name, p.id_number) for h in first.households[:300] for p in h.people)
    assert planned == sorted((p.name, p.id_number) for h in second.households[:300] for p in h.people)
    numbers = [h.number for h in first.households[:300]]
    stored = sorted((r.name, r.id_number) for r in Resident.objects.filter(household__number__in=numbers))
    assert _fingerprint(stored) == _fingerprint(planned)


@pytest.mark.django_db
def test_every_role_has_a_demo_login_and_dongcheng_grids_have_their_teams():
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(username="system_admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="grid_worker_b").area.code == f"{DONGCHENG}002"
    for grid in Area.objects.filter(code__startswith=DONGCHENG, kind=AreaKind.GRID):
        duties = set(Assignment.objects.filter(area=grid).values_list("duty", flat=True))
        assert {Duty.GRID_LEADER, Duty.GRID_WORKER, Duty.GRID_INSTRUCTOR, Duty.COMMUNITY_POLICE} <= duties
    assert Assignment.objects.filter(duty=Duty.BUILDING_STEWARD, area__code__startswith=DONGCHENG).count() == 76


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_loaded_database_alone_and_logins_prints_the_table(settings):
    settings.DEMO = True
    call_command("demo", if_empty=True)
    assert Resident.objects.filter(area_code__startswith=DONGCHENG, is_active=True).count() == 11940
    out = io.StringIO()
    call_command("demo", logins=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[2].split() == ["角色", "用户名", "密码", "区域"]
    assert lines[4].split()[:3] == ["网格员", "grid_worker_a", "demo12345"]
    split = lines.index("部门工作人员账号（处置事件工单）：")
    assert len([line for line in lines[:split] if "demo12345" in line]) == 14
    departments = [line.split() for line in lines[split:] if "demo12345" in line]
    assert len(departments) == Department.objects.filter(is_active=True).count() == 29
    assert ["部门工作人员", "department_staff", "demo12345", "镇城市管理办公室"] in departments


@pytest.mark.django_db
def test_the_triage_catalogue_is_synced_and_every_department_has_staff():
    assert Category.objects.filter(is_active=True, parent__isnull=False).count() == 89
    staffed = DepartmentMember.objects.values("department")
    assert Department.objects.filter(is_active=True).exclude(pk__in=staffed).count() == 0
    assert {m.user.username: m.department.name for m in DepartmentMember.objects.filter(
        user__username__in=["department_staff", "police_dongcheng", "utility_dongcheng"])} == {
        "department_staff": "镇城市管理办公室", "police_dongcheng": "镇派出所", "utility_dongcheng": "区自来水公司"}
    assert User.objects.filter(username="dept_01", role=Role.DEPARTMENT_STAFF).exists()


@pytest.mark.django_db
def test_case_history_step_writes_cases_that_read_like_their_category():
    assert loader.demo_case_history(count=40) == 40
    assert Case.objects.count() == 40
    assert Case.objects.filter(state=CaseState.CLOSED).exists()
    corpus = set(corpus_pairs())
    written = set(Case.objects.values_list("description", "suggested_category__code"))
    assert written <= corpus
