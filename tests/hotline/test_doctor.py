from gridgov.core.doctor import report
from gridgov.hotline.doctor import section
from gridgov.hotline.models import HotlineUpdate
from gridgov.hotline.services import hotline_collect_sweep, hotline_orders_import
from tests.cases.conftest import MONDAY, step
from tests.hotline.conftest import order


def test_unsent_updates_by_state(centre, people, place, catalogue):
    assert section() == {"hotline_updates_unsent": {}}
    for created in hotline_orders_import(rows=[order("GD1"), order("GD2")], by=centre, now=MONDAY).created:
        step(created.case, "accept", people["worker_a"])
    hotline_collect_sweep(MONDAY)
    HotlineUpdate.objects.filter(order__number="GD2").update(state="failed")
    assert section() == {"hotline_updates_unsent": {"pending": 1, "failed": 1}}
    assert report()["hotline_updates_unsent"] == {"pending": 1, "failed": 1}
    assert report()["cases_by_channel"] == {"hotline": 2}
