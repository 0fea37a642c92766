"""Rectangles as GeoJSON: communities split into grids, grids into microgrids.

A box is (west, south, east, north) in degrees. Splitting a box gives boxes that share edges
and never overlap, so the pieces tile their parent exactly.
"""

Box = tuple[float, float, float, float]


def polygon(box: Box) -> dict:
    west, south, east, north = (round(v, 7) for v in box)
    return {"type": "Polygon", "coordinates": [[
        [west, south], [east, south], [east, north], [west, north], [west, south],
    ]]}


def tile(box: Box, *, rows: int, cols: int) -> list[Box]:
    """rows × cols boxes, row by row from the north-west corner."""
    west, south, east, north = box
    width, height = (east - west) / cols, (north - south) / rows
    return [
        (west + c * width, north - (r + 1) * height, west + (c + 1) * width, north - r * height)
        for r in range(rows) for c in range(cols)
    ]


def strips(box: Box, parts: int) -> list[Box]:
    """`parts` vertical strips from west to east."""
    return tile(box, rows=1, cols=parts)


def inner_points(box: Box, count: int) -> list[tuple[float, float]]:
    """`count` (lat, lng) points well inside the box, spread from south to north."""
    west, south, east, north = box
    lng = (west + east) / 2
    return [(south + (north - south) * (i + 1) / (count + 1), lng) for i in range(count)]
