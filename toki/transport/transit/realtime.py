"""GTFS-Realtime feeds (gtfs-realtime-bindings, protobuf): VehiclePositions and TripUpdates from the vehicles'
reports, ServiceAlerts from the rule-made suspensions. `build_*` take plain rows (pure, benchmarked against the
serialisation alone in bench/gtfs_rt.py); `*_feed(municipality)` reads them from the database. VehiclePositions
also carries the shared-ride (demand-responsive) vehicles on duty, read through the rides app's selector (ADR 0009:
transit reads rides, never the other way)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from google.transit import gtfs_realtime_pb2 as rt

from toki.transport.rides.selectors import VehicleOnDuty, vehicles_on_duty
from toki.transport.transit.models import ServiceAlert, VehiclePosition
from toki.transport.transit.selectors import (
    feed_of,
    live_positions,
    open_service_alerts,
    suspended_trips,
    translations_for,
)

# The languages of the alert texts: the site's five, under the tags riders' apps know (やさしい日本語 has none in
# BCP 47; "ja-x-easy" is a private-use tag an app that does not know it skips).
RT_LANGUAGES = {"ja": "ja", "en": "en", "zh-hans": "zh-Hans", "ko": "ko", "ja-easy": "ja-x-easy"}


def _header(now: datetime, incrementality=rt.FeedHeader.FULL_DATASET) -> rt.FeedMessage:
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = incrementality
    message.header.timestamp = int(now.timestamp())
    return message


def build_vehicle_positions(positions: list[VehiclePosition], now: datetime,
                            on_demand: Sequence[VehicleOnDuty] = ()) -> bytes:
    message = _header(now)
    for position in positions:
        entity = message.entity.add()
        entity.id = f"vehicle-{position.vehicle.gtfs_id}"
        vehicle = entity.vehicle
        vehicle.vehicle.id = position.vehicle.gtfs_id
        vehicle.vehicle.label = position.vehicle.label
        if position.trip_gtfs_id:
            vehicle.trip.trip_id = position.trip_gtfs_id
            if position.route_gtfs_id:
                vehicle.trip.route_id = position.route_gtfs_id
        vehicle.position.latitude = position.lat
        vehicle.position.longitude = position.lon
        if position.bearing is not None:
            vehicle.position.bearing = position.bearing
        if position.speed is not None:
            vehicle.position.speed = position.speed
        if position.stop_sequence is not None:
            vehicle.current_stop_sequence = position.stop_sequence
        vehicle.timestamp = int(position.measured_at.timestamp())
    for on_duty in on_demand:
        # A shared-ride vehicle has no trip of the GTFS-JP feed (its service is the GTFS-Flex feed at
        # /rides/gtfs-flex.zip, whose trips are shift windows, not runs): a vehicle, its label and its position.
        entity = message.entity.add()
        entity.id = f"vehicle-{on_duty.vehicle_id}"
        vehicle = entity.vehicle
        vehicle.vehicle.id = on_duty.vehicle_id
        vehicle.vehicle.label = on_duty.label
        vehicle.position.latitude = on_duty.lat
        vehicle.position.longitude = on_duty.lon
        # A tablet's clock may run up to 2 minutes fast: never a fix "after" the feed's own time.
        vehicle.timestamp = int(min(on_duty.measured_at, now).timestamp())
    return message.SerializeToString()


def build_trip_updates(positions: list[VehiclePosition], now: datetime,
                       cancelled: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """One TripUpdate per vehicle reporting a trip and a delay: the delay from its current stop on (GTFS-RT
    propagates a StopTimeUpdate's delay to the later stops); and one CANCELED TripUpdate per (trip, route,
    service day YYYYMMDD) in `cancelled` that no vehicle reports on (the suspended routes' trips still to run)."""
    message = _header(now)
    reported = {p.trip_gtfs_id for p in positions}
    for trip_id, route_id, start_date in cancelled:
        if trip_id in reported:
            continue
        entity = message.entity.add()
        entity.id = f"cancel-{trip_id}-{start_date}"
        entity.trip_update.trip.trip_id = trip_id
        entity.trip_update.trip.route_id = route_id
        entity.trip_update.trip.start_date = start_date
        entity.trip_update.trip.schedule_relationship = rt.TripDescriptor.CANCELED
    for position in positions:
        if not position.trip_gtfs_id or position.delay is None:
            continue
        entity = message.entity.add()
        entity.id = f"trip-{position.trip_gtfs_id}"
        update = entity.trip_update
        update.trip.trip_id = position.trip_gtfs_id
        if position.route_gtfs_id:
            update.trip.route_id = position.route_gtfs_id
        update.vehicle.id = position.vehicle.gtfs_id
        update.timestamp = int(position.measured_at.timestamp())
        update.delay = position.delay
        stop = update.stop_time_update.add()
        stop.stop_sequence = position.stop_sequence or 1
        stop.departure.delay = position.delay
    return message.SerializeToString()


@dataclass
class AlertText:
    header: dict[str, str]  # RT language tag → text
    description: dict[str, str]


def _translated(target, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        item = target.translation.add()
        item.text = text
        item.language = language


def build_service_alerts(alerts: list[tuple[ServiceAlert, AlertText]], now: datetime) -> bytes:
    message = _header(now)
    for alert, text in alerts:
        entity = message.entity.add()
        entity.id = f"alert-{alert.pk}"
        body = entity.alert
        period = body.active_period.add()
        period.start = int(alert.started_at.timestamp())
        body.informed_entity.add().route_id = alert.route_gtfs_id
        body.cause = rt.Alert.Cause.Value(alert.cause)
        body.effect = rt.Alert.Effect.Value(alert.effect)
        _translated(body.header_text, text.header)
        _translated(body.description_text, text.description)
    return message.SerializeToString()


def alert_text(alert: ServiceAlert, route_names: dict[str, dict[str, str]],
               district_names: dict[str, tuple[str, str]]) -> AlertText:
    """The header and description in the five site languages (district names in Japanese for the languages
    written in kanji, in Latin letters for English and Korean)."""
    header, description = {}, {}
    for site_language, tag in RT_LANGUAGES.items():
        with translation.override(site_language):
            name = route_names.get(site_language, {}).get(alert.route_gtfs_id, alert.route_gtfs_id)
            if alert.effect == "NO_SERVICE":
                header[tag] = _("%(route)s: service suspended") % {"route": name}
            else:
                header[tag] = _("%(route)s: service reduced") % {"route": name}
            reasons = []
            for reason in alert.reasons:
                if "warning" in reason:
                    reasons.append(_("a weather warning is in force (%(kind)s)") % {"kind": reason["warning"]})
                else:
                    reasons.append(_("an evacuation order (level %(level)s) is in force in %(district)s") % {
                        "level": reason["order_level"], "district": _district(district_names, reason["district"],
                                                                     site_language)})
            description[tag] = _("Because %(reasons)s. Service resumes when it is lifted.") % {
                "reasons": "; ".join(sorted(set(reasons)))}
    return AlertText(header, description)


def _district(names: dict[str, tuple[str, str]], code: str, language: str) -> str:
    name, name_en = names.get(code, (code, code))
    return (name_en or name) if language in ("en", "ko") else name


def vehicle_positions_feed(municipality, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    return build_vehicle_positions(list(live_positions(municipality, now=now)), now,
                                   vehicles_on_duty(municipality, now))


def trip_updates_feed(municipality, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    return build_trip_updates(list(live_positions(municipality, now=now)), now, suspended_trips(municipality, now))


def service_alerts_feed(municipality, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    alerts = list(open_service_alerts(municipality))
    route_names: dict[str, dict[str, str]] = {}
    feed = feed_of(municipality)
    if feed is not None and alerts:
        routes = list(feed.routes.all())
        for site_language in RT_LANGUAGES:
            names = translations_for(feed, site_language)
            route_names[site_language] = {
                r.gtfs_id: names.get(("routes", "route_short_name", r.short_name), r.short_name or r.long_name)
                for r in routes}
    districts = {d.code: (d.name, d.name_en) for d in municipality.districts.all()} if alerts else {}
    return build_service_alerts([(alert, alert_text(alert, route_names, districts)) for alert in alerts], now)


FEEDS = {"vehicle-positions": vehicle_positions_feed, "trip-updates": trip_updates_feed,
         "service-alerts": service_alerts_feed}
