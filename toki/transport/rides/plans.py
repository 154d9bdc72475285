"""Vehicle-day plans: which vehicles run on a day (their shifts), the rows a booking locks, and the route's
distances (vehicle-km and the empty share). Used by the actions and the re-optimiser; no permission checks here."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.transport.rides.models import Booking, Shift, Vehicle, VehicleDay, VehicleOutOfService
from toki.transport.rides.travel import matrix_or_estimate

logger = logging.getLogger(__name__)

# A stop the driver's tablet has marked done, by the booking's state: its pickup once the rider boarded, both its
# stops once the rider was dropped off. (A no-show's stops leave the plan, so they are never on it to be done.)
DONE_STATUSES = {"pickup": (Booking.Status.BOARDED, Booking.Status.COMPLETED), "dropoff": (Booking.Status.COMPLETED,)}


def is_done(stop: dict, status: str | None) -> bool:
    """Whether `stop` (one of VehicleDay.stops) is done, given its booking's status."""
    return status in DONE_STATUSES[stop["kind"]]


@dataclass(frozen=True)
class Marks:
    """What the tablets recorded of a booking on a plan: its status and the times of its boarding and drop-off."""

    status: str
    boarded_at: datetime | None
    dropped_off_at: datetime | None

    def time_of(self, stop: dict) -> datetime | None:
        """When the tablet recorded `stop` done (None: not done, or done without a time)."""
        if not is_done(stop, self.status):
            return None
        return self.boarded_at if stop["kind"] == "pickup" else self.dropped_off_at


def marks_of(days: list[VehicleDay], now: datetime) -> dict[int, Marks]:
    """booking id → its marks, for the bookings on `days` a tablet marked done. Marks are made only on the ride's
    day, so only today's plans are read (one query; none on another day's)."""
    if not days or days[0].day != timezone.localdate(now):
        return {}
    on_plans = {s["booking"] for vd in days for s in vd.stops}
    done = {status for kind in DONE_STATUSES.values() for status in kind}
    rows = Booking.objects.filter(pk__in=on_plans, status__in=done).values_list(
        "pk", "status", "boarded_at", "dropped_off_at")
    return {pk: Marks(status, boarded, dropped) for pk, status, boarded, dropped in rows}


def retimed(area, stops: list[dict], marks: dict[int, Marks],
            floors: dict[tuple[int, str], datetime] | None = None) -> list[dict]:
    """`as_running` with the drives between the route's stops from the area's travel source (its straight-line
    estimate when the source cannot answer: a fact recorded by a tablet is applied all the same)."""
    minutes = matrix_or_estimate(area, [(s["lat"], s["lon"]) for s in stops], logger, "re-timing a plan").minutes
    return as_running(stops, marks, float(area.stop_minutes), lambda i, j: minutes[i][j], floors)


def floors_of(vehicle_day: VehicleDay) -> dict[tuple[int, str], datetime]:
    """(booking id, kind) → no earlier than this: the stop the vehicle's last position said it would reach late
    (`VehicleDay.expected_next`, written by `actions.retime_from_position`), and when. Empty when none."""
    expected = vehicle_day.expected_next
    if not expected:
        return {}
    return {(expected["booking"], expected["kind"]): datetime.fromisoformat(expected["at"])}


# Later than planned by less than this is the solver's rounding or a driver a little behind: the plan is not
# rewritten for it (nor is every later rider's predicted time moved).
RUNNING_LATE_FROM = timedelta(minutes=1)


def as_running(stops: list[dict], marks: dict[int, Marks], stop_minutes: float,
               minutes_between: Callable[[int, int], float],
               floors: dict[tuple[int, str], datetime] | None = None) -> list[dict]:
    """The route's times as the vehicle is running: every stop not yet done no earlier than the stop before it
    (at the time its tablet recorded it, if done) plus the stop's time and the drive (`minutes_between(i - 1, i)`,
    by position in `stops`). So a vehicle running late pushes its later stops, and their riders' predicted times
    and 'near' reminders, later; one running early keeps them (nobody is picked up before their window). A done
    stop keeps its planned time (the records are on the booking: punctuality is the one against the other).
    `floors`: (booking id, kind) → no earlier than this, for a stop not yet done (where the vehicle's last position
    said it would be: `floors_of`); the stops after it follow as after a mark. A plan with no mark and no floor is
    given back as it is (its solver's times already leave room for every drive)."""
    running: list[dict] = []
    clock: datetime | None = None  # when the vehicle left the stop before, as far as is known
    for i, stop in enumerate(stops):
        planned = datetime.fromisoformat(stop["at"])
        mark = marks.get(stop["booking"])
        recorded = mark.time_of(stop) if mark else None
        if recorded is not None:
            running.append(stop)
            clock = recorded
            continue
        earliest = None if clock is None else clock + timedelta(minutes=stop_minutes + minutes_between(i - 1, i))
        floor = floors.get((stop["booking"], stop["kind"])) if floors else None
        if floor is not None and (earliest is None or floor > earliest):
            earliest = floor
        at = earliest if earliest is not None and earliest > planned + RUNNING_LATE_FROM else planned
        running.append(stop if at == planned else {**stop, "at": timezone.localtime(at).isoformat()})
        clock = at
    return running


def shift_bounds(vehicle: Vehicle, shifts: list[Shift], day: date) -> tuple[datetime, datetime] | None:
    """The first start and last end of the vehicle's shifts on `day` (None: it does not run)."""
    running = [s for s in shifts if s.vehicle_id == vehicle.pk and s.runs_on(day)]
    if not running:
        return None
    start = min(s.start for s in running)
    end = max(s.end for s in running)
    return (timezone.make_aware(datetime.combine(day, start)), timezone.make_aware(datetime.combine(day, end)))


def vehicles_on(area, day: date) -> list[Vehicle]:
    """The area's vehicles in service on `day`: active (not out of service until brought back) and in no span out
    of service covering the day (VehicleOutOfService): those a day's plans are made for and a request is checked
    against. One query."""
    return list(Vehicle.objects.filter(area=area, active=True)
                .exclude(pk__in=VehicleOutOfService.objects.covering(day).values("vehicle_id")))


def on_duty(vehicles: list[Vehicle], shifts: list[Shift], spans: list[VehicleOutOfService],
            day: date) -> tuple[list[Vehicle], list[Shift]]:
    """`vehicles_on` for a reader of many days (the LINE chat's times): the vehicles and their shifts without those
    in one of `spans` covering `day`."""
    out = {span.vehicle_id for span in spans if span.covers(day)}
    return [v for v in vehicles if v.pk not in out], [s for s in shifts if s.vehicle_id not in out]


def ensure_days(area, day: date, vehicles: list[Vehicle] | None = None, shifts: list[Shift] | None = None) -> None:
    """A VehicleDay for every vehicle in service on `day` with a shift then (`vehicles_on`; created once: two
    processes may race, the unique constraint keeps one). One query when they exist; one more, the spans, when
    some are to be made."""
    if vehicles is None:
        vehicles = vehicles_on(area, day)
    if shifts is None:
        shifts = list(Shift.objects.filter(vehicle__in=vehicles))
    existing = set(VehicleDay.objects.filter(vehicle__area=area, day=day).values_list("vehicle_id", flat=True))
    missing = {v: bounds for v in vehicles
               if v.pk not in existing and (bounds := shift_bounds(v, shifts, day)) is not None}
    if missing:  # read again here: `vehicles` may predate a span committed since (the caller's lock waited for it)
        out = set(VehicleOutOfService.objects.covering(day).filter(vehicle__in=list(missing))
                  .values_list("vehicle_id", flat=True))
        missing = {v: bounds for v, bounds in missing.items() if v.pk not in out}
    for vehicle, bounds in missing.items():
        try:
            with transaction.atomic():
                VehicleDay.objects.create(vehicle=vehicle, day=day, start=bounds[0], end=bounds[1])
        except IntegrityError:
            pass  # another booking created it first


def days_missing(days: list[VehicleDay], vehicles: list[Vehicle], shifts: list[Shift], day: date) -> bool:
    """Does a vehicle that runs on `day` have no plan among `days` yet (ensure_days has not made it)?"""
    planned = {vd.vehicle_id for vd in days}
    return any(v.pk not in planned and shift_bounds(v, shifts, day) is not None for v in vehicles)


def lock_days(area, day: date) -> list[VehicleDay]:
    """The area's vehicle-day plans for `day`, row-locked until the transaction ends (always in id order, so two
    bookings never deadlock): the one place where seats are sold."""
    return list(read_days(area, day).select_for_update(of=("self",)))  # the plans only, not the joined vehicles


def lock_area(area) -> None:
    """The area's row, locked until the transaction ends: taken first by every change of the service (imports,
    a 運休) and by a day's first booking, before any plan row, so that those never deadlock."""
    list(type(area).objects.select_for_update().filter(pk=area.pk).values_list("pk", flat=True))


def read_days(area, day: date):
    """The area's vehicle-day plans for `day` as committed, without a lock (in id order)."""
    return VehicleDay.objects.filter(vehicle__area=area, day=day).select_related("vehicle").order_by("pk")


@dataclass(frozen=True)
class RouteDistance:
    km_total: float
    km_empty: float


def route_distance(area, vehicle: Vehicle, stops: list[dict]) -> RouteDistance:
    """Depot → stops → depot, with the legs driven empty (nobody on board) counted apart."""
    points = [(vehicle.depot_lat, vehicle.depot_lon)] + [(s["lat"], s["lon"]) for s in stops] + \
        [(vehicle.depot_lat, vehicle.depot_lon)]
    if len(points) == 2:
        return RouteDistance(0.0, 0.0)
    km = matrix_or_estimate(area, points, logger, "a route's kilometres").km
    total = empty = 0.0
    load = 0
    for i in range(len(points) - 1):
        leg = km[i][i + 1]
        total += leg
        if load == 0:
            empty += leg
        if i < len(stops):
            load += stops[i]["pax"] if stops[i]["kind"] == "pickup" else -stops[i]["pax"]
    return RouteDistance(round(total, 3), round(empty, 3))


def stop(booking, kind: str, at: datetime) -> dict:
    """One stop of a plan, as stored in VehicleDay.stops."""
    pickup = kind == "pickup"
    return {"booking": booking.pk, "kind": kind, "at": at.isoformat(), "pax": booking.passengers,
            "wheelchairs": booking.wheelchairs,
            "lat": booking.origin_lat if pickup else booking.destination_lat,
            "lon": booking.origin_lon if pickup else booking.destination_lon}
