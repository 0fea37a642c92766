from django.contrib import admin

from gridgov.cases.models import (
    CalendarOverride,
    Case,
    CaseEvent,
    Category,
    Department,
    DepartmentMember,
    DepartmentRating,
    TriageCorrection,
    WorkOrder,
)


class MemberInline(admin.TabularInline):
    model = DepartmentMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [MemberInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Stage deadlines are edited here, per category."""

    list_display = ["code", "name", "first_level", "department", "whistle", "resolve_days", "is_active"]
    list_filter = ["is_active", "first_level", "whistle"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name", "parent", "first_level", "department", "keywords", "is_active"]}),
        ("时限", {"fields": ["accept_hours", "register_hours", "dispatch_hours", "claim_hours", "approve_hours",
                           "resolve_days", "verify_hours", "close_hours"]}),
        ("吹哨时限", {"fields": ["whistle", "sign_hours", "contact_hours", "quick_arrive_days", "complex_arrive_days",
                             "urgent_sign_minutes", "urgent_arrive_minutes"]}),
        ("提级", {"fields": ["escalate_every_hours"]}),
    ]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]


class ReadOnly(admin.ModelAdmin):
    """Cases change only through the transition function; the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["id", "state", "channel", "category", "level", "area_code", "due_at", "created_at"]
    list_filter = ["state", "channel", "level", "whistle"]
    search_fields = ["id", "area_code"]
    exclude = ["reporter_phone", "reporter_phone_index"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ["case", "action", "from_state", "to_state", "by", "at"]
    list_filter = ["action"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnly):
    list_display = ["id", "case", "role", "department", "assignee", "state", "resolve_due_at"]
    list_filter = ["state", "role", "whistle"]


@admin.register(DepartmentRating)
class DepartmentRatingAdmin(ReadOnly):
    list_display = ["department", "score", "by", "at"]


@admin.register(TriageCorrection)
class TriageCorrectionAdmin(admin.ModelAdmin):
    """Read-only: corrections are written when a dispatcher registers a case under another category."""

    list_display = ["case", "suggested", "chosen", "by", "at"]
    list_select_related = ["suggested", "chosen", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
