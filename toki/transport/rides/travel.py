"""Travel times and distances between points, behind one interface (docs/rides.md "Travel times").

`travel_for(area)` gives the source chosen by `TOKI_RIDES_TRAVEL`:
- `straight` (default): the haversine distance × the area's detour factor at the area's speed;
- `matrix:<path>`: a precomputed JSON file {"points": [[lat, lon], …], "minutes": [[…]], "km": [[…]]}; a point is
  matched to a listed one within 50 m, and a point that is not listed is an error naming it;
- `osrm:<base url>`: an OSRM server's `/table/v1/driving/` service (Valhalla can serve the same through its OSRM
  compatible output; docs/rides.md shows how to run OSRM on Sado's OpenStreetMap extract).

Every source answers `Matrix(minutes, km)` for a list of (lat, lon) points, row = from, column = to."""

import json
import logging
import math
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from toki.lib.geo import haversine_km

Point = tuple[float, float]
MATCH_KM = 0.05


class TravelError(Exception):
    """The travel source could not answer (a file that does not list a point, a server that fails)."""


@dataclass(frozen=True)
class Matrix:
    minutes: list[list[float]]
    km: list[list[float]]


class StraightLine:
    def __init__(self, speed_kmh: float, detour_factor: float):
        if speed_kmh <= 0 or detour_factor < 1:
            raise TravelError(f"speed must be positive and detour factor at least 1 (got {speed_kmh}, "
                              f"{detour_factor})")
        self.speed_kmh, self.detour_factor = speed_kmh, detour_factor

    def matrix(self, points: list[Point]) -> Matrix:
        km = [[haversine_km(a[0], a[1], b[0], b[1]) * self.detour_factor for b in points] for a in points]
        return Matrix([[d / self.speed_kmh * 60 for d in row] for row in km], km)


class MatrixFile:
    def __init__(self, path: str):
        self.path = path
        self.points, self.minutes, self.km = _load_matrix_file(path)

    def _index(self, point: Point) -> int:
        best, best_km = -1, math.inf
        for i, (lat, lon) in enumerate(self.points):
            d = haversine_km(point[0], point[1], lat, lon)
            if d < best_km:
                best, best_km = i, d
        if best_km > MATCH_KM:
            raise TravelError(f"{self.path}: no listed point within 50 m of {point[0]:.6f}, {point[1]:.6f}")
        return best

    def matrix(self, points: list[Point]) -> Matrix:
        idx = [self._index(p) for p in points]
        return Matrix([[self.minutes[i][j] for j in idx] for i in idx], [[self.km[i][j] for j in idx] for i in idx])


@lru_cache(maxsize=4)
def _load_matrix_file(path: str):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TravelError(f"{path}: cannot read the matrix file ({exc})") from None
    points, minutes, km = data.get("points"), data.get("minutes"), data.get("km")
    if not isinstance(points, list) or not points:
        raise TravelError(f"{path}: 'points' must be a non-empty list of [lat, lon]")
    n = len(points)
    for name, rows in (("minutes", minutes), ("km", km)):
        if not isinstance(rows, list) or len(rows) != n or any(not isinstance(r, list) or len(r) != n for r in rows):
            raise TravelError(f"{path}: '{name}' must be a {n}×{n} list of numbers")
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if not isinstance(value, int | float) or value < 0:
                    raise TravelError(f"{path}: {name}[{i}][{j}] must be a number ≥ 0")
    return [tuple(map(float, p)) for p in points], minutes, km


class Osrm:
    """The OSRM table service: GET {base}/table/v1/driving/{lon,lat;…}?annotations=duration,distance."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def matrix(self, points: list[Point]) -> Matrix:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.base_url}/table/v1/driving/{coords}?annotations=duration,distance"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:  # OSRM answers its errors as JSON with a code (NoRoute, InvalidUrl …)
            try:
                code = json.loads(exc.read()).get("code", "")
            except (ValueError, AttributeError):
                code = ""
            raise TravelError(f"OSRM answered HTTP {exc.code} {code}".strip()) from None
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise TravelError(f"OSRM could not be read ({exc.__class__.__name__})") from None
        if body.get("code") != "Ok":
            raise TravelError(f"OSRM answered code {body.get('code')!r}: {body.get('message', '')}")
        durations, distances = body.get("durations"), body.get("distances")
        n = len(points)
        if not _square(durations, n) or not _square(distances, n):
            raise TravelError(f"OSRM's table is not {n}×{n} durations and distances")
        if any(v is None for row in durations for v in row):
            raise TravelError("OSRM found no route between some of the points")
        return Matrix([[v / 60 for v in row] for row in durations], [[v / 1000 for v in row] for row in distances])


def _square(rows, n: int) -> bool:
    return isinstance(rows, list) and len(rows) == n and all(isinstance(r, list) and len(r) == n for r in rows)


def matrix_for(area, points: list[Point]) -> Matrix:
    """The area's source asked once per distinct point (a day's plan visits the same few meeting points many
    times), expanded back to one row and column per point given."""
    distinct = list(dict.fromkeys((round(lat, 7), round(lon, 7)) for lat, lon in points))
    index = {p: i for i, p in enumerate(distinct)}
    small = travel_for(area).matrix(distinct)
    rows = [index[(round(lat, 7), round(lon, 7))] for lat, lon in points]
    return Matrix([[small.minutes[i][j] for j in rows] for i in rows], [[small.km[i][j] for j in rows] for i in rows])


def estimate_for(area) -> StraightLine:
    """The straight-line estimate with the area's speed and detour (bounded below: a bad setting never divides by
    zero), what is used where the area's own source cannot answer and something must go on."""
    return StraightLine(max(area.speed_kmh, 1.0), max(area.detour_factor, 1.0))


def matrix_or_estimate(area, points: list[Point], log: logging.Logger, purpose: str) -> Matrix:
    """The area's source, or the straight-line estimate with a warning when it cannot answer (the OSRM server down,
    a matrix file without the point). For what records facts and figures — a tablet's mark re-timing the plan, a
    route's kilometres — which must not fail, nor make the tablet's sync fail, because a travel server is down.
    What decides a booking keeps `matrix_for` (a request is refused with the reason instead)."""
    try:
        return matrix_for(area, points)
    except TravelError as error:
        log.warning("%s: the travel source could not answer (%s); straight-line estimate used", purpose, error)
        return estimate_for(area).matrix(list(points))


def travel_for(area):
    source = settings.TOKI_RIDES_TRAVEL
    if source == "straight":
        return StraightLine(area.speed_kmh, area.detour_factor)
    if source.startswith("matrix:"):
        return MatrixFile(source.removeprefix("matrix:"))
    if source.startswith("osrm:"):
        return Osrm(source.removeprefix("osrm:"))
    raise TravelError(f"TOKI_RIDES_TRAVEL={source!r}: use straight, matrix:<path> or osrm:<url>")
