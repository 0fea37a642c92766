import bench.cases_measures as scenario
from gridgov.cases.measures import measures


def test_scenario_generates_a_street_and_reports_its_figures(db):
    street = scenario.generate(300)
    m = measures(start=scenario.YEAR[0], end=scenario.YEAR[1] + scenario.dt.timedelta(days=8), area_code=street)
    assert (m.received, m.due, m.orders) == (300, 300, 300)
    assert 0 < m.closed <= m.due


def test_figures_have_the_scenario_shape(db):
    figures = scenario.measure(200)
    assert [f.unit for f in figures] == ["ms", "ms", "ms"]
    assert [f.scenario for f in figures] == [scenario.NAME] * 3
    assert figures[0].ceiling_name == "bare COUNT(*) GROUP BY state" and figures[0].ceiling is not None
