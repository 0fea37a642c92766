"""Polygons as GeoJSON, their validation, and a point → area index on a Shapely STRtree."""

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely import geometry
from shapely.validation import explain_validity


class InvalidBoundary(ValueError):
    pass


def _ring_problem(coords) -> str | None:
    if len(coords) < 4:
        return "少于4个坐标点"
    if tuple(coords[0]) != tuple(coords[-1]):
        return "首尾坐标不闭合"
    ring = geometry.LinearRing(coords)
    if not ring.is_simple:
        return explain_validity(geometry.Polygon(coords)).replace("Self-intersection", "自相交于")
    return None


def parse_boundary(geojson: dict) -> shapely.Geometry:
    """Validate a GeoJSON Polygon or MultiPolygon; name the ring that is wrong.

    Coordinates are [lng, lat] as GeoJSON says.
    """
    kind = (geojson or {}).get("type")
    if kind == "Polygon":
        polygons = [geojson.get("coordinates") or []]
    elif kind == "MultiPolygon":
        polygons = geojson.get("coordinates") or []
    else:
        raise InvalidBoundary(f"边界必须是 Polygon 或 MultiPolygon，不是 {kind!r}")
    for p, rings in enumerate(polygons, start=1):
        if not rings:
            raise InvalidBoundary(f"第{p}个多边形没有坐标")
        for r, ring in enumerate(rings):
            problem = _ring_problem(ring)
            if problem:
                which = "外环" if r == 0 else f"第{r}个内环"
                raise InvalidBoundary(f"第{p}个多边形的{which}无效：{problem}")
    shape = geometry.shape(geojson)
    if not shape.is_valid:
        raise InvalidBoundary(f"边界无效：{explain_validity(shape)}")
    return shape


class AreaIndex:
    """Point → area lookup. `keys[i]` names the area whose polygon is `shapes[i]`."""

    def __init__(self, keys: Sequence, shapes: Sequence[shapely.Geometry]):
        self.keys = list(keys)
        self.shapes = np.array(shapes, dtype=object)
        self.tree = shapely.STRtree(self.shapes)
        for shape in self.shapes:
            shapely.prepare(shape)

    def locate(self, lng: float, lat: float):
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return self.keys[int(hits.min())] if len(hits) else None

    def locate_many(self, points: Iterable[tuple[float, float]]) -> list:
        """[(lng, lat), …] → [key or None, …], one vectorised tree query."""
        coords = np.asarray(list(points), dtype=float).reshape(-1, 2)
        found: list = [None] * len(coords)
        if not len(coords):
            return found
        point_idx, shape_idx = self.tree.query(shapely.points(coords), predicate="intersects")
        for p, s in zip(point_idx[::-1], shape_idx[::-1], strict=True):
            found[p] = self.keys[s]
        return found
