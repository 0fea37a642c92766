"""The menu: which pages a role sees, as data (menus only; every view checks again)."""

from django import template
from django.urls import reverse

from gridgov.accounts.enums import LEDGER_IMPORTERS, PEOPLE_READERS, TERRITORY_READERS
from gridgov.hotline.enums import HOTLINE_IMPORTERS

register = template.Library()

MENU = [
    ("territory:map", "辖区地图", TERRITORY_READERS),
    ("people:residents", "居民", PEOPLE_READERS),
    ("people:unverified", "待核实户", PEOPLE_READERS),
    ("people:import", "台账导入", LEDGER_IMPORTERS),
    ("hotline:import", "12345工单导入", HOTLINE_IMPORTERS),
]


@register.simple_tag(takes_context=True)
def nav_items(context):
    role = context["request"].user.role
    return [{"url": reverse(name), "label": label} for name, label, roles in MENU if role in roles]
