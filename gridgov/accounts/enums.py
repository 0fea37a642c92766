from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "居民"
    BUILDING_STEWARD = "building_steward", "楼栋长"
    GRID_WORKER = "grid_worker", "网格员"
    GRID_LEADER = "grid_leader", "网格长"
    COMMUNITY_STAFF = "community_staff", "社区工作者"
    COMMUNITY_SECRETARY = "community_secretary", "社区党组织书记"
    COMMAND_CENTRE = "command_centre", "街道指挥中心"
    DEPARTMENT_STAFF = "department_staff", "部门工作人员"
    PARTY_MEMBER = "party_member", "党员"
    VOLUNTEER = "volunteer", "志愿者"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计员"


# What each role may do with the population base, as data. Scope (the user's area) applies on top.
PEOPLE_READERS = frozenset({
    Role.BUILDING_STEWARD, Role.GRID_WORKER, Role.GRID_LEADER,
    Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.COMMAND_CENTRE,
})
PEOPLE_WRITERS = frozenset({
    Role.BUILDING_STEWARD, Role.GRID_WORKER, Role.GRID_LEADER,
    Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY,
})
PII_REVEALERS = frozenset({
    Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.COMMAND_CENTRE,
})
# Importing a ledger writes residents, so importers are a subset of PEOPLE_WRITERS.
LEDGER_IMPORTERS = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})
TERRITORY_READERS = PEOPLE_READERS | {Role.DEPARTMENT_STAFF, Role.PARTY_MEMBER, Role.VOLUNTEER, Role.SYSTEM_ADMIN}
ACCESS_LOG_READERS = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})


class AccessAction(models.TextChoices):
    REVEAL = "reveal", "查看明文"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
