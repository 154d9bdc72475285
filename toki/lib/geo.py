"""Plane geometry on GeoJSON polygons, in pure Python (no shapely, no GEOS).

Everything here works on small areas (one municipality): distances use the haversine formula, and where a flat
plane is needed (Voronoi bisectors, distance to an edge) the points are projected equirectangularly around a
local origin, which is exact enough over a few tens of kilometres.

Conventions: public functions take `lat, lon` in that order, like the rest of Toki; GeoJSON geometries keep their
own `[lon, lat]` order. A *ring* is a list of `(x, y)` tuples without the closing repeat of the first point.
"""

import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180

Point = tuple[float, float]
Ring = list[Point]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# The walking route to a point, in the map app the reader's phone opens for Google Maps links (no API key).
DIRECTIONS_URL = "https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lon:.6f}&travelmode=walking"


def directions_url(lat: float, lon: float) -> str:
    """A link that opens walking directions from where the reader is to the point (the same on LINE and the web)."""
    return DIRECTIONS_URL.format(lat=lat, lon=lon)


# --- rings ------------------------------------------------------------------------------------------------


def ring_signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area; positive when the ring runs counter-clockwise."""
    total = 0.0
    for i, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(i + 1) % len(ring)]
        total += x1 * y2 - x2 * y1
    return total / 2


def point_in_ring(x: float, y: float, ring: Sequence[Point]) -> bool:
    """Ray casting (even-odd rule). Edges are half-open, so a point on a shared edge counts for one side only."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < xi + (y - yi) * (xj - xi) / (yj - yi):
            inside = not inside
        j = i
    return inside


def _dedupe(points: list[Point]) -> Ring:
    out: Ring = []
    for p in points:
        if not out or (abs(p[0] - out[-1][0]) > 1e-12 or abs(p[1] - out[-1][1]) > 1e-12):
            out.append(p)
    while len(out) > 1 and abs(out[0][0] - out[-1][0]) <= 1e-12 and abs(out[0][1] - out[-1][1]) <= 1e-12:
        out.pop()
    return out


def clip_ring(ring: Sequence[Point], a: float, b: float, c: float) -> list[Ring]:
    """The part of the simple polygon `ring` where a*x + b*y <= c, as a list of rings.

    Sutherland–Hodgman keeps the inside chains of the boundary; where a non-convex polygon leaves the half-plane
    and comes back, the chains are re-joined along the clip line in pairs (the stretches of the line inside the
    polygon), so a cut through a bay gives separate pieces instead of one ring with zero-width bridges.
    """
    n = len(ring)
    side = [a * x + b * y - c for x, y in ring]
    inside = [s <= 0 for s in side]
    if all(inside):
        return [list(ring)]
    if not any(inside):
        return []
    start = inside.index(False)
    chains: list[list[Point]] = []
    current: list[Point] = []
    for k in range(n):
        i, j = (start + k) % n, (start + k + 1) % n
        if inside[i]:
            current.append(ring[i])
        if inside[i] != inside[j]:
            t = side[i] / (side[i] - side[j])
            (xi, yi), (xj, yj) = ring[i], ring[j]
            crossing = (xi + t * (xj - xi), yi + t * (yj - yi))
            if inside[i]:
                current.append(crossing)
                chains.append(current)
            else:
                current = [crossing]
    return _join_chains(chains, a, b)


def _join_chains(chains: list[list[Point]], a: float, b: float) -> list[Ring]:
    """Join clipped chains into rings: sort their ends along the clip line and pair neighbours."""
    along = [(-b * x + a * y) for x, y in (p for chain in chains for p in (chain[0], chain[-1]))]
    ends = sorted(range(len(along)), key=lambda k: along[k])  # k = 2*chain + (0 entry, 1 exit)
    next_chain: dict[int, int] = {}
    for m in range(0, len(ends) - 1, 2):
        e1, e2 = ends[m], ends[m + 1]
        if e1 % 2 == e2 % 2:
            next_chain = {}
            break
        exit_end, entry_end = (e1, e2) if e1 % 2 else (e2, e1)
        next_chain[exit_end // 2] = entry_end // 2
    if len(next_chain) != len(chains) or sorted(next_chain.values()) != list(range(len(chains))):
        # Degenerate input (a vertex exactly on the line): fall back to the plain Sutherland–Hodgman ring.
        return _keep_real([_dedupe([p for chain in chains for p in chain])])
    rings, seen = [], set()
    for first in range(len(chains)):
        if first in seen:
            continue
        points, k = [], first
        while k not in seen:
            seen.add(k)
            points.extend(chains[k])
            k = next_chain[k]
        rings.append(_dedupe(points))
    return _keep_real(rings)


def _keep_real(rings: list[Ring]) -> list[Ring]:
    return [r for r in rings if len(r) >= 3 and abs(ring_signed_area(r)) > 1e-14]


def distance_to_segment(x: float, y: float, p: Point, q: Point) -> float:
    (px, py), (qx, qy) = p, q
    dx, dy = qx - px, qy - py
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - px) * dx + (y - py) * dy) / length2))
    return math.hypot(x - (px + t * dx), y - (py + t * dy))


# --- GeoJSON polygons -------------------------------------------------------------------------------------


def polygons_of(geometry: dict) -> list[list[Ring]]:
    """A GeoJSON Polygon or MultiPolygon as a list of polygons, each [exterior, *holes], rings left open."""
    kind = geometry.get("type")
    if kind == "Polygon":
        parts = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")
    return [[_open_ring(ring) for ring in part] for part in parts]


def _open_ring(ring: Sequence[Sequence[float]]) -> Ring:
    points = [(float(p[0]), float(p[1])) for p in ring]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def point_in_geometry(lat: float, lon: float, geometry: dict) -> bool:
    """Whether the point lies inside a GeoJSON Polygon/MultiPolygon (inside an exterior, outside its holes)."""
    for exterior, *holes in polygons_of(geometry):
        if point_in_ring(lon, lat, exterior) and not any(point_in_ring(lon, lat, hole) for hole in holes):
            return True
    return False


def bbox_of(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a Polygon/MultiPolygon."""
    lons = [x for polygon in polygons_of(geometry) for x, _ in polygon[0]]
    lats = [y for polygon in polygons_of(geometry) for _, y in polygon[0]]
    return min(lats), min(lons), max(lats), max(lons)


def distance_to_geometry_km(lat: float, lon: float, geometry: dict) -> float:
    """Distance in km from the point to the nearest edge of the geometry (0 is not returned for inside points)."""
    kx = KM_PER_DEGREE * math.cos(math.radians(lat))
    best = math.inf
    for polygon in polygons_of(geometry):
        for ring in polygon:
            local = [((x - lon) * kx, (y - lat) * KM_PER_DEGREE) for x, y in ring]
            for i, p in enumerate(local):
                best = min(best, distance_to_segment(0.0, 0.0, p, local[(i + 1) % len(local)]))
    return best


def polygon_geometry_errors(geometry) -> list[str]:
    """What is wrong with a GeoJSON Polygon/MultiPolygon in [lon, lat] order; empty when it is usable."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return ["expected a GeoJSON Polygon or MultiPolygon"]
    coordinates = geometry.get("coordinates")
    parts = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(parts, list) or not parts:
        return ["coordinates: expected a non-empty list"]
    errors = []
    for p, part in enumerate(parts):
        if not isinstance(part, list) or not part:
            errors.append(f"coordinates[{p}]: expected a list of rings")
            continue
        for r, ring in enumerate(part):
            where = f"coordinates[{p}][{r}]" if geometry["type"] == "MultiPolygon" else f"coordinates[{r}]"
            errors.extend(f"{where}: {e}" for e in _ring_errors(ring))
    return errors


def _ring_errors(ring) -> list[str]:
    if not isinstance(ring, list) or len(ring) < 4:
        return ["a ring needs at least 4 positions (closed)"]
    for i, position in enumerate(ring):
        if not (isinstance(position, list | tuple) and len(position) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])):
            return [f"position {i}: expected [lon, lat] numbers"]
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            return [f"position {i}: {list(position[:2])} is not [lon, lat]"]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return ["the ring is not closed (first and last positions differ)"]
    return []


# --- Voronoi cells ----------------------------------------------------------------------------------------


def voronoi_cells(sites: Sequence[tuple[float, float]], outline: dict) -> list[dict | None]:
    """For each site (lat, lon), the part of `outline` nearer to it than to any other site, as GeoJSON.

    Cells are computed on a local equirectangular plane so that the bisectors match ground distances. A cell is a
    Polygon, a MultiPolygon when the outline's bays cut it into pieces, or None when it is empty.
    """
    min_lat, min_lon, max_lat, max_lon = bbox_of(outline)
    lat0, lon0 = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
    kx = math.cos(math.radians(lat0))

    def project(lon: float, lat: float) -> Point:
        return (lon - lon0) * kx, lat - lat0

    def unproject(p: Point) -> list[float]:
        return [round(p[0] / kx + lon0, 6), round(p[1] + lat0, 6)]

    polygons = [[[project(x, y) for x, y in ring] for ring in polygon] for polygon in polygons_of(outline)]
    points = [project(lon, lat) for lat, lon in sites]
    cells: list[dict | None] = []
    for i, (xi, yi) in enumerate(points):
        pieces = polygons
        for j, (xj, yj) in enumerate(points):
            if j == i or (xj, yj) == (xi, yi):
                continue
            a, b = 2 * (xj - xi), 2 * (yj - yi)
            c = xj * xj + yj * yj - xi * xi - yi * yi
            pieces = _clip_polygons(pieces, a, b, c)
        cells.append(_as_geometry([[[unproject(p) for p in ring] for ring in polygon] for polygon in pieces]))
    return cells


def _clip_polygons(polygons: list[list[Ring]], a: float, b: float, c: float) -> list[list[Ring]]:
    out = []
    for exterior, *holes in polygons:
        clipped_holes = [piece for hole in holes for piece in clip_ring(hole, a, b, c)]
        for piece in clip_ring(exterior, a, b, c):
            inner = [h for h in clipped_holes if point_in_ring(*_inner_point(h), piece)]
            out.append([piece, *inner])
    return out


def _inner_point(ring: Ring) -> Point:
    """A vertex of the ring nudged towards its centroid (good enough to test which piece a hole belongs to)."""
    cx = sum(x for x, _ in ring) / len(ring)
    cy = sum(y for _, y in ring) / len(ring)
    x, y = ring[0]
    return x + (cx - x) * 1e-6, y + (cy - y) * 1e-6


def _as_geometry(polygons: list[list[list[list[float]]]]) -> dict | None:
    closed = [[[*ring, ring[0]] for ring in polygon] for polygon in polygons]
    if not closed:
        return None
    if len(closed) == 1:
        return {"type": "Polygon", "coordinates": closed[0]}
    return {"type": "MultiPolygon", "coordinates": closed}
