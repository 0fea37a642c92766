from django.db import models
from django.db.models import Q

from gridgov.lib.pii import EncryptedTextField


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Outbox(models.Model):
    """One message to send once. Created after the commit that caused it; sent by the worker."""

    key = models.CharField("幂等键", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=20)
    address = EncryptedTextField("接收地址", blank=True, default="")
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    template = models.CharField("模板", max_length=50)
    params = models.JSONField("参数", default=dict)
    text = models.TextField("正文")
    state = models.CharField("状态", max_length=20, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知发件箱"
        ordering = ["id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="outbox_pending",
                                condition=Q(state="pending"))]

    def __str__(self):
        return f"{self.channel} {self.template} ({self.get_state_display()})"
