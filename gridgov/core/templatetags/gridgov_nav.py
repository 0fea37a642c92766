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
from gridgov.cases.enums import CLAIMERS
from gridgov.cases.screens import ORDER_ROLES, QUEUE_ROLES, RESIDENT_ROLES, STATS_ROLES
from gridgov.hotline.enums import HOTLINE_IMPORTERS

register = template.Library()

MENU = [
    ("territory:map", "辖区地图", TERRITORY_READERS),
    ("people:residents", "居民", PEOPLE_READERS),
    ("people:unverified", "待核实户", PEOPLE_READERS),
    ("people:party", "党组织", PEOPLE_READERS),
    ("people:import", "台账导入", LEDGER_IMPORTERS),
    ("cases:queue", "事件受理台", QUEUE_ROLES),
    ("cases:board", "督办看板", QUEUE_ROLES),
    ("cases:stats", "考核统计", STATS_ROLES),
    ("cases:orders", "我的工单", ORDER_ROLES),
    ("cases:claimable", "可认领任务", CLAIMERS),
    ("cases:report", "随手拍", RESIDENT_ROLES),
    ("cases:mine", "我的反映", RESIDENT_ROLES),
    ("cases:public", "办理公示", RESIDENT_ROLES),
    ("sensors:devices", "感知设备", PEOPLE_READERS),
    ("sensors:alarms", "设备告警", PEOPLE_READERS),
    ("hotline:import", "12345工单导入", HOTLINE_IMPORTERS),
    ("accounts:access_log", "访问日志", ACCESS_LOG_READERS),
    ("accounts:me", "我的账号", frozenset(Role)),
]


@register.simple_tag(takes_context=True)
def nav_items(context):
    role = context["request"].user.role
    return [{"url": reverse(name), "label": label} for name, label, roles in MENU if role in roles]
