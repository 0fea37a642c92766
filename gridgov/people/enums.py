from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class HouseholdRole(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙辈"
    SIBLING = "sibling", "兄弟姐妹"
    TENANT = "tenant", "租户"
    OTHER = "other", "其他"


class HukouKind(models.TextChoices):
    LOCAL = "local", "本地户籍"
    NON_LOCAL = "non_local", "非本地户籍"
    NONE = "none", "无户籍"
    FOREIGN = "foreign", "境外人员"


class CareGroup(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", "独居老人"
    EMPTY_NEST = "empty_nest", "空巢老人"
    DISABLED = "disabled", "残疾人"
    CHILD_IN_DIFFICULTY = "child_difficulty", "困境儿童"
    HARDSHIP = "hardship", "困难家庭"
    SERIOUS_ILLNESS = "serious_illness", "重病患者"
    VETERAN = "veteran", "退役军人"


class MoveKind(models.TextChoices):
    MOVE_IN = "move_in", "迁入"
    MOVE_OUT = "move_out", "迁出"
    MOVE_WITHIN = "move_within", "辖区内迁居"


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"
