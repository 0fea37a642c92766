import datetime as dt

import pytest
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


@pytest.mark.parametrize(("text", "local"), [
    ("界石镇东城社区幸福里小区3栋门口的垃圾桶满了", True),
    ("小区门口的菜市场早上占道，市民过不去", True),
    ("淮南市田家庵区领导：我家隔壁单元一户人家养狗", False),
    ("金乡县领导你们好，我是鸡黍镇后营村的", False),
    ("巴南区界石镇公平村的机耕道垮了", True),
])
def test_the_demo_takes_corpus_texts_that_read_as_the_streets_own(text, local):
    from gridgov.cases.demo import reads_local

    assert reads_local(text) is local
