import pytest
from django.test import Client

from gridgov.accounts import services
from gridgov.accounts.models import AccessLog, ApiToken, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = User.objects.create_superuser(username="root", password="root-pass-123", role="system_admin")
    client = Client()
    client.force_login(user)
    return client


def test_user_list_masks_the_phone(admin_client, persona):
    persona["worker_a"].phone = "13912345678"
    persona["worker_a"].save(update_fields=["phone"])
    html = admin_client.get("/admin/accounts/user/").content.decode()
    assert "选择 用户 来修改" in html
    assert "139****5678" in html
    assert "13912345678" not in html
    change = admin_client.get(f"/admin/accounts/user/{persona['worker_a'].pk}/change/").content.decode()
    assert "139****5678" in change and "13912345678" not in change
    assert "身份与辖区" in change


def test_user_added_with_role_and_area(admin_client, area):
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "worker_c", "display_name": "陈网格", "role": "grid_worker", "area": area["grid_b"].pk,
        "password1": "a-long-pass-4321", "password2": "a-long-pass-4321", "usable_password": "true",
    })
    assert response.status_code == 302
    user = User.objects.get(username="worker_c")
    assert (user.display_name, user.role, user.area, user.check_password("a-long-pass-4321")) == (
        "陈网格", "grid_worker", area["grid_b"], True)


def test_role_and_area_changed_in_admin(admin_client, persona, area):
    user = persona["worker_b"]
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": "worker_b", "display_name": "王网格", "role": "grid_leader", "area": area["grid_b"].pk,
        "is_active": "on", "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.role) == ("王网格", "grid_leader")


def test_tokens_and_access_log_are_not_editable(admin_client, persona):
    token, _ = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    row = AccessLog.objects.create(user=persona["worker_a"], action="reveal", subject_type="resident",
                                   subject_id="7", reason="回访")
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert admin_client.get("/admin/accounts/accesslog/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/accesslog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.count() == 1
    assert admin_client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
