"""The service as a GTFS-Flex feed (GTFS Schedule with the Flex additions adopted in March 2024; gtfs.org "Demand
responsive services", reference: https://gtfs.org/documentation/schedule/reference/).

Per area: a route (route_type 3), a calendar (its weekdays; exceptions in calendar_dates.txt), a booking rule, and
for each distinct shift window one trip of two stop times that both name the same place with a pickup/drop-off
window: the area's meeting points as a location group (stop-based service), or the area's polygon as a zone of
`locations.geojson` (door to door). Fares are told in the booking rule's message (GTFS fares v1 cannot price by
rider category). A day with a 運休 from an hour (or for a window: `ServiceException.until`, `resumes`) is taken off
the area's regular service and given a service of its own for that date, whose trips' windows stop at `until`
(and start again at `resumes`). The feed is checked by `gtfs_flex_check.check_feed` before it is served."""

import csv
import io
import json
import zipfile
from datetime import time, timedelta

from django.conf import settings
from django.utils import timezone

from toki.transport.rides.models import BookingRule

CALENDAR_DAYS = 365


def _csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def _booking_rule(area) -> dict:
    rule = getattr(area, "booking_rule", None)
    fares = "、".join(f"{f.name}{f.price_yen}円" for f in area.fares.all())
    message = " ".join(part for part in (rule.message if rule else "", f"運賃: {fares}" if fares else "") if part)
    row = {"booking_rule_id": f"{area.code}-rule", "message": message, "phone_number": area.phone_number,
           "booking_url": f"{settings.SITE_URL.rstrip('/')}/rides/{area.code}/"}
    kind = rule.kind if rule else BookingRule.Kind.REAL_TIME
    row["booking_type"] = int(kind)
    if rule is not None and kind == BookingRule.Kind.SAME_DAY:
        row["prior_notice_duration_min"] = rule.min_notice_minutes
        if rule.max_notice_minutes is not None:
            row["prior_notice_duration_max"] = rule.max_notice_minutes
    elif rule is not None and kind == BookingRule.Kind.PRIOR_DAY:
        row["prior_notice_last_day"] = 1
        row["prior_notice_last_time"] = rule.prior_day_cutoff.strftime("%H:%M:%S")
        row["prior_notice_start_day"] = rule.max_days_ahead
        row["prior_notice_start_time"] = "00:00:00"
    return row


def _outside_pause(windows: list[tuple[time, time]], until: time, resumes: time | None) -> list[tuple[time, time]]:
    """The shifts' windows with a 運休 from `until` (to `resumes`, or the day's end) cut out."""
    kept = []
    for start, end in windows:
        if start < until:
            kept.append((start, min(end, until)))
        if resumes is not None and resumes < end:
            kept.append((max(start, resumes), end))
    return sorted(set(kept))


def _trip_stop_times(trip_id: str, place: dict, start: time, end: time, rule_id: str) -> list[dict]:
    """A flexible trip's two stop times: anywhere in `place`, picked up and set down between start and end."""
    return [{"trip_id": trip_id, "stop_sequence": sequence, **place,
             "start_pickup_drop_off_window": start.strftime("%H:%M:%S"),
             "end_pickup_drop_off_window": end.strftime("%H:%M:%S"), "pickup_type": 2, "drop_off_type": 2,
             "pickup_booking_rule_id": rule_id, "drop_off_booking_rule_id": rule_id} for sequence in (1, 2)]


def feed_files(municipality, areas) -> dict[str, str]:
    """The feed's files by name (text)."""
    today = timezone.localdate()
    agency_id = f"toki-{municipality.code}"
    agency = [{"agency_id": agency_id, "agency_name": f"{municipality.name} デマンド乗合交通",
               "agency_url": settings.SITE_URL, "agency_timezone": settings.TIME_ZONE, "agency_lang": "ja"}]
    routes, trips, stop_times, calendar, calendar_dates, rules = [], [], [], [], [], []
    stops, groups, group_stops, zones = [], [], [], []
    for area in areas:
        routes.append({"route_id": area.code, "agency_id": agency_id, "route_short_name": "",
                       "route_long_name": f"{area.name} デマンド乗合", "route_type": 3})
        days = {str(d): int(str(d) in area.weekdays) for d in range(1, 8)}
        calendar.append({"service_id": area.code, "monday": days["1"], "tuesday": days["2"],
                         "wednesday": days["3"], "thursday": days["4"], "friday": days["5"],
                         "saturday": days["6"], "sunday": days["7"], "start_date": today.strftime("%Y%m%d"),
                         "end_date": (today + timedelta(days=CALENDAR_DAYS)).strftime("%Y%m%d")})
        partial_days = []
        for exception in area.exceptions.all():
            date = exception.day.strftime("%Y%m%d")
            partial = exception.runs and exception.until is not None
            calendar_dates.append({"service_id": area.code, "date": date,
                                   "exception_type": 1 if exception.runs and not partial else 2})
            if partial:  # the day runs as a service of its own, with the 運休's hours left out
                calendar_dates.append({"service_id": f"{area.code}-{date}", "date": date, "exception_type": 1})
                partial_days.append((f"{area.code}-{date}", exception.until, exception.resumes))
        rule = _booking_rule(area)
        rules.append(rule)
        place: dict[str, str]
        if area.door_to_door:
            zones.append({"type": "Feature", "id": f"{area.code}-zone",
                          "properties": {"stop_name": area.name}, "geometry": area.geometry})
            place = {"location_id": f"{area.code}-zone"}
        else:
            group_id = f"{area.code}-points"
            groups.append({"location_group_id": group_id, "location_group_name": f"{area.name} 乗降ポイント"})
            for point in (p for p in area.points.all() if p.active):  # out of service: not offered
                stop_id = f"{area.code}-{point.code}"
                stops.append({"stop_id": stop_id, "stop_name": point.name, "stop_lat": f"{point.lat:.6f}",
                              "stop_lon": f"{point.lon:.6f}", "location_type": 0})
                group_stops.append({"location_group_id": group_id, "stop_id": stop_id})
            place = {"location_group_id": group_id}
        windows = sorted({(s.start, s.end) for v in area.vehicles.all() if v.active for s in v.shifts.all()})
        services = [(area.code, windows)] + [(service_id, _outside_pause(windows, until, resumes))
                                             for service_id, until, resumes in partial_days]
        for service_id, service_windows in services:
            for start, end in service_windows:
                trip_id = f"{service_id}-{start:%H%M}-{end:%H%M}"
                trips.append({"route_id": area.code, "service_id": service_id, "trip_id": trip_id})
                stop_times += _trip_stop_times(trip_id, place, start, end, rule["booking_rule_id"])
    files = {
        "agency.txt": _csv(agency, ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"]),
        "routes.txt": _csv(routes, ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"]),
        "trips.txt": _csv(trips, ["route_id", "service_id", "trip_id"]),
        "stop_times.txt": _csv(stop_times, [
            "trip_id", "stop_sequence", "location_group_id", "location_id", "start_pickup_drop_off_window",
            "end_pickup_drop_off_window", "pickup_type", "drop_off_type", "pickup_booking_rule_id",
            "drop_off_booking_rule_id"]),
        "calendar.txt": _csv(calendar, ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                                        "saturday", "sunday", "start_date", "end_date"]),
        "booking_rules.txt": _csv(rules, [
            "booking_rule_id", "booking_type", "prior_notice_duration_min", "prior_notice_duration_max",
            "prior_notice_last_day", "prior_notice_last_time", "prior_notice_start_day", "prior_notice_start_time",
            "message", "phone_number", "booking_url"]),
        "stops.txt": _csv(stops, ["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"]),
    }
    if calendar_dates:
        files["calendar_dates.txt"] = _csv(calendar_dates, ["service_id", "date", "exception_type"])
    if groups:
        files["location_groups.txt"] = _csv(groups, ["location_group_id", "location_group_name"])
        files["location_group_stops.txt"] = _csv(group_stops, ["location_group_id", "stop_id"])
    if zones:
        files["locations.geojson"] = json.dumps({"type": "FeatureCollection", "features": zones},
                                                ensure_ascii=False)
    return files


def feed_zip(municipality, areas) -> bytes:
    """The zipped feed, checked first: a feed that breaks the spec is an error, never served."""
    from toki.transport.rides.gtfs_flex_check import check_feed

    files = feed_files(municipality, areas)
    problems = check_feed(files)
    if problems:
        raise ValueError("the GTFS-Flex feed breaks the spec: " + "; ".join(problems[:10]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()
