"""Shape public data for the portal templates and the map script."""

from toki.shelters.selectors import public_shelters


def districts_with_shelters(municipality) -> list[dict]:
    """Shelters grouped by district in the profile's order; shelters without a district come last."""
    groups: dict = {}
    for district in municipality.districts.defer("boundary"):
        groups[district.pk] = {"district": district, "shelters": []}
    unassigned = {"district": None, "shelters": []}
    for shelter in public_shelters(municipality):
        groups.get(shelter.district_id, unassigned)["shelters"].append(shelter)
    result = list(groups.values())
    if unassigned["shelters"]:
        result.append(unassigned)
    return result


def shelter_map_points(groups: list[dict]) -> list[dict]:
    """The minimum the map needs, as JSON-safe dicts (rendered with json_script, never inline HTML)."""
    return [
        {"id": shelter.pk, "name": shelter.name, "lat": shelter.lat, "lon": shelter.lon,
         "designated": shelter.is_designated_shelter}
        for group in groups for shelter in group["shelters"]
    ]
