"""The menu: which pages a role sees, as data (menus only; every view checks again)."""

from django import template
from django.urls import reverse

from gridgov.accounts.enums import LEDGER_IMPORTERS, PEOPLE_READERS, TERRITORY_READERS

register = template.Library()

MENU = [
    ("territory:map", "辖区地图", TERRITORY_READERS),
    ("people:residents", "居民", PEOPLE_READERS),
    ("people:unverified", "待核实户", PEOPLE_READERS),
    ("people:import", "台账导入", LEDGER_IMPORTERS),
    ("sensors:devices", "感知设备", PEOPLE_READERS),
    ("sensors:alarms", "设备告警", PEOPLE_READERS),
]


@register.simple_tag(takes_context=True)
def nav_items(context):
    role = context["request"].user.role
    return [{"url": reverse(name), "label": label} for name, label, roles in MENU if role in roles]
