"""The shared-ride service as one file (docs/rides.md, "Setting up the service"): a JSON document holding the whole
definition of one or more areas — the area, its booking rule and fares, its meeting points, drivers, vehicles with
their shifts, and the calendar's exceptions. Read and checked here, field by field, with every problem named by
where it is (`areas[1].vehicles[0].seats: must be at least 1`); written back (`to_document`) for the export. Pure:
no database; the caller passes the district codes the municipality has."""

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.utils.translation import gettext as _

from toki.lib import bounded
from toki.lib.geo import point_in_geometry, polygon_geometry_errors

FORMAT = "toki-rides-service"
VERSION = 1
MAX_FILE_BYTES = 1_000_000  # the review page carries the text back in its confirm form
MAX_PROBLEMS = 200  # listed; the count says how many more
SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\Z")
# Codes that would shadow a page of /rides/ (an area's booking page is /rides/<code>/, its board /rides/ops/<code>/).
RESERVED_AREA_CODES = frozenset({"b", "desk", "driver", "ops", "import", "gtfs-flex.zip"})
RULE_KINDS = {"real_time": 0, "same_day": 1, "prior_day": 2}
WEEKDAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


@dataclass(frozen=True)
class RuleSpec:
    kind: int = 1
    min_notice_minutes: int = 30
    max_notice_minutes: int | None = None
    prior_day_cutoff: time = time(17, 0)
    max_days_ahead: int = 7
    cancel_minutes_before: int = 30
    no_show_limit: int = 3
    no_show_period_days: int = 90
    late_cancel_counts: bool = False
    message: str = ""


@dataclass(frozen=True)
class FareSpec:
    code: str
    name: str
    price_yen: int


@dataclass(frozen=True)
class PointSpec:
    code: str
    name: str
    lat: float
    lon: float
    note: str = ""


@dataclass(frozen=True)
class DriverSpec:
    code: str
    name: str
    phone: str = ""


@dataclass(frozen=True)
class ShiftSpec:
    weekdays: str  # ISO weekdays as digits, "123456"
    start: time
    end: time
    driver: str | None = None  # a driver's code

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.weekdays, self.driver or "")


@dataclass(frozen=True)
class VehicleSpec:
    code: str
    name: str
    seats: int
    depot_lat: float
    depot_lon: float
    wheelchair_spaces: int = 0
    active: bool = True
    shifts: tuple[ShiftSpec, ...] = ()


@dataclass(frozen=True)
class ExceptionSpec:
    day: date
    runs: bool
    note: str = ""
    until: time | None = None  # a day that runs takes no ride asked for at or after this time (a 運休 from then)
    resumes: time | None = None  # … until this time (the rides asked for from then run again); None: the day's end


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    geometry: dict
    weekdays: str
    booking_rule: RuleSpec
    district: str | None = None
    door_to_door: bool = False
    speed_kmh: float = 30.0
    detour_factor: float = 1.3
    stop_minutes: int = 2
    pickup_window_minutes: int = 15
    max_wait_minutes: int = 30
    max_ride_alpha: float = 1.5
    max_ride_beta_minutes: int = 15
    phone_number: str = ""
    fares: tuple[FareSpec, ...] = ()
    points: tuple[PointSpec, ...] = ()
    drivers: tuple[DriverSpec, ...] = ()
    vehicles: tuple[VehicleSpec, ...] = ()
    exceptions: tuple[ExceptionSpec, ...] = ()

    def runs_on(self, day: date) -> bool:
        for exception in self.exceptions:
            if exception.day == day:
                return exception.runs
        return str(day.isoweekday()) in self.weekdays

    def pause_on(self, day: date) -> tuple[time, time | None] | None:
        """A running day's 運休 from an hour: (from, resumes or None for the day's end); None: it runs all its hours."""
        return next(((e.until, e.resumes) for e in self.exceptions if e.day == day and e.runs and e.until), None)

    def vehicle(self, code: str) -> VehicleSpec | None:
        return next((v for v in self.vehicles if v.code == code), None)

    def point(self, code: str) -> PointSpec | None:
        return next((p for p in self.points if p.code == code), None)


# The area's own settings (the model's fields of the same names), in the file's order.
AREA_SETTINGS = ("name", "district", "geometry", "door_to_door", "speed_kmh", "detour_factor", "stop_minutes",
                 "pickup_window_minutes", "max_wait_minutes", "max_ride_alpha", "max_ride_beta_minutes",
                 "phone_number", "weekdays")
RULE_FIELDS = ("kind", "min_notice_minutes", "max_notice_minutes", "prior_day_cutoff", "max_days_ahead",
               "cancel_minutes_before", "no_show_limit", "no_show_period_days", "late_cancel_counts", "message")


@dataclass(frozen=True)
class Problem:
    path: str  # where in the file: areas[1].vehicles[0].seats ("" for the file as a whole)
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ServiceFileError(ValueError):
    """The file cannot be imported; `problems` says what and where, each on its own."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and %(count)s more problems") % {"count": len(problems) - MAX_PROBLEMS})
        super().__init__("\n".join(shown))


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass
class _Reader:
    """Reads one object's fields, noting each problem with its path; a bad field reads as None."""

    problems: list[Problem] = field(default_factory=list)

    def note(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(self, value: Any, path: str, known: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.note(path, _("must be an object {…}"))
            return None
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = (_("unknown field (did you mean %(name)s?)") % {"name": close[0]}) if close else \
                    _("unknown field")
                self.note(_at(path, key), hint)
        return value

    def _get(self, obj: dict, key: str, path: str, required: bool) -> tuple[bool, Any]:
        if key not in obj:
            if required:
                self.note(_at(path, key), _("is required"))
            return False, None
        return True, obj[key]

    def text(self, obj: dict, key: str, path: str, *, max_length: int, required: bool = False,
             default: str = "") -> str:
        present, value = self._get(obj, key, path, required)
        if not present:
            return default
        if not isinstance(value, str):
            self.note(_at(path, key), _("must be text"))
            return default
        value = value.strip()
        if required and not value:
            self.note(_at(path, key), _("must not be empty"))
        elif len(value) > max_length:
            self.note(_at(path, key), _("must be at most %(count)s characters") % {"count": max_length})
        return value

    def code(self, obj: dict, key: str, path: str, *, max_length: int) -> str:
        value = self.text(obj, key, path, max_length=max_length, required=True)
        if value and not SLUG.match(value):
            self.note(_at(path, key), _("must be letters, digits, '-' or '_' only"))
        return value

    def integer(self, obj: dict, key: str, path: str, *, low: int, high: int, default: int | None = None,
                required: bool = False, nullable: bool = False) -> int | None:
        present, value = self._get(obj, key, path, required)
        if not present or (nullable and value is None):
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.note(_at(path, key), _("must be a whole number"))
            return None
        return self._bounded(int(value), _at(path, key), low, high)

    def number(self, obj: dict, key: str, path: str, *, low: float, high: float, default: float | None = None,
               required: bool = False) -> float | None:
        present, value = self._get(obj, key, path, required)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.note(_at(path, key), _("must be a number"))
            return None
        return self._bounded(float(value), _at(path, key), low, high)

    def _bounded(self, value, path: str, low, high):
        if value < low:
            self.note(path, _("must be at least %(low)s") % {"low": low})
            return None
        if value > high:
            self.note(path, _("must be at most %(high)s") % {"high": high})
            return None
        return value

    def boolean(self, obj: dict, key: str, path: str, *, default: bool = False, required: bool = False) -> bool:
        present, value = self._get(obj, key, path, required)
        if not present:
            return default
        if not isinstance(value, bool):
            self.note(_at(path, key), _("must be true or false"))
            return default
        return value

    def clock(self, obj: dict, key: str, path: str, *, default: time | None = None,
              required: bool = False) -> time | None:
        present, value = self._get(obj, key, path, required)
        if not present:
            return default
        match = HH_MM.match(value) if isinstance(value, str) else None
        if match is None:
            self.note(_at(path, key), _("must be a time HH:MM between 00:00 and 23:59"))
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def day(self, obj: dict, key: str, path: str) -> date | None:
        present, value = self._get(obj, key, path, True)
        if not present:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.note(_at(path, key), _("must be a date YYYY-MM-DD"))
            return None

    def weekdays(self, obj: dict, key: str, path: str, *, allow_empty: bool) -> str | None:
        present, value = self._get(obj, key, path, True)
        if not present:
            return None
        if not isinstance(value, list) or any(isinstance(d, bool) or not isinstance(d, int) for d in value) \
                or any(not 1 <= d <= 7 for d in value):
            self.note(_at(path, key), _("must be a list of ISO weekdays, 1 = Monday … 7 = Sunday"))
            return None
        if len(set(value)) != len(value):
            self.note(_at(path, key), _("lists a weekday twice"))
            return None
        if not value and not allow_empty:
            self.note(_at(path, key), _("must name at least one weekday"))
            return None
        return "".join(str(d) for d in sorted(value))

    def items(self, obj: dict, key: str, path: str, *, required: bool = False) -> list:
        present, value = self._get(obj, key, path, required)
        if not present:
            return []
        if not isinstance(value, list):
            self.note(_at(path, key), _("must be a list […]"))
            return []
        return value


def parse(data: bytes | str, *, district_codes: set[str]) -> list[AreaSpec]:
    """The areas of a service file, every field checked; ServiceFileError with every problem found otherwise."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ServiceFileError([Problem("", _("the file is larger than %(size)s MB")
                                            % {"size": MAX_FILE_BYTES // 1_000_000})])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ServiceFileError([Problem("", _("the file is not UTF-8 text (byte %(at)s)")
                                            % {"at": exc.start})]) from None
    try:
        document = bounded.loads(data)
    except bounded.TooDeep as exc:
        raise ServiceFileError([Problem("", str(exc))]) from None
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
        raise ServiceFileError([Problem(f"line {line} column {column}",
                                        _("not JSON (%(error)s)") % {"error": getattr(exc, "msg", exc)})]) from None
    return read_document(document, district_codes=district_codes)


def read_document(document: Any, *, district_codes: set[str]) -> list[AreaSpec]:
    reader = _Reader()
    top = reader.obj(document, "", ("format", "version", "description", "areas"))
    if top is None:
        raise ServiceFileError([Problem("", _("the file must be a JSON object with \"format\": \"%(format)s\"")
                                        % {"format": FORMAT})])
    if top.get("format") != FORMAT:
        reader.note("format", _("must be \"%(format)s\"") % {"format": FORMAT})
    if top.get("version") != VERSION:
        reader.note("version", _("must be %(version)s (the version this site reads)") % {"version": VERSION})
    reader.text(top, "description", "", max_length=2000)
    areas = []
    raw_areas = reader.items(top, "areas", "", required=True)
    if "areas" in top and not raw_areas and isinstance(top["areas"], list):
        reader.note("areas", _("must list at least one area"))
    seen: dict[str, str] = {}
    for i, raw in enumerate(raw_areas):
        path = f"areas[{i}]"
        area = _area(reader, raw, path, district_codes)
        code = raw.get("code") if isinstance(raw, dict) else None
        if isinstance(code, str) and code in seen:
            reader.note(f"{path}.code", _("repeats the code of %(other)s") % {"other": seen[code]})
        elif isinstance(code, str):
            seen[code] = path
        if area is not None:
            areas.append(area)
    if reader.problems:
        raise ServiceFileError(reader.problems)
    return areas


AREA_KEYS = ("code", *AREA_SETTINGS, "booking_rule", "fares", "meeting_points", "drivers", "vehicles", "exceptions")


def _area(reader: _Reader, raw: Any, path: str, district_codes: set[str]) -> AreaSpec | None:
    obj = reader.obj(raw, path, AREA_KEYS)
    if obj is None:
        return None
    before = len(reader.problems)
    code = reader.code(obj, "code", path, max_length=40)
    if code in RESERVED_AREA_CODES:
        reader.note(f"{path}.code", _("is reserved (a page of the site has that address)"))
    district = obj.get("district")
    if district is not None and (not isinstance(district, str) or district not in district_codes):
        reader.note(f"{path}.district", _("no district with that code (known: %(codes)s)")
                    % {"codes": ", ".join(sorted(district_codes)) or "—"})
    geometry = obj.get("geometry")
    geometry_ok = False
    if "geometry" not in obj:
        reader.note(f"{path}.geometry", _("is required"))
    else:
        errors = polygon_geometry_errors(geometry)
        for error in errors[:5]:
            reader.note(f"{path}.geometry", error)
        geometry_ok = not errors
    values: dict[str, Any] = {
        "code": code, "name": reader.text(obj, "name", path, max_length=100, required=True),
        "district": district if isinstance(district, str) else None,
        "geometry": geometry if geometry_ok else {},
        "door_to_door": reader.boolean(obj, "door_to_door", path),
        "speed_kmh": reader.number(obj, "speed_kmh", path, low=5, high=120, default=30.0),
        "detour_factor": reader.number(obj, "detour_factor", path, low=1, high=5, default=1.3),
        "stop_minutes": reader.integer(obj, "stop_minutes", path, low=0, high=60, default=2),
        "pickup_window_minutes": reader.integer(obj, "pickup_window_minutes", path, low=1, high=120, default=15),
        "max_wait_minutes": reader.integer(obj, "max_wait_minutes", path, low=1, high=240, default=30),
        "max_ride_alpha": reader.number(obj, "max_ride_alpha", path, low=1, high=10, default=1.5),
        "max_ride_beta_minutes": reader.integer(obj, "max_ride_beta_minutes", path, low=0, high=240, default=15),
        "phone_number": reader.text(obj, "phone_number", path, max_length=20),
        "weekdays": reader.weekdays(obj, "weekdays", path, allow_empty=True),
    }
    rule = _rule(reader, obj, path)
    fares = _unique_codes(reader, [_fare(reader, raw, f"{path}.fares[{i}]")
                                   for i, raw in enumerate(reader.items(obj, "fares", path))], f"{path}.fares")
    raw_points = reader.items(obj, "meeting_points", path)
    points = _unique_codes(reader, [_point(reader, raw, f"{path}.meeting_points[{i}]", values["geometry"])
                                    for i, raw in enumerate(raw_points)], f"{path}.meeting_points")
    if values["door_to_door"] is False and isinstance(obj.get("meeting_points", []), list) and len(raw_points) < 2:
        reader.note(f"{path}.meeting_points", _("an area served at meeting points needs at least two"))
    drivers = _unique_codes(reader, [_driver(reader, raw, f"{path}.drivers[{i}]")
                                     for i, raw in enumerate(reader.items(obj, "drivers", path))], f"{path}.drivers")
    driver_codes = {d.code for _p, d in drivers}
    vehicles = _unique_codes(reader, [_vehicle(reader, raw, f"{path}.vehicles[{i}]", driver_codes)
                                      for i, raw in enumerate(reader.items(obj, "vehicles", path))],
                             f"{path}.vehicles")
    _drivers_not_twice(reader, vehicles)
    exceptions = []
    days: dict[date, str] = {}
    for i, raw in enumerate(reader.items(obj, "exceptions", path)):
        where = f"{path}.exceptions[{i}]"
        exception = _exception(reader, raw, where)
        if exception is None:
            continue
        if exception.day in days:
            reader.note(f"{where}.day", _("repeats the day of %(other)s") % {"other": days[exception.day]})
        days.setdefault(exception.day, where)
        exceptions.append(exception)
    if len(reader.problems) > before or rule is None:
        return None
    return AreaSpec(**values, booking_rule=rule, fares=tuple(f for _p, f in fares),
                    points=tuple(p for _p, p in points), drivers=tuple(d for _p, d in drivers),
                    vehicles=tuple(v for _p, v in vehicles), exceptions=tuple(sorted(exceptions, key=lambda e: e.day)))


def _unique_codes(reader: _Reader, items: list, path: str) -> list[tuple[str, Any]]:
    """(path, item) of the items read, each code once (a repeated code is a problem at the repeat)."""
    kept: list[tuple[str, Any]] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        if item is None:
            continue
        where = f"{path}[{i}]"
        if item.code in seen:
            reader.note(f"{where}.code", _("repeats the code of %(other)s") % {"other": seen[item.code]})
            continue
        seen[item.code] = where
        kept.append((where, item))
    return kept


def _rule(reader: _Reader, area: dict, path: str) -> RuleSpec | None:
    path = f"{path}.booking_rule"
    if "booking_rule" not in area:
        reader.note(path, _("is required"))
        return None
    obj = reader.obj(area["booking_rule"], path, RULE_FIELDS)
    if obj is None:
        return None
    before = len(reader.problems)
    kind_name = obj.get("kind")
    if kind_name not in RULE_KINDS:
        reader.note(f"{path}.kind", _("must be one of %(kinds)s") % {"kinds": ", ".join(RULE_KINDS)})
    min_notice = reader.integer(obj, "min_notice_minutes", path, low=0, high=10080, default=30)
    max_notice = reader.integer(obj, "max_notice_minutes", path, low=1, high=43200, nullable=True)
    if min_notice is not None and max_notice is not None and max_notice <= min_notice:
        reader.note(f"{path}.max_notice_minutes", _("must be more than min_notice_minutes (%(minutes)s)")
                    % {"minutes": min_notice})
    rule: dict[str, Any] = {
        "min_notice_minutes": min_notice, "max_notice_minutes": max_notice,
        "prior_day_cutoff": reader.clock(obj, "prior_day_cutoff", path, default=time(17, 0)),
        "max_days_ahead": reader.integer(obj, "max_days_ahead", path, low=0, high=365, default=7),
        "cancel_minutes_before": reader.integer(obj, "cancel_minutes_before", path, low=0, high=1440, default=30),
        "no_show_limit": reader.integer(obj, "no_show_limit", path, low=0, high=100, default=3),
        "no_show_period_days": reader.integer(obj, "no_show_period_days", path, low=1, high=3650, default=90),
        "late_cancel_counts": reader.boolean(obj, "late_cancel_counts", path),
        "message": reader.text(obj, "message", path, max_length=300),
    }
    if len(reader.problems) > before:
        return None
    return RuleSpec(kind=RULE_KINDS[str(kind_name)], **rule)


def _fare(reader: _Reader, raw: Any, path: str) -> FareSpec | None:
    obj = reader.obj(raw, path, ("code", "name", "price_yen"))
    if obj is None:
        return None
    before = len(reader.problems)
    values: dict[str, Any] = {"code": reader.code(obj, "code", path, max_length=30),
              "name": reader.text(obj, "name", path, max_length=60, required=True),
              "price_yen": reader.integer(obj, "price_yen", path, low=0, high=100_000, required=True)}
    return FareSpec(**values) if len(reader.problems) == before else None


def _point(reader: _Reader, raw: Any, path: str, geometry: dict) -> PointSpec | None:
    obj = reader.obj(raw, path, ("code", "name", "lat", "lon", "note"))
    if obj is None:
        return None
    before = len(reader.problems)
    values: dict[str, Any] = {"code": reader.code(obj, "code", path, max_length=40),
              "name": reader.text(obj, "name", path, max_length=100, required=True),
              "lat": reader.number(obj, "lat", path, low=-90, high=90, required=True),
              "lon": reader.number(obj, "lon", path, low=-180, high=180, required=True),
              "note": reader.text(obj, "note", path, max_length=200)}
    if len(reader.problems) > before:
        return None
    if geometry and not point_in_geometry(values["lat"], values["lon"], geometry):
        reader.note(path, _("%(lat)s, %(lon)s lies outside the area's polygon (geometry)")
                    % {"lat": values["lat"], "lon": values["lon"]})
        return None
    return PointSpec(**values)


def _driver(reader: _Reader, raw: Any, path: str) -> DriverSpec | None:
    obj = reader.obj(raw, path, ("code", "name", "phone"))
    if obj is None:
        return None
    before = len(reader.problems)
    values: dict[str, Any] = {"code": reader.code(obj, "code", path, max_length=40),
              "name": reader.text(obj, "name", path, max_length=60, required=True),
              "phone": reader.text(obj, "phone", path, max_length=20)}
    return DriverSpec(**values) if len(reader.problems) == before else None


def _vehicle(reader: _Reader, raw: Any, path: str, driver_codes: set[str]) -> VehicleSpec | None:
    obj = reader.obj(raw, path, ("code", "name", "seats", "wheelchair_spaces", "depot_lat", "depot_lon", "active",
                                 "shifts"))
    if obj is None:
        return None
    before = len(reader.problems)
    values: dict[str, Any] = {"code": reader.code(obj, "code", path, max_length=40),
              "name": reader.text(obj, "name", path, max_length=60, required=True),
              "seats": reader.integer(obj, "seats", path, low=1, high=60, required=True),
              "wheelchair_spaces": reader.integer(obj, "wheelchair_spaces", path, low=0, high=10, default=0),
              "depot_lat": reader.number(obj, "depot_lat", path, low=-90, high=90, required=True),
              "depot_lon": reader.number(obj, "depot_lon", path, low=-180, high=180, required=True),
              "active": reader.boolean(obj, "active", path, default=True)}
    shifts = [_shift(reader, raw, f"{path}.shifts[{i}]", driver_codes)
              for i, raw in enumerate(reader.items(obj, "shifts", path))]
    _no_overlap(reader, [(f"{path}.shifts[{i}]", s) for i, s in enumerate(shifts) if s is not None])
    if len(reader.problems) > before:
        return None
    return VehicleSpec(**values, shifts=tuple(sorted((s for s in shifts if s is not None), key=ShiftSpec.sort_key)))


def _shift(reader: _Reader, raw: Any, path: str, driver_codes: set[str]) -> ShiftSpec | None:
    obj = reader.obj(raw, path, ("weekdays", "start", "end", "driver"))
    if obj is None:
        return None
    before = len(reader.problems)
    weekdays = reader.weekdays(obj, "weekdays", path, allow_empty=False)
    start = reader.clock(obj, "start", path, required=True)
    end = reader.clock(obj, "end", path, required=True)
    if start is not None and end is not None and start >= end:
        reader.note(f"{path}.end", _("must be after the start (%(start)s)") % {"start": start.strftime("%H:%M")})
    driver = obj.get("driver")
    if driver is not None and (not isinstance(driver, str) or driver not in driver_codes):
        reader.note(f"{path}.driver", _("no driver with that code in this area's drivers"))
    if len(reader.problems) > before:
        return None
    assert weekdays is not None and start is not None and end is not None
    return ShiftSpec(weekdays=weekdays, start=start, end=end, driver=driver)


def _overlap(a: ShiftSpec, b: ShiftSpec) -> str:
    """The first weekday on which the two shifts overlap in time ("" when they do not)."""
    if a.start >= b.end or b.start >= a.end:
        return ""
    common = sorted(set(a.weekdays) & set(b.weekdays))
    return _(WEEKDAY_NAMES[int(common[0])]) if common else ""  # the names are translated where forms_setup lists them


def _no_overlap(reader: _Reader, shifts: list[tuple[str, ShiftSpec]]) -> None:
    for i, (path, shift) in enumerate(shifts):
        for other_path, other in shifts[:i]:
            weekday = _overlap(shift, other)
            if weekday:
                reader.note(path, _("overlaps %(other)s on %(weekday)s") % {"other": other_path, "weekday": weekday})


def _drivers_not_twice(reader: _Reader, vehicles: list[tuple[str, VehicleSpec]]) -> None:
    """A driver drives one vehicle at a time."""
    for i, (path, vehicle) in enumerate(vehicles):
        for j, shift in enumerate(vehicle.shifts):
            if shift.driver is None:
                continue
            for other_path, other in vehicles[:i]:
                for k, other_shift in enumerate(other.shifts):
                    weekday = _overlap(shift, other_shift) if other_shift.driver == shift.driver else ""
                    if weekday:
                        reader.note(f"{path}.shifts[{j}].driver",
                                    _("%(driver)s already drives %(other)s on %(weekday)s at that time")
                                    % {"driver": shift.driver, "other": f"{other_path}.shifts[{k}]",
                                       "weekday": weekday})


def _exception(reader: _Reader, raw: Any, path: str) -> ExceptionSpec | None:
    obj = reader.obj(raw, path, ("day", "runs", "until", "resumes", "note"))
    if obj is None:
        return None
    before = len(reader.problems)
    day = reader.day(obj, "day", path)
    runs = reader.boolean(obj, "runs", path, required=True)
    until = reader.clock(obj, "until", path)
    resumes = reader.clock(obj, "resumes", path)
    note = reader.text(obj, "note", path, max_length=100)
    if until is not None and runs is False:
        reader.note(f"{path}.until", _("only a day that runs stops at a time (a day off has no hours)"))
    if resumes is not None and until is None:
        reader.note(f"{path}.resumes", _("the service resumes only after a 運休 from a time: give \"until\" too"))
    elif resumes is not None and until is not None and resumes <= until:
        reader.note(f"{path}.resumes", _("must be after \"until\" (%(time)s)") % {"time": until.strftime("%H:%M")})
    if len(reader.problems) > before or day is None:
        return None
    return ExceptionSpec(day=day, runs=runs, note=note, until=until, resumes=resumes)


# --- Writing a definition back (the export; importing it again changes nothing) ------------------------------

RULE_KIND_NAMES = {number: name for name, number in RULE_KINDS.items()}


def _hh_mm(value: time) -> str:
    return value.strftime("%H:%M")


def _days(weekdays: str) -> list[int]:
    return [int(d) for d in weekdays]


def area_document(area: AreaSpec) -> dict:
    rule = area.booking_rule
    return {
        "code": area.code, "name": area.name, "district": area.district, "geometry": area.geometry,
        "door_to_door": area.door_to_door, "speed_kmh": area.speed_kmh, "detour_factor": area.detour_factor,
        "stop_minutes": area.stop_minutes, "pickup_window_minutes": area.pickup_window_minutes,
        "max_wait_minutes": area.max_wait_minutes, "max_ride_alpha": area.max_ride_alpha,
        "max_ride_beta_minutes": area.max_ride_beta_minutes, "phone_number": area.phone_number,
        "weekdays": _days(area.weekdays),
        "booking_rule": {
            "kind": RULE_KIND_NAMES[rule.kind], "min_notice_minutes": rule.min_notice_minutes,
            "max_notice_minutes": rule.max_notice_minutes, "prior_day_cutoff": _hh_mm(rule.prior_day_cutoff),
            "max_days_ahead": rule.max_days_ahead, "cancel_minutes_before": rule.cancel_minutes_before,
            "no_show_limit": rule.no_show_limit, "no_show_period_days": rule.no_show_period_days,
            "late_cancel_counts": rule.late_cancel_counts, "message": rule.message},
        "fares": [{"code": f.code, "name": f.name, "price_yen": f.price_yen} for f in area.fares],
        "meeting_points": [{"code": p.code, "name": p.name, "lat": p.lat, "lon": p.lon, "note": p.note}
                           for p in area.points],
        "drivers": [{"code": d.code, "name": d.name, "phone": d.phone} for d in area.drivers],
        "vehicles": [{"code": v.code, "name": v.name, "seats": v.seats, "wheelchair_spaces": v.wheelchair_spaces,
                      "depot_lat": v.depot_lat, "depot_lon": v.depot_lon, "active": v.active,
                      "shifts": [{"weekdays": _days(s.weekdays), "start": _hh_mm(s.start), "end": _hh_mm(s.end),
                                  "driver": s.driver} for s in v.shifts]} for v in area.vehicles],
        "exceptions": [{"day": e.day.isoformat(), "runs": e.runs, **({"until": _hh_mm(e.until)} if e.until else {}),
                        **({"resumes": _hh_mm(e.resumes)} if e.resumes else {}), "note": e.note}
                       for e in area.exceptions],
    }


def to_document(areas: list[AreaSpec], description: str = "") -> dict:
    document: dict = {"format": FORMAT, "version": VERSION}
    if description:
        document["description"] = description
    document["areas"] = [area_document(a) for a in areas]
    return document


_FLAT_LIST = re.compile(r"\[\s*([^\[\]{}]*?)\s*\]", re.DOTALL)


def dumps(document: dict) -> str:
    """The document as readable JSON: indented, with lists of plain values (coordinates, weekdays) on one line."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _FLAT_LIST.sub(lambda m: "[" + re.sub(r"\s*\n\s*", " ", m.group(1)) + "]", text) + "\n"
