import datetime as dt

from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from gridgov.accounts import selectors, services
from gridgov.accounts.enums import AccessAction

router = Router(tags=["账号"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    area_id: int | None
    masked_phone: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenIn(Schema):
    name: str


class NewTokenOut(TokenOut):
    key: str


class AccessLogOut(Schema):
    id: int
    at: dt.datetime
    username: str
    action: str
    subject_type: str
    subject_id: str
    field: str
    reason: str
    ip: str | None

    @staticmethod
    def resolve_username(obj):
        return obj.user.username


@router.get("/me", response=MeOut, summary="当前账号")
def me(request):
    return request.user


@router.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def list_tokens(request):
    return selectors.api_tokens_of(request.user)


# Creating and revoking tokens needs a signed-in browser session: a leaked token cannot mint more.
@router.post("/tokens", response={201: NewTokenOut}, auth=django_auth, summary="创建令牌（明文只返回这一次）")
def create_token(request, payload: TokenIn):
    token, key = services.api_token_create(user=request.user, name=payload.name)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
                        "last_used_at": token.last_used_at, "key": key})


@router.delete("/tokens/{token_id}", response={204: None}, auth=django_auth, summary="吊销令牌")
def revoke_token(request, token_id: int):
    services.api_token_revoke(token=selectors.api_token_get_for(request.user, token_id))
    return Status(204, None)


@router.get("/access-log", response=list[AccessLogOut], summary="个人信息访问日志（审计员、安全管理员）")
@paginate(PageNumberPagination, page_size=50)
def list_access_log(request, username: str = "", action: AccessAction | None = None, subject_type: str = "",
                    since: dt.date | None = None, until: dt.date | None = None):
    return selectors.access_log_for(request.user, username=username, action=action or "",
                                    subject_type=subject_type, since=since, until=until)
