"""Reading a GTFS-JP zip into checked rows: every error names the file, the row (the CSV line, header = 1) and the
field, and all are collected (up to MAX_ERRORS) before anything is written. Pure Python, no database."""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from toki.transport.transit.schema import BY_NAME, TABLES, TRANSLATIONS_V2, V2_FIELDS, Table, parse_value

MAX_ZIP_BYTES = 20 * 1024 * 1024  # the upload itself
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all members together (a zip bomb is refused before it is read)
MAX_ERRORS = 50


@dataclass
class Problem:
    file: str
    row: int | None
    field: str
    message: str

    def __str__(self):
        where = self.file + (f", row {self.row}" if self.row else "") + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class FeedInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass
class ParsedFeed:
    rows: dict[str, list[dict]] = field(default_factory=dict)  # table → rows (values parsed, "_row" = line)

    def table(self, name: str) -> list[dict]:
        return self.rows.get(name, [])


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, file, row, field_name, message):
        self.problems.append(Problem(file, row, field_name, message))
        if len(self.problems) >= MAX_ERRORS:
            raise FeedInvalid(self.problems)


def read_zip(data: bytes) -> ParsedFeed:
    """Parse and check a GTFS-JP zip; FeedInvalid with every problem found."""
    problems = _Collector()
    if len(data) > MAX_ZIP_BYTES:
        raise FeedInvalid([Problem("(zip)", None, "", f"larger than {MAX_ZIP_BYTES // 1024 // 1024} MB")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename.rsplit("/", 1)[-1]: info for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FeedInvalid([Problem("(zip)", None, "", "not a zip file")]) from None
    if sum(info.file_size for info in members.values()) > MAX_UNPACKED_BYTES:
        raise FeedInvalid([Problem("(zip)", None, "", "unpacks to more than 200 MB")])
    feed = ParsedFeed()
    try:
        for table in TABLES:
            info = members.get(f"{table.name}.txt")
            if info is None:
                if table.required:
                    problems.add(f"{table.name}.txt", None, "", "required file missing")
                continue
            raw = archive.read(info)
            if table.name == "translations" and b"trans_id" in raw.split(b"\n", 1)[0]:
                feed.rows[table.name] = v2_translations(feed, _read_table(TRANSLATIONS_V2, raw, problems))
                continue
            feed.rows[table.name] = _read_table(table, raw, problems)
        if not feed.table("calendar") and not feed.table("calendar_dates"):
            problems.add("calendar.txt", None, "", "calendar.txt or calendar_dates.txt must define the services")
        if not problems.problems:
            check_references(feed, problems)
    except FeedInvalid:
        raise
    if problems.problems:
        raise FeedInvalid(problems.problems)
    return feed


def _read_table(table: Table, raw: bytes, problems: _Collector) -> list[dict]:
    file = f"{table.name}.txt"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(file, None, "", f"not UTF-8 (byte {error.start})")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        problems.add(file, None, "", "empty file (no header)")
        return []
    except csv.Error as error:
        problems.add(file, 1, "", f"unreadable CSV ({error})")
        return []
    for column in table.columns:
        if column.required and column.name not in header:
            problems.add(file, 1, column.name, "required column missing")
    if len(set(header)) != len(header):
        problems.add(file, 1, "", "a column appears twice")
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    try:
        for line_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.add(file, line_number, "", f"{len(cells)} fields where the header has {len(header)}")
                continue
            row = _read_row(table, dict(zip(header, cells, strict=True)), file, line_number, problems)
            if table.key:
                key = tuple(row.get(name) for name in table.key)
                if key in seen:
                    problems.add(file, line_number, ",".join(table.key),
                                 f"duplicate of row {seen[key]} ({'/'.join(str(k) for k in key)})")
                seen[key] = line_number
            rows.append(row)
    except csv.Error as error:
        problems.add(file, reader.line_num, "", f"unreadable CSV ({error})")
    return rows


def _read_row(table: Table, cells: dict, file: str, line_number: int, problems: _Collector) -> dict:
    row: dict = {"_row": line_number}
    for column in table.columns:
        text = (cells.get(column.name) or "").strip()
        if not text:
            if column.required:
                problems.add(file, line_number, column.name, "required value missing")
            row[column.name] = None
            continue
        try:
            row[column.name] = parse_value(column.kind, text)
        except ValueError as error:
            problems.add(file, line_number, column.name, f"{error}: {text[:40]!r}")
            row[column.name] = None
    return row


def v2_translations(feed: ParsedFeed, rows: list[dict]) -> list[dict]:
    """GTFS-JP 第2版 rows (trans_id, lang, translation) as table-form rows: one per field of V2_FIELDS that holds
    the value `trans_id` somewhere in the feed (translations.txt is read after the tables it translates)."""
    values = {(table, name): {row[name] for row in feed.table(table)} for table, name in V2_FIELDS}
    found = []
    for row in rows:
        for (table, name), held in values.items():
            if row["trans_id"] in held:
                found.append({"_row": row["_row"], "table_name": table, "field_name": name, "language": row["lang"],
                              "translation": row["translation"], "record_id": None, "record_sub_id": None,
                              "field_value": row["trans_id"]})
    return found


def _ids(feed: ParsedFeed, table: str, column: str) -> set:
    return {row[column] for row in feed.table(table)}


def check_references(feed: ParsedFeed, problems: _Collector) -> None:
    """What refers to what: every id named must exist; each trip has two stop times or more in time order."""
    agencies, stops = _ids(feed, "agency", "agency_id"), _ids(feed, "stops", "stop_id")
    routes, trips = _ids(feed, "routes", "route_id"), _ids(feed, "trips", "trip_id")
    services = _ids(feed, "calendar", "service_id") | _ids(feed, "calendar_dates", "service_id")
    offices, fares = _ids(feed, "office_jp", "office_id"), _ids(feed, "fare_attributes", "fare_id")
    checks = (
        ("agency_jp", "agency_id", agencies, "agency.txt"), ("routes", "agency_id", agencies, "agency.txt"),
        ("trips", "route_id", routes, "routes.txt"), ("trips", "service_id", services, "calendar.txt"),
        ("trips", "jp_office_id", offices, "office_jp.txt"), ("stop_times", "trip_id", trips, "trips.txt"),
        ("stop_times", "stop_id", stops, "stops.txt"), ("stops", "parent_station", stops, "stops.txt"),
        ("fare_rules", "fare_id", fares, "fare_attributes.txt"), ("fare_rules", "route_id", routes, "routes.txt"),
        ("fare_attributes", "agency_id", agencies, "agency.txt"),
    )
    for table, column, known, target in checks:
        for row in feed.table(table):
            if row[column] is not None and row[column] not in known:
                problems.add(f"{table}.txt", row["_row"], column, f"{row[column]!r} is not in {target}")
    for row in feed.table("routes"):
        if not row["route_short_name"] and not row["route_long_name"]:
            problems.add("routes.txt", row["_row"], "route_short_name", "route_short_name or route_long_name needed")
    if len(feed.table("feed_info")) != 1:
        problems.add("feed_info.txt", None, "", "exactly one row needed")
    _check_stop_times(feed, problems)


def _check_stop_times(feed: ParsedFeed, problems: _Collector) -> None:
    by_trip: dict[str, list[dict]] = {}
    for row in feed.table("stop_times"):
        by_trip.setdefault(row["trip_id"], []).append(row)
        for name in ("arrival_time", "departure_time"):
            if row[name] is None:  # GTFS allows interpolated stops; Toki's departures board needs each time
                problems.add("stop_times.txt", row["_row"], name, "Toki needs a time at every stop")
    for trip in feed.table("trips"):
        times = sorted(by_trip.get(trip["trip_id"], []), key=lambda r: r["stop_sequence"])
        if len(times) < 2:
            problems.add("trips.txt", trip["_row"], "trip_id", "a trip needs two stop times or more")
            continue
        last = -1
        for row in times:
            for name in ("arrival_time", "departure_time"):
                value = row[name]
                if value is None:
                    continue
                if value < last:
                    problems.add("stop_times.txt", row["_row"], name, "earlier than the stop before")
                last = value


TABLE_NAMES = tuple(BY_NAME)
