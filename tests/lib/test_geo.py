import pytest

from gridgov.lib.geo import AreaIndex, InvalidBoundary, parse_boundary
from tests.conftest import square


def test_bow_tie_polygon_names_the_ring_and_the_point():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    with pytest.raises(InvalidBoundary) as raised:
        parse_boundary(bow_tie)
    assert str(raised.value) == "第1个多边形的外环无效：自相交于[1 1]"


def test_self_crossing_hole_is_named():
    shape = square(0, 0, 10)
    shape["coordinates"].append([[1, 1], [3, 3], [3, 1], [1, 3], [1, 1]])
    with pytest.raises(InvalidBoundary) as raised:
        parse_boundary(shape)
    assert str(raised.value) == "第1个多边形的第1个内环无效：自相交于[2 2]"


def test_unclosed_ring_and_wrong_type():
    with pytest.raises(InvalidBoundary, match="首尾坐标不闭合"):
        parse_boundary({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]})
    with pytest.raises(InvalidBoundary, match="不是 'Point'"):
        parse_boundary({"type": "Point", "coordinates": [0, 0]})


def test_index_locates_points_and_misses_outside():
    index = AreaIndex(["a", "b"], [parse_boundary(square(0, 0, 1)), parse_boundary(square(1, 0, 1))])
    assert index.locate(0.5, 0.5) == "a"
    assert index.locate(1.5, 0.5) == "b"
    assert index.locate(5, 5) is None
    assert index.locate_many([(0.5, 0.5), (1.5, 0.5), (5, 5)]) == ["a", "b", None]
