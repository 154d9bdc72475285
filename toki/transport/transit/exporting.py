"""Writing the municipality's feed back as a GTFS-JP zip: the same files and columns `schema.TABLES` reads, in a
stable order, so an import of the export is the same feed (tests/test_gtfs_roundtrip.py)."""

import csv
import io
import zipfile

from toki.transport.transit.models import Feed, StopTime
from toki.transport.transit.schema import BY_NAME, format_time

ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # members carry a fixed date: the same feed gives the same bytes (ETag)


def _date(value) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _text(value) -> str:
    return "" if value is None else str(value)


def feed_tables(feed: Feed) -> dict[str, list[dict]]:
    """Every table of the feed as rows of strings keyed by column name."""
    agencies = list(feed.agencies.order_by("gtfs_id"))
    tables: dict[str, list[dict]] = {
        "agency": [{"agency_id": a.gtfs_id, "agency_name": a.name, "agency_url": a.url,
                    "agency_timezone": a.timezone, "agency_lang": a.lang, "agency_phone": a.phone,
                    "agency_fare_url": a.fare_url, "agency_email": a.email} for a in agencies],
        "agency_jp": [{"agency_id": a.gtfs_id, "agency_official_name": a.official_name,
                       "agency_zip_number": a.zip_number, "agency_address": a.address,
                       "agency_president_pos": a.president_pos, "agency_president_name": a.president_name}
                      for a in agencies if a.has_jp],
        "office_jp": [{"office_id": o.gtfs_id, "office_name": o.name, "office_url": o.url, "office_phone": o.phone}
                      for o in feed.offices.order_by("gtfs_id")],
        "stops": [{"stop_id": s.gtfs_id, "stop_code": s.code, "stop_name": s.name, "stop_desc": s.desc,
                   "stop_lat": f"{s.lat:.6f}", "stop_lon": f"{s.lon:.6f}", "zone_id": s.zone_id, "stop_url": s.url,
                   "location_type": str(s.location_type), "parent_station": s.parent_station,
                   "wheelchair_boarding": _text(s.wheelchair_boarding), "platform_code": s.platform_code}
                  for s in feed.stops.order_by("gtfs_id")],
        "routes": [{"route_id": r.gtfs_id, "agency_id": r.agency.gtfs_id, "route_short_name": r.short_name,
                    "route_long_name": r.long_name, "route_desc": r.desc, "route_type": str(r.route_type),
                    "route_url": r.url, "route_color": r.color, "route_text_color": r.text_color,
                    "jp_parent_route_id": r.jp_parent_route_id}
                   for r in feed.routes.select_related("agency").order_by("gtfs_id")],
    }
    services = list(feed.services.prefetch_related("exceptions").order_by("gtfs_id"))
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    tables["calendar"] = [{"service_id": s.gtfs_id, **dict(zip(days, s.weekdays, strict=True)),
                           "start_date": _date(s.start_date), "end_date": _date(s.end_date)}
                          for s in services if s.has_calendar]
    tables["calendar_dates"] = [{"service_id": s.gtfs_id, "date": _date(e.date),
                                 "exception_type": str(e.exception_type)}
                                for s in services for e in sorted(s.exceptions.all(), key=lambda e: e.date)]
    tables["trips"] = [{"route_id": t.route.gtfs_id, "service_id": t.service.gtfs_id, "trip_id": t.gtfs_id,
                        "trip_headsign": t.headsign, "trip_short_name": t.short_name,
                        "direction_id": _text(t.direction_id), "block_id": t.block_id, "shape_id": t.shape_id,
                        "wheelchair_accessible": _text(t.wheelchair_accessible),
                        "bikes_allowed": _text(t.bikes_allowed), "jp_trip_desc": t.jp_trip_desc,
                        "jp_trip_desc_symbol": t.jp_trip_desc_symbol,
                        "jp_office_id": t.office.gtfs_id if t.office else ""}
                       for t in feed.trips.select_related("route", "service", "office").order_by("gtfs_id")]
    stop_times = (StopTime.objects.filter(trip__feed=feed)
                  .select_related("trip", "stop").order_by("trip__gtfs_id", "sequence"))
    tables["stop_times"] = [{"trip_id": st.trip.gtfs_id, "arrival_time": format_time(st.arrival),
                             "departure_time": format_time(st.departure), "stop_id": st.stop.gtfs_id,
                             "stop_sequence": str(st.sequence), "stop_headsign": st.stop_headsign,
                             "pickup_type": str(st.pickup_type), "drop_off_type": str(st.drop_off_type),
                             "timepoint": _text(st.timepoint)} for st in stop_times]
    fares = list(feed.fares.prefetch_related("rules").order_by("gtfs_id"))
    tables["fare_attributes"] = [{"fare_id": f.gtfs_id, "price": f"{f.price.normalize():f}",
                                  "currency_type": f.currency_type, "payment_method": str(f.payment_method),
                                  "transfers": _text(f.transfers), "agency_id": f.agency_gtfs_id,
                                  "transfer_duration": _text(f.transfer_duration)} for f in fares]
    tables["fare_rules"] = [{"fare_id": f.gtfs_id, "route_id": r.route_gtfs_id, "origin_id": r.origin_id,
                             "destination_id": r.destination_id, "contains_id": r.contains_id}
                            for f in fares for r in sorted(f.rules.all(), key=lambda r: r.pk)]
    tables["feed_info"] = [{"feed_publisher_name": feed.publisher_name, "feed_publisher_url": feed.publisher_url,
                            "feed_lang": feed.lang, "feed_start_date": _date(feed.start_date),
                            "feed_end_date": _date(feed.end_date), "feed_version": feed.version,
                            "feed_contact_email": feed.contact_email, "feed_contact_url": feed.contact_url}]
    tables["translations"] = [{"table_name": t.table_name, "field_name": t.field_name, "language": t.language,
                               "translation": t.translation, "record_id": t.record_id,
                               "record_sub_id": t.record_sub_id, "field_value": t.field_value}
                              for t in feed.translations.order_by("table_name", "field_name", "field_value",
                                                                  "record_id", "language")]
    return tables


def export_zip(feed: Feed) -> bytes:
    """The feed as a GTFS-JP zip. Only the columns some row fills are written (an empty optional column helps
    no one); required columns always are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in feed_tables(feed).items():
            if not rows and not BY_NAME[name].required:
                continue
            columns = [c.name for c in BY_NAME[name].columns
                       if c.required or any(row.get(c.name) for row in rows)]
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            writer.writerows([row.get(column, "") for column in columns] for row in rows)
            archive.writestr(zipfile.ZipInfo(f"{name}.txt", ZIP_DATE), text.getvalue().encode("utf-8"),
                             zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
