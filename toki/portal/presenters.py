"""Shape public data for the portal templates and the map script."""

from collections import Counter

from toki.shelters.selectors import public_shelters, shelter_points


def districts_with_shelters(municipality) -> list[dict]:
    """Shelters grouped by district in the profile's order; shelters without a district come last."""
    groups: dict = {}
    for district in municipality.districts.defer("boundary"):
        groups[district.pk] = {"district": district, "shelters": []}
    unassigned = {"district": None, "shelters": []}
    for shelter in public_shelters(municipality).select_related(None):
        groups.get(shelter.district_id, unassigned)["shelters"].append(shelter)
    result = list(groups.values())
    if unassigned["shelters"]:
        result.append(unassigned)
    return result


def district_counts(municipality, points: list[dict]) -> list[dict]:
    """Each district with the number of shelters in it, in the profile's order."""
    per_district = Counter(point["district_id"] for point in points)
    return [{"district": d, "count": per_district[d.pk]} for d in municipality.districts.defer("boundary")]


def map_points(points: list[dict]) -> list[dict]:
    """The minimum the map script needs (rendered with json_script, never inline HTML)."""
    return [
        {"id": p["id"], "name": p["name"], "lat": p["lat"], "lon": p["lon"], "designated": p["is_designated_shelter"],
         "emergency": p["is_emergency_site"]}
        for p in points
    ]


def shelter_map_points(groups: list[dict]) -> list[dict]:
    """Map points of the shelters already loaded for the list page."""
    return [
        {"id": s.pk, "name": s.name, "lat": s.lat, "lon": s.lon, "designated": s.is_designated_shelter,
         "emergency": s.is_emergency_site}
        for group in groups for s in group["shelters"]
    ]


def home_shelter_summary(municipality) -> dict:
    points = shelter_points(municipality)
    open_rows = open_shelter_rows(municipality)
    return {"district_counts": district_counts(municipality, points), "shelter_count": len(points),
            "map_points": mark_open(map_points(points), open_rows), "open_shelters": open_rows}


def open_shelter_rows(municipality) -> list[dict]:
    """The shelters open now for a real (not drill) incident, 開設 before 満員: name, status and crowding labels
    (lazy translations, so one list renders in every language). One query."""
    from toki.shelters.models import Crowding, OpeningStatus
    from toki.shelters.selectors import public_open_shelters

    rows = [{"opening_id": o.opening_id, "shelter_id": o.shelter_id, "name": o.name, "lat": o.lat, "lon": o.lon,
             "status": o.status, "status_label": OpeningStatus(o.status).label, "crowding": o.crowding,
             "crowding_label": Crowding(o.crowding).label, "confirmed_at": o.confirmed_at}
            for o in public_open_shelters(municipality)]
    return sorted(rows, key=lambda r: (r["status"] == OpeningStatus.FULL or r["crowding"] == Crowding.FULL,
                                       r["name"]))


def mark_open(points: list[dict], open_rows: list[dict]) -> list[dict]:
    """Add `open` and `crowding` (a translated label) to map points of shelters open now (for nearest.js)."""
    by_shelter = {row["shelter_id"]: row for row in open_rows}
    for point in points:
        row = by_shelter.get(point["id"])
        if row is not None:
            point["open"] = row["status"] != "full" and row["crowding"] != "full"
            point["state"] = f"{row['status_label']} · {row['crowding_label']}"
    return points
