"""This app's section of `gridgov doctor --json`: status changes still owed to the hotline."""

from django.db.models import Count


def section() -> dict:
    from gridgov.hotline.models import HotlineUpdate

    states = dict(HotlineUpdate.objects.exclude(state="sent").values_list("state").annotate(n=Count("id")).order_by())
    return {"hotline_updates_unsent": states}
