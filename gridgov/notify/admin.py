from django.contrib import admin

from gridgov.notify.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "template", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    readonly_fields = [f.name for f in Outbox._meta.fields]
