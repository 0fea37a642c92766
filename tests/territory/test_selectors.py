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


def test_a_steward_of_a_towers_floor_band_sees_the_tower_and_only_the_bands_dwellings(area, place):
    import datetime as dt

    from gridgov.accounts.enums import Role
    from gridgov.accounts.models import User
    from gridgov.people import services as people

    band = services.area_create(kind="microgrid", name="第一网格2号微网格", code="50011300200100102",
                                parent=area["grid_a"])
    upper = services.dwelling_create(building=place["building_a"], number="1-3001", floor=30, microgrid=band)
    household = people.household_move_in(dwelling=upper, number="H-UP", moved_on=dt.date(2024, 1, 1),
                                         people=[people.Person(name="赵敏", gender="F")])
    steward = User.objects.create_user(username="band_steward", role=Role.BUILDING_STEWARD, area=band)
    assert household.area_code == household.members.get().area_code == "50011300200100102"
    assert list(selectors.buildings_visible_to(steward)) == [place["building_a"]]
    assert list(selectors.dwellings_visible_to(steward)) == [upper]
