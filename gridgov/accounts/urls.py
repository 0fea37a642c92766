from django.contrib.auth import views as auth_views
from django.urls import include, path

from gridgov.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.my_account, name="me"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("access-log/", views.access_log, name="access_log"),
    path("phone/", include("gridgov.accounts.otp_views")),
]
