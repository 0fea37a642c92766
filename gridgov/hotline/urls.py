from django.urls import path

from gridgov.hotline import views

app_name = "hotline"
urlpatterns = [
    path("import/", views.order_import, name="import"),
]
