import datetime as dt

from django.db.models import Count

from gridgov.cases.demo import create_case_history
from gridgov.cases.enums import TRANSITIONS, CaseState
from gridgov.cases.models import Case, CaseEvent, DepartmentRating, WorkOrder
from tests.cases.conftest import MONDAY

END = MONDAY + dt.timedelta(days=200)


def test_history_covers_every_state_and_is_deterministic(persona, area):
    assert create_case_history(seed=3, count=120, end=END) == 120
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    assert Case.objects.filter(reworked=True).exists()
    assert Case.objects.exclude(rating="").exists()
    assert WorkOrder.objects.exclude(whistle="none").exists()
    assert DepartmentRating.objects.exists() or not WorkOrder.objects.exclude(whistle="none").filter(
        resolved_at__isnull=False).exists()
    first = list(Case.objects.order_by("id").values_list("description", "state", "area_code")[:20])
    Case.objects.all().delete()
    create_case_history(seed=3, count=120, end=END)
    assert list(Case.objects.order_by("id").values_list("description", "state", "area_code")[:20]) == first


def test_history_logs_a_chain_that_follows_the_table(persona, area):
    create_case_history(seed=5, count=60, end=END)
    for case in Case.objects.all():
        log = list(case.events.order_by("at", "id").values_list("action", "from_state", "to_state"))
        assert log[0][0] == "report" and log[-1][2] == case.state
        for (_, _, after), (action, before, _) in zip(log, log[1:], strict=False):
            assert after == before
            assert before in TRANSITIONS[action].sources
    assert CaseEvent.objects.values("case").annotate(n=Count("id")).filter(n=0).count() == 0
    assert set(Case.objects.values_list("grid__code", flat=True)) <= {area["grid_a"].code, area["grid_b"].code}
