"""This app's section of `gridgov doctor --json`."""

from django.db.models import Count


def section() -> dict:
    from gridgov.cases.models import Case

    return {"cases_by_channel": dict(Case.objects.values_list("channel").annotate(n=Count("id")).order_by())}
