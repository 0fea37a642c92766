from django.urls import path

from gridgov.people import views

app_name = "people"

urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident"),
    path("households/unverified/", views.household_unverified, name="unverified"),
    path("import/", views.ledger_import, name="import"),
]
