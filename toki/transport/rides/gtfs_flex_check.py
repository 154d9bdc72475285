"""A schema check of a GTFS-Flex feed against the GTFS Schedule reference with the Flex additions
(https://gtfs.org/documentation/schedule/reference/, adopted March 2024; the MobilityData gtfs-validator is a Java
program that does not install from PyPI, so this module checks the rules the export can break). It reads the
files' text only and shares no code with the exporter.

Checked: required files and columns; unique ids (stop_id, location_group_id and the GeoJSON location ids share one
namespace); every foreign id; GTFS Time and Date formats; booking_rules' conditional presence per booking_type;
stop_times' Flex rules (exactly one of stop_id / location_group_id / location_id; windows required with a group or
a location and forbidden together with arrival/departure times; start before end; pickup_type 0 and 3 and
drop_off_type 0 forbidden with windows); locations.geojson a FeatureCollection of Polygon/MultiPolygon features with
string ids and closed rings."""

import csv
import io
import json
import re

TIME = re.compile(r"^\d{1,2}:[0-5]\d:[0-5]\d$")
DATE = re.compile(r"^\d{8}$")

REQUIRED_FILES = ("agency.txt", "routes.txt", "trips.txt", "stop_times.txt", "booking_rules.txt")
REQUIRED_COLUMNS = {
    "agency.txt": ("agency_name", "agency_url", "agency_timezone"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_sequence"),
    "stops.txt": ("stop_id",),
    "calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                     "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "booking_rules.txt": ("booking_rule_id", "booking_type"),
    "location_groups.txt": ("location_group_id",),
    "location_group_stops.txt": ("location_group_id", "stop_id"),
}


def _rows(files: dict[str, str], name: str, problems: list[str]) -> list[dict]:
    if name not in files:
        return []
    reader = csv.DictReader(io.StringIO(files[name]))
    columns = reader.fieldnames or []
    for column in REQUIRED_COLUMNS.get(name, ()):
        if column not in columns:
            problems.append(f"{name}: the required column {column} is missing")
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def _seconds(value: str) -> int:
    h, m, s = (int(part) for part in value.split(":"))
    return h * 3600 + m * 60 + s


def check_feed(files: dict[str, str]) -> list[str]:
    """Every rule the feed breaks, each naming the file, the row (1 = the first after the header) and the field."""
    problems: list[str] = []
    for name in REQUIRED_FILES:
        if name not in files:
            problems.append(f"{name} is required")
    if "calendar.txt" not in files and "calendar_dates.txt" not in files:
        problems.append("calendar.txt or calendar_dates.txt is required")
    if "stops.txt" not in files and "locations.geojson" not in files:
        problems.append("stops.txt is required unless locations.geojson defines zones")
    agency = _rows(files, "agency.txt", problems)
    routes = _rows(files, "routes.txt", problems)
    trips = _rows(files, "trips.txt", problems)
    stop_times = _rows(files, "stop_times.txt", problems)
    stops = _rows(files, "stops.txt", problems)
    calendar = _rows(files, "calendar.txt", problems)
    calendar_dates = _rows(files, "calendar_dates.txt", problems)
    rules = _rows(files, "booking_rules.txt", problems)
    groups = _rows(files, "location_groups.txt", problems)
    group_stops = _rows(files, "location_group_stops.txt", problems)
    location_ids = _check_locations(files, problems)

    for i, row in enumerate(agency, 1):
        if not row.get("agency_name") or not row.get("agency_url", "").startswith(("http://", "https://")):
            problems.append(f"agency.txt row {i}: agency_name and a full agency_url are required")
    route_ids = _unique(routes, "routes.txt", "route_id", problems)
    service_ids = {r["service_id"] for r in calendar} | {r["service_id"] for r in calendar_dates}
    for i, row in enumerate(calendar, 1):
        for field in ("start_date", "end_date"):
            if not DATE.match(row.get(field, "")):
                problems.append(f"calendar.txt row {i}: {field} must be YYYYMMDD")
        for day in REQUIRED_COLUMNS["calendar.txt"][1:8]:
            if row.get(day) not in ("0", "1"):
                problems.append(f"calendar.txt row {i}: {day} must be 0 or 1")
    for i, row in enumerate(calendar_dates, 1):
        if not DATE.match(row.get("date", "")) or row.get("exception_type") not in ("1", "2"):
            problems.append(f"calendar_dates.txt row {i}: date must be YYYYMMDD and exception_type 1 or 2")
    trip_ids = _unique(trips, "trips.txt", "trip_id", problems)
    for i, row in enumerate(trips, 1):
        if row.get("route_id") not in route_ids:
            problems.append(f"trips.txt row {i}: route_id {row.get('route_id')!r} is not in routes.txt")
        if row.get("service_id") not in service_ids:
            problems.append(f"trips.txt row {i}: service_id {row.get('service_id')!r} is not in the calendar")
    stop_ids = _unique(stops, "stops.txt", "stop_id", problems)
    for i, row in enumerate(stops, 1):
        if row.get("location_type", "0") in ("", "0", "1", "2") and not (
                row.get("stop_name") and row.get("stop_lat") and row.get("stop_lon")):
            problems.append(f"stops.txt row {i}: stop_name, stop_lat and stop_lon are required")
    group_ids = _unique(groups, "location_groups.txt", "location_group_id", problems)
    shared = [stop_ids, group_ids, location_ids]
    for a in range(3):
        for b in range(a + 1, 3):
            for clash in sorted(shared[a] & shared[b]):
                problems.append(f"id {clash!r} is used by more than one of stops, location groups and locations")
    for i, row in enumerate(group_stops, 1):
        if row.get("location_group_id") not in group_ids:
            problems.append(f"location_group_stops.txt row {i}: unknown location_group_id")
        if row.get("stop_id") not in stop_ids:
            problems.append(f"location_group_stops.txt row {i}: stop_id {row.get('stop_id')!r} is not in stops.txt")
    rule_ids = _check_booking_rules(rules, problems)
    _check_stop_times(stop_times, trip_ids, stop_ids, group_ids, location_ids, rule_ids, problems)
    return problems


def _unique(rows: list[dict], name: str, field: str, problems: list[str]) -> set[str]:
    seen: set[str] = set()
    for i, row in enumerate(rows, 1):
        value = row.get(field, "")
        if not value:
            problems.append(f"{name} row {i}: {field} is required")
        elif value in seen:
            problems.append(f"{name} row {i}: {field} {value!r} is not unique")
        seen.add(value)
    return seen


def _check_locations(files: dict[str, str], problems: list[str]) -> set[str]:
    if "locations.geojson" not in files:
        return set()
    try:
        data = json.loads(files["locations.geojson"])
    except ValueError:
        problems.append("locations.geojson is not JSON")
        return set()
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        problems.append("locations.geojson must be a FeatureCollection")
        return set()
    ids = set()
    for i, feature in enumerate(data["features"], 1):
        fid = feature.get("id")
        if not isinstance(fid, str) or not fid or fid in ids:
            problems.append(f"locations.geojson feature {i}: id must be a unique string")
        else:
            ids.add(fid)
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(f"locations.geojson feature {i}: geometry must be a Polygon or MultiPolygon")
            continue
        polygons = geometry.get("coordinates", [])
        for polygon in ([polygons] if kind == "Polygon" else polygons):
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    problems.append(f"locations.geojson feature {i}: every ring must be closed (≥ 4 positions)")
    return ids


def _check_booking_rules(rules: list[dict], problems: list[str]) -> set[str]:
    ids = _unique(rules, "booking_rules.txt", "booking_rule_id", problems)
    for i, row in enumerate(rules, 1):
        kind = row.get("booking_type")
        where = f"booking_rules.txt row {i}"
        has = {field for field, value in row.items() if value}
        if kind not in ("0", "1", "2"):
            problems.append(f"{where}: booking_type must be 0, 1 or 2")
            continue
        if (kind == "1") != ("prior_notice_duration_min" in has):
            problems.append(f"{where}: prior_notice_duration_min is required for booking_type 1, forbidden otherwise")
        if kind != "1" and "prior_notice_duration_max" in has:
            problems.append(f"{where}: prior_notice_duration_max is forbidden for booking_type {kind}")
        if (kind == "2") != ("prior_notice_last_day" in has):
            problems.append(f"{where}: prior_notice_last_day is required for booking_type 2, forbidden otherwise")
        if ("prior_notice_last_day" in has) != ("prior_notice_last_time" in has):
            problems.append(f"{where}: prior_notice_last_time goes with prior_notice_last_day")
        if "prior_notice_start_day" in has and (kind == "0" or "prior_notice_duration_max" in has):
            problems.append(f"{where}: prior_notice_start_day is forbidden here")
        if ("prior_notice_start_day" in has) != ("prior_notice_start_time" in has):
            problems.append(f"{where}: prior_notice_start_time goes with prior_notice_start_day")
        if "prior_notice_service_id" in has and kind != "2":
            problems.append(f"{where}: prior_notice_service_id is forbidden unless booking_type is 2")
        for field in ("prior_notice_last_time", "prior_notice_start_time"):
            if field in has and not TIME.match(row[field]):
                problems.append(f"{where}: {field} must be HH:MM:SS")
    return ids


def _check_stop_times(rows, trip_ids, stop_ids, group_ids, location_ids, rule_ids, problems) -> None:
    for i, row in enumerate(rows, 1):
        where = f"stop_times.txt row {i}"
        if row.get("trip_id") not in trip_ids:
            problems.append(f"{where}: trip_id {row.get('trip_id')!r} is not in trips.txt")
        if not row.get("stop_sequence", "").isdigit():
            problems.append(f"{where}: stop_sequence must be a non-negative integer")
        places = [f for f in ("stop_id", "location_group_id", "location_id") if row.get(f)]
        if len(places) != 1:
            problems.append(f"{where}: exactly one of stop_id, location_group_id, location_id is required")
        known = {"stop_id": stop_ids, "location_group_id": group_ids, "location_id": location_ids}
        for field in places:
            if row[field] not in known[field]:
                problems.append(f"{where}: {field} {row[field]!r} is not defined")
        start, end = row.get("start_pickup_drop_off_window", ""), row.get("end_pickup_drop_off_window", "")
        windowed = bool(start or end)
        if ("location_group_id" in places or "location_id" in places) and not (start and end):
            problems.append(f"{where}: both pickup/drop-off windows are required with a location group or zone")
        if windowed:
            if row.get("arrival_time") or row.get("departure_time"):
                problems.append(f"{where}: arrival_time and departure_time are forbidden with windows")
            if not (TIME.match(start) and TIME.match(end)):
                problems.append(f"{where}: the windows must be HH:MM:SS")
            elif _seconds(start) >= _seconds(end):
                problems.append(f"{where}: the window must start before it ends")
            if row.get("pickup_type", "") in ("0", "3"):
                problems.append(f"{where}: pickup_type {row['pickup_type']} is forbidden with windows")
            if row.get("drop_off_type", "") == "0":
                problems.append(f"{where}: drop_off_type 0 is forbidden with windows")
        for field in ("pickup_booking_rule_id", "drop_off_booking_rule_id"):
            if row.get(field) and row[field] not in rule_ids:
                problems.append(f"{where}: {field} {row[field]!r} is not in booking_rules.txt")
