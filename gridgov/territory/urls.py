from django.urls import path

from gridgov.territory import views

app_name = "territory"

urlpatterns = [
    path("map/", views.territory_map, name="map"),
    path("areas/<int:area_id>/", views.area_detail, name="area"),
]
