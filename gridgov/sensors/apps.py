from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "gridgov.sensors"
    verbose_name = "感知设备"
