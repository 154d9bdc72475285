"""Which district a point lies in, from the districts' stored boundaries (pure; built by the selectors)."""

from dataclasses import dataclass

from toki.lib import geo

# Points this close to a district (a pier, a breakwater, a site just off the rough outline) still belong to it.
COAST_TOLERANCE_KM = 3.0


@dataclass(frozen=True)
class _Area:
    district: object
    geometry: dict
    bbox: tuple[float, float, float, float]


class DistrictLocator:
    """Answers `find(lat, lon)` for a fixed set of districts without further queries.

    A point inside a boundary belongs to that district; official (non-approximate) boundaries are tried before
    approximate ones. A point inside none belongs to the district whose boundary is nearest, if that is within
    `tolerance_km`; otherwise to no district.
    """

    def __init__(self, districts, *, tolerance_km: float = COAST_TOLERANCE_KM):
        areas = [_Area(d, d.boundary, geo.bbox_of(d.boundary)) for d in districts if d.boundary]
        self.areas = sorted(areas, key=lambda a: a.district.boundary_is_approximate)
        self.tolerance_km = tolerance_km

    def find(self, lat: float, lon: float):
        for area in self.areas:
            min_lat, min_lon, max_lat, max_lon = area.bbox
            in_box = min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
            if in_box and geo.point_in_geometry(lat, lon, area.geometry):
                return area.district
        return self.nearest(lat, lon)

    def nearest(self, lat: float, lon: float):
        """The district whose boundary is within the tolerance and nearest to the point, or None."""
        margin_lat = self.tolerance_km / geo.KM_PER_DEGREE
        margin_lon = margin_lat * 2  # generous: a degree of longitude is shorter than a degree of latitude
        best, best_km = None, self.tolerance_km
        for area in self.areas:
            min_lat, min_lon, max_lat, max_lon = area.bbox
            if not (min_lat - margin_lat <= lat <= max_lat + margin_lat
                    and min_lon - margin_lon <= lon <= max_lon + margin_lon):
                continue
            km = geo.distance_to_geometry_km(lat, lon, area.geometry)
            if km <= best_km:
                best, best_km = area.district, km
        return best
