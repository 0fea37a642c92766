"""Scoped reads of accounts: a user's own tokens, and the access log for its readers."""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404

from gridgov.accounts.enums import ACCESS_LOG_READERS
from gridgov.accounts.models import AccessLog, ApiToken


def api_tokens_of(user):
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for(user, token_id: int) -> ApiToken:
    """Only the token's owner may see or revoke it; anyone else gets 404."""
    return get_object_or_404(api_tokens_of(user), pk=token_id)


def can_read_access_log(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in ACCESS_LOG_READERS


def access_log_for(user, *, username: str = "", action: str = "", subject_type: str = "",
                   since: dt.date | None = None, until: dt.date | None = None):
    """The access log, newest first, for auditors and security admins; 404 for anyone else."""
    if not can_read_access_log(user):
        raise Http404
    rows = AccessLog.objects.select_related("user").order_by("-at", "-id")
    if username:
        rows = rows.filter(user__username=username.strip())
    if action:
        rows = rows.filter(action=action)
    if subject_type:
        rows = rows.filter(subject_type=subject_type.strip())
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows
