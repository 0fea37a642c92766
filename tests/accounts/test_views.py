"""Account pages: 我的账号 and its tokens, the access log, and the sign-in rate limit."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts import services
from gridgov.accounts.models import AccessLog, ApiToken, LoginFailure
from gridgov.lib.keys import key_hash
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.mark.parametrize("name", ["worker_a", "worker_b", "community_staff", "resident"])
def test_my_account_shows_own_details_with_masked_phone(client_for, persona, name):
    persona[name].phone = "13912345678"
    persona[name].save(update_fields=["phone"])
    response = client_for(name).get("/accounts/me/")
    assert response.status_code == 200
    text = _text(response)
    assert f"用户名 {name}" in text
    assert "手机号 139****5678" in text
    assert "13912345678" not in response.content.decode()
    assert "还没有令牌。" in text


def test_token_is_shown_once_and_works(client_for, persona):
    client = client_for("worker_a")
    response = client.post("/accounts/me/tokens/", {"name": "巡查 App"})
    assert response.status_code == 200
    key = re.search(r"<code class=\"masked\" data-new-key>(ggv_[\w-]+)</code>", response.content.decode())[1]
    token = ApiToken.objects.get(user=persona["worker_a"])
    assert (token.name, token.prefix, token.key_hash) == ("巡查 App", key[:8], key_hash(key))
    listing = client.get("/accounts/me/")
    assert key not in listing.content.decode()
    assert f"巡查 App {key[:8]}…" in _text(listing)
    assert "从未使用" in _text(listing)
    api = Client().get("/api/v1/territory/areas", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [a["name"] for a in api.json()] == ["第一网格", "第一网格1号微网格"]


def test_token_needs_a_name(client_for, persona):
    response = client_for("worker_a").post("/accounts/me/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "请填写令牌用途，例如「巡查 App」" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_revoked_by_its_owner_stops_working(client_for, persona):
    token, key = services.api_token_create(user=persona["worker_a"], name="旧手机")
    response = client_for("worker_a").post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert not ApiToken.objects.exists()
    assert Client().get("/api/v1/territory/areas", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize("name", ["worker_b", "community_staff", "resident", "auditor"])
def test_someone_elses_token_cannot_be_revoked(client_for, persona, name):
    token, _ = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    assert client_for(name).post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [token.pk]


def test_revoke_needs_post(client_for, persona):
    token, _ = services.api_token_create(user=persona["worker_a"], name="巡查 App")
    assert client_for("worker_a").get(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/accounts/me/"), ("post", "/accounts/me/tokens/"), ("post", "/accounts/me/tokens/1/revoke/"),
    ("get", "/accounts/access-log/"),
])
def test_anonymous_is_sent_to_login(client_for, persona, method, path):
    response = getattr(client_for(None), method)(path, {"name": "x"} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert not ApiToken.objects.exists()


@pytest.fixture
def log_rows(persona):
    rows = [
        AccessLog.objects.create(user=persona["worker_a"], action="reveal", subject_type="resident",
                                 subject_id="7", field="id_number", reason="核实身份", ip="10.0.0.1"),
        AccessLog.objects.create(user=persona["community_staff"], action="export", subject_type="household",
                                 subject_id="3", reason="季度报表"),
    ]
    AccessLog.objects.filter(pk=rows[0].pk).update(at=timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30)))
    return rows


def test_auditor_reads_the_access_log(client_for, log_rows):
    response = client_for("auditor").get("/accounts/access-log/")
    assert response.status_code == 200
    text = _text(response)
    assert "共 2 条" in text
    assert "2026-03-01 09:30:00 worker_a（worker_a） 查看明文 resident#7 id_number 核实身份 10.0.0.1" in text
    assert "community_staff（community_staff） 导出 household#3 — 季度报表 —" in text


@pytest.mark.parametrize(("query", "subjects"), [
    ({"username": "worker_a"}, ["resident#7"]),
    ({"action": "export"}, ["household#3"]),
    ({"subject_type": "resident"}, ["resident#7"]),
    ({"since": "2026-03-02"}, ["household#3"]),
    ({"until": "2026-03-01"}, ["resident#7"]),
    ({"until": "not-a-date"}, ["household#3", "resident#7"]),
])
def test_access_log_filters(client_for, log_rows, query, subjects):
    html = client_for("auditor").get("/accounts/access-log/", query).content.decode()
    assert re.findall(r"(\w+#\d+)</td>", html) == subjects


def test_access_log_pages_by_fifty(client_for, persona):
    AccessLog.objects.bulk_create([AccessLog(user=persona["worker_a"], action="reveal", subject_type="resident",
                                             subject_id=str(i), reason="核实") for i in range(51)])
    client = client_for("auditor")
    assert "第 1 / 2 页" in _text(client.get("/accounts/access-log/"))
    assert len(re.findall(r"resident#\d+</td>", client.get("/accounts/access-log/?page=2").content.decode())) == 1


@pytest.mark.parametrize("name", ["worker_a", "worker_b", "community_staff", "resident"])
def test_access_log_is_404_for_everyone_else(client_for, log_rows, name):
    assert client_for(name).get("/accounts/access-log/").status_code == 404


def test_menu_offers_my_account_to_all_and_access_log_to_auditors(client_for, persona):
    worker_nav = client_for("worker_a").get("/accounts/me/").content.decode()
    assert '<a href="/accounts/me/" class="active">我的账号</a>' in worker_nav
    assert "访问日志" not in worker_nav
    assert '<a href="/accounts/access-log/">访问日志</a>' in client_for("auditor").get("/accounts/me/").content.decode()


# --- sign-in rate limit -----------------------------------------------------------------------

def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_block_the_sixth_try_even_with_the_right_password(persona):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        response = _login(client, "worker_a", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误，请重新输入。" in response.content.decode()
    response = _login(client, "worker_a", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多（15 分钟内 5 次），该账号在此设备上暂时锁定，请 15 分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == 5


def test_the_block_is_per_username_and_address(persona):
    for _ in range(5):
        _login(Client(REMOTE_ADDR="10.1.1.1"), "worker_a", "wrong-password")
    assert _login(Client(REMOTE_ADDR="10.1.1.2"), "worker_a", PASSWORD).status_code == 302
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "worker_b", PASSWORD).status_code == 302
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "Worker_A", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_block_is_per_forwarded_address(persona, settings):
    settings.GRIDGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        _login(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"), "worker_a", "wrong-password")
    behind = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _login(behind, "worker_a", PASSWORD).status_code == 302
    again = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _login(again, "worker_a", PASSWORD).status_code == 429


def test_the_block_lifts_after_fifteen_minutes(persona):
    for _ in range(5):
        _login(Client(REMOTE_ADDR="10.1.1.1"), "worker_a", "wrong-password")
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    response = _login(Client(REMOTE_ADDR="10.1.1.1"), "worker_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_successful_sign_in_clears_the_failures(persona):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(4):
        _login(client, "worker_a", "wrong-password")
    assert _login(client, "worker_a", PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0
