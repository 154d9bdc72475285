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
    """The minimum the map and the nearest-site script need (rendered with json_script, never inline HTML): the
    name as the page's language shows it, the designations and the hazards the site is designated for."""
    from toki.lib.readings import local_text

    return [
        {"id": p["id"], "name": str(local_text(p["name"], p.get("translations"))), "lat": p["lat"], "lon": p["lon"],
         "designated": p["is_designated_shelter"], "emergency": p["is_emergency_site"], "hazards": p["hazards"]}
        for p in points
    ]


def shelter_map_points(groups: list[dict]) -> list[dict]:
    """Map points of the shelters already loaded for the list page."""
    return map_points([
        {"id": s.pk, "name": s.name, "translations": s.translations, "lat": s.lat, "lon": s.lon,
         "is_designated_shelter": s.is_designated_shelter, "is_emergency_site": s.is_emergency_site,
         "hazards": list(s.hazard_codes())}
        for group in groups for s in group["shelters"]
    ])


def hazards_in_force_context(municipality, codes: tuple[str, ...] | None = None) -> dict:
    """The hazards of the orders and warnings in force anywhere in the municipality, for the nearest-site finder:
    the reader's position stays in the phone, so the page cannot ask for the reader's district and ranks by all
    of them (a site not designated for one of them is said so)."""
    from toki.shelters.hazards import hazard_label
    from toki.shelters.selectors import hazards_in_force

    codes = hazards_in_force(municipality) if codes is None else codes
    return {"hazards_in_force": {"codes": list(codes), "labels": {c: hazard_label(c) for c in codes}}}


def home_shelter_summary(municipality) -> dict:
    from toki.shelters.selectors import hazards_in_force

    hazards = hazards_in_force(municipality)
    points = shelter_points(municipality)
    open_rows = open_shelter_rows(municipality, hazards)
    return {"district_counts": district_counts(municipality, points), "shelter_count": len(points),
            "map_points": mark_open(map_points(points), open_rows), "open_shelters": open_rows,
            **hazards_in_force_context(municipality, hazards)}


def open_shelter_rows(municipality, hazards: tuple[str, ...] = ()) -> list[dict]:
    """The shelters open now for a real (not drill) incident, 開設 before 満員: name, status and crowding labels
    (lazy translations, so one list renders in every language), and which of `hazards` (those in force) each is
    not designated for. One query."""
    from toki.shelters.hazards import hazard_label
    from toki.shelters.models import PUBLIC_CROWDING_LABELS, Crowding, OpeningStatus
    from toki.shelters.selectors import public_open_shelters

    rows = [{"opening_id": o.opening_id, "shelter_id": o.shelter_id, "name": o.name, "lat": o.lat, "lon": o.lon,
             "address": o.address, "translations": o.translations, "directions_url": o.directions_url,
             "hazard_labels": [hazard_label(code) for code in o.hazards],
             "not_designated_labels": [hazard_label(code) for code in hazards if code not in o.hazards],
             "status": o.status, "status_label": OpeningStatus(o.status).label, "crowding": o.crowding,
             "crowding_label": PUBLIC_CROWDING_LABELS[o.crowding], "confirmed_at": o.confirmed_at}
            for o in public_open_shelters(municipality)]
    return sorted(rows, key=lambda r: (r["status"] == OpeningStatus.FULL or r["crowding"] == Crowding.FULL,
                                       r["name"]))


def mark_open(points: list[dict], open_rows: list[dict]) -> list[dict]:
    """Add `open` and `crowding` (a translated label) to map points of shelters open now (for nearest.js)."""
    by_shelter = {row["shelter_id"]: row for row in open_rows}
    for point in points:
        row = by_shelter.get(point["id"])
        if row is not None:
            point["open"] = True
            point["full"] = row["status"] == "full" or row["crowding"] == "full"
            point["state"] = f"{row['status_label']} · {row['crowding_label']}"
            point["directions"] = row["directions_url"]
    return points
