"""This app's section of `gridgov doctor --json`."""

from django.db.models import Count


def section() -> dict:
    from gridgov.notify.models import Outbox

    return {"outbox": dict(Outbox.objects.values_list("state").annotate(n=Count("id")).order_by())}
