"""The menu: which pages a role sees, as data (menus only; every view checks again)."""

from django import template
from django.urls import reverse

from gridgov.accounts.enums import (
    ACCESS_LOG_READERS,
    LEDGER_IMPORTERS,
    PEOPLE_READERS,
    TERRITORY_READERS,
    Role,
)

register = template.Library()

MENU = [
    ("territory:map", "辖区地图", TERRITORY_READERS),
    ("people:residents", "居民", PEOPLE_READERS),
    ("people:unverified", "待核实户", PEOPLE_READERS),
    ("people:import", "台账导入", LEDGER_IMPORTERS),
    ("accounts:access_log", "访问日志", ACCESS_LOG_READERS),
    ("accounts:me", "我的账号", frozenset(Role)),
]


@register.simple_tag(takes_context=True)
def nav_items(context):
    role = context["request"].user.role
    return [{"url": reverse(name), "label": label} for name, label, roles in MENU if role in roles]
