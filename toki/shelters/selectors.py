"""Reads of the shelter master. The master (names, places, designations) is public data."""

from dataclasses import dataclass

from django.db.models import QuerySet

from toki.areas.models import Municipality
from toki.lib.geo import haversine_km
from toki.shelters.models import Shelter

# A district's boundary polygon is large; lists of shelters need only its name, so it is not loaded with them.
_DISTRICT_GEOMETRY = ("district__boundary",)


def public_shelters(municipality: Municipality) -> QuerySet[Shelter]:
    """Every shelter of the municipality, by district order then name, with its district loaded."""
    return (Shelter.objects.filter(municipality=municipality).select_related("district")
            .defer(*_DISTRICT_GEOMETRY).order_by("district__sort_order", "name", "common_id"))


@dataclass(frozen=True)
class NearbyShelter:
    shelter: Shelter
    distance_km: float


def nearest_shelters(lat: float, lon: float, limit: int = 5, *, municipality: Municipality | None = None,
                     emergency_sites_only: bool = False) -> list[NearbyShelter]:
    """The `limit` shelters nearest to the point as the crow flies (haversine), nearest first.

    One query; distances are computed in Python, which is fast for a municipality's few hundred places.
    `emergency_sites_only` keeps the 指定緊急避難場所 (where to go *now*).
    """
    shelters = Shelter.objects.select_related("district").defer(*_DISTRICT_GEOMETRY)
    if municipality is not None:
        shelters = shelters.filter(municipality=municipality)
    if emergency_sites_only:
        shelters = shelters.filter(is_emergency_site=True)
    ranked = sorted(
        (NearbyShelter(s, haversine_km(lat, lon, s.lat, s.lon)) for s in shelters),
        key=lambda n: (n.distance_km, n.shelter.common_id),
    )
    return ranked[:max(0, limit)]


def shelter_points(municipality: Municipality) -> list[dict]:
    """What a map needs of every shelter, as plain dicts (no model objects: the home page draws all of them)."""
    return list(
        Shelter.objects.filter(municipality=municipality)
        .order_by("common_id")
        .values("id", "name", "lat", "lon", "is_designated_shelter", "is_emergency_site", "district_id")
    )
