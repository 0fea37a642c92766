
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from gridgov.accounts.enums import AccessAction, Role
from gridgov.lib.pii import EncryptedTextField, mask_phone


class User(AbstractUser):
    """A person who signs in. Staff act within one area of the territory tree."""

    role = models.CharField("角色", max_length=30, choices=Role.choices, default=Role.RESIDENT)
    area = models.ForeignKey(
        "territory.Area", verbose_name="工作区域", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField("手机号", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def scope_code(self) -> str | None:
        """The code prefix of the user's subtree; None means no territory at all."""
        return self.area.code if self.area_id else None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ApiToken(models.Model):
    """A per-user API token: shown once at creation, stored as its SHA-256."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.prefix}… ({self.name})"


class AccessLog(models.Model):
    """Who saw or moved whose personal data, when and why."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=20, choices=AccessAction.choices)
    subject_type = models.CharField("对象类型", max_length=50)
    subject_id = models.CharField("对象", max_length=50)
    field = models.CharField("字段", max_length=50, blank=True)
    reason = models.CharField("事由", max_length=200)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息访问日志"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.subject_type}#{self.subject_id}"


class LoginFailure(models.Model):
    """A failed sign-in, kept for the rate limit (in the database: every process sees it)."""

    username = models.CharField("用户名", max_length=150)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败记录"
        indexes = [models.Index(fields=["username", "ip", "at"], name="login_failure_recent")]

    def __str__(self):
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS to a resident's phone; only its keyed hash is kept."""

    phone_index = models.CharField("手机号索引", max_length=64)
    code_hash = models.CharField("验证码摘要", max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone_index", "created_at"], name="phone_code_recent"),
                   models.Index(fields=["ip", "created_at"], name="phone_code_ip_recent")]

    def __str__(self):
        return f"{self.phone_index[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
