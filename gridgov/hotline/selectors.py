"""Scoped reads of hotline orders and their updates (out of scope: not listed)."""

from gridgov.hotline.enums import HOTLINE_IMPORTERS
from gridgov.hotline.models import HotlineOrder, HotlineUpdate


def hotline_orders_visible_to(user):
    if user is None or not user.is_authenticated or user.role not in HOTLINE_IMPORTERS:
        return HotlineOrder.objects.none()
    orders = HotlineOrder.objects.select_related("case")
    return orders.filter(case__area_code__subtree=user.scope_code) if user.scope_code else orders


def hotline_updates_visible_to(user, *, since=None):
    updates = HotlineUpdate.objects.filter(order__in=hotline_orders_visible_to(user)).select_related("order")
    return (updates.filter(created_at__gte=since) if since is not None else updates).order_by("created_at", "id")
