from django.conf import settings
from django.db import models

from gridgov.territory.enums import AreaKind, Duty, EstateKind


class Area(models.Model):
    """One node of the territory tree: district › street › community › grid › microgrid."""

    kind = models.CharField("层级", max_length=20, choices=AreaKind.choices)
    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=17, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
    )
    boundary = models.JSONField("边界 (GeoJSON)", null=True, blank=True)
    centre_lat = models.FloatField("中心纬度", null=True, blank=True)
    centre_lng = models.FloatField("中心经度", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "区域"
        ordering = ["code"]
        indexes = [models.Index(fields=["code"], name="area_code_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class Estate(models.Model):
    """A residential compound (小区); it may span grids."""

    name = models.CharField("名称", max_length=100)
    community = models.ForeignKey(Area, verbose_name="所属社区", on_delete=models.PROTECT, related_name="estates")
    kind = models.CharField("类型", max_length=20, choices=EstateKind.choices, default=EstateKind.OTHER)
    property_company = models.CharField("物业公司", max_length=100, blank=True, help_text="空表示无物业")
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(models.Model):
    """A building stands in one microgrid; a tower split into floor bands gives its dwellings their own."""

    code = models.CharField("楼栋编码", max_length=30, unique=True)
    name = models.CharField("楼栋名", max_length=50)
    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="buildings")
    microgrid = models.ForeignKey(
        Area, verbose_name="所属微网格", on_delete=models.PROTECT, related_name="buildings",
    )
    area_code = models.CharField("区域编码", max_length=17, db_index=True, editable=False)
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    entrances = models.PositiveSmallIntegerField("单元数", default=1)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "楼栋"
        ordering = ["code"]
        indexes = [models.Index(fields=["area_code"], name="building_area_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.estate.name}{self.name}" if self.estate_id else self.name


class Dwelling(models.Model):
    """A dwelling (房屋): one room in a building; a household lives in it."""

    building = models.ForeignKey(Building, verbose_name="楼栋", on_delete=models.PROTECT, related_name="dwellings")
    entrance = models.PositiveSmallIntegerField("单元", default=1)
    floor = models.SmallIntegerField("楼层", default=1)
    number = models.CharField("房号", max_length=20)
    microgrid = models.ForeignKey(
        Area, verbose_name="所属微网格", null=True, blank=True, on_delete=models.PROTECT, related_name="dwellings",
        help_text="一栋高层按楼层或单元分成几个微网格时填写；为空即属于楼栋的微网格",
    )
    area_code = models.CharField("区域编码", max_length=17, editable=False, default="")

    class Meta:
        verbose_name = verbose_name_plural = "房屋"
        ordering = ["building_id", "entrance", "floor", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="dwelling_unique_number")]
        indexes = [models.Index(fields=["area_code"], name="dwelling_area_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.building} {self.number}"


class Assignment(models.Model):
    """A staff member's duty on an area (grid leader, grid worker, building steward, 1+3+N)."""

    area = models.ForeignKey(Area, verbose_name="区域", on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE, related_name="assignments",
    )
    duty = models.CharField("职责", max_length=30, choices=Duty.choices)
    since = models.DateField("起始日期")
    until = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格力量"
        ordering = ["area__code", "duty"]

    def __str__(self):
        return f"{self.area.name} {self.get_duty_display()} {self.user}"
