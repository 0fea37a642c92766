from django.conf import settings
from django.db import models
from django.db.models import Q

from gridgov.cases.enums import (
    AffairKind,
    CaseState,
    Channel,
    DepartmentKind,
    ExtensionState,
    Level,
    OrderRole,
    OrderState,
    Outcome,
    Rating,
    Whistle,
)
from gridgov.lib.pii import EncryptedTextField, mask_phone

USER = settings.AUTH_USER_MODEL


class Department(models.Model):
    """A government department, an organisation (utility, company) or a partner that handles cases."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.GOVERNMENT)
    phone = models.CharField("值班电话", max_length=30, blank=True)
    wecom_webhook = models.CharField("企业微信群机器人地址", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门/单位"
        ordering = ["name"]

    def __str__(self):
        return self.name


class DepartmentMember(models.Model):
    """A user (role department_staff) who acts for a department."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(USER, verbose_name="人员", on_delete=models.CASCADE, related_name="department_membership")

    class Meta:
        verbose_name = verbose_name_plural = "部门人员"

    def __str__(self):
        return f"{self.department} {self.user}"


class Category(models.Model):
    """Two levels of case category; stage deadlines default per category (editable in admin)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", verbose_name="上级类别", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    first_level = models.CharField("12345一级分类", max_length=50, blank=True)
    department = models.ForeignKey(Department, verbose_name="默认责任部门", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="categories")
    keywords = models.JSONField("关键词", default=list, blank=True)
    whistle = models.CharField("建议吹哨", max_length=10, choices=Whistle.choices, default=Whistle.NONE,
                               help_text="立案时预选的吹哨类型（受理人可改）")
    is_active = models.BooleanField("启用", default=True)
    accept_hours = models.FloatField("受理时限（工作小时）", default=2)
    register_hours = models.FloatField("立案时限（工作小时）", default=4)
    dispatch_hours = models.FloatField("派单时限（工作小时）", default=4)
    claim_hours = models.FloatField("认领时限（工作小时）", default=7)
    approve_hours = models.FloatField("吹哨审批时限（工作小时）", default=4)
    resolve_days = models.FloatField("办结时限（工作日）", default=5)
    verify_hours = models.FloatField("核查时限（工作小时）", default=7)
    close_hours = models.FloatField("结案时限（工作小时）", default=7)
    sign_hours = models.FloatField("吹哨签收时限（工作小时）", default=1)
    contact_hours = models.FloatField("吹哨联系时限（小时）", default=24)
    quick_arrive_days = models.FloatField("快捷哨到场时限（工作日）", default=3)
    complex_arrive_days = models.FloatField("攻坚哨到场时限（工作日）", default=5)
    urgent_sign_minutes = models.PositiveIntegerField("应急哨签收时限（分钟）", default=30)
    urgent_arrive_minutes = models.PositiveIntegerField("应急哨到场时限（分钟）", default=120)
    escalate_every_hours = models.FloatField("逾期后再次提级间隔（小时）", default=24,
                                             help_text="逾期事件提级后仍未办理，隔多少小时再提一级")

    class Meta:
        verbose_name = verbose_name_plural = "事件类别"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CalendarOverride(models.Model):
    """A day the statutory calendar gets wrong here: a local holiday, or a year the library lacks."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class Case(models.Model):
    """One reported problem, whatever its channel, from intake to a rated, verified close."""

    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    source = models.CharField("来源系统", max_length=50, blank=True)
    external_id = models.CharField("外部编号", max_length=100, blank=True)
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    building = models.ForeignKey("territory.Building", verbose_name="楼栋", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    grid = models.ForeignKey("territory.Area", verbose_name="网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("区域编码", max_length=17, editable=False)
    off_grid = models.BooleanField("网格外", default=False)

    reported_by = models.ForeignKey(USER, verbose_name="上报人账号", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="reported_cases")
    reporter_name = models.CharField("上报人", max_length=50, blank=True)
    reporter_phone = EncryptedTextField("上报人电话", blank=True, default="")
    reporter_phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    anonymous = models.BooleanField("匿名", default=False)

    suggested_category = models.ForeignKey(Category, verbose_name="建议类别", null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    suggested_p = models.FloatField("建议类别置信度", null=True, blank=True)
    category = models.ForeignKey(Category, verbose_name="类别", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    affair_kind = models.CharField("事务类型", max_length=20, choices=AffairKind.choices, blank=True)
    whistle = models.CharField("吹哨", max_length=20, choices=Whistle.choices, default=Whistle.NONE)
    level = models.CharField("处置层级", max_length=20, choices=Level.choices, default=Level.GRID)
    possible_duplicate_of = models.ForeignKey("self", verbose_name="疑似重复", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    merged_into = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged_cases")

    state = models.CharField("状态", max_length=20, choices=CaseState.choices, default=CaseState.REPORTED)
    paused_from = models.CharField("挂起前状态", max_length=20, choices=CaseState.choices, blank=True)
    paused_at = models.DateTimeField("挂起时间", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("累计挂起秒数", default=0)

    stage_started_at = models.DateTimeField("本阶段开始", null=True, blank=True)
    warn_at = models.DateTimeField("临期时间", null=True, blank=True)
    due_at = models.DateTimeField("本阶段时限", null=True, blank=True)
    remind_at = models.DateTimeField("待催办时间", null=True, blank=True)
    escalate_at = models.DateTimeField("待提级时间", null=True, blank=True)
    deadline_at = models.DateTimeField("应办结时间", null=True, blank=True)
    external_deadline_at = models.DateTimeField("外部办理时限", null=True, blank=True,
                                                help_text="来源渠道（如12345热线）规定的办结时限；派单时不晚于它")

    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    lead_department = models.ForeignKey(Department, verbose_name="主办部门", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    handler = models.ForeignKey(USER, verbose_name="承办人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="handled_cases")
    reject_reason = models.CharField("不予受理理由", max_length=300, blank=True)
    result = models.TextField("办理结果", blank=True)
    outcome = models.CharField("结案类型", max_length=20, choices=Outcome.choices, blank=True)
    rating = models.CharField("满意度", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=300, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField("重办次数", default=0)
    reworked = models.BooleanField("计返工", default=False)

    published = models.BooleanField("已公示", default=False)
    public_title = models.CharField("公示标题", max_length=100, blank=True)
    public_result = models.TextField("公示结果", blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)

    created_at = models.DateTimeField("上报时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~Q(external_id=""),
                                    name="case_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["area_code"], name="case_area_prefix", opclasses=["varchar_pattern_ops"]),
            # The measures' cohorts, covering their columns so the aggregates can read the index only.
            models.Index(fields=["deadline_at", "area_code", "closed_at", "level", "reworked", "rating",
                                 "lead_department"], name="case_due_cohort"),
            models.Index(fields=["created_at", "area_code", "accepted_at", "registered_at"],
                         name="case_received_cohort"),
            models.Index(fields=["state", "area_code"], name="case_state_area"),
            models.Index(fields=["due_at"], name="case_due", condition=Q(due_at__isnull=False)),
            models.Index(fields=["remind_at"], name="case_remind", condition=Q(remind_at__isnull=False)),
            models.Index(fields=["escalate_at"], name="case_escalate", condition=Q(escalate_at__isnull=False)),
            models.Index(fields=["category", "created_at"], name="case_category_created"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.description[:20]}"

    @property
    def masked_reporter_phone(self) -> str:
        return mask_phone(self.reporter_phone)


class CaseReporter(models.Model):
    """A further reporter of the same problem ("me too"), kept when cases are merged."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = EncryptedTextField("电话", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    from_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "共同反映人"

    def __str__(self):
        return f"#{self.case_id} {self.user or mask_phone(self.phone)}"


class WorkOrder(models.Model):
    """One dispatch of a case to one handler: a department (lead or co-handler), a person, or a claim."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_orders")
    role = models.CharField("主协办", max_length=10, choices=OrderRole.choices, default=OrderRole.LEAD)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="work_orders")
    assignee = models.ForeignKey(USER, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="work_orders")
    area_code = models.CharField("区域编码", max_length=17, editable=False, default="")  # the case's, for measures
    claimable = models.BooleanField("开放认领", default=False)
    whistle = models.CharField("吹哨", max_length=20, choices=Whistle.choices, default=Whistle.NONE)
    state = models.CharField("状态", max_length=20, choices=OrderState.choices, default=OrderState.OPEN)
    created_at = models.DateTimeField("派单时间")
    sign_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    contact_due_at = models.DateTimeField("联系时限", null=True, blank=True)
    arrive_due_at = models.DateTimeField("到场时限", null=True, blank=True)
    resolve_due_at = models.DateTimeField("办结时限", null=True, blank=True)
    alert_at = models.DateTimeField("待催办时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    check_in_lat = models.FloatField("报到纬度", null=True, blank=True)
    check_in_lng = models.FloatField("报到经度", null=True, blank=True)
    return_reason = models.CharField("退单理由", max_length=300, blank=True)
    extension_state = models.CharField("延期", max_length=20, choices=ExtensionState.choices, blank=True, default="")
    extension_days = models.FloatField("申请延期（工作日）", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["alert_at"], name="order_alert", condition=Q(alert_at__isnull=False)),
            models.Index(fields=["department", "state"], name="order_department_state"),
            models.Index(fields=["assignee", "state"], name="order_assignee_state"),
            models.Index(fields=["created_at", "area_code", "sign_due_at", "signed_at", "department"],
                         name="order_cohort"),
        ]

    def __str__(self):
        return f"工单#{self.pk}（事件#{self.case_id} {self.get_role_display()}）"


class Attachment(models.Model):
    """A photo, re-encoded without metadata, stored under MEDIA_ROOT."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey("CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.file.name


class CaseEvent(models.Model):
    """The case's log: one row per applied transition, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, choices=CaseState.choices)
    to_state = models.CharField("新状态", max_length=20, choices=CaseState.choices)
    by = models.ForeignKey(USER, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    note = models.TextField("说明", blank=True)
    internal = models.BooleanField("仅内部可见", default=False)
    data = models.JSONField("数据", default=dict, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "事件日志"
        ordering = ["at", "id"]

    def __str__(self):
        return f"#{self.case_id} {self.action} {self.from_state}→{self.to_state}"


class DepartmentRating(models.Model):
    """Reverse evaluation: the community rates a department's answer to a whistle (1–5)."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="rating")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("意见", max_length=300, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "基层反向评价"

    def __str__(self):
        return f"{self.department} {self.score}"


class TriageCorrection(models.Model):
    """The dispatcher registered a case under another category than the one triage suggested.

    Kept as an extra training pair (the case's text, the chosen category) for `gridgov triage train`.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_corrections")
    suggested = models.ForeignKey(Category, verbose_name="建议类别", on_delete=models.PROTECT, related_name="+")
    chosen = models.ForeignKey(Category, verbose_name="登记类别", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(USER, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "分类纠正"

    def __str__(self):
        return f"事件#{self.case_id}：{self.suggested_id} → {self.chosen_id}"


class RollupCounts(models.Model):
    """The measures' counters of one rollup key: an area (the cases' own area_code, so any level of the tree
    is a prefix of it) and a department, over a day or a month (gridgov/cases/rollup.py keeps them)."""

    area_code = models.CharField("区域编码", max_length=17)
    # The lead department (received and due cohorts) or the work order's department; 0 = none. An integer,
    # not a foreign key: NULLs never conflict in a unique key, and the upsert needs the key to conflict.
    department_id = models.IntegerField("部门", default=0)
    received = models.IntegerField("受理量", default=0)
    accepted = models.IntegerField("已受理", default=0)
    registered = models.IntegerField("已立案", default=0)
    due = models.IntegerField("应结案", default=0)
    closed = models.IntegerField("已结案", default=0)
    closed_on_time = models.IntegerField("按期结案", default=0)
    orders = models.IntegerField("工单", default=0)
    signed_in_time = models.IntegerField("按时签收", default=0)
    rated = models.IntegerField("已评价", default=0)
    satisfied = models.IntegerField("满意", default=0)
    reworked = models.IntegerField("返工", default=0)
    closed_at_grid = models.IntegerField("网格内结案", default=0)
    closed_in_community = models.IntegerField("社区内结案", default=0)
    # The communities' reverse evaluation of the department's whistle answers, by the work order's day.
    reverse_ratings = models.IntegerField("反向评价次数", default=0)
    reverse_score = models.IntegerField("反向评价总分", default=0)

    class Meta:
        abstract = True


class CaseDayRollup(RollupCounts):
    """One day's counters: cases reported that day, cases due that day, work orders issued that day."""

    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "考核日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "area_code", "department_id"],
                                               name="case_day_rollup_key")]
        indexes = [models.Index(fields=["department_id", "day", "area_code"], name="case_day_rollup_department")]

    def __str__(self):
        return f"{self.day} {self.area_code} {self.department_id}"


class CaseMonthRollup(RollupCounts):
    """The same counters summed over a calendar month, so a year reads 12 months instead of 365 days."""

    month = models.DateField("月份（当月1日）")

    class Meta:
        verbose_name = verbose_name_plural = "考核月汇总"
        constraints = [models.UniqueConstraint(fields=["month", "area_code", "department_id"],
                                               name="case_month_rollup_key")]
        indexes = [models.Index(fields=["department_id", "month", "area_code"],
                                name="case_month_rollup_department")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.area_code} {self.department_id}"
