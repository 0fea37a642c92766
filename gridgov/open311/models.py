import secrets

from django.conf import settings
from django.db import models

from gridgov.lib.pii import EncryptedTextField
from gridgov.open311.enums import Datatype

USER = settings.AUTH_USER_MODEL


class Client(models.Model):
    """An organisation allowed to POST through Open311, with its API key (stored as SHA-256, shown once).

    Its requests enter the case engine as its own service account (`user`), channel "api".
    """

    organisation = models.CharField("机构", max_length=100, unique=True)
    user = models.OneToOneField(USER, verbose_name="接口账号", on_delete=models.PROTECT, related_name="open311_client")
    key_prefix = models.CharField("密钥前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    key_issued_at = models.DateTimeField("密钥签发时间")
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 接入机构"
        ordering = ["organisation"]

    def __str__(self):
        return self.organisation


class ServiceAttribute(models.Model):
    """An extra question a service (a leaf case category) asks: GeoReport v2's service definition."""

    category = models.ForeignKey("cases.Category", verbose_name="事件类别", on_delete=models.CASCADE,
                                 related_name="open311_attributes")
    code = models.CharField("编码", max_length=50)
    datatype = models.CharField("类型", max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField("必填", default=False)
    variable = models.BooleanField("需要填写", default=True, help_text="否：仅向用户展示说明")
    description = models.CharField("问题", max_length=300)
    datatype_description = models.CharField("填写说明", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    values = models.JSONField("选项", default=list, blank=True, help_text='[{"key": "1", "name": "…"}]')

    class Meta:
        verbose_name = verbose_name_plural = "Open311 服务属性"
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique_code")]

    def __str__(self):
        return f"{self.category.code}/{self.code}"

    def keys(self) -> list[str]:
        return [str(v["key"]) for v in self.values]


class ServiceRequest(models.Model):
    """What an Open311 POST brought beside the case: service asked for, answers, media, device, contact."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311_request")
    client = models.ForeignKey(Client, verbose_name="接入机构", on_delete=models.PROTECT, related_name="requests")
    category = models.ForeignKey("cases.Category", verbose_name="服务", on_delete=models.PROTECT, related_name="+")
    token = models.CharField("令牌", max_length=40, unique=True)
    attributes = models.JSONField("属性", default=dict, blank=True)
    media_url = models.URLField("媒体地址", max_length=500, blank=True)
    device_id = models.CharField("设备编号", max_length=100, blank=True)
    account_id = models.CharField("账号编号", max_length=100, blank=True)
    email = EncryptedTextField("邮箱", blank=True, default="")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 诉求"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.client} → 事件#{self.case_id}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_hex(16)


class RequestUpdate(models.Model):
    """An update a client POSTed (mySociety servicerequestupdates), once per (client, update_id)."""

    client = models.ForeignKey(Client, verbose_name="接入机构", on_delete=models.PROTECT, related_name="updates")
    update_id = models.CharField("对方更新编号", max_length=100)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="open311_updates")
    status = models.CharField("状态", max_length=40, blank=True)
    description = models.TextField("内容")
    media_url = models.URLField("媒体地址", max_length=500, blank=True)
    updated_at = models.DateTimeField("对方更新时间")
    applied = models.CharField("已执行操作", max_length=30, blank=True)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 诉求更新"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["client", "update_id"], name="open311_update_unique")]

    def __str__(self):
        return f"{self.client} {self.update_id}"
