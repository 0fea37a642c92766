import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.accounts import selectors, services
from gridgov.accounts.enums import AccessAction
from gridgov.core.errors import DomainError
from gridgov.lib.net import client_ip

LOCKED_MESSAGE = "登录失败次数过多（15 分钟内 5 次），该账号在此设备上暂时锁定，请 15 分钟后再试。"


class LoginView(auth_views.LoginView):
    """Django's sign-in with a rate limit per username and address, kept in the database."""

    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if services.login_is_blocked(username=username, ip=client_ip(request)):
            form = self.get_form_class()(request)
            return self.render_to_response(self.get_context_data(form=form, locked_message=LOCKED_MESSAGE),
                                           status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.login_failure_record(username=form.data.get("username", ""), ip=client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        services.login_failures_clear(username=form.get_user().get_username(), ip=client_ip(self.request))
        return super().form_valid(form)


def _account_page(request, *, new_key: str = "", status: int = 200):
    return render(request, "accounts/account.html", {
        "tokens": selectors.api_tokens_of(request.user), "new_key": new_key,
    }, status=status)


@login_required
def my_account(request):
    return _account_page(request)


@login_required
@require_POST
def token_create(request):
    try:
        _token, key = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _account_page(request, status=400)
    return _account_page(request, new_key=key)


@login_required
@require_POST
def token_revoke(request, token_id):
    token = selectors.api_token_get_for(request.user, token_id)
    services.api_token_revoke(token=token)
    messages.success(request, f"已吊销令牌「{token.name}」（{token.prefix}…）")
    return redirect("accounts:me")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def access_log(request):
    if not selectors.can_read_access_log(request.user):
        raise Http404
    filters = {key: request.GET.get(key, "").strip() for key in ("username", "action", "subject_type", "since", "until")}
    rows = selectors.access_log_for(request.user, username=filters["username"], action=filters["action"],
                                    subject_type=filters["subject_type"], since=_date(filters["since"]),
                                    until=_date(filters["until"]))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {
        "page": page, "filters": filters, "actions": AccessAction.choices,
    })
