from django.urls import path

from gridgov.sensors import views

app_name = "sensors"

urlpatterns = [
    path("", views.device_list, name="devices"),
    path("devices/<int:device_id>/", views.device_detail, name="device"),
    path("residents/<int:resident_id>/care/", views.care_settings, name="care"),
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<int:alarm_id>/transition/", views.alarm_transition, name="alarm_transition"),
]
