"""Residents sign in with their phone and a one-time SMS code.

- a code is six digits, valid 5 minutes, kept only as a keyed hash (HMAC with the secret key);
- per phone: one code per 60 seconds and five per hour; per address: 20 per hour, so one client cannot
  send codes to many phones (counted in the database, so every process agrees);
- five wrong tries spend the code; a new one must be asked for;
- the code goes out through the notification outbox (SMS gateway, or the console in the demo),
  written in the same transaction as the code;
- on success the resident with that phone (by blind index) signs in; one is created if there is none.
  Only resident accounts are ever matched: a staff member's phone never signs in a staff account.
"""

import datetime as dt
import hmac
import re
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gridgov.accounts.enums import Role
from gridgov.accounts.models import PhoneCode, User
from gridgov.core.errors import Conflict, DomainError, NotAllowed
from gridgov.lib.pii import blind_index, mask_phone
from gridgov.notify.services import outbox_enqueue

CODE_TTL = dt.timedelta(minutes=5)
RESEND_AFTER = dt.timedelta(seconds=60)
PER_HOUR = 5
PER_IP_HOUR = 20
MAX_TRIES = 5
MOBILE = re.compile(r"^1[3-9]\d{9}$")
SALT = "gridgov.accounts.otp"


def _mobile(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE.match(phone):
        raise DomainError(f"手机号格式错误：{phone or '（空）'}，请输入11位手机号", code="invalid_phone")
    return phone


def _hash(index: str, code: str) -> str:
    return salted_hmac(SALT, f"{index}:{code}").hexdigest()


def phone_code_send(*, phone: str, ip: str | None = None, now=None) -> PhoneCode:
    """Create a code for the phone and queue its SMS. Raises Conflict when the phone asks too often."""
    now = now or timezone.now()
    phone = _mobile(phone)
    index = blind_index(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        recent = PhoneCode.objects.select_for_update().filter(phone_index=index, created_at__gt=now - dt.timedelta(hours=1))
        times = sorted(recent.values_list("created_at", flat=True))
        if times and now - times[-1] < RESEND_AFTER:
            wait = int((RESEND_AFTER - (now - times[-1])).total_seconds()) + 1
            raise Conflict(f"验证码已发送，请{wait}秒后再试", code="too_soon")
        if len(times) >= PER_HOUR:
            raise Conflict(f"手机号{mask_phone(phone)}一小时内已获取{PER_HOUR}次验证码，请稍后再试", code="too_many")
        if ip and PhoneCode.objects.filter(ip=ip, created_at__gt=now - dt.timedelta(hours=1)).count() >= PER_IP_HOUR:
            raise Conflict("本设备一小时内获取验证码次数过多，请稍后再试", code="too_many")
        row = PhoneCode.objects.create(phone_index=index, code_hash=_hash(index, code), created_at=now,
                                       expires_at=now + CODE_TTL, ip=ip)
        outbox_enqueue(key=f"otp:{row.pk}", channel="sms", template="otp", address=phone, params={"code": code},
                       text=f"【基层智治】您的登录验证码是{code}，5分钟内有效。如非本人操作，请忽略。")
    return row


def _check(index: str, code: str, now) -> tuple[PhoneCode | None, DomainError | None]:
    """Inside a transaction: the matching live code, or the error to raise once the try is counted."""
    row = (PhoneCode.objects.select_for_update().filter(phone_index=index, used_at__isnull=True)
           .order_by("-created_at", "-id").first())
    if row is None or row.expires_at <= now:
        return None, DomainError("验证码已失效，请重新获取", code="code_expired")
    if row.attempts >= MAX_TRIES:
        return None, NotAllowed("验证码错误次数过多，已失效，请重新获取", code="code_locked")
    if not hmac.compare_digest(row.code_hash, _hash(index, (code or "").strip())):
        PhoneCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = MAX_TRIES - row.attempts - 1
        if left == 0:
            return None, NotAllowed("验证码错误次数过多，已失效，请重新获取", code="code_locked")
        return None, DomainError(f"验证码错误，还可尝试{left}次", code="wrong_code")
    return row, None


def _resident(phone: str, index: str) -> User:
    user = User.objects.filter(phone_index=index, role=Role.RESIDENT).order_by("id").first()
    if user is None:
        user = User(username=f"phone_{index[:24]}", role=Role.RESIDENT, phone=phone, phone_index=index,
                    display_name=f"居民{phone[-4:]}")
        user.set_unusable_password()
        user.save()
    if not user.is_active:
        raise NotAllowed("该账号已停用，请联系社区")
    return user


def phone_code_verify(*, phone: str, code: str, now=None) -> User:
    """The resident for a correct code (spending it); a wrong code counts one try and raises."""
    now = now or timezone.now()
    phone = _mobile(phone)
    index = blind_index(phone)
    with transaction.atomic():
        row, error = _check(index, code, now)
        if row is not None:
            if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
                raise DomainError("验证码已使用，请重新获取", code="code_expired")
            return _resident(phone, index)
    raise error
