"""A service day as a darp instance, and back (the translation only; the algorithms are `toki.transport.darp`'s).

Nodes: one depot per vehicle-day, then a pickup and a drop-off node per booking. Times are minutes after the
day's local midnight. Vehicle ids are VehicleDay ids, request ids Booking ids (as text). A booking already on a
plan keeps its promised pickup window (darp's `Plan.promises`); the stops whose planned time has passed are
locked at the head of their route."""

from datetime import datetime

from django.utils.translation import gettext as _

from toki.transport import darp
from toki.transport.rides import plans
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
                "promised_pickup_from", "promised_pickup_until")


class DayModel:
    """The instance, the current plan and the lookups between them."""

    def __init__(self, area, days: list[VehicleDay], new: Booking | None, now: datetime):
        self.area, self.days, self.now = area, days, now
        self.day_start = day_start_of(days)
        ids = {s["booking"] for vd in days for s in vd.stops}
        self.bookings = {b.pk: b for b in Booking.objects.filter(pk__in=ids).only(*MODEL_FIELDS)}
        if new is not None:
            self.bookings[new.pk] = new
        # One node per distinct place: a day's plan visits the same few meeting points many times, and darp's
        # requests may share nodes, so the matrix stays the size of the area's points, not of the bookings.
        nodes: dict[tuple[float, float], int] = {}

        def node(lat: float, lon: float) -> int:
            return nodes.setdefault((round(lat, 7), round(lon, 7)), len(nodes))

        depots = [node(vd.vehicle.depot_lat, vd.vehicle.depot_lon) for vd in days]
        order = sorted(self.bookings)
        ends = {pk: (node(self.bookings[pk].origin_lat, self.bookings[pk].origin_lon),
                     node(self.bookings[pk].destination_lat, self.bookings[pk].destination_lon)) for pk in order}
        travel = travel_for(area).matrix(list(nodes)).minutes
        vehicles = tuple(darp.Vehicle(
            id=str(vd.pk), capacity=vd.vehicle.seats, wheelchair_spaces=vd.vehicle.wheelchair_spaces,
            start_depot=depots[i], end_depot=depots[i], shift_start=minutes_of(self.day_start, vd.start),
            shift_end=minutes_of(self.day_start, vd.end)) for i, vd in enumerate(days))
        requests = []
        promises = {}
        for pk in order:
            b = self.bookings[pk]
            pickup_window, dropoff_window, max_ride = request_windows(area, b, self.day_start)
            if b.promised_pickup_from is not None and pk != getattr(new, "pk", None):
                promises[str(pk)] = promised_windows(b, self.day_start)
            requests.append(darp.Request(
                id=str(pk), pickup=ends[pk][0], dropoff=ends[pk][1], pickup_window=pickup_window,
                dropoff_window=dropoff_window, load=b.passengers - b.wheelchairs, wheelchair=b.wheelchairs,
                service_time=float(area.stop_minutes), max_ride_time=max_ride))
        self.instance = darp.Instance(tuple(requests), vehicles, tuple(tuple(row) for row in travel),
                                      horizon=(0.0, 48 * 60.0), name=f"{area.code}-{days[0].day}")
        routes = []
        self.locked = {}
        for vd in days:
            stops = tuple(darp.Stop(str(s["booking"]), s["kind"]) for s in vd.stops)
            routes.append(darp.Route(str(vd.pk), stops))
            self.locked[str(vd.pk)] = sum(1 for s in vd.stops if datetime.fromisoformat(s["at"]) <= now)
        unassigned = (str(new.pk),) if new is not None else ()
        self.plan = darp.Plan(tuple(routes), unassigned, promises)

    def stops_of(self, plan: darp.Plan) -> dict[int, list[dict]]:
        routes = {}
        for route in plan.routes:
            routes[int(route.vehicle_id)] = [
                plans.stop(self.bookings[int(stop.request_id)], stop.kind, at(self.day_start, when))
                for stop, when in zip(route.stops, route.times, strict=True)]
        return routes


def insert(area, days: list[VehicleDay], booking: Booking, *, now: datetime) -> Offer | Refusal:
    model = DayModel(area, days, booking, now)
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


def improve(area, days: list[VehicleDay], *, now: datetime, seconds: float, seed: int) -> dict[int, list[dict]]:
    """The day's plans re-optimised (promises and served stops kept); the same routes when nothing better."""
    model = DayModel(area, days, None, now)
    better = darp.improve(model.instance, model.plan, time_limit=seconds, seed=seed, keep_promises=True,
                          locked=model.locked)
    if better.unassigned:
        raise AssertionError(f"the re-optimiser dropped {better.unassigned}: darp broke its contract")
    return model.stops_of(better)
