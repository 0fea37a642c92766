from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gridgov.notify"
    verbose_name = "通知"
