"""The GTFS-JP files Toki reads and writes, their columns and the type of each
(国土交通省「標準的なバス情報フォーマット」 第2版/第3版 = GTFS plus agency_jp.txt, office_jp.txt and the jp_
columns; translations.txt in GTFS's table form).

Pure data and pure parsing: no Django, no database. `parse_value` turns one CSV cell into a Python value or raises
ValueError with the reason a reader can act on.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id text url email tz lang lat lon int:<a>-<b> time date color currency price
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # file name without ".txt"
    required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # the columns that must be unique together

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def C(name, kind="text", required=False):
    return Column(name, kind, required)


TABLES = (
    Table("agency", True, (C("agency_id", "id", True), C("agency_name", required=True),
                           C("agency_url", "url", True), C("agency_timezone", "tz", True), C("agency_lang", "lang"),
                           C("agency_phone"), C("agency_fare_url", "url"), C("agency_email", "email")),
          key=("agency_id",)),
    Table("agency_jp", False, (C("agency_id", "id", True), C("agency_official_name"), C("agency_zip_number", "zip"),
                               C("agency_address"), C("agency_president_pos"), C("agency_president_name")),
          key=("agency_id",)),
    Table("office_jp", False, (C("office_id", "id", True), C("office_name", required=True), C("office_url", "url"),
                               C("office_phone")), key=("office_id",)),
    Table("stops", True, (C("stop_id", "id", True), C("stop_code"), C("stop_name", required=True), C("stop_desc"),
                          C("stop_lat", "lat", True), C("stop_lon", "lon", True), C("zone_id"),
                          C("stop_url", "url"), C("location_type", "int:0-4"), C("parent_station", "id"),
                          C("stop_timezone", "tz"), C("wheelchair_boarding", "int:0-2"), C("platform_code")),
          key=("stop_id",)),
    Table("routes", True, (C("route_id", "id", True), C("agency_id", "id", True), C("route_short_name"),
                           C("route_long_name"), C("route_desc"), C("route_type", "int:0-12", True),
                           C("route_url", "url"), C("route_color", "color"), C("route_text_color", "color"),
                           C("jp_parent_route_id", "id")), key=("route_id",)),
    Table("calendar", False, (C("service_id", "id", True), C("monday", "int:0-1", True),
                              C("tuesday", "int:0-1", True), C("wednesday", "int:0-1", True),
                              C("thursday", "int:0-1", True), C("friday", "int:0-1", True),
                              C("saturday", "int:0-1", True), C("sunday", "int:0-1", True),
                              C("start_date", "date", True), C("end_date", "date", True)), key=("service_id",)),
    Table("calendar_dates", False, (C("service_id", "id", True), C("date", "date", True),
                                    C("exception_type", "int:1-2", True)), key=("service_id", "date")),
    Table("trips", True, (C("route_id", "id", True), C("service_id", "id", True), C("trip_id", "id", True),
                          C("trip_headsign"), C("trip_short_name"), C("direction_id", "int:0-1"), C("block_id", "id"),
                          C("shape_id", "id"), C("wheelchair_accessible", "int:0-2"), C("bikes_allowed", "int:0-2"),
                          C("jp_trip_desc"), C("jp_trip_desc_symbol"), C("jp_office_id", "id")), key=("trip_id",)),
    Table("stop_times", True, (C("trip_id", "id", True), C("arrival_time", "time"), C("departure_time", "time"),
                               C("stop_id", "id", True), C("stop_sequence", "int:0-1000000", True),
                               C("stop_headsign"), C("pickup_type", "int:0-3"), C("drop_off_type", "int:0-3"),
                               C("shape_dist_traveled", "price"), C("timepoint", "int:0-1")),
          key=("trip_id", "stop_sequence")),
    Table("fare_attributes", True, (C("fare_id", "id", True), C("price", "price", True),
                                    C("currency_type", "currency", True), C("payment_method", "int:0-1", True),
                                    C("transfers", "int:0-2"), C("agency_id", "id"),
                                    C("transfer_duration", "int:0-86400")), key=("fare_id",)),
    Table("fare_rules", False, (C("fare_id", "id", True), C("route_id", "id"), C("origin_id", "id"),
                                C("destination_id", "id"), C("contains_id", "id"))),
    Table("feed_info", True, (C("feed_publisher_name", required=True), C("feed_publisher_url", "url", True),
                              C("feed_lang", "lang", True), C("default_lang", "lang"), C("feed_start_date", "date"),
                              C("feed_end_date", "date"), C("feed_version"), C("feed_contact_email", "email"),
                              C("feed_contact_url", "url"))),
    Table("translations", True, (C("table_name", "table", True), C("field_name", required=True),
                                 C("language", "lang", True), C("translation", required=True), C("record_id", "id"),
                                 C("record_sub_id", "id"), C("field_value"))),
)
BY_NAME = {table.name: table for table in TABLES}
# GTFS-JP 第2版's translations.txt: a translation of every field whose value is `trans_id`. Read, then turned into
# the table form for the fields riders see (`reading.v2_translations`); written back in the table form.
TRANSLATIONS_V2 = Table("translations", True, (C("trans_id", required=True), C("lang", "lang", True),
                                               C("translation", required=True)))
V2_FIELDS = (("agency", "agency_name"), ("office_jp", "office_name"), ("stops", "stop_name"),
             ("routes", "route_short_name"), ("routes", "route_long_name"), ("trips", "trip_headsign"),
             ("stop_times", "stop_headsign"))
TRANSLATABLE_TABLES = {"agency", "stops", "routes", "trips", "stop_times", "feed_info", "office_jp"}
# The five languages of the site and the GTFS language each reads (やさしい日本語 reads the kana reading).
SITE_LANGUAGES = {"ja": "ja", "ja-easy": "ja-Hrkt", "en": "en", "zh-hans": "zh-Hans", "ko": "ko"}

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)$")
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COLOR = re.compile(r"^[0-9A-Fa-f]{6}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# kind → (pattern, what the value should be): the kinds checked by a pattern alone.
_PATTERNS = {
    "currency": (re.compile(r"^[A-Z]{3}$"), "not an ISO 4217 currency code such as JPY"),
    "color": (_COLOR, "not a colour RRGGBB"),
    "lang": (_LANG, "not a language tag (BCP 47) such as ja or en"),
    "url": (_URL, "not an http(s) URL"),
    "email": (_EMAIL, "not an e-mail address"),
    "zip": (re.compile(r"^\d{7}$"), "not a 7-digit postal code without a hyphen"),
}


def parse_time(text: str) -> int:
    match = _TIME.match(text)
    if not match:
        raise ValueError("not a time HH:MM:SS")
    hours, minutes, seconds = (int(part) for part in match.groups())
    if hours > 47:
        raise ValueError("more than 47 hours")
    return hours * 3600 + minutes * 60 + seconds


def format_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def parse_date(text: str) -> date:
    match = _DATE.match(text)
    if not match:
        raise ValueError("not a date YYYYMMDD")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValueError("no such date") from error


def parse_value(kind: str, text: str):
    """The value of a non-empty cell of `kind`; ValueError naming what is wrong."""
    if not text.isprintable():
        raise ValueError("contains a control character")
    if kind in ("text", "id"):
        if len(text) > 500:
            raise ValueError("longer than 500 characters")
        return text
    if kind in ("lat", "lon"):
        try:
            number = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        limit = 90 if kind == "lat" else 180
        if not -limit <= number <= limit:
            raise ValueError(f"outside -{limit}…{limit}")
        return number
    if kind.startswith("int:"):
        low, high = (int(part) for part in kind[4:].split("-"))
        if not text.isdigit():
            raise ValueError("not a whole number")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"not between {low} and {high}")
        return number
    if kind == "time":
        return parse_time(text)
    if kind == "date":
        return parse_date(text)
    if kind == "price":
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e8"):
            raise ValueError("not a price between 0 and 99,999,999")
        return amount
    if kind in _PATTERNS:
        pattern, reason = _PATTERNS[kind]
        if not pattern.match(text):
            raise ValueError(reason)
        return text.upper() if kind == "color" else text
    if kind == "tz":
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone such as Asia/Tokyo") from None
        return text
    if kind == "table":
        if text not in TRANSLATABLE_TABLES:
            raise ValueError(f"not a translatable table ({', '.join(sorted(TRANSLATABLE_TABLES))})")
        return text
    raise AssertionError(kind)
