import datetime as dt

import pytest
from django.utils import timezone

from gridgov.accounts import services
from gridgov.accounts.models import ApiToken, LoginFailure
from gridgov.core.errors import DomainError
from gridgov.lib.keys import key_hash

pytestmark = pytest.mark.django_db


def test_token_key_is_stored_only_as_its_hash(persona):
    token, key = services.api_token_create(user=persona["worker_a"], name=" 巡查 App ")
    assert key.startswith("ggv_") and len(key) == 47
    assert (token.name, token.prefix, token.key_hash) == ("巡查 App", key[:8], key_hash(key))
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_tokens_per_user_are_limited(persona):
    for i in range(services.TOKENS_PER_USER):
        services.api_token_create(user=persona["worker_a"], name=f"令牌{i}")
    with pytest.raises(DomainError, match="每个账号最多 20 个令牌，请先吊销不用的令牌"):
        services.api_token_create(user=persona["worker_a"], name="再来一个")
    assert ApiToken.objects.count() == 20
    services.api_token_create(user=persona["worker_b"], name="别人的")


def test_block_counts_only_the_window(db):
    now = timezone.now()
    for _ in range(4):
        services.login_failure_record(username="Worker_A", ip="10.0.0.1")
    assert not services.login_is_blocked(username="worker_a", ip="10.0.0.1", now=now)
    services.login_failure_record(username="worker_a", ip="10.0.0.1")
    assert services.login_is_blocked(username="WORKER_A ", ip="10.0.0.1")
    assert not services.login_is_blocked(username="worker_a", ip="10.0.0.2")
    assert not services.login_is_blocked(username="worker_a", ip="10.0.0.1", now=now + dt.timedelta(minutes=16))


def test_recording_a_failure_prunes_old_rows(db):
    services.login_failure_record(username="a", ip=None)
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(hours=1))
    services.login_failure_record(username="b", ip=None)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["b"]
