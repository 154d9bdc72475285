"""Hazard area layers (ハザードマップ) for the supporters' map, loaded from a GeoJSON file by the municipality
(`manage.py registry_load_hazards`). The whole file is checked before anything is written; every problem is
reported as `file: where: reason`; a layer of the same name is replaced in one transaction.

Accepted: a FeatureCollection (RFC 7946, WGS84 longitude/latitude) of Polygon or MultiPolygon features, each ring
closed with at least four positions. `properties.name` (optional) labels a feature on the map."""

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.registry.models_plans import HazardKind, HazardLayer

MAX_FEATURES = 5000
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


class HazardFileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _position_problem(position) -> str:
    if not (isinstance(position, list) and len(position) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)):
        return "a position is [longitude, latitude]"
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"{lon}, {lat} is not a longitude and latitude (WGS84, longitude first)"
    return ""


def _ring_problems(ring, where: str) -> list[Problem]:
    if not isinstance(ring, list) or len(ring) < 4:
        return [Problem(where, "a ring has at least four positions")]
    for number, position in enumerate(ring):
        reason = _position_problem(position)
        if reason:
            return [Problem(f"{where}[{number}]", reason)]
    if ring[0][:2] != ring[-1][:2]:
        return [Problem(where, "the ring is not closed (its last position must equal its first)")]
    return []


def _polygon_problems(polygon, where: str) -> list[Problem]:
    if not isinstance(polygon, list) or not polygon:
        return [Problem(where, "a polygon is a list of rings")]
    problems = []
    for number, ring in enumerate(polygon):
        problems += _ring_problems(ring, f"{where}[{number}]")
    return problems


def _feature_problems(feature, where: str) -> list[Problem]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [Problem(where, "not a Feature")]
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        return [Problem(f"{where}.properties", "an object or null")]
    name = (properties or {}).get("name", "")
    if not isinstance(name, str) or len(name) > 200:
        return [Problem(f"{where}.properties.name", "text of at most 200 characters")]
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        return _polygon_problems(coordinates, f"{where}.geometry.coordinates")
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            return [Problem(f"{where}.geometry.coordinates", "a MultiPolygon is a list of polygons")]
        problems = []
        for number, polygon in enumerate(coordinates):
            problems += _polygon_problems(polygon, f"{where}.geometry.coordinates[{number}]")
        return problems
    return [Problem(f"{where}.geometry", f"a Polygon or MultiPolygon, not {kind or 'nothing'}")]


def parse(data: bytes) -> list[dict]:
    """The features of a GeoJSON file, reduced to geometry and name; HazardFileError with every problem."""
    if len(data) > MAX_BYTES:
        raise HazardFileError([Problem("file", f"larger than {MAX_BYTES // (1024 * 1024)} MB")])
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise HazardFileError([Problem("file", "not UTF-8 text")]) from None
    except json.JSONDecodeError as error:
        raise HazardFileError([Problem(f"line {error.lineno}", f"not JSON: {error.msg}")]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise HazardFileError([Problem("file", "not a GeoJSON FeatureCollection")])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise HazardFileError([Problem("features", "no features")])
    if len(features) > MAX_FEATURES:
        raise HazardFileError([Problem("features", f"more than {MAX_FEATURES} features")])
    problems = []
    for number, feature in enumerate(features):
        problems += _feature_problems(feature, f"features[{number}]")
    if problems:
        raise HazardFileError(problems)
    return [{"type": "Feature", "properties": {"name": (feature.get("properties") or {}).get("name", "")},
             "geometry": {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]}}
            for feature in features]


def check_layer(name: str, hazard: str, source: str) -> list[Problem]:
    problems = []
    if not name.strip() or len(name) > 100:
        problems.append(Problem("--name", "1–100 characters"))
    if hazard not in HazardKind.values:
        problems.append(Problem("--hazard", f"one of {', '.join(HazardKind.values)}"))
    if not source.strip() or len(source) > 200:
        problems.append(Problem("--source", "say where the data comes from (1–200 characters)"))
    return problems


@transaction.atomic
def load_layer(*, actor, municipality, data: bytes, name: str, hazard: str, source: str,
               is_demo: bool = False) -> HazardLayer:
    """Check the file and the layer's description, then create or replace the layer of that name."""
    problems = check_layer(name, hazard, source)
    try:
        features = parse(data)
    except HazardFileError as error:
        problems += error.problems
    if problems:
        raise HazardFileError(problems)
    layer, created = HazardLayer.objects.update_or_create(
        municipality=municipality, name=name.strip(),
        defaults={"hazard": hazard, "source": source.strip(), "is_demo": is_demo, "features": features,
                  "loaded_at": timezone.now()})
    audit.record(actor=actor, action="registry.hazard_layer_loaded", obj=layer,
                 changes={"features": len(features), "replaced": not created, "demo": is_demo})
    return layer
