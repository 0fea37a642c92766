from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    verbose_name = "事件与工单"
