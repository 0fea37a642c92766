from django.conf import settings
from django.db import models
from django.db.models import Q

from gridgov.lib.pii import EncryptedTextField, mask_id_number, mask_phone
from gridgov.people.enums import CareGroup, Gender, HouseholdRole, HukouKind, MoveKind, PartyOrgKind
from gridgov.territory.models import Area, Dwelling


class Household(models.Model):
    """A household (户). `area_code` copies its dwelling's microgrid code for scoped reads."""

    number = models.CharField("户编号", max_length=40, unique=True)
    dwelling = models.ForeignKey(
        Dwelling, verbose_name="现住房屋", null=True, blank=True, on_delete=models.PROTECT, related_name="households",
    )
    area_code = models.CharField("区域编码", max_length=17, blank=True, editable=False)
    moved_in_on = models.DateField("入住日期", null=True, blank=True)
    last_verified_on = models.DateField("最近核实日期", null=True, blank=True)
    is_party_household = models.BooleanField("党员中心户", default=False)
    is_active = models.BooleanField("在住", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "户"
        indexes = [
            models.Index(fields=["area_code"], name="household_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["last_verified_on"], name="household_verified"),
        ]

    def __str__(self):
        return self.number


class Resident(models.Model):
    """A person of the population base. ID number and phone are encrypted at rest."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    phone = EncryptedTextField("联系电话", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    household = models.ForeignKey(
        Household, verbose_name="所在户", null=True, blank=True, on_delete=models.PROTECT, related_name="members",
    )
    household_role = models.CharField("与户主关系", max_length=20, choices=HouseholdRole.choices,
                                      default=HouseholdRole.HEAD)
    hukou_kind = models.CharField("户籍类型", max_length=20, choices=HukouKind.choices, default=HukouKind.LOCAL)
    residence_since = models.DateField("居住起始日期", null=True, blank=True)
    area_code = models.CharField("区域编码", max_length=17, blank=True, editable=False)
    is_active = models.BooleanField("在住", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "居民"
        indexes = [models.Index(fields=["area_code", "name"], name="resident_area_name",
                                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], condition=~Q(id_number_index=""),
                                    name="resident_unique_id_number"),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class CareMembership(models.Model):
    """A resident's membership of a care group, for a period."""

    resident = models.ForeignKey(Resident, verbose_name="居民", on_delete=models.CASCADE, related_name="care")
    group = models.CharField("关爱类别", max_length=30, choices=CareGroup.choices)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点人群"
        indexes = [models.Index(fields=["group", "valid_to"], name="care_group_current")]

    def __str__(self):
        return f"{self.resident} {self.get_group_display()}"


class Move(models.Model):
    """A recorded move: in, out or between dwellings. Moves are appended, never overwritten."""

    resident = models.ForeignKey(Resident, verbose_name="居民", on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField("类型", max_length=20, choices=MoveKind.choices)
    from_dwelling = models.ForeignKey(Dwelling, verbose_name="原房屋", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="moves_out")
    to_dwelling = models.ForeignKey(Dwelling, verbose_name="新房屋", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="moves_in")
    moved_on = models.DateField("日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "迁移记录"
        ordering = ["moved_on", "id"]

    def __str__(self):
        return f"{self.resident} {self.get_kind_display()} {self.moved_on}"


class PartyOrganisation(models.Model):
    """Party committee › branch › group, aligned with the territory."""

    kind = models.CharField("类型", max_length=20, choices=PartyOrgKind.choices)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", verbose_name="上级组织", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    area = models.ForeignKey(Area, verbose_name="对应区域", on_delete=models.PROTECT, related_name="party_orgs")

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        ordering = ["area__code", "kind"]

    def __str__(self):
        return self.name


class PartyMember(models.Model):
    """A party member; linked to a resident when they live here. Enlisted = 在职党员双报到."""

    name = models.CharField("姓名", max_length=50)
    resident = models.OneToOneField(Resident, verbose_name="居民档案", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="party_member")
    organisation = models.ForeignKey(PartyOrganisation, verbose_name="所在党组织", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="party_member")
    joined_on = models.DateField("入党日期", null=True, blank=True)
    is_enlisted = models.BooleanField("在职党员双报到", default=False)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    enlisted_community = models.ForeignKey(Area, verbose_name="报到社区", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="enlisted_members")
    enlisted_on = models.DateField("报到日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员"

    def __str__(self):
        return self.name
