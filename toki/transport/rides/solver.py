"""A service day as a darp instance, and back (the translation only; the algorithms are `toki.transport.darp`'s).

Nodes: one depot per vehicle-day, then a pickup and a drop-off node per booking. Times are minutes after the
day's local midnight. Vehicle ids are VehicleDay ids, request ids Booking ids (as text). A booking already on a
plan keeps its promised pickup window (darp's `Plan.promises`); the stops already served — marked done on the
driver's tablet, or whose planned time has passed — are locked at the head of their route (`served_heads`)."""

from datetime import datetime

from django.utils.translation import gettext as _

from toki.transport import darp
from toki.transport.rides import plans, warm
from toki.transport.rides.dispatch import (
    Offer,
    Refusal,
    at,
    day_start_of,
    minutes_of,
    promised_windows,
    request_windows,
)
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.travel import travel_for


def reason_text(reason: str) -> str:
    if reason == darp.insertion.TOO_BIG:
        return _("No vehicle has room for this group.")
    if reason == darp.insertion.NO_FEASIBLE_SLOT:
        return _("Every vehicle is busy at that time.")
    return _("No vehicle can make this trip at that time.")

# What the instance is built from (the rest of a booking is not read here).
MODEL_FIELDS = ("id", "origin_lat", "origin_lon", "destination_lat", "destination_lon", "earliest_pickup",
                "latest_arrival", "passengers", "wheelchairs", "evacuation", "direct_minutes",
                "promised_pickup_from", "promised_pickup_until", "created_at")


# What darp derives from an Instance's matrix and caches on it (darp.model.Instance.matrices, core.Problem).
DERIVED_MATRICES = ("matrices", "arrays")


def _stop_ends(days: list[VehicleDay]) -> dict[int, dict[str, dict]]:
    """booking id → its stops on the plans by kind ("pickup", "dropoff")."""
    ends: dict[int, dict[str, dict]] = {}
    for vd in days:
        for stop in vd.stops:
            ends.setdefault(stop["booking"], {})[stop["kind"]] = stop
    return ends


def _same_trip(booking: Booking, ends: dict[str, dict]) -> bool:
    """A remembered booking agrees with its stops on the plan (the places and the group). Booking ids are never
    reused by the database; this guards against the one case where they are: a test database rolled back."""
    pickup, dropoff = ends.get("pickup"), ends.get("dropoff")
    return (pickup is not None and dropoff is not None
            and (pickup["lat"], pickup["lon"], pickup["pax"], pickup["wheelchairs"])
            == (booking.origin_lat, booking.origin_lon, booking.passengers, booking.wheelchairs)
            and (dropoff["lat"], dropoff["lon"]) == (booking.destination_lat, booking.destination_lon))


def _still_the_same(known, ends: dict[int, dict[str, dict]]) -> list[int]:
    """The remembered bookings on the plans that are still the rows they were: the same creation time (one light
    query) and the same trip as their stops. Booking ids are not reused in production; a test database rolled back
    (or a restored one) reuses them, and a stale trip or promise must never reach the solver."""
    remembered = [pk for pk in ends if pk in known.bookings]
    if not remembered:
        return []
    created = dict(Booking.objects.filter(pk__in=remembered).values_list("pk", "created_at"))
    return [pk for pk in remembered
            if created.get(pk) == known.bookings[pk].created_at and _same_trip(known.bookings[pk], ends[pk])]


def served_heads(days: list[VehicleDay], now: datetime, marks: dict[int, plans.Marks] | None = None) -> dict[str, int]:
    """VehicleDay id → how many stops at the head of its route are served: they stay as they are (darp's `locked`:
    nothing is inserted before them, the re-optimiser moves none of them). The head runs up to the last stop that
    is either done — the driver's tablet marked its rider boarded or dropped off (`plans.is_done`), even when the
    driver was early and its planned time is still to come — or whose planned time has passed (a pickup not yet
    marked stays put: the vehicle is there or on its way), or the one its last position said it is on its way to,
    late (`VehicleDay.expected_next`: its time was pushed past now, and the vehicle is still heading there). Marks
    are made only on the ride's day, so the bookings' states are read (one query, `plans.marks_of`, unless given as
    `marks`) only for today's plans."""
    if marks is None:
        marks = plans.marks_of(days, now)
    statuses = {pk: mark.status for pk, mark in marks.items()}

    def served(stop: dict, heading_to: dict[tuple[int, str], datetime]) -> bool:
        return (datetime.fromisoformat(stop["at"]) <= now or plans.is_done(stop, statuses.get(stop["booking"]))
                or (stop["booking"], stop["kind"]) in heading_to)

    heads = {}
    for vd in days:
        heading_to = plans.floors_of(vd)
        heads[str(vd.pk)] = max((i + 1 for i, s in enumerate(vd.stops) if served(s, heading_to)), default=0)
    return heads


class DayModel:
    """The instance, the current plan and the lookups between them. Built on what this process already knows of
    the day (`warm.py`): only bookings it has not seen are read, and the travel source is asked again only when a
    new place appears."""

    def __init__(self, area, days: list[VehicleDay], new: Booking | None, now: datetime, *,
                 keep_promise: bool = False):
        self.area, self.days, self.now = area, days, now
        self.day_start = day_start_of(days)
        day = days[0].day
        known = warm.recall(area, day)
        ends = _stop_ends(days)
        self.bookings = {pk: known.bookings[pk] for pk in _still_the_same(known, ends)}
        missing = ends.keys() - self.bookings.keys()
        if missing:
            self.bookings.update((b.pk, b) for b in Booking.objects.filter(pk__in=missing).only(*MODEL_FIELDS))
        # One node per distinct place: a day's plan visits the same few meeting points many times, and darp's
        # requests may share nodes, so the matrix stays the size of the area's points, not of the bookings.
        # Nodes only grow, so the requests kept warm keep their node indices.
        nodes = dict(known.nodes)

        def node(lat: float, lon: float) -> int:
            return nodes.setdefault((round(lat, 7), round(lon, 7)), len(nodes))

        depots = [node(vd.vehicle.depot_lat, vd.vehicle.depot_lon) for vd in days]
        everyone = dict(self.bookings)
        if new is not None:
            everyone[new.pk] = new
        places = {pk: (node(b.origin_lat, b.origin_lon), node(b.destination_lat, b.destination_lon))
                  for pk, b in everyone.items()}
        same_places = len(nodes) == len(known.nodes) and known.travel
        travel = known.travel if same_places else tuple(
            tuple(row) for row in travel_for(area).matrix(list(nodes)).minutes)
        vehicles = tuple(darp.Vehicle(
            id=str(vd.pk), capacity=vd.vehicle.seats, wheelchair_spaces=vd.vehicle.wheelchair_spaces,
            start_depot=depots[i], end_depot=depots[i], shift_start=minutes_of(self.day_start, vd.start),
            shift_end=minutes_of(self.day_start, vd.end)) for i, vd in enumerate(days))
        requests = {pk: known.requests[pk] for pk, b in self.bookings.items()
                    if pk in known.requests and b is known.bookings[pk]}
        promises = {}
        for pk, b in everyone.items():
            if pk not in requests or pk == getattr(new, "pk", None):
                requests[pk] = self._request(b, places[pk])
            if b.promised_pickup_from is not None and (keep_promise or pk != getattr(new, "pk", None)):
                promises[str(pk)] = promised_windows(b, self.day_start)
        self.instance = darp.Instance(tuple(requests[pk] for pk in sorted(requests)), vehicles, travel,
                                      horizon=(0.0, 48 * 60.0), name=f"{area.code}-{day}")
        if same_places and known.instance is not None:  # the same matrix: darp's list and array forms of it too
            derived = known.instance.__dict__  # looked up, not iterated: another thread may be adding to it
            self.instance.__dict__.update({name: derived[name] for name in DERIVED_MATRICES if name in derived})
        routes = []
        for vd in days:
            stops = tuple(darp.Stop(str(s["booking"]), s["kind"]) for s in vd.stops)
            routes.append(darp.Route(str(vd.pk), stops))
        self.marks = plans.marks_of(days, now)
        self.floors = {vd.pk: plans.floors_of(vd) for vd in days}  # running late by position: on the rows read
        self.locked = served_heads(days, now, self.marks)
        self.places, self.travel = places, travel
        unassigned = (str(new.pk),) if new is not None else ()
        self.plan = darp.Plan(tuple(routes), unassigned, promises)
        self.bookings = everyone
        # What was read from the committed plans (never the new booking: it is learnt from the plans once it is
        # on them), for the next booking of this day in this process.
        kept = {pk: b for pk, b in everyone.items() if pk in ends}
        warm.remember_when_committed(area, day, warm.WarmDay(
            bookings=kept, requests={pk: requests[pk] for pk in kept}, nodes=nodes, travel=travel,
            instance=self.instance))

    def _request(self, b: Booking, places: tuple[int, int]) -> darp.Request:
        pickup_window, dropoff_window, max_ride = request_windows(self.area, b, self.day_start)
        return darp.Request(
            id=str(b.pk), pickup=places[0], dropoff=places[1], pickup_window=pickup_window,
            dropoff_window=dropoff_window, load=b.passengers - b.wheelchairs, wheelchair=b.wheelchairs,
            service_time=float(self.area.stop_minutes), max_ride_time=max_ride)

    def stops_of(self, plan: darp.Plan) -> dict[int, list[dict]]:
        """The plan's routes as VehicleDay.stops, with darp's times moved to what the tablets recorded and to where
        a late vehicle's last position said it would be (`plans.as_running` with the marks and the plan's floor,
        `VehicleDay.expected_next`), so that a solver's write never puts back times the vehicle has missed."""
        routes = {}
        for route in plan.routes:
            stops = [plans.stop(self.bookings[int(stop.request_id)], stop.kind, at(self.day_start, when))
                     for stop, when in zip(route.stops, route.times, strict=True)]
            floors = self.floors.get(int(route.vehicle_id))
            routes[int(route.vehicle_id)] = self._as_running(route, stops, floors) if self.marks or floors else stops
        return routes

    def _as_running(self, route: darp.Route, stops: list[dict], floors) -> list[dict]:
        nodes = [self.places[int(s.request_id)][0 if s.kind == darp.PICKUP else 1] for s in route.stops]

        def minutes_between(i: int, j: int) -> float:
            return self.travel[nodes[i]][nodes[j]]

        return plans.as_running(stops, self.marks, float(self.area.stop_minutes), minutes_between, floors)


def insert(area, days: list[VehicleDay], booking: Booking, *, now: datetime,
           keep_promise: bool = False) -> Offer | Refusal:
    model = DayModel(area, days, booking, now, keep_promise=keep_promise)
    request = model.instance.request(str(booking.pk))
    result = darp.insert(model.instance, model.plan, request, locked=model.locked,
                         now=minutes_of(model.day_start, now), promise_width=float(area.pickup_window_minutes))
    if not result.accepted:
        return Refusal(reason_text(result.reason))
    assert result.plan is not None and result.promised_pickup is not None
    assert result.predicted_pickup is not None and result.predicted_arrival is not None
    vehicle_day = next(vd for vd in days if str(vd.pk) == result.vehicle_id)
    low, high = result.promised_pickup
    return Offer(vehicle=vehicle_day.vehicle, routes=model.stops_of(result.plan),
                 pickup_window=(at(model.day_start, low), at(model.day_start, high)),
                 pickup_at=at(model.day_start, result.predicted_pickup),
                 dropoff_at=at(model.day_start, result.predicted_arrival))


def improve(area, days: list[VehicleDay], *, now: datetime, seconds: float, seed: int,
            max_iterations: int | None = None) -> dict[int, list[dict]]:
    """The day's plans re-optimised (promises and served stops kept); the same routes when nothing better."""
    model = DayModel(area, days, None, now)
    better = darp.improve(model.instance, model.plan, time_limit=seconds, seed=seed, keep_promises=True,
                          locked=model.locked, max_iterations=max_iterations)
    if better.unassigned:
        raise AssertionError(f"the re-optimiser dropped {better.unassigned}: darp broke its contract")
    return model.stops_of(better)


def rebase(area, days: list[VehicleDay], improved: dict[int, list[dict]], *,
           now: datetime) -> dict[int, list[dict]] | None:
    """The re-optimiser's routes, searched on plans that bookings changed since, brought up to date: the stops of
    rides cancelled meanwhile left out, the rides booked meanwhile put in (each inside the pickup window it was
    promised: darp keeps every promise), the served heads as they are now. Answered only when the result is
    feasible, carries every ride of the current plans and costs less than them; otherwise None (nothing to write).
    Without it, under a steady stream of bookings every round's search was thrown away (docs/rides.md)."""
    model = DayModel(area, days, None, now)
    on_plans = {stop.request_id for route in model.plan.routes for stop in route.stops}
    routes = []
    for route in model.plan.routes:
        theirs = improved.get(int(route.vehicle_id))
        if theirs is None:  # a vehicle-day made after the search began
            return None
        stops = tuple(darp.Stop(str(s["booking"]), s["kind"]) for s in theirs if str(s["booking"]) in on_plans)
        head = model.locked[route.vehicle_id]
        if stops[:head] != route.stops[:head]:  # a stop was served, or became due, differently since
            return None
        routes.append(darp.Route(route.vehicle_id, stops))
    placed = {stop.request_id for route in routes for stop in route.stops}
    candidate = darp.Plan(tuple(routes), tuple(sorted(on_plans - placed)), model.plan.promises)
    try:  # no search time: only the rides booked meanwhile are inserted (ALNS's regret repair), then scheduled
        rebased = darp.improve(model.instance, candidate, time_limit=0.0, keep_promises=True, locked=model.locked)
    except ValueError:  # a route the 8-step schedule finds infeasible now (darp's PlanError)
        return None
    cheaper = darp.plan_cost(model.instance, rebased) < darp.plan_cost(model.instance, model.plan) - 1e-6
    if rebased.unassigned or not cheaper:
        return None
    return model.stops_of(rebased)
