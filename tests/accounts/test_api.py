"""Accounts API and token authentication (Bearer and X-API-Token)."""

import pytest
from django.test import Client

from gridgov.accounts import services
from gridgov.accounts.models import AccessLog, ApiToken
from gridgov.lib.keys import key_hash

pytestmark = pytest.mark.django_db


def test_bearer_and_header_tokens_authenticate_as_their_user(persona):
    _, key = services.api_token_create(user=persona["worker_b"], name="巡查 App")
    by_bearer = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    by_header = Client().get("/api/v1/accounts/me", HTTP_X_API_TOKEN=key)
    expected = {"id": persona["worker_b"].pk, "username": "worker_b", "display_name": "worker_b",
                "role": "grid_worker", "area_id": persona["worker_b"].area_id, "masked_phone": ""}
    assert by_bearer.json() == expected
    assert by_header.json() == expected
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("headers", [
    {"HTTP_AUTHORIZATION": "Bearer ggv_not-a-token"}, {"HTTP_X_API_TOKEN": "ggv_not-a-token"}, {},
])
def test_a_wrong_or_missing_token_is_401(persona, headers):
    response = Client().get("/api/v1/accounts/me", **headers)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效的 API 令牌"}


def test_a_deactivated_users_token_is_refused(persona):
    _, key = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    persona["worker_a"].is_active = False
    persona["worker_a"].save(update_fields=["is_active"])
    assert Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_scope_is_the_users_scope(persona, area):
    _, key = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    response = Client().get(f"/api/v1/territory/areas/{area['grid_b'].pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404


def test_create_list_and_revoke_tokens_in_a_session(client_for, persona):
    client = client_for("worker_a")
    created = client.post("/api/v1/accounts/tokens", {"name": "数据对接"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    token = ApiToken.objects.get()
    assert body == {"id": token.pk, "name": "数据对接", "prefix": body["key"][:8],
                    "created_at": body["created_at"], "last_used_at": None, "key": body["key"]}
    assert token.key_hash == key_hash(body["key"])
    listed = client.get("/api/v1/accounts/tokens").json()
    assert [(t["id"], t["name"], "key" in t) for t in listed] == [(token.pk, "数据对接", False)]
    assert client.delete(f"/api/v1/accounts/tokens/{token.pk}").status_code == 204
    assert not ApiToken.objects.exists()


def test_a_token_cannot_mint_or_revoke_tokens(persona):
    token, key = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json").status_code == 401
    assert client.delete(f"/api/v1/accounts/tokens/{token.pk}").status_code == 401
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["巡查 App"]
    assert [t["name"] for t in client.get("/api/v1/accounts/tokens").json()] == ["巡查 App"]


def test_token_name_is_required(client_for, persona):
    response = client_for("worker_a").post("/api/v1/accounts/tokens", {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "请填写令牌用途，例如「巡查 App」", "errors": []}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["worker_b", "community_staff", "resident", "auditor"])
def test_others_do_not_see_or_revoke_my_tokens(client_for, persona, name):
    token, _ = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    client = client_for(name)
    assert client.get("/api/v1/accounts/tokens").json() == []
    response = client.delete(f"/api/v1/accounts/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/accounts/me"), ("get", "/api/v1/accounts/tokens"), ("post", "/api/v1/accounts/tokens"),
    ("delete", "/api/v1/accounts/tokens/1"), ("get", "/api/v1/accounts/access-log"),
])
def test_anonymous_gets_401(persona, method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_access_log_api_for_the_auditor(client_for, persona):
    row = AccessLog.objects.create(user=persona["worker_a"], action="reveal", subject_type="resident",
                                   subject_id="7", field="phone", reason="回访", ip="10.0.0.1")
    AccessLog.objects.create(user=persona["worker_b"], action="export", subject_type="household",
                             subject_id="1", reason="报表")
    response = client_for("auditor").get("/api/v1/accounts/access-log", {"action": "reveal"})
    assert response.json() == {"count": 1, "items": [{
        "id": row.pk, "at": response.json()["items"][0]["at"], "username": "worker_a", "action": "reveal",
        "subject_type": "resident", "subject_id": "7", "field": "phone", "reason": "回访", "ip": "10.0.0.1"}]}


@pytest.mark.parametrize("name", ["worker_a", "worker_b", "community_staff", "resident"])
def test_access_log_api_is_404_for_everyone_else(client_for, persona, name):
    AccessLog.objects.create(user=persona["worker_a"], action="reveal", subject_type="resident",
                             subject_id="7", reason="回访")
    response = client_for(name).get("/api/v1/accounts/access-log")
    assert response.status_code == 404


def test_a_tokens_last_use_is_written_at_most_once_a_minute(persona):
    import datetime as dt

    from django.utils import timezone

    token, key = services.api_token_create(user=persona["worker_b"], name="巡查 App")
    Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=1))
    Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
