"""This app's section of `gridgov doctor --json`."""

from django.db.models import Count
from django.utils import timezone


def section() -> dict:
    from gridgov.cases.enums import CLOCK_STATES
    from gridgov.cases.models import Case

    states = dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by())
    overdue = Case.objects.filter(state__in=CLOCK_STATES, due_at__lte=timezone.now()).count()
    return {"cases": states, "overdue_stages": overdue}
