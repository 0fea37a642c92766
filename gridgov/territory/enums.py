from django.db import models


class AreaKind(models.TextChoices):
    DISTRICT = "district", "区县"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    MICROGRID = "microgrid", "微网格"


# Codes in the Beijing / CJ-T 349 style: 6-digit district + 3 street + 3 community + 3 grid + 2 microgrid.
# A child's code starts with its parent's, so the code is also the area's materialised path.
CODE_LENGTH = {
    AreaKind.DISTRICT: 6,
    AreaKind.STREET: 9,
    AreaKind.COMMUNITY: 12,
    AreaKind.GRID: 15,
    AreaKind.MICROGRID: 17,
}
PARENT_KIND = {
    AreaKind.STREET: AreaKind.DISTRICT,
    AreaKind.COMMUNITY: AreaKind.STREET,
    AreaKind.GRID: AreaKind.COMMUNITY,
    AreaKind.MICROGRID: AreaKind.GRID,
}


class EstateKind(models.TextChoices):
    PUBLIC_RENTAL = "public_rental", "公租房小区"
    OLD_ENTERPRISE = "old_enterprise", "老旧国企小区"
    COMMERCIAL = "commercial", "商品房小区"
    OTHER = "other", "其他"


class Duty(models.TextChoices):
    """Staff duties on an area: the grid's "1+3+N" team and the microgrid's building steward."""

    GRID_LEADER = "grid_leader", "网格长"
    GRID_WORKER = "grid_worker", "专职网格员"
    BUILDING_STEWARD = "building_steward", "楼栋长（微网格员）"
    GRID_INSTRUCTOR = "grid_instructor", "网格指导员"
    COMMUNITY_POLICE = "community_police", "社区民警"
    PARTY_MEMBER = "party_member", "党员"
    UTILITY_STAFF = "utility_staff", "水电气物业人员"
    VOLUNTEER = "volunteer", "志愿者"
    OTHER = "other", "其他力量"


# Where each duty may be held: the grid's 1+3+N team on a grid, the steward on a microgrid.
_GRID_TEAM = frozenset({AreaKind.GRID})
DUTY_AREA_KINDS = {
    Duty.GRID_LEADER: _GRID_TEAM,
    Duty.GRID_WORKER: _GRID_TEAM,
    Duty.BUILDING_STEWARD: frozenset({AreaKind.MICROGRID}),
    Duty.GRID_INSTRUCTOR: _GRID_TEAM | {AreaKind.COMMUNITY},
    Duty.COMMUNITY_POLICE: _GRID_TEAM | {AreaKind.COMMUNITY},
    Duty.PARTY_MEMBER: _GRID_TEAM | {AreaKind.MICROGRID},
    Duty.UTILITY_STAFF: _GRID_TEAM | {AreaKind.MICROGRID},
    Duty.VOLUNTEER: _GRID_TEAM | {AreaKind.MICROGRID},
    Duty.OTHER: frozenset(AreaKind),
}
