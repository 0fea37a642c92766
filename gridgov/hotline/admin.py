from django.contrib import admin

from gridgov.hotline.models import HotlineOrder, HotlineUpdate


@admin.register(HotlineOrder)
class HotlineOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "case", "called_at", "category_text", "due_at"]
    search_fields = ["number"]
    readonly_fields = ["number", "case", "called_at", "category_text", "due_at", "imported_by"]
    exclude = ["caller_phone"]


@admin.register(HotlineUpdate)
class HotlineUpdateAdmin(admin.ModelAdmin):
    list_display = ["order", "status", "at", "state", "attempts", "delivered_at"]
    list_filter = ["status", "state"]
    readonly_fields = ["order", "event", "status", "reason", "note", "at", "attempts", "delivered_at", "last_error"]
