"""Demo accounts for every role, their areas, and the 东城 grids' "1+3+N" teams.

Usernames say who they are: grid_worker_a works 东城 grid 1, grid_worker_b grid 2, …;
building_steward_a2 looks after microgrid 2 of grid 1. Every demo account has the password
DEMO_PASSWORD, which exists only in demo mode.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from gridgov.accounts.enums import Role
from gridgov.accounts.models import User
from gridgov.demo import names
from gridgov.demo.street import COMMUNITIES, DISTRICT, GRID_LETTERS, SEED, STREET, community_code
from gridgov.lib.pii import blind_index
from gridgov.people.models import PartyMember
from gridgov.territory import services as territory
from gridgov.territory.enums import AreaKind, Duty
from gridgov.territory.models import Area

DEMO_PASSWORD = "demo12345"
ASSIGNED_SINCE = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Login:
    """One account of the demo logins table: the first account of each role, plus grid_worker_b."""

    username: str
    role: str
    area_code: str | None
    title: str = ""
    superuser: bool = False


def _dongcheng_grid(n: int) -> str:
    return f"{community_code('dongcheng')}{n:03d}"


LOGINS = (
    Login("grid_worker_a", Role.GRID_WORKER, _dongcheng_grid(1), "东城社区第1网格 专职网格员"),
    Login("grid_worker_b", Role.GRID_WORKER, _dongcheng_grid(2), "东城社区第2网格 专职网格员"),
    Login("grid_leader_a", Role.GRID_LEADER, _dongcheng_grid(1), "东城社区第1网格 网格长"),
    Login("building_steward", Role.BUILDING_STEWARD, _dongcheng_grid(1) + "01", "东城社区第1网格1号微网格 楼栋长"),
    Login("community_staff", Role.COMMUNITY_STAFF, community_code("dongcheng"), "东城社区 社区工作者"),
    Login("community_secretary", Role.COMMUNITY_SECRETARY, community_code("dongcheng"), "东城社区 党支部书记"),
    Login("command_centre", Role.COMMAND_CENTRE, STREET[0], "界石镇 基层治理指挥中心"),
    Login("department_staff", Role.DEPARTMENT_STAFF, STREET[0], "界石镇 城市管理办公室"),
    Login("party_member", Role.PARTY_MEMBER, _dongcheng_grid(1), "东城社区第1网格 党员中心户"),
    Login("volunteer", Role.VOLUNTEER, community_code("dongcheng"), "东城社区 睦邻志愿服务队"),
    Login("resident", Role.RESIDENT, None, "东城社区 居民"),
    Login("system_admin", Role.SYSTEM_ADMIN, DISTRICT[0], "系统管理员（可进入 Django 管理后台）", True),
    Login("security_admin", Role.SECURITY_ADMIN, DISTRICT[0], "安全管理员"),
    Login("auditor", Role.AUDITOR, DISTRICT[0], "审计员"),
)


def _further_logins() -> list[Login]:
    """Every other account: a worker and a leader per grid, a steward per 东城 microgrid, …"""
    extra = []
    dongcheng = next(spec for spec in COMMUNITIES if spec.short == "dongcheng")
    for g, micros in enumerate(dongcheng.microgrids, start=1):
        letter, code = GRID_LETTERS[g - 1], _dongcheng_grid(g)
        if g > 1:
            extra += [Login(f"grid_worker_{letter}", Role.GRID_WORKER, code),
                      Login(f"grid_leader_{letter}", Role.GRID_LEADER, code),
                      Login(f"party_member_{letter}", Role.PARTY_MEMBER, code)]
        extra += [Login(f"building_steward_{letter}{m}", Role.BUILDING_STEWARD, f"{code}{m:02d}")
                  for m in range(1, micros + 1) if (g, m) != (1, 1)]
    extra += [Login("police_dongcheng", Role.DEPARTMENT_STAFF, dongcheng.code, "东城社区 社区民警"),
              Login("utility_dongcheng", Role.DEPARTMENT_STAFF, dongcheng.code, "东城社区 水电气物业联络员")]
    for spec in COMMUNITIES:
        if spec is dongcheng:
            continue
        extra.append(Login(f"community_staff_{spec.short}", Role.COMMUNITY_STAFF, spec.code))
        extra += [Login(f"grid_worker_{spec.short}_{g}", Role.GRID_WORKER, f"{spec.code}{g:03d}")
                  for g in range(1, len(spec.microgrids) + 1)]
    listed = {x.username for x in LOGINS}
    return [x for x in extra if x.username not in listed]


def _users(logins: list[Login]) -> dict[str, User]:
    rng = random.Random(f"{SEED}-staff")
    password = make_password(DEMO_PASSWORD)   # one hash for all: argon2 is slow on purpose
    areas = Area.objects.in_bulk([x.area_code for x in logins if x.area_code], field_name="code")
    users = []
    for login in logins:
        gender = rng.choice("MF")
        users.append(User(
            username=login.username, password=password, role=login.role,
            area=areas.get(login.area_code), display_name=names.surname(rng) + names.given_name(rng, gender),
            phone=names.phone(rng), is_staff=login.superuser, is_superuser=login.superuser,
        ))
    for user in users:
        user.phone_index = blind_index(user.phone)
    return {u.username: u for u in User.objects.bulk_create(users)}


def _teams(users: dict[str, User]) -> None:
    """The 东城 grids' 1+3+N: leader, worker, instructor, police, party member, utility staff,
    a volunteer on grid 1, and a building steward on every microgrid."""
    areas = {a.code: a for a in Area.objects.filter(code__subtree=community_code("dongcheng"),
                                                    kind__in=[AreaKind.GRID, AreaKind.MICROGRID])}
    for user in users.values():
        if user.area is None or user.area.code not in areas:
            continue
        duty = {Role.GRID_WORKER: Duty.GRID_WORKER, Role.GRID_LEADER: Duty.GRID_LEADER,
                Role.BUILDING_STEWARD: Duty.BUILDING_STEWARD, Role.PARTY_MEMBER: Duty.PARTY_MEMBER}[user.role]
        territory.assignment_create(area=areas[user.area.code], user=user, duty=duty, since=ASSIGNED_SINCE)
    for grid in (a for a in areas.values() if a.kind == AreaKind.GRID):
        for username, duty in (("community_staff", Duty.GRID_INSTRUCTOR), ("police_dongcheng", Duty.COMMUNITY_POLICE),
                               ("utility_dongcheng", Duty.UTILITY_STAFF)):
            territory.assignment_create(area=grid, user=users[username], duty=duty, since=ASSIGNED_SINCE)
    territory.assignment_create(area=areas[_dongcheng_grid(1)], user=users["volunteer"], duty=Duty.VOLUNTEER,
                                since=ASSIGNED_SINCE)


def _link_party_members(users: dict[str, User]) -> None:
    """Each grid's party-member account is the head of that grid's party household."""
    for user in (u for u in users.values() if u.role == Role.PARTY_MEMBER):
        member = (PartyMember.objects.filter(resident__household__is_party_household=True,
                                             resident__area_code__subtree=user.area.code)
                  .order_by("resident__household__number").first())
        if member is not None:
            member.user = user
            member.save(update_fields=["user"])
            user.display_name = member.name
            user.save(update_fields=["display_name"])


def staff_create() -> dict[str, User]:
    """Create every demo account and the 东城 assignments. Expects street_create() to have run."""
    users = _users(list(LOGINS) + _further_logins())
    _teams(users)
    _link_party_members(users)
    return users
