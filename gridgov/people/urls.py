from django.urls import path

from gridgov.people import views

app_name = "people"

urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident"),
    path("residents/<int:resident_id>/reveal/", views.resident_reveal, name="reveal"),
    path("residents/<int:resident_id>/move-out/", views.resident_move_out, name="move_out"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/verify/", views.household_verify, name="verify"),
    path("households/<int:household_id>/move-within/", views.household_move_within, name="move_within"),
    path("households/unverified/", views.household_unverified, name="unverified"),
    path("party/", views.party_list, name="party"),
    path("import/", views.ledger_import, name="import"),
    path("import/template/", views.ledger_template, name="template"),
    path("export/", views.ledger_export, name="export"),
]
