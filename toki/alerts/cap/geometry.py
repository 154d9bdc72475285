"""CAP geometry: GeoJSON boundaries → CAP polygons (out), CAP polygons and circles against districts (in).

CAP writes a polygon as "lat,lon lat,lon …", WGS 84, latitude first, closed (first pair repeated last), at least
four pairs; GeoJSON keeps [lon, lat]. CAP has no holes: an exterior ring stands for its whole polygon, which makes
an alert area slightly larger, never smaller. Large rings are simplified (Douglas–Peucker) to at most
`MAX_POINTS` points, and only to a ring that does not cross itself (falling back to the convex hull, which covers
the area).
"""

import math
from collections.abc import Sequence

from toki.alerts.cap.message import Circle, Point
from toki.lib import geo

MAX_POINTS = 100  # per CAP polygon, closing point included
DECIMALS = 5  # about a metre
_TOLERANCES = (0.0, 0.0002, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064)

XY = tuple[float, float]  # (lon, lat), GeoJSON order


# --- out ------------------------------------------------------------------------------------------------


def cap_polygons(geometry: dict | None, *, max_points: int = MAX_POINTS) -> list[str]:
    """One CAP polygon string per exterior ring of a GeoJSON Polygon/MultiPolygon ([] for None)."""
    if not geometry:
        return []
    out = []
    for exterior, *_holes in geo.polygons_of(geometry):
        ring = simplify_ring(exterior, max_points - 1)
        if ring:
            out.append(format_ring(ring))
    return out


def format_ring(ring: Sequence[XY]) -> str:
    """An open (lon, lat) ring as a closed CAP polygon string."""
    pairs = [f"{_number(lat)},{_number(lon)}" for lon, lat in ring]
    return " ".join([*pairs, pairs[0]])


def _number(value: float) -> str:
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def simplify_ring(ring: Sequence[XY], max_vertices: int) -> list[XY]:
    """The open ring rounded to CAP precision with at most `max_vertices` vertices, not crossing itself.

    Returns [] when fewer than three distinct points remain (a degenerate ring is left out, not published).
    """
    points = _rounded(ring)
    if len(points) < 3:
        return []
    for tolerance in _TOLERANCES:
        candidate = _rounded(_douglas_peucker_closed(points, tolerance)) if tolerance else points
        if 3 <= len(candidate) <= max_vertices and is_simple(candidate):
            return candidate
    hull = convex_hull(points)
    for tolerance in _TOLERANCES:
        candidate = _douglas_peucker_closed(hull, tolerance) if tolerance else hull
        if 3 <= len(candidate) <= max_vertices:
            return candidate  # a subset of a convex polygon's vertices is convex, hence simple
    return hull[:: max(1, math.ceil(len(hull) / max_vertices))]


def _rounded(ring: Sequence[XY]) -> list[XY]:
    out: list[XY] = []
    for lon, lat in ring:
        point = (round(lon, DECIMALS), round(lat, DECIMALS))
        if not out or point != out[-1]:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _douglas_peucker_closed(ring: list[XY], tolerance: float) -> list[XY]:
    """Simplify a closed ring: split it at the vertex farthest from the first, simplify both halves."""
    if len(ring) <= 3:
        return list(ring)
    first = ring[0]
    far = max(range(len(ring)), key=lambda i: _flat_distance(ring[i], first))
    one = _douglas_peucker([*ring[: far + 1]], tolerance)
    two = _douglas_peucker([*ring[far:], first], tolerance)
    return one[:-1] + two[:-1]


def _douglas_peucker(points: list[XY], tolerance: float) -> list[XY]:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        best, best_index = 0.0, None
        for i in range(start + 1, end):
            distance = _segment_distance(points[i], points[start], points[end])
            if distance > best:
                best, best_index = distance, i
        if best_index is not None and best > tolerance:
            keep[best_index] = True
            stack.extend([(start, best_index), (best_index, end)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _scale(lat: float) -> float:
    return math.cos(math.radians(lat))


def _flat_distance(p: XY, q: XY) -> float:
    k = _scale((p[1] + q[1]) / 2)
    return math.hypot((p[0] - q[0]) * k, p[1] - q[1])


def _segment_distance(p: XY, a: XY, b: XY) -> float:
    k = _scale(p[1])
    return geo.distance_to_segment(p[0] * k, p[1], (a[0] * k, a[1]), (b[0] * k, b[1]))


def is_simple(ring: Sequence[XY]) -> bool:
    """Whether no two non-adjacent edges of the closed ring touch or cross."""
    n = len(ring)
    edges = [(ring[i], ring[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue
            if segments_intersect(*edges[i], *edges[j]):
                return False
    return True


def convex_hull(points: Sequence[XY]) -> list[XY]:
    """Andrew's monotone chain, counter-clockwise, open."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return list(pts)

    def half(seq):
        out: list[XY] = []
        for p in seq:
            while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(reversed(pts))
    return lower[:-1] + upper[:-1]


def _cross(o: XY, a: XY, b: XY) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_intersect(p1: XY, p2: XY, q1: XY, q2: XY) -> bool:
    """Whether the closed segments p1p2 and q1q2 share a point."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and d1 and d2 and d3 and d4:
        return True

    def on(a: XY, b: XY, c: XY, d: float) -> bool:
        return d == 0 and min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    return on(q1, q2, p1, d1) or on(q1, q2, p2, d2) or on(p1, p2, q1, d3) or on(p1, p2, q2, d4)


# --- in -------------------------------------------------------------------------------------------------


def polygon_meets_geometry(polygon: Sequence[Point], geometry: dict) -> bool:
    """Whether a CAP polygon ((lat, lon) points, closed) and a GeoJSON Polygon/MultiPolygon overlap or touch."""
    ring = [(lon, lat) for lat, lon in polygon]
    if ring and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 3:
        return False
    min_lat, min_lon, max_lat, max_lon = geo.bbox_of(geometry)
    lons, lats = [x for x, _ in ring], [y for _, y in ring]
    if max(lons) < min_lon or min(lons) > max_lon or max(lats) < min_lat or min(lats) > max_lat:
        return False
    if any(geo.point_in_geometry(lat, lon, geometry) for lon, lat in ring):
        return True
    exteriors = [polygon_rings[0] for polygon_rings in geo.polygons_of(geometry)]
    if any(geo.point_in_ring(x, y, ring) for exterior in exteriors for x, y in exterior):
        return True
    cap_edges = [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
    for exterior in exteriors:
        for i, a in enumerate(exterior):
            b = exterior[(i + 1) % len(exterior)]
            if any(segments_intersect(a, b, p, q) for p, q in cap_edges):
                return True
    return False


def circle_meets_geometry(circle: Circle, geometry: dict) -> bool:
    """Whether a CAP circle (radius 0: a point) and a GeoJSON Polygon/MultiPolygon overlap or touch."""
    if geo.point_in_geometry(circle.lat, circle.lon, geometry):
        return True
    return geo.distance_to_geometry_km(circle.lat, circle.lon, geometry) <= circle.radius_km
