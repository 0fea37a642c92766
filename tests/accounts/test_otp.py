"""Resident sign-in by phone and SMS code: rate limits, lockout, hashing, and the pages."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.accounts import otp
from gridgov.accounts.enums import Role
from gridgov.accounts.models import PhoneCode, User
from gridgov.core.errors import Conflict, DomainError, NotAllowed
from gridgov.lib.pii import blind_index
from gridgov.notify.models import Outbox

PHONE = "13912345678"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def sent_code(row: PhoneCode) -> str:
    return Outbox.objects.get(key=f"otp:{row.pk}").params["code"]



def test_code_is_queued_as_sms_and_stored_hashed(db):
    row = otp.phone_code_send(phone=PHONE, now=T0)
    message = Outbox.objects.get()
    code = message.params["code"]
    assert (len(code), code.isdigit()) == (6, True)
    assert (message.address, message.template, message.channel) == (PHONE, "otp", "console")  # no SMS gateway set
    assert message.text == f"【基层智治】您的登录验证码是{code}，5分钟内有效。如非本人操作，请忽略。"
    assert row.code_hash == otp._hash(blind_index(PHONE), code) != code
    assert (row.phone_index, row.expires_at, row.attempts) == (blind_index(PHONE), T0 + dt.timedelta(minutes=5), 0)


def test_one_code_per_minute_and_five_per_hour(db):
    otp.phone_code_send(phone=PHONE, now=T0)
    with pytest.raises(Conflict, match="验证码已发送，请31秒后再试"):
        otp.phone_code_send(phone=PHONE, now=T0 + dt.timedelta(seconds=30))
    for minute in range(1, 5):
        otp.phone_code_send(phone=PHONE, now=T0 + dt.timedelta(minutes=minute))
    with pytest.raises(Conflict, match="一小时内已获取5次验证码"):
        otp.phone_code_send(phone=PHONE, now=T0 + dt.timedelta(minutes=10))
    assert PhoneCode.objects.count() == 5
    assert Outbox.objects.count() == 5
    otp.phone_code_send(phone=PHONE, now=T0 + dt.timedelta(minutes=60, seconds=1))  # the first left the hour
    assert PhoneCode.objects.count() == 6


def test_other_phones_are_not_limited(db):
    otp.phone_code_send(phone=PHONE, now=T0)
    otp.phone_code_send(phone="13800001111", now=T0)
    assert PhoneCode.objects.count() == 2


def test_one_address_may_ask_for_twenty_codes_an_hour(db):
    for n in range(20):
        otp.phone_code_send(phone=f"1390000{n:04d}", ip="10.0.0.9", now=T0)
    with pytest.raises(Conflict, match="本设备一小时内获取验证码次数过多"):
        otp.phone_code_send(phone="13911110000", ip="10.0.0.9", now=T0)
    otp.phone_code_send(phone="13911110000", ip="10.0.0.10", now=T0)
    assert PhoneCode.objects.count() == 21


def test_bad_phone_is_refused(db):
    with pytest.raises(DomainError, match="手机号格式错误：12345，请输入11位手机号"):
        otp.phone_code_send(phone="12345", now=T0)
    assert PhoneCode.objects.count() == 0


def test_right_code_creates_a_resident_and_is_spent(db):
    row = otp.phone_code_send(phone=PHONE, now=T0)
    user = otp.phone_code_verify(phone=PHONE, code=sent_code(row), now=T0 + dt.timedelta(minutes=1))
    assert (user.role, user.phone, user.phone_index, user.display_name) == \
        (Role.RESIDENT, PHONE, blind_index(PHONE), "居民5678")
    assert user.has_usable_password() is False
    with pytest.raises(DomainError, match="验证码已失效，请重新获取"):
        otp.phone_code_verify(phone=PHONE, code=sent_code(row), now=T0 + dt.timedelta(minutes=2))
    again = otp.phone_code_send(phone=PHONE, now=T0 + dt.timedelta(minutes=2))
    assert otp.phone_code_verify(phone=PHONE, code=sent_code(again), now=T0 + dt.timedelta(minutes=3)) == user
    assert User.objects.count() == 1


def test_a_staff_phone_never_signs_in_the_staff_account(persona):
    staff = persona["community_staff"]
    User.objects.filter(pk=staff.pk).update(phone_index=blind_index(PHONE))
    row = otp.phone_code_send(phone=PHONE, now=T0)
    user = otp.phone_code_verify(phone=PHONE, code=sent_code(row), now=T0)
    assert user != staff and user.role == Role.RESIDENT


def test_code_expires_after_five_minutes(db):
    row = otp.phone_code_send(phone=PHONE, now=T0)
    with pytest.raises(DomainError, match="验证码已失效"):
        otp.phone_code_verify(phone=PHONE, code=sent_code(row), now=T0 + dt.timedelta(minutes=5))
    assert User.objects.count() == 0


def test_five_wrong_tries_lock_the_code(db):
    row = otp.phone_code_send(phone=PHONE, now=T0)
    right = sent_code(row)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"验证码错误，还可尝试{left}次"):
            otp.phone_code_verify(phone=PHONE, code=wrong, now=T0)
    with pytest.raises(NotAllowed, match="验证码错误次数过多"):
        otp.phone_code_verify(phone=PHONE, code=wrong, now=T0)
    with pytest.raises(NotAllowed, match="验证码错误次数过多"):
        otp.phone_code_verify(phone=PHONE, code=right, now=T0)
    row.refresh_from_db()
    assert (row.attempts, row.used_at, User.objects.count()) == (5, None, 0)


# --- the pages -------------------------------------------------------------------------------------------

def test_sign_in_pages_end_signed_in_where_the_resident_was_going(db):
    client = Client()
    start = client.get(reverse("cases:report"))
    assert start["Location"] == reverse("accounts:phone_login") + "?next=" + reverse("cases:report")
    response = client.post(reverse("accounts:phone_login"), {"phone": PHONE, "next": reverse("cases:report")})
    assert response["Location"] == reverse("accounts:phone_verify")
    page = client.get(reverse("accounts:phone_verify")).content.decode()
    assert "验证码已发送至 <span class=\"masked\">139****5678</span>" in page
    code = sent_code(PhoneCode.objects.get())
    response = client.post(reverse("accounts:phone_verify"), {"code": code})
    assert response["Location"] == reverse("cases:report")
    assert client.get(reverse("cases:report")).status_code == 200
    assert User.objects.get().role == Role.RESIDENT


def test_pages_answer_429_when_asked_too_often_and_say_wrong_codes(db):
    client = Client()
    client.post(reverse("accounts:phone_login"), {"phone": PHONE})
    again = client.post(reverse("accounts:phone_login"), {"phone": PHONE})
    assert again.status_code == 429
    assert "秒后再试" in again.content.decode()
    assert PhoneCode.objects.count() == 1
    code = sent_code(PhoneCode.objects.get())
    wrong = client.post(reverse("accounts:phone_verify"), {"code": "000000" if code != "000000" else "111111"})
    assert (wrong.status_code, "验证码错误，还可尝试4次" in wrong.content.decode()) == (400, True)
    assert "_auth_user_id" not in client.session


def test_verify_page_without_a_phone_goes_back(db):
    assert Client().get(reverse("accounts:phone_verify"))["Location"] == reverse("accounts:phone_login")


def test_next_may_not_leave_the_site(db):
    client = Client()
    client.post(reverse("accounts:phone_login"), {"phone": PHONE, "next": "https://evil.example/"})
    code = sent_code(PhoneCode.objects.get())
    assert client.post(reverse("accounts:phone_verify"), {"code": code})["Location"] == reverse("home")

