import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.accounts.enums import AccessAction
from gridgov.accounts.models import AccessLog
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.people import selectors, services
from gridgov.people.enums import PartyOrgKind
from gridgov.people.models import Household, Move, PartyMember, Resident
from tests.conftest import id_number

D = dt.date


def moves(resident) -> list[tuple]:
    return [(m.kind, m.from_dwelling_id, m.to_dwelling_id, m.moved_on, m.recorded_by_id)
            for m in selectors.resident_history(resident)]


def test_move_in_derives_birth_and_gender_and_encrypts(households):
    li = Resident.objects.get(name="李建国")
    assert (li.gender, li.birth_date, li.area_code, li.residence_since) == ("M", D(1980, 1, 2), "50011300200100201",
                                                                            D(2020, 5, 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [li.pk])
        stored = cursor.fetchone()
    assert stored[0].startswith("g1:") and stored[1].startswith("g1:")
    assert li.masked_id_number == li.id_number[:4] + "**********" + li.id_number[-4:]
    assert li.masked_phone == "138****1111"


def test_move_in_refuses_a_bad_checksum_and_a_duplicate(place, households):
    bad = id_number(50)[:17] + ("0" if id_number(50)[17] != "0" else "1")
    with pytest.raises(DomainError, match="身份证号校验位错误"):
        services.household_move_in(dwelling=place["dwelling_a2"], number="H-N", moved_on=D(2024, 1, 1),
                                   people=[services.Person(name="甲", id_number=bad)])
    with pytest.raises(DomainError, match="重复人员"):
        services.household_move_in(dwelling=place["dwelling_a2"], number="H-N", moved_on=D(2024, 1, 1),
                                   people=[services.Person(name="乙", id_number=id_number(50)),
                                           services.Person(name="丙", id_number=id_number(1))])
    assert not Household.objects.filter(number="H-N").exists()
    assert Resident.objects.count() == 3


def test_moves_are_appended_and_history_reads_back(place, households, persona):
    worker = persona["worker_a"]
    zhang = Resident.objects.get(name="张秀英")
    household = households["a"]

    services.household_move_within(household=household, to_dwelling=place["dwelling_a2"], moved_on=D(2023, 2, 1),
                                   by=worker)
    services.resident_move_out(resident=zhang, moved_on=D(2024, 3, 1), by=worker, note="投靠子女")

    a1, a2 = place["dwelling_a"].pk, place["dwelling_a2"].pk
    assert moves(zhang) == [("move_in", None, a1, D(2020, 5, 1), None),
                            ("move_within", a1, a2, D(2023, 2, 1), worker.pk),
                            ("move_out", a2, None, D(2024, 3, 1), worker.pk)]
    zhang.refresh_from_db()
    household.refresh_from_db()
    assert (zhang.is_active, household.is_active, household.dwelling_id) == (False, False, a2)
    assert [m.kind for m in selectors.dwelling_history(place["dwelling_a"])] == ["move_in", "move_within"]
    assert [m.kind for m in selectors.dwelling_history(place["dwelling_a2"])] == ["move_within", "move_out"]
    assert selectors.household_dwellings(household) == [place["dwelling_a"], place["dwelling_a2"]]


def test_move_within_to_another_grid_moves_the_scope(place, households, persona):
    services.household_move_within(household=households["a"], to_dwelling=place["dwelling_b"],
                                   moved_on=D(2023, 1, 1), by=persona["community_staff"])
    zhang = Resident.objects.get(name="张秀英")
    assert zhang.area_code == "50011300200100201"
    assert [r.name for r in selectors.residents_visible_to(persona["worker_a"])] == []
    assert selectors.resident_get_for(persona["worker_b"], zhang.pk) == zhang


def test_move_out_of_one_member_keeps_the_household(households, persona):
    wang = Resident.objects.get(name="王芳")
    services.resident_move_out(resident=wang, moved_on=D(2024, 1, 1), by=persona["worker_b"])
    households["b"].refresh_from_db()
    assert households["b"].is_active is True
    assert [r.name for r in selectors.residents_visible_to(persona["worker_b"])] == ["李建国"]
    assert selectors.resident_get_for(persona["worker_b"], wang.pk) == wang  # still readable, with its history
    with pytest.raises(DomainError, match="王芳 已迁出"):
        services.resident_move_out(resident=wang, moved_on=D(2024, 2, 1), by=persona["worker_b"])


def test_move_out_before_moving_in_is_refused(households, persona):
    li = Resident.objects.get(name="李建国")
    with pytest.raises(DomainError, match="迁出日期 2019-01-01 早于居住起始日期 2020-05-01"):
        services.resident_move_out(resident=li, moved_on=D(2019, 1, 1), by=persona["worker_b"])
    assert Move.objects.filter(resident=li).count() == 1


def test_writes_by_a_role_that_may_not_write_are_refused(households, persona):
    li = Resident.objects.get(name="李建国")
    for name in ("resident", "auditor"):
        with pytest.raises(NotAllowed):
            services.resident_move_out(resident=li, moved_on=D(2024, 1, 1), by=persona[name])
        with pytest.raises(NotAllowed):
            services.household_verify(household=households["b"], on=D(2024, 1, 1), by=persona[name])
    li.refresh_from_db()
    households["b"].refresh_from_db()
    assert (li.is_active, households["b"].last_verified_on) == (True, D(2020, 5, 1))


def test_unverified_households_by_days(households, persona):
    today = timezone.localdate()
    staff = persona["community_staff"]
    services.household_verify(household=households["a"], on=today - dt.timedelta(days=10), by=staff)
    assert [h.number for h in selectors.households_unverified(staff, days=30)] == ["H-B-1"]
    assert [h.number for h in selectors.households_unverified(staff, days=5)] == ["H-B-1", "H-A-1"]
    assert [h.number for h in selectors.households_unverified(persona["worker_a"], days=5)] == ["H-A-1"]
    with pytest.raises(DomainError, match="核实日期不能晚于今天"):
        services.household_verify(household=households["a"], on=today + dt.timedelta(days=1), by=staff)


def test_care_groups_have_a_period(households, persona):
    zhang = Resident.objects.get(name="张秀英")
    staff = persona["community_staff"]
    membership = services.care_membership_add(resident=zhang, group="elderly_alone", valid_from=D(2021, 1, 1),
                                              by=staff)
    with pytest.raises(DomainError, match="已在「独居老人」中"):
        services.care_membership_add(resident=zhang, group="elderly_alone", valid_from=D(2022, 1, 1), by=staff)
    with pytest.raises(DomainError, match="重点人群类别无效"):
        services.care_membership_add(resident=zhang, group="lonely", valid_from=D(2022, 1, 1), by=staff)
    services.care_membership_end(membership=membership, valid_to=D(2023, 6, 30), by=staff)
    assert [m.group for m in selectors.resident_care_groups(zhang, on=D(2023, 6, 30))] == ["elderly_alone"]
    assert selectors.resident_care_groups(zhang, on=D(2023, 7, 1)) == []
    assert list(selectors.residents_search(staff, care_group="elderly_alone")) == []


def test_reveal_logs_who_whom_when_why(households, persona):
    zhang = Resident.objects.get(name="张秀英")
    worker = persona["worker_a"]
    value = services.resident_reveal(user=worker, resident=zhang, field="phone", reason="电话回访", ip="10.1.1.1")
    assert value == "13912345678"
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject_type, log.subject_id, log.field, log.reason, log.ip) == (
        worker, AccessAction.REVEAL, "resident", str(zhang.pk), "phone", "电话回访", "10.1.1.1")


@pytest.mark.parametrize(("who", "field", "reason", "error"), [
    ("steward_a", "id_number", "入户核实", NotAllowed),
    ("worker_a", "name_pinyin", "入户核实", DomainError),
    ("worker_a", "id_number", " ", DomainError),
])
def test_reveal_refusals_log_nothing(households, persona, who, field, reason, error):
    zhang = Resident.objects.get(name="张秀英")
    with pytest.raises(error):
        services.resident_reveal(user=persona[who], resident=zhang, field=field, reason=reason)
    assert AccessLog.objects.count() == 0


# --- party --------------------------------------------------------------------------------

@pytest.fixture
def party(area, households):
    committee = services.party_organisation_create(kind=PartyOrgKind.COMMITTEE, name="东城社区党委",
                                                   area=area["community"])
    branch = services.party_organisation_create(kind=PartyOrgKind.BRANCH, name="第一网格党支部",
                                                area=area["grid_a"], parent=committee)
    group = services.party_organisation_create(kind=PartyOrgKind.GROUP, name="1栋党小组", area=area["micro_a"],
                                               parent=branch)
    return {"committee": committee, "branch": branch, "group": group}


def test_party_tree_follows_the_territory(area, party):
    with pytest.raises(DomainError, match="党小组的上级必须是党支部"):
        services.party_organisation_create(kind=PartyOrgKind.GROUP, name="错", area=area["micro_a"],
                                           parent=party["committee"])
    with pytest.raises(DomainError, match="的区域必须在上级组织「第一网格党支部」的区域之内"):
        services.party_organisation_create(kind=PartyOrgKind.GROUP, name="2栋党小组", area=area["micro_b"],
                                           parent=party["branch"])
    with pytest.raises(DomainError, match="党委是最高层级"):
        services.party_organisation_create(kind=PartyOrgKind.COMMITTEE, name="错", area=area["grid_a"],
                                           parent=party["committee"])


def test_party_members_households_and_enlisting(area, party, households, persona):
    staff = persona["community_staff"]
    zhang = Resident.objects.get(name="张秀英")
    member = services.party_member_add(name="", resident=zhang, organisation=party["group"], joined_on=D(1975, 7, 1),
                                       by=staff)
    outsider = services.party_member_add(name="周在职", by=staff)
    services.party_member_enlist(member=outsider, community=area["community"], employer="区税务局", on=D(2024, 3, 5),
                                 by=staff)
    services.household_set_party(household=households["a"], is_party_household=True, by=staff)

    assert member.name == "张秀英"
    outsider.refresh_from_db()
    assert (outsider.is_enlisted, outsider.enlisted_community, outsider.employer, outsider.enlisted_on) == (
        True, area["community"], "区税务局", D(2024, 3, 5))
    assert [m.name for m in selectors.party_members_of(persona["worker_a"])] == ["张秀英"]
    assert [m.name for m in selectors.party_members_of(staff, enlisted=True)] == ["周在职"]
    assert [h.number for h in selectors.party_households_visible_to(staff)] == ["H-A-1"]
    assert [(o.name, o.member_count) for o in selectors.party_organisations_visible_to(persona["worker_a"])] == [
        ("第一网格党支部", 0), ("1栋党小组", 1)]
    with pytest.raises(DomainError, match="没有在住的党员"):
        services.household_set_party(household=households["b"], is_party_household=True, by=staff)
    with pytest.raises(DomainError, match="已登记为党员"):
        services.party_member_add(name="", resident=zhang, by=staff)


def test_party_writes_need_community_staff(area, party, persona):
    with pytest.raises(NotAllowed):
        services.party_member_add(name="甲", organisation=party["branch"], by=persona["worker_a"])
    assert PartyMember.objects.count() == 0


def test_one_resident_moves_to_another_household(place, households, persona):
    staff = persona["community_staff"]
    wang = Resident.objects.get(name="王芳")
    services.resident_move_to_household(resident=wang, household=households["a"], moved_on=D(2024, 5, 1), by=staff)
    wang.refresh_from_db()
    assert (wang.household, wang.area_code) == (households["a"], "50011300200100101")
    assert moves(wang)[-1] == ("move_within", place["dwelling_b"].pk, place["dwelling_a"].pk, D(2024, 5, 1), staff.pk)
    households["b"].refresh_from_db()
    assert households["b"].is_active is True  # 李建国 still lives there
    with pytest.raises(DomainError, match="王芳 已在户 H-A-1 中"):
        services.resident_move_to_household(resident=wang, household=households["a"], moved_on=D(2024, 6, 1),
                                            by=staff)
