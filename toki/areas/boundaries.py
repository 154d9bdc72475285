"""District boundaries from a validated profile: explicit ones as given, the others as clipped Voronoi cells."""

from dataclasses import dataclass

from toki.lib import geo

DEFAULT_APPROXIMATE_SOURCE = "Approximate: Voronoi cells around the district centres, clipped to the outline."


@dataclass(frozen=True)
class Boundary:
    geometry: dict
    is_approximate: bool
    source: str


def district_boundaries(profile: dict) -> list[Boundary]:
    """One Boundary per district of `profile`, in the profile's order.

    A district with a `boundary` keeps it (not approximate). For the others, every district's centre and seeds
    are Voronoi sites; a district's boundary is the union of its sites' cells within the profile's `outline`
    (a MultiPolygon when there are several pieces), marked approximate with the profile's `boundary_source`.
    """
    districts = profile["districts"]
    computed: dict[int, list] = {}
    if any("boundary" not in d for d in districts):
        sites, owners = [], []
        for index, district in enumerate(districts):
            for site in [district["centre"], *district.get("seeds", [])]:
                sites.append((site[0], site[1]))
                owners.append(index)
        for owner, cell in zip(owners, geo.voronoi_cells(sites, profile["outline"]), strict=True):
            if cell is not None:
                computed.setdefault(owner, []).extend(_polygon_coordinates(cell))
    source = profile.get("boundary_source") or DEFAULT_APPROXIMATE_SOURCE
    result = []
    for index, district in enumerate(districts):
        if "boundary" in district:
            result.append(Boundary(district["boundary"], False, district.get("boundary_source", "")))
        else:
            polygons = computed[index]  # never empty: the centre lies inside the outline (validated)
            geometry = ({"type": "Polygon", "coordinates": polygons[0]} if len(polygons) == 1
                        else {"type": "MultiPolygon", "coordinates": polygons})
            result.append(Boundary(geometry, True, source))
    return result


def _polygon_coordinates(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])
