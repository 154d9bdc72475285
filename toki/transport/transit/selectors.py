"""Reads of transit data. Timetables, departures, vehicle positions and service alerts are public (the same as the
GTFS and GTFS-RT feeds publish); the vehicle list is for transit managers only."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from toki.transport.transit.models import (
    Boarding,
    Feed,
    Route,
    ServiceAlert,
    Stop,
    StopTime,
    Translation,
    Vehicle,
    VehiclePosition,
)
from toki.transport.transit.permissions import may_manage_transit
from toki.transport.transit.schema import SITE_LANGUAGES

LIVE_SECONDS = 120  # a position older than this is not live any more
SERVICE_DAY_SECONDS = 48 * 3600


def feed_of(municipality) -> Feed | None:
    return Feed.objects.filter(municipality=municipality).first()


def public_stops(feed: Feed) -> QuerySet[Stop]:
    """The stops a rider boards at (location_type 0), each with a departure."""
    return feed.stops.filter(location_type=0, stop_times__isnull=False).distinct().order_by("name", "gtfs_id")


def get_public_stop(feed: Feed, gtfs_id: str) -> Stop:
    return public_stops(feed).get(gtfs_id=gtfs_id)


def services_on(feed: Feed, day: date) -> set[int]:
    """The ids of the services that run on `day` (calendar.txt and calendar_dates.txt)."""
    running = set()
    for service in feed.services.prefetch_related("exceptions"):
        runs = (service.has_calendar and service.start_date is not None and service.end_date is not None
                and service.start_date <= day <= service.end_date
                and service.weekdays[day.weekday()] == "1")
        for exception in service.exceptions.all():
            if exception.date == day:
                runs = exception.exception_type == 1
        if runs:
            running.add(service.pk)
    return running


def translations_for(feed: Feed, language: str) -> dict[tuple[str, str, str], str]:
    """(table, field, Japanese value or record id) → the name in the site language `language`."""
    gtfs_language = SITE_LANGUAGES.get(language, "")
    if not gtfs_language or gtfs_language == feed.lang:
        return {}
    found = {}
    for t in Translation.objects.filter(feed=feed, language=gtfs_language):
        found[t.table_name, t.field_name, t.field_value or t.record_id] = t.translation
    return found


@dataclass
class Departure:
    stop_time: StopTime
    service_day: date
    scheduled: datetime
    expected: datetime | None  # the scheduled time plus the live delay of the vehicle on this trip
    delay_minutes: int | None
    vehicle_label: str
    suspended: bool
    route_name: str
    headsign: str


def _local_midnight_minus_noon(day: date) -> datetime:
    """GTFS times count from "noon minus 12h" of the service day (the same as local midnight except on DST days,
    which Japan does not have)."""
    noon = timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())
    return noon - timedelta(hours=12)


def next_departures(feed: Feed, stop: Stop, *, now: datetime | None = None, limit: int = 8,
                    language: str = "ja") -> list[Departure]:
    """The next departures from `stop` (today's service, and yesterday's trips still running after midnight; not
    at a trip's last stop, where it only arrives), with the live delay of a vehicle reporting on the trip and
    whether the route is suspended."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    suspended = set(ServiceAlert.objects.filter(municipality_id=feed.municipality_id, ended_at=None,
                                                effect="NO_SERVICE").values_list("route_gtfs_id", flat=True))
    live = {p.trip_gtfs_id: p for p in VehiclePosition.objects.filter(
        vehicle__municipality_id=feed.municipality_id, vehicle__is_active=True,
        received_at__gte=now - timedelta(seconds=LIVE_SECONDS)).exclude(trip_gtfs_id="").select_related("vehicle")}
    names = translations_for(feed, language)
    found: list[Departure] = []
    for day in (today - timedelta(days=1), today):
        base = _local_midnight_minus_noon(day)
        after = max(0, int((now - base).total_seconds()) - 60)
        if after >= SERVICE_DAY_SECONDS:
            continue
        later = StopTime.objects.filter(trip=OuterRef("trip"), sequence__gt=OuterRef("sequence"))
        times = (StopTime.objects.filter(Exists(later), stop=stop, trip__service_id__in=services_on(feed, day),
                                         departure__gte=after, pickup_type__in=(0, 2, 3))
                 .select_related("trip__route").order_by("departure")[:limit])
        for stop_time in times:
            trip, route = stop_time.trip, stop_time.trip.route
            scheduled = base + timedelta(seconds=stop_time.departure)
            position = live.get(trip.gtfs_id)
            delay = position.delay if position is not None and position.delay is not None else None
            route_name = route.short_name or route.long_name
            headsign = stop_time.stop_headsign or trip.headsign
            found.append(Departure(
                stop_time=stop_time, service_day=day, scheduled=scheduled,
                expected=scheduled + timedelta(seconds=delay) if delay is not None else None,
                delay_minutes=round(delay / 60) if delay is not None else None,
                vehicle_label=position.vehicle.label if position is not None else "",
                suspended=route.gtfs_id in suspended,
                route_name=names.get(("routes", "route_short_name", route_name), route_name),
                headsign=names.get(("trips", "trip_headsign", headsign), headsign)))
    found.sort(key=lambda d: d.scheduled)
    return found[:limit]


def stop_name(stop: Stop, language: str) -> str:
    gtfs_language = SITE_LANGUAGES.get(language, "")
    translation = Translation.objects.filter(
        feed_id=stop.feed_id, table_name="stops", field_name="stop_name", language=gtfs_language).filter(
        Q(field_value=stop.name) | Q(record_id=stop.gtfs_id)).values_list("translation", flat=True).first()
    return translation or stop.name


def open_service_alerts(municipality) -> QuerySet[ServiceAlert]:
    return ServiceAlert.objects.filter(municipality=municipality, ended_at=None).order_by("route_gtfs_id")


def routes_by_id(feed: Feed) -> dict[str, Route]:
    return {route.gtfs_id: route for route in feed.routes.all()}


def live_positions(municipality, *, now: datetime | None = None) -> QuerySet[VehiclePosition]:
    """Positions of active vehicles reported in the last LIVE_SECONDS (what the VehiclePositions feed holds)."""
    now = now or timezone.now()
    return (VehiclePosition.objects.filter(vehicle__municipality=municipality, vehicle__is_active=True,
                                           received_at__gte=now - timedelta(seconds=LIVE_SECONDS))
            .select_related("vehicle").order_by("vehicle__gtfs_id"))


def vehicle_for_token(token_hash: str) -> Vehicle | None:
    return Vehicle.objects.filter(token_hash=token_hash, is_active=True).select_related("municipality").first()


def vehicles_for(user, municipality) -> QuerySet[Vehicle]:
    if not may_manage_transit(user):
        return Vehicle.objects.none()
    return Vehicle.objects.filter(municipality=municipality).select_related("position").order_by("gtfs_id")


def boardings_by_route(municipality, since: datetime, until: datetime) -> dict[str, int]:
    """Boardings the vehicles counted in [since, until), by route id."""
    rows = (Boarding.objects.filter(vehicle__municipality=municipality, boarded_at__gte=since, boarded_at__lt=until)
            .values("route_gtfs_id").annotate(total=Sum("count")).order_by("route_gtfs_id"))
    return {row["route_gtfs_id"]: row["total"] for row in rows}


def route_names(feed: Feed, language: str) -> dict[str, str]:
    """route id → its short name (or long name) in the site language."""
    names = translations_for(feed, language)
    return {r.gtfs_id: names.get(("routes", "route_short_name", r.short_name), r.short_name or r.long_name)
            for r in feed.routes.all()}


def suspended_trips(municipality, now: datetime) -> list[tuple[str, str, str]]:
    """(trip id, route id, service day YYYYMMDD) of today's trips not yet finished on the routes a NO_SERVICE
    alert suspends now: what the TripUpdates feed marks CANCELED."""
    feed = feed_of(municipality)
    routes = set(ServiceAlert.objects.filter(municipality=municipality, ended_at=None, effect="NO_SERVICE")
                 .values_list("route_gtfs_id", flat=True))
    if feed is None or not routes:
        return []
    found = []
    for day in (timezone.localdate(now) - timedelta(days=1), timezone.localdate(now)):
        elapsed = int((now - _local_midnight_minus_noon(day)).total_seconds())
        trips = (feed.trips.filter(route__gtfs_id__in=routes, service_id__in=services_on(feed, day))
                 .annotate(end=Max("stop_times__arrival")).filter(end__gte=elapsed)
                 .values_list("gtfs_id", "route__gtfs_id").order_by("gtfs_id"))
        found += [(trip, route, day.strftime("%Y%m%d")) for trip, route in trips]
    return found


def stops_by_route(feed: Feed, language: str) -> list[tuple[str, list[tuple[Stop, str]]]]:
    """Each route's name and its stops in travel order (the longest trip of direction 0), names in `language`:
    how a rider looks for a stop. Two queries and the translations."""
    names = translations_for(feed, language)
    longest: dict[int, list[StopTime]] = {}
    times = (StopTime.objects.filter(trip__feed=feed).select_related("stop", "trip")
             .order_by("trip__route_id", "trip_id", "sequence"))
    by_trip: dict[int, list[StopTime]] = {}
    for stop_time in times:
        by_trip.setdefault(stop_time.trip_id, []).append(stop_time)
    for trip_times in by_trip.values():
        trip = trip_times[0].trip
        best = longest.get(trip.route_id)
        rank = (trip.direction_id in (0, None), len(trip_times))
        if best is None or rank > (best[0].trip.direction_id in (0, None), len(best)):
            longest[trip.route_id] = trip_times
    found = []
    for route in feed.routes.all():
        route_name = route.short_name or route.long_name
        stops = [(st.stop, names.get(("stops", "stop_name", st.stop.name), st.stop.name))
                 for st in longest.get(route.pk, []) if st.stop.location_type == 0]
        found.append((names.get(("routes", "route_short_name", route_name), route_name), stops))
    return found
