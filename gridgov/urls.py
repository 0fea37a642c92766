from django.contrib import admin
from django.urls import include, path

from gridgov.api import api
from gridgov.core import views as core_views

admin.site.site_header = admin.site.site_title = "基层智治平台 · 后台管理"
admin.site.index_title = "主数据管理"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("gridgov.accounts.urls")),
    path("territory/", include("gridgov.territory.urls")),
    path("people/", include("gridgov.people.urls")),
    path("cases/", include("gridgov.cases.urls")),
    path("sensors/", include("gridgov.sensors.urls")),
    path("open311/v2/", include("gridgov.open311.urls")),
    path("hotline/", include("gridgov.hotline.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
