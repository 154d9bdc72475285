"""What a new service definition changes, and which booked rides it would strand (docs/rides.md, "Setting up the
service"). Pure but for the travel source: the caller reads the area's state, bookings and plans (selectors_setup)
and writes nothing here.

- `diff(state, new)`: the changes, object by object and field by field (keyed by codes, days for the calendar).
- `stranded(current, new, bookings, plans)`: the rides booked from today on that the new definition would leave
  without their service — the day no longer runs, their meeting point or vehicle is taken out of service or
  moved, their door-to-door place falls outside the area, or their vehicle's plan no longer fits its hours, seats,
  stop minutes, travel times or the maximum ride time. Each rule is asked of the definition as it is and as it
  would be; only what the change breaks is named (a plan that already strained a rule is not blamed on it)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from toki.lib.geo import point_in_geometry
from toki.transport.rides.rules import asked_time, in_pause
from toki.transport.rides.service_file import AREA_SETTINGS, AreaSpec, PointSpec, VehicleSpec, area_document
from toki.transport.rides.travel import matrix_for

SLACK_MINUTES = 0.5  # the plans' times are rounded to the hundredth of a minute


@dataclass(frozen=True)
class Change:
    area: str  # the area's code
    kind: str  # area, booking_rule, fare, meeting_point, driver, vehicle, shifts, exception
    key: str  # the object's code (a day for an exception, the vehicle's code for its shifts)
    verb: str  # create, update, deactivate, delete
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (field, before, after) as the file writes them

    def audit_changes(self) -> dict:
        return {"area": self.area, "key": self.key,
                "fields": {name: [before, after] for name, before, after in self.fields}}

    def __str__(self) -> str:
        text = f"{self.area} {kind_label(self.kind)} {self.key}: {verb_label(self.verb)}"
        shown = [f"{name} {shown_value(name, before)} → {shown_value(name, after)}"
                 for name, before, after in self.fields if self.verb == "update"]
        return f"{text} ({'; '.join(shown)})" if shown else text


def kind_label(kind: str) -> str:
    return {"area": pgettext("service change", "area"), "booking_rule": pgettext("service change", "booking rule"),
            "fare": pgettext("service change", "fare"), "meeting_point": pgettext("service change", "meeting point"),
            "driver": pgettext("service change", "driver"), "vehicle": pgettext("service change", "vehicle"),
            "shifts": pgettext("service change", "shifts of"),
            "exception": pgettext("service change", "calendar exception")}.get(kind, kind)


def verb_label(verb: str) -> str:
    return {"create": pgettext("service change", "added"), "update": pgettext("service change", "changed"),
            "deactivate": pgettext("service change", "taken out of service (kept for its bookings)"),
            "delete": pgettext("service change", "removed")}.get(verb, verb)


def shown_value(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name == "geometry" and isinstance(value, dict):
        positions = sum(len(ring) for ring in _rings(value))
        return _("%(type)s of %(count)s positions") % {"type": value.get("type"), "count": positions}
    if name == "shifts":
        return ", ".join(f"{_weekdays(s['weekdays'])} {s['start']}–{s['end']}"
                         + (f" {s['driver']}" if s.get("driver") else "") for s in value) or "—"
    if name == "weekdays":
        return _weekdays(value)
    if isinstance(value, bool):
        return pgettext("service change", "yes") if value else pgettext("service change", "no")
    return str(value)


def _rings(geometry: dict) -> list:
    coordinates = geometry.get("coordinates") or []
    return [ring for part in coordinates for ring in part] if geometry.get("type") == "MultiPolygon" else coordinates


def _weekdays(days: list[int]) -> str:
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return "・".join(names[d - 1] for d in days) or "—"


# --- The changes --------------------------------------------------------------------------------------------------

def _fields(before: dict | None, after: dict, names) -> tuple[tuple[str, Any, Any], ...]:
    """(name, before, after) of each field that differs; a key one side leaves out (an optional one, such as an
    exception's `until`, is written only when set) counts as None."""
    if before is None:
        return tuple((name, None, after.get(name)) for name in names)
    return tuple((name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name))


def _by_code(items: list[dict], key: str = "code") -> dict[str, dict]:
    return {item[key]: item for item in items}


def diff(state, new: AreaSpec, today: date) -> list[Change]:
    """The changes that make the area (`state`: selectors_setup.AreaState, None for a new area) say `new`."""
    after = area_document(new)
    before = area_document(state.spec) if state is not None else None
    code = new.code
    changes: list[Change] = []
    fields = _fields(before, after, AREA_SETTINGS)
    if before is None or fields:
        changes.append(Change(code, "area", code, "create" if before is None else "update", fields))
    rule_names = list(after["booking_rule"])
    rule_before = before["booking_rule"] if before is not None and state.has_rule else None
    fields = _fields(rule_before, after["booking_rule"], rule_names)
    if fields:
        changes.append(Change(code, "booking_rule", code, "update" if rule_before is not None else "create", fields))
    for kind, key in (("fare", "fares"), ("driver", "drivers")):
        changes += _collection(code, kind, _by_code(before[key]) if before else {}, _by_code(after[key]),
                               removed=lambda _code: "delete")
    changes += _points(state, before, after)
    changes += _vehicles(state, before, after)
    old_days = _by_code(before["exceptions"], "day") if before else {}
    new_days = _by_code(after["exceptions"], "day")
    changes += _collection(code, "exception", {d: e for d, e in old_days.items()
                                               if d in new_days or date.fromisoformat(d) >= today},
                           new_days, removed=lambda _day: "delete")
    return changes


def _collection(area: str, kind: str, before: dict[str, dict], after: dict[str, dict], *, removed) -> list[Change]:
    changes = []
    for code, item in after.items():
        keys = list(item) + [name for name in before.get(code, {}) if name not in item]
        names = [name for name in keys if name not in ("code", "day", "shifts")]
        fields = _fields(before.get(code), item, names)
        if code not in before or fields:
            changes.append(Change(area, kind, code, "update" if code in before else "create", fields))
    for code in before:
        if code not in after:
            verb = removed(code)
            if verb:
                changes.append(Change(area, kind, code, verb, ()))
    return changes


def _points(state, before: dict | None, after: dict) -> list[Change]:
    """A point left out is deleted when nothing ever named it, else taken out of service; one listed again comes
    back into service."""
    area = after["code"]
    old = _by_code(before["meeting_points"]) if before else {}
    if state is not None:
        for code, point in state.inactive_points.items():
            if code in _by_code(after["meeting_points"]):
                old[code] = {"code": point.code, "name": point.name, "lat": point.lat, "lon": point.lon,
                             "note": point.note, "active": False}
    new = {code: {**item, "active": True} for code, item in _by_code(after["meeting_points"]).items()}
    for item in old.values():
        item.setdefault("active", True)
    named = state.named_points if state is not None else set()
    return _collection(area, "meeting_point", old, new,
                       removed=lambda code: "deactivate" if code in named else "delete")


def _vehicles(state, before: dict | None, after: dict) -> list[Change]:
    """A vehicle left out is deleted when it never had a booking or a tablet, else taken out of service; its
    shifts are one change (the list as a whole)."""
    area = after["code"]
    old = _by_code(before["vehicles"]) if before else {}
    new = _by_code(after["vehicles"])
    named = state.named_vehicles if state is not None else set()

    def removed(code: str) -> str:
        if code not in named:
            return "delete"
        return "deactivate" if old[code]["active"] else ""

    changes = _collection(area, "vehicle", old, new, removed=removed)
    for code, vehicle in new.items():
        shifts_before = old[code]["shifts"] if code in old else []
        if vehicle["shifts"] != shifts_before:
            changes.append(Change(area, "shifts", code, "update", (("shifts", shifts_before, vehicle["shifts"]),)))
    return changes


# --- Rides the new definition would strand ------------------------------------------------------------------------

@dataclass(frozen=True)
class Stranded:
    booking_id: int
    label: str  # number, day, time and places: no names (the command's output may be kept)
    reason: str

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"


def booking_label(booking) -> str:
    when = booking.planned_pickup or booking.earliest_pickup or booking.latest_arrival
    origin = booking.origin.name if booking.origin_id else f"{booking.origin_lat:.5f}, {booking.origin_lon:.5f}"
    destination = booking.destination.name if booking.destination_id else \
        f"{booking.destination_lat:.5f}, {booking.destination_lon:.5f}"
    return _("booking #%(number)s (%(day)s %(time)s, %(origin)s → %(destination)s)") % {
        "number": booking.pk, "day": booking.service_date.isoformat(),
        "time": timezone.localtime(when).strftime("%H:%M") if when else "—", "origin": origin,
        "destination": destination}


def stranded(current: AreaSpec | None, new: AreaSpec, bookings: list, plans: list, *,
             now: datetime | None = None) -> list[Stranded]:
    """The booked rides `new` would strand that `current` serves, each with the first reason found."""
    if current is None or not bookings:
        return []
    now = now or timezone.now()
    travel = _Travel()
    before = _reasons(current, new, current, bookings, plans, now, travel)
    after = _reasons(current, new, new, bookings, plans, now, travel)
    found = []
    for booking in bookings:
        broken = [reason for key, reason in after.get(booking.pk, {}).items()
                  if key not in before.get(booking.pk, {})]
        if broken:
            found.append(Stranded(booking.pk, booking_label(booking), broken[0]))
    return found


class _Travel:
    """Travel minutes under a definition's speed and detour factor, asked once per list of places."""

    def __init__(self):
        self.known: dict[tuple, list[list[float]]] = {}

    def minutes(self, spec: AreaSpec, points: list[tuple[float, float]]) -> list[list[float]]:
        key = (spec.speed_kmh, spec.detour_factor, tuple(points))
        if key not in self.known:
            area = SimpleNamespace(speed_kmh=spec.speed_kmh, detour_factor=spec.detour_factor)
            self.known[key] = matrix_for(area, points).minutes
        return self.known[key]


def _bounds(vehicle: VehicleSpec, day: date) -> tuple[datetime, datetime] | None:
    running = [s for s in vehicle.shifts if str(day.isoweekday()) in s.weekdays]
    if not running:
        return None
    return (timezone.make_aware(datetime.combine(day, min(s.start for s in running))),
            timezone.make_aware(datetime.combine(day, max(s.end for s in running))))


def _plan_signature(spec: AreaSpec, vehicle: VehicleSpec | None, day: date) -> tuple:
    """What a plan's fit depends on; the same under both definitions: nothing to check."""
    if vehicle is None:
        return ()
    return (vehicle.active, vehicle.depot_lat, vehicle.depot_lon, vehicle.seats, vehicle.wheelchair_spaces,
            _bounds(vehicle, day), spec.speed_kmh, spec.detour_factor, spec.stop_minutes, spec.max_ride_alpha,
            spec.max_ride_beta_minutes)


def _pause_reason(pause: tuple, day: date) -> str:
    start, resumes = pause
    if resumes is None:
        return _("the service stops at %(time)s on %(day)s") % {"time": start.strftime("%H:%M"),
                                                                 "day": day.isoformat()}
    return _("the service is suspended from %(time)s to %(resumes)s on %(day)s") % {
        "time": start.strftime("%H:%M"), "resumes": resumes.strftime("%H:%M"), "day": day.isoformat()}


def _reasons(current: AreaSpec, new: AreaSpec, spec: AreaSpec, bookings: list, plans: list, now: datetime,
             travel: _Travel) -> dict[int, dict[str, str]]:
    """booking id → {rule: why `spec` does not serve it}."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for booking in bookings:
        if not booking.evacuation and not spec.runs_on(booking.service_date):
            found[booking.pk]["calendar"] = _("the service does not run on %(day)s") % {
                "day": booking.service_date.isoformat()}
        pause = spec.pause_on(booking.service_date)
        if (not booking.evacuation and pause is not None
                and in_pause(asked_time(booking.earliest_pickup, booking.latest_arrival), *pause)):
            found[booking.pk]["calendar"] = _pause_reason(pause, booking.service_date)
        for end, point, lat, lon in (("origin", booking.origin, booking.origin_lat, booking.origin_lon),
                                     ("destination", booking.destination, booking.destination_lat,
                                      booking.destination_lon)):
            _place_reasons(found[booking.pk], spec, end, point, lat, lon)
        if booking.vehicle_id is not None:
            vehicle = spec.vehicle(booking.vehicle.code)
            if vehicle is None or not vehicle.active:
                found[booking.pk]["vehicle"] = _("%(vehicle)s is taken out of service") % {
                    "vehicle": booking.vehicle.name}
    active = {b.pk: b for b in bookings}
    for plan in plans:
        if not any(stop["booking"] in active for stop in plan.stops):
            continue
        vehicle = spec.vehicle(plan.vehicle.code)
        code = plan.vehicle.code
        if vehicle is None or not vehicle.active or \
                _plan_signature(current, current.vehicle(code), plan.day) == \
                _plan_signature(new, new.vehicle(code), plan.day):
            continue
        for pk, key, reason in _plan_reasons(spec, vehicle, plan, active, now, travel):
            if pk in active:
                found[pk].setdefault(key, reason)
    return found


def _place_reasons(found: dict[str, str], spec: AreaSpec, end: str, point, lat: float, lon: float) -> None:
    if point is not None:
        listed: PointSpec | None = spec.point(point.code)
        if listed is None:
            found[f"point:{end}"] = _("%(point)s is taken out of service") % {"point": point.name}
        elif (listed.lat, listed.lon) != (lat, lon):
            found[f"point:{end}"] = _("%(point)s moves") % {"point": point.name}
    elif not spec.door_to_door:
        found["door_to_door"] = _("the area no longer picks up door to door")
    elif not point_in_geometry(lat, lon, spec.geometry):
        found[f"place:{end}"] = _("%(lat).5f, %(lon).5f lies outside the area") % {"lat": lat, "lon": lon}


def _plan_reasons(spec: AreaSpec, vehicle: VehicleSpec, plan, bookings: dict, now: datetime, travel: _Travel):
    """(booking id, rule, why) for each stop of the plan `spec` no longer fits: the vehicle's hours that day,
    from and back to its depot, the stop minutes and travel times between stops, its seats and wheelchair
    spaces, the maximum ride time."""
    stops = plan.stops
    name = vehicle.name
    bounds = _bounds(vehicle, plan.day)
    if bounds is None:
        for stop in stops:
            yield stop["booking"], "hours", _("%(vehicle)s has no shift on %(day)s") % {
                "vehicle": name, "day": plan.day.isoformat()}
        return
    start, end = bounds
    slack = timedelta(minutes=SLACK_MINUTES)
    depot = (vehicle.depot_lat, vehicle.depot_lon)
    minutes = travel.minutes(spec, [depot] + [(s["lat"], s["lon"]) for s in stops] + [depot])
    times = [datetime.fromisoformat(s["at"]) for s in stops]
    service = timedelta(minutes=spec.stop_minutes)
    if times[0] > now and times[0] + slack < start + timedelta(minutes=minutes[0][1]):
        yield stops[0]["booking"], "start", _("%(vehicle)s cannot reach it from its depot after %(time)s") % {
            "vehicle": name, "time": timezone.localtime(start).strftime("%H:%M")}
    for i in range(len(stops) - 1):
        if times[i + 1] + slack < times[i] + service + timedelta(minutes=minutes[i + 1][i + 2]):
            yield stops[i + 1]["booking"], "timing", _(
                "the plan of %(vehicle)s no longer leaves time to get there (stop minutes or travel times)") % {
                "vehicle": name}
    last = len(stops)
    if times[-1] + service + timedelta(minutes=minutes[last][last + 1]) > end + slack:
        yield stops[-1]["booking"], "end", _("%(vehicle)s cannot be back at its depot by %(time)s") % {
            "vehicle": name, "time": timezone.localtime(end).strftime("%H:%M")}
    seats = wheelchairs = 0
    aboard: set[int] = set()
    for stop in stops:
        sign = 1 if stop["kind"] == "pickup" else -1
        seats += sign * (stop["pax"] - stop["wheelchairs"])
        wheelchairs += sign * stop["wheelchairs"]
        (aboard.add if sign > 0 else aboard.discard)(stop["booking"])
        if seats > vehicle.seats or wheelchairs > vehicle.wheelchair_spaces:
            for pk in sorted(aboard):
                yield pk, "seats", _("%(vehicle)s would carry more than its %(seats)s seats and %(spaces)s "
                                     "wheelchair spaces") % {"vehicle": name, "seats": vehicle.seats,
                                                             "spaces": vehicle.wheelchair_spaces}
    pickups = {s["booking"]: t for s, t in zip(stops, times, strict=True) if s["kind"] == "pickup"}
    for stop, at in zip(stops, times, strict=True):
        booking = bookings.get(stop["booking"])
        if stop["kind"] != "dropoff" or booking is None or booking.pk not in pickups:
            continue
        ride = (at - pickups[booking.pk] - service).total_seconds() / 60
        if ride > spec.max_ride_alpha * booking.direct_minutes + spec.max_ride_beta_minutes + SLACK_MINUTES:
            yield booking.pk, "ride", _("the ride would be longer than the area's maximum ride time")
