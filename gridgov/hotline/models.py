from django.db import models
from django.db.models import Q

from gridgov.hotline.enums import DeliveryState, HotlineStatus
from gridgov.lib.pii import EncryptedTextField


class HotlineOrder(models.Model):
    """A 12345 hotline work order and the case it became (idempotent on the hotline's number)."""

    number = models.CharField("工单编号", max_length=50, unique=True)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="hotline_order")
    called_at = models.DateTimeField("来电时间")
    caller_phone = EncryptedTextField("来电号码", blank=True, default="")
    category_text = models.CharField("热线分类", max_length=100, blank=True)
    due_at = models.DateTimeField("办理时限")
    imported_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345工单"
        ordering = ["-called_at", "-id"]

    def __str__(self):
        return self.number


class HotlineUpdate(models.Model):
    """One change of a hotline case in the hotline's terms: exported, and pushed to its webhook once."""

    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="updates")
    event = models.OneToOneField("cases.CaseEvent", on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=HotlineStatus.choices)
    reason = models.CharField("退回理由", max_length=300, blank=True)
    note = models.TextField("办理情况", blank=True)
    at = models.DateTimeField("时间")
    state = models.CharField("推送", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.TextField("最近错误", blank=True)
    delivered_at = models.DateTimeField("推送时间", null=True, blank=True)
    created_at = models.DateTimeField("入队时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345回传"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="hotline_update_due", condition=Q(state="pending")),
            models.Index(fields=["at"], name="hotline_update_at"),
        ]

    def __str__(self):
        return f"{self.order} {self.status}"


class HotlineCursor(models.Model):
    """How far the case log has been read for hotline cases (a high-water mark on CaseEvent.id)."""

    name = models.CharField(max_length=30, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "12345读取进度"

    def __str__(self):
        return f"{self.name} @ {self.last_event_id}"
