"""Writes to accounts: API tokens and the sign-in rate limit."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import ApiToken, LoginFailure
from gridgov.core.errors import DomainError
from gridgov.lib.keys import key_hash, new_key

LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = dt.timedelta(minutes=15)
TOKENS_PER_USER = 20


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its key, which is stored only as a hash."""
    name = name.strip()
    if not name:
        raise DomainError("请填写令牌用途，例如「巡查 App」")
    if len(name) > 100:
        raise DomainError("令牌用途最多 100 个字")
    with transaction.atomic():
        if ApiToken.objects.filter(user=user).count() >= TOKENS_PER_USER:
            raise DomainError(f"每个账号最多 {TOKENS_PER_USER} 个令牌，请先吊销不用的令牌")
        key = new_key("ggv")
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=key_hash(key))
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


def _recent_failures(*, username: str, ip: str | None, now: dt.datetime):
    return LoginFailure.objects.filter(username=username.strip().lower(), ip=ip, at__gt=now - LOGIN_FAILURE_WINDOW)


def login_is_blocked(*, username: str, ip: str | None, now: dt.datetime | None = None) -> bool:
    """Five failures for this username from this address in fifteen minutes block the next try."""
    now = now or timezone.now()
    return _recent_failures(username=username, ip=ip, now=now).count() >= LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - LOGIN_FAILURE_WINDOW).delete()
    LoginFailure.objects.create(username=username.strip().lower(), ip=ip)


def login_failures_clear(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(username=username.strip().lower(), ip=ip).delete()
