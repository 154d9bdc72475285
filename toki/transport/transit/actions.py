"""Every change to transit data (DESIGN.md rule 2): one transaction each, with its AuditEvent.

- `import_feed`: a GTFS-JP zip replaces the municipality's feed whole, or nothing changes (FeedInvalid).
- `register_vehicle`, `record_position`: the vehicles that report to GTFS-Realtime (tokens kept as hashes).
- `refresh_service_alerts` (in `service_alerts.py`): the suspensions Toki's warnings and orders cause.
"""

import hashlib

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.areas.selectors import district_locator
from toki.lib.device_secrets import digest as hash_token
from toki.lib.device_secrets import new_secret
from toki.transport.transit.models import (
    Agency,
    Boarding,
    Fare,
    FareRule,
    Feed,
    Office,
    Route,
    Service,
    ServiceException,
    Stop,
    StopTime,
    Translation,
    Trip,
    Vehicle,
    VehiclePosition,
)
from toki.transport.transit.permissions import may_manage_transit
from toki.transport.transit.reading import ParsedFeed, read_zip


class NotAllowed(Exception):
    pass


def _check(user) -> None:
    if user is not None and not may_manage_transit(user):
        raise NotAllowed


def import_feed(*, acting_user, municipality, data: bytes, is_demo: bool = False) -> Feed:
    """Check the zip (FeedInvalid naming every problem's file, row and field), then replace the feed in one
    transaction. `acting_user` None: the system (seed_demo, the import command)."""
    _check(acting_user)
    parsed = read_zip(data)
    with transaction.atomic():
        Feed.objects.filter(municipality=municipality).delete()
        feed = _write(parsed, municipality, is_demo, hashlib.sha256(data).hexdigest())
        audit.record(actor=acting_user, action="transit.import_feed", obj=feed, changes={
            "sha256": feed.sha256, "routes": feed.routes.count(), "trips": feed.trips.count(),
            "demo": is_demo})
    return feed


def _write(parsed: ParsedFeed, municipality, is_demo: bool, sha256: str) -> Feed:
    info = parsed.table("feed_info")[0]
    feed = Feed.objects.create(
        municipality=municipality, publisher_name=info["feed_publisher_name"],
        publisher_url=info["feed_publisher_url"], lang=info["feed_lang"], start_date=info["feed_start_date"],
        end_date=info["feed_end_date"], version=info["feed_version"] or "",
        contact_email=info["feed_contact_email"] or "", contact_url=info["feed_contact_url"] or "",
        is_demo=is_demo, imported_at=timezone.now(), sha256=sha256)
    jp = {row["agency_id"]: row for row in parsed.table("agency_jp")}
    agencies = {}
    for row in parsed.table("agency"):
        extra = jp.get(row["agency_id"], {})
        agencies[row["agency_id"]] = Agency.objects.create(
            feed=feed, gtfs_id=row["agency_id"], name=row["agency_name"], url=row["agency_url"],
            timezone=row["agency_timezone"], lang=row["agency_lang"] or "", phone=row["agency_phone"] or "",
            fare_url=row["agency_fare_url"] or "", email=row["agency_email"] or "",
            official_name=extra.get("agency_official_name") or "", zip_number=extra.get("agency_zip_number") or "",
            address=extra.get("agency_address") or "", president_pos=extra.get("agency_president_pos") or "",
            president_name=extra.get("agency_president_name") or "", has_jp=bool(extra))
    offices = {row["office_id"]: Office.objects.create(
        feed=feed, gtfs_id=row["office_id"], name=row["office_name"], url=row["office_url"] or "",
        phone=row["office_phone"] or "") for row in parsed.table("office_jp")}
    locator = district_locator(municipality)
    stops = {}
    for row in parsed.table("stops"):
        stops[row["stop_id"]] = Stop(
            feed=feed, gtfs_id=row["stop_id"], code=row["stop_code"] or "", name=row["stop_name"],
            desc=row["stop_desc"] or "", lat=row["stop_lat"], lon=row["stop_lon"], zone_id=row["zone_id"] or "",
            url=row["stop_url"] or "", location_type=row["location_type"] or 0,
            parent_station=row["parent_station"] or "", wheelchair_boarding=row["wheelchair_boarding"],
            platform_code=row["platform_code"] or "", district=locator.find(row["stop_lat"], row["stop_lon"]))
    Stop.objects.bulk_create(stops.values())
    routes = {row["route_id"]: Route(
        feed=feed, gtfs_id=row["route_id"], agency=agencies[row["agency_id"]],
        short_name=row["route_short_name"] or "", long_name=row["route_long_name"] or "",
        desc=row["route_desc"] or "", route_type=row["route_type"], url=row["route_url"] or "",
        color=row["route_color"] or "", text_color=row["route_text_color"] or "",
        jp_parent_route_id=row["jp_parent_route_id"] or "") for row in parsed.table("routes")}
    Route.objects.bulk_create(routes.values())
    services = _write_services(parsed, feed)
    trips = {row["trip_id"]: Trip(
        feed=feed, gtfs_id=row["trip_id"], route=routes[row["route_id"]], service=services[row["service_id"]],
        headsign=row["trip_headsign"] or "", short_name=row["trip_short_name"] or "",
        direction_id=row["direction_id"], block_id=row["block_id"] or "", shape_id=row["shape_id"] or "",
        wheelchair_accessible=row["wheelchair_accessible"], bikes_allowed=row["bikes_allowed"],
        jp_trip_desc=row["jp_trip_desc"] or "", jp_trip_desc_symbol=row["jp_trip_desc_symbol"] or "",
        office=offices.get(row["jp_office_id"])) for row in parsed.table("trips")}
    Trip.objects.bulk_create(trips.values())
    StopTime.objects.bulk_create(StopTime(
        trip=trips[row["trip_id"]], stop=stops[row["stop_id"]], sequence=row["stop_sequence"],
        arrival=row["arrival_time"], departure=row["departure_time"], stop_headsign=row["stop_headsign"] or "",
        pickup_type=row["pickup_type"] or 0, drop_off_type=row["drop_off_type"] or 0, timepoint=row["timepoint"])
        for row in parsed.table("stop_times"))
    fares = {row["fare_id"]: Fare(
        feed=feed, gtfs_id=row["fare_id"], price=row["price"], currency_type=row["currency_type"],
        payment_method=row["payment_method"], transfers=row["transfers"],
        transfer_duration=row["transfer_duration"], agency_gtfs_id=row["agency_id"] or "")
        for row in parsed.table("fare_attributes")}
    Fare.objects.bulk_create(fares.values())
    FareRule.objects.bulk_create(FareRule(
        fare=fares[row["fare_id"]], route_gtfs_id=row["route_id"] or "", origin_id=row["origin_id"] or "",
        destination_id=row["destination_id"] or "", contains_id=row["contains_id"] or "")
        for row in parsed.table("fare_rules"))
    Translation.objects.bulk_create(Translation(
        feed=feed, table_name=row["table_name"], field_name=row["field_name"], language=row["language"],
        translation=row["translation"], record_id=row["record_id"] or "", record_sub_id=row["record_sub_id"] or "",
        field_value=row["field_value"] or "") for row in parsed.table("translations"))
    return feed


def _write_services(parsed: ParsedFeed, feed: Feed) -> dict[str, Service]:
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    services = {row["service_id"]: Service(
        feed=feed, gtfs_id=row["service_id"], weekdays="".join(str(row[day]) for day in days),
        start_date=row["start_date"], end_date=row["end_date"]) for row in parsed.table("calendar")}
    for row in parsed.table("calendar_dates"):
        services.setdefault(row["service_id"], Service(feed=feed, gtfs_id=row["service_id"], has_calendar=False))
    Service.objects.bulk_create(services.values())
    ServiceException.objects.bulk_create(ServiceException(
        service=services[row["service_id"]], date=row["date"], exception_type=row["exception_type"])
        for row in parsed.table("calendar_dates"))
    return services


def register_vehicle(*, acting_user, municipality, gtfs_id: str, label: str) -> tuple[Vehicle, str]:
    """A vehicle and its bearer token (returned once, never stored: only its hash). Registering a vehicle id
    again replaces its token (a lost tablet)."""
    _check(acting_user)
    token = new_secret()
    with transaction.atomic():
        vehicle, created = Vehicle.objects.update_or_create(
            municipality=municipality, gtfs_id=gtfs_id,
            defaults={"label": label, "token_hash": hash_token(token), "is_active": True,
                      "created_by": acting_user})
        audit.record(actor=acting_user, action="transit.register_vehicle", obj=vehicle,
                     changes={"gtfs_id": gtfs_id, "new": created})
    return vehicle, token


def record_position(*, vehicle: Vehicle, report: dict) -> VehiclePosition:
    """The vehicle's newest position (a report older than the one kept is ignored: reports may arrive out of
    order after a tablet regains its connection); boardings counted with it are stored once each (their `key`).
    No AuditEvent: a vehicle reports every few seconds (like
    the feed bookkeeping of ADR 0003); the row itself says when and what."""
    with transaction.atomic():
        for boarding in report.get("boardings", ()):  # counted even when the position itself is stale
            Boarding.objects.get_or_create(vehicle=vehicle, report_key=boarding["key"], defaults={
                "route_gtfs_id": boarding["route_id"], "trip_gtfs_id": boarding.get("trip_id") or "",
                "stop_gtfs_id": boarding.get("stop_id") or "", "count": boarding["count"],
                "boarded_at": boarding.get("at") or report["measured_at"]})
        current = VehiclePosition.objects.select_for_update().filter(vehicle=vehicle).first()
        if current is not None and current.measured_at >= report["measured_at"]:
            return current
        fields = {name: report.get(name) for name in ("lat", "lon", "bearing", "speed", "delay", "stop_sequence",
                                                      "measured_at")}
        fields.update(trip_gtfs_id=report.get("trip_id") or "", route_gtfs_id=report.get("route_id") or "",
                      received_at=timezone.now())
        position, _created = VehiclePosition.objects.update_or_create(vehicle=vehicle, defaults=fields)
    return position
