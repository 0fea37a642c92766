
from django.conf import settings
from django.db import models
from django.db.models import Q

from gridgov.lib.pii import EncryptedTextField, mask_phone
from gridgov.people.models import Resident
from gridgov.sensors.enums import (
    OPEN_STATUSES,
    AlarmKind,
    AlarmStatus,
    ContactRole,
    DeviceKind,
    EventType,
    Severity,
)
from gridgov.territory.models import Dwelling


class Device(models.Model):
    """A sensor bound to a dwelling. The three monitors are deadline columns swept by the worker."""

    kind = models.CharField("类型", max_length=20, choices=DeviceKind.choices)
    vendor = models.CharField("厂商", max_length=50, default="native")
    serial = models.CharField("序列号", max_length=64, unique=True)
    dwelling = models.ForeignKey(Dwelling, verbose_name="房屋", on_delete=models.PROTECT, related_name="devices")
    resident = models.ForeignKey(Resident, verbose_name="关爱对象", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="devices")
    installed_on = models.DateField("安装日期", null=True, blank=True)
    interval_s = models.PositiveIntegerField("上报间隔（秒）", default=3600)
    battery = models.PositiveSmallIntegerField("电量（%）", null=True, blank=True)
    battery_reported_at = models.DateTimeField("电量上报时间", null=True, blank=True)
    last_seen_at = models.DateTimeField("最后上报", null=True, blank=True)
    last_activity_at = models.DateTimeField("最后活动", null=True, blank=True)
    reading_ref = models.FloatField("水表基准读数（m³）", null=True, blank=True)
    is_active = models.BooleanField("在用", default=True)
    activity_due_at = models.DateTimeField("无活动预警时间", null=True, blank=True)
    silent_due_at = models.DateTimeField("离线判定时间", null=True, blank=True)
    battery_due_at = models.DateTimeField("电量检查时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "感知设备"
        ordering = ["serial"]
        indexes = [
            models.Index(fields=["activity_due_at"], name="device_activity_due",
                         condition=Q(activity_due_at__isnull=False)),
            models.Index(fields=["silent_due_at"], name="device_silent_due", condition=Q(silent_due_at__isnull=False)),
            models.Index(fields=["battery_due_at"], name="device_battery_due",
                         condition=Q(battery_due_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial}"


class DeviceEvent(models.Model):
    """One message from a device, stored once: (device, event_id) is unique."""

    # No index of its own: the unique (device, event_id) and (device, ts) indexes both start with it,
    # and every ingested event would pay for a third copy.
    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.CASCADE, related_name="events",
                               db_index=False)
    event_id = models.CharField("消息编号", max_length=64)
    type = models.CharField("类型", max_length=20, choices=EventType.choices)
    ts = models.DateTimeField("发生时间")
    value = models.FloatField("数值", null=True, blank=True)
    battery = models.PositiveSmallIntegerField("电量（%）", null=True, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "设备消息"
        constraints = [models.UniqueConstraint(fields=["device", "event_id"], name="device_event_once")]
        indexes = [models.Index(fields=["device", "ts"], name="device_event_ts")]

    def __str__(self):
        return f"{self.device_id}:{self.event_id} {self.type}"


class IngestReject(models.Model):
    """A message that could not be stored, with the reason: never silently dropped."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    source = models.CharField("来源", max_length=20)
    topic = models.CharField("主题", max_length=200, blank=True)
    serial = models.CharField("序列号", max_length=64, blank=True)
    reason = models.CharField("原因代码", max_length=30)
    detail = models.CharField("说明", max_length=300, blank=True)
    payload = models.TextField("原文（截断）", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "拒收消息"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.reason} {self.serial or self.topic}"


class Gateway(models.Model):
    """An HTTP gateway posting device events; its key is shown once and stored as SHA-256."""

    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "设备网关"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class CareProfile(models.Model):
    """Per-resident care settings: which monitors apply, their thresholds and quiet hours."""

    resident = models.OneToOneField(Resident, verbose_name="居民", on_delete=models.CASCADE, related_name="care_profile")
    monitor_door = models.BooleanField("门磁无开门预警", default=True)
    monitor_water = models.BooleanField("水表低用水预警", default=True)
    monitor_motion = models.BooleanField("红外无活动预警", default=True)
    door_hours = models.PositiveSmallIntegerField("未开门时长（小时）", default=24)
    water_hours = models.PositiveSmallIntegerField("用水统计时长（小时）", default=12)
    water_min_m3 = models.FloatField("最低用水量（m³）", default=0.01)
    motion_hours = models.PositiveSmallIntegerField("无活动时长（小时）", default=24)
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "关爱设置"

    def __str__(self):
        return f"{self.resident} 关爱设置"


class EmergencyContact(models.Model):
    """One emergency contact of a care profile, called in `order`."""

    profile = models.ForeignKey(CareProfile, verbose_name="关爱设置", on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("身份", max_length=20, choices=ContactRole.choices)
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("电话")

    class Meta:
        verbose_name = verbose_name_plural = "紧急联系人"
        ordering = ["profile_id", "order"]
        constraints = [models.UniqueConstraint(fields=["profile", "order"], name="contact_unique_order")]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Alarm(models.Model):
    """An alarm of one device. At most one open (active or acknowledged) alarm per device and kind."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="alarms")
    kind = models.CharField("类型", max_length=20, choices=AlarmKind.choices)
    severity = models.CharField("级别", max_length=20, choices=Severity.choices)
    status = models.CharField("状态", max_length=20, choices=AlarmStatus.choices, default=AlarmStatus.ACTIVE)
    reason = models.CharField("原因", max_length=200)
    event = models.ForeignKey(DeviceEvent, verbose_name="触发消息", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    occurrences = models.PositiveIntegerField("触发次数", default=1)
    raised_at = models.DateTimeField("发生时间")
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    remind_at = models.DateTimeField("下次提醒", null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("已提醒次数", default=0)
    notifications = models.JSONField("通知请求", default=list, blank=True)
    needs_case = models.BooleanField("需转工单", default=False)
    case_kind = models.CharField("工单类别", max_length=20, blank=True)
    case_requested_at = models.DateTimeField("转工单时间", null=True, blank=True)
    case_id = models.BigIntegerField("工单编号", null=True, blank=True)
    case_due_at = models.DateTimeField("无人响应转工单时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告警"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "kind"], condition=Q(status__in=OPEN_STATUSES),
                                    name="alarm_one_open_per_device_kind"),
        ]
        indexes = [
            models.Index(fields=["remind_at"], name="alarm_remind_due", condition=Q(remind_at__isnull=False)),
            models.Index(fields=["case_due_at"], name="alarm_case_due", condition=Q(case_due_at__isnull=False)),
            models.Index(fields=["kind", "status"], name="alarm_kind_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.device.serial} {self.get_status_display()}"


class AlarmLog(models.Model):
    """Every transition of an alarm, appended."""

    alarm = models.ForeignKey(Alarm, verbose_name="告警", on_delete=models.CASCADE, related_name="log")
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告警记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.alarm_id} {self.from_status}→{self.to_status}"

