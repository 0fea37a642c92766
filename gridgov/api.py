"""The HTTP API under /api/v1/: one router per app, errors as {"code", "message"}."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from gridgov.accounts.models import ApiToken
from gridgov.core.errors import DomainError
from gridgov.lib.keys import key_hash

TOUCH_EVERY = dt.timedelta(minutes=1)


def _user_for_token(key: str):
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    # The last use is shown to the minute; a write on every request would be a second commit per call.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ggv_…` — a per-user API token."""

    def authenticate(self, request, token):
        user = _user_for_token(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """`X-API-Token: ggv_…` for clients that cannot set Authorization."""

    param_name = "X-API-Token"

    def authenticate(self, request, key):
        user = _user_for_token(key or "")
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="GridGov 基层智治平台 API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), TokenHeaderAuth(), django_auth],
    docs_url="/docs",
)


def error_body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": message, **extra}


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, errors=exc.details), status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", "对象不存在或不在您的管辖范围内"), status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, error_body("unauthenticated", "请先登录或提供有效的 API 令牌"), status=401)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors]
    message = "；".join(f"{e['where']}: {e['message']}" for e in errors) or "请求格式错误"
    return api.create_response(request, error_body("invalid", message, errors=errors), status=400)


def _routers():
    from gridgov.accounts.api import router as accounts_router
    from gridgov.cases.api import router as cases_router
    from gridgov.hotline.api import router as hotline_router
    from gridgov.notify.api import router as notify_router
    from gridgov.people.api import router as people_router
    from gridgov.sensors.api import devices_router
    from gridgov.sensors.api import router as sensors_router
    from gridgov.territory.api import router as territory_router

    return [
        ("/territory/", territory_router),
        ("/people/", people_router),
        ("/cases/", cases_router),
        ("/sensors/", sensors_router),
        ("/devices/", devices_router),
        ("/notify/", notify_router),
        ("/accounts/", accounts_router),
        ("/hotline/", hotline_router),
    ]


for _prefix, _router in _routers():
    api.add_router(_prefix, _router)
