import bench.cases_measures as scenario
from gridgov.cases.measures import live_measures, measures
from gridgov.cases.rollup import rollup_differences


def test_scenario_generates_a_street_and_rebuilds_its_rollup(db):
    street = scenario.generate(300)
    period = {"start": scenario.YEAR[0], "end": scenario.YEAR[1] + scenario.dt.timedelta(days=8)}
    m = measures(**period, area_code=street.code)
    assert (m.received, m.due, m.orders) == (300, 300, 300)
    assert 0 < m.closed <= m.due
    assert m == live_measures(**period, area_code=street.code)
    assert rollup_differences() == []
    assert measures(**period, handler_id=street.handler_id).received > 0


def test_figures_have_the_scenario_shape(db):
    figures = scenario.measure(200)
    assert [f.unit for f in figures] == ["s"] + ["ms"] * 14
    assert [f.scenario for f in figures] == [scenario.NAME] * 15
    assert [f.ceiling_name for f in figures[1:10]] == [scenario.ROLLUP_CEILING] * 9
    assert all(f.ceiling is not None for f in figures[1:])
    assert [f.ok is None for f in figures] == [True] + [False] * 13 + [True]
