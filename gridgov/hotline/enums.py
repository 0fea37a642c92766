"""The hotline's vocabulary: its four statuses, which case actions they answer, and who may import."""

from django.db import models

from gridgov.accounts.enums import Role


class HotlineStatus(models.TextChoices):
    SIGNED = "签收", "签收"
    HANDLING = "办理中", "办理中"
    RESOLVED = "已办结", "已办结"
    RETURNED = "退回", "退回"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待推送"
    SENDING = "sending", "推送中"
    SENT = "sent", "已推送"
    FAILED = "failed", "推送失败"


# A change of a hotline case, as the hotline hears it. Actions not listed are internal to the street.
STATUS_OF_ACTION = {
    "accept": HotlineStatus.SIGNED,
    "register": HotlineStatus.HANDLING,
    "dispatch": HotlineStatus.HANDLING,
    "open_claim": HotlineStatus.HANDLING,
    "claim": HotlineStatus.HANDLING,
    "whistle": HotlineStatus.HANDLING,
    "approve_whistle": HotlineStatus.HANDLING,
    "sign": HotlineStatus.HANDLING,
    "check_in": HotlineStatus.HANDLING,
    "handle": HotlineStatus.HANDLING,
    "send_back": HotlineStatus.HANDLING,
    "suspend": HotlineStatus.HANDLING,
    "resume": HotlineStatus.HANDLING,
    "reopen": HotlineStatus.HANDLING,
    "resolve": HotlineStatus.RESOLVED,
    "withdraw": HotlineStatus.RESOLVED,
    "close_reopened": HotlineStatus.RESOLVED,
    "reject": HotlineStatus.RETURNED,
    "merge": HotlineStatus.RETURNED,
}

HOTLINE_IMPORTERS = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.COMMAND_CENTRE, Role.SYSTEM_ADMIN})
SYSTEM_USERNAME = "hotline-12345"
SOURCE = "12345"
