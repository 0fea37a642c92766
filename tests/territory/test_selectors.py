from gridgov.territory import selectors, services


def test_locate_finds_grid_and_microgrid(area):
    assert selectors.locate(29.3905, 106.6205) == (area["grid_a"], area["micro_a"])
    assert selectors.locate(29.3915, 106.6235) == (area["grid_b"], None)
    assert selectors.locate(30.0, 107.0) == (None, None)


def test_index_is_rebuilt_when_a_boundary_changes(area):
    assert selectors.locate(29.3905, 106.6305) == (None, None)
    from tests.conftest import square

    services.area_set_boundary(area=area["grid_b"], boundary=square(106.630, 29.390))
    assert selectors.locate(29.3905, 106.6305) == (area["grid_b"], None)
    assert selectors.locate(29.3905, 106.6225)[0] is None


def test_areas_visible_follow_the_subtree(area, persona):
    assert [a.name for a in selectors.areas_visible_to(persona["worker_a"])] == ["第一网格", "第一网格1号微网格"]
    assert list(selectors.areas_visible_to(persona["resident"])) == []
