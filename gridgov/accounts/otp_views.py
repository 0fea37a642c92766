"""Resident sign-in by phone and SMS code: ask for a code, then enter it. Mounted under /accounts/phone/."""

from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme

from gridgov.accounts import otp
from gridgov.core.errors import DomainError
from gridgov.lib.net import client_ip
from gridgov.lib.pii import mask_phone

SESSION_PHONE = "otp_phone"
SESSION_NEXT = "otp_next"
BACKEND = "django.contrib.auth.backends.ModelBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _safe_next(request, value: str) -> str:
    return value if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}) else ""


def phone_login(request):
    form = PhoneForm(request.POST or None, initial={"phone": request.session.get(SESSION_PHONE, "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            otp.phone_code_send(phone=phone, ip=client_ip(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.code != "invalid_phone" else 400
            if exc.code in ("too_soon", "too_many"):
                status = 429
        else:
            request.session[SESSION_PHONE] = phone.strip()
            request.session[SESSION_NEXT] = _safe_next(request, request.POST.get("next", ""))
            return redirect("accounts:phone_verify")
    return render(request, "accounts/phone_login.html",
                  {"form": form, "next": _safe_next(request, request.GET.get("next", ""))}, status=status)


def phone_verify(request):
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect("accounts:phone_login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = otp.phone_code_verify(phone=phone, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            target = request.session.pop(SESSION_NEXT, "") or "home"
            request.session.pop(SESSION_PHONE, None)
            login(request, user, backend=BACKEND)
            return redirect(target)
    return render(request, "accounts/phone_verify.html", {"form": form, "masked_phone": mask_phone(phone)},
                  status=status)


urlpatterns = [
    path("", phone_login, name="phone_login"),
    path("verify/", phone_verify, name="phone_verify"),
]
