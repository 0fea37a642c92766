from django.contrib import admin, messages

from gridgov.open311.models import Client, RequestUpdate, ServiceAttribute, ServiceRequest
from gridgov.open311.services import client_key_create


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["organisation", "key_prefix", "is_active", "key_issued_at", "last_used_at"]
    fields = ["organisation", "is_active", "key_prefix", "key_issued_at", "last_used_at", "user"]
    readonly_fields = ["key_prefix", "key_issued_at", "last_used_at", "user"]
    actions = ["renew_key"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = client_key_create(organisation=obj.organisation)
        obj.pk = client.pk
        messages.warning(request, f"{client} 的 api_key（只显示这一次，请妥善转交）：{key}")

    @admin.action(description="签发新密钥（旧密钥立即失效）")
    def renew_key(self, request, queryset):
        for client in queryset:
            _, key = client_key_create(organisation=client.organisation)
            messages.warning(request, f"{client} 的新 api_key（只显示这一次）：{key}")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "datatype", "required", "order", "description"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name", "category__code"]
    autocomplete_fields = []


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "client", "category", "device_id", "created_at"]
    list_filter = ["client"]
    readonly_fields = ["case", "client", "category", "token", "attributes", "media_url", "device_id", "account_id",
                       "created_at"]
    exclude = ["email"]


@admin.register(RequestUpdate)
class RequestUpdateAdmin(admin.ModelAdmin):
    list_display = ["client", "update_id", "case", "status", "applied", "updated_at"]
    list_filter = ["client", "status"]
    readonly_fields = ["client", "update_id", "case", "status", "description", "media_url", "updated_at", "applied"]
