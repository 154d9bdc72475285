"""Between the rides data and the darp solver (`toki.transport.darp`, pure Python, ADR 0009).

A service day of an area becomes one DARP instance: times in minutes after the day's local midnight, the travel
matrix of `travel.py` over the depots and every pickup and drop-off, each vehicle's shift as its route window, its
seats as capacity; each active booking a request whose pickup window is its promise (hard: the re-optimiser keeps
it) and whose ride time is at most alpha × direct + beta (the area's MATSim-style constraints). Stops already
served (their planned time has passed) are locked in place.

`offer()` inserts one new booking (real-time insertion); `improve()` re-optimises the day without breaking a
promise. Both answer routes as the plans store them (`VehicleDay.stops`). A vehicle taken out of service for the
day (`VehicleDay.withdrawn_at`) is left out of all three: no ride is put on it, and its plan is never rewritten."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from toki.transport.rides.models import Booking, Vehicle, VehicleDay
from toki.transport.rides.travel import TravelError


@dataclass(frozen=True)
class Offer:
    vehicle: Vehicle
    routes: dict[int, list[dict]]  # VehicleDay id → stops
    pickup_window: tuple[datetime, datetime]
    pickup_at: datetime
    dropoff_at: datetime


@dataclass(frozen=True)
class Refusal:
    reason: str


def minutes_of(day_start: datetime, when: datetime) -> float:
    return (when - day_start).total_seconds() / 60


def request_windows(area, booking: Booking, day_start: datetime) -> tuple[tuple[float, float], tuple[float, float],
                                                                         float]:
    """(pickup window, drop-off window, maximum ride minutes) of a new request, in minutes after midnight."""
    max_ride = area.max_ride_alpha * booking.direct_minutes + area.max_ride_beta_minutes
    # An evacuation ride waits longer rather than not being carried (its rider is told the window).
    wait = area.max_wait_minutes * (2 if booking.evacuation else 1)
    if booking.earliest_pickup is not None:
        e = minutes_of(day_start, booking.earliest_pickup)
        return (e, e + wait), (e + booking.direct_minutes, e + wait + max_ride), max_ride
    assert booking.latest_arrival is not None
    a = minutes_of(day_start, booking.latest_arrival)
    return (a - max_ride - wait, a - booking.direct_minutes), (a - wait - max_ride, a), max_ride


def promised_windows(booking: Booking, day_start: datetime) -> tuple[float, float]:
    assert booking.promised_pickup_from is not None and booking.promised_pickup_until is not None
    return minutes_of(day_start, booking.promised_pickup_from), minutes_of(day_start, booking.promised_pickup_until)


def day_start_of(days: list[VehicleDay]) -> datetime:
    day = days[0].day
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def at(day_start: datetime, minutes: float) -> datetime:
    return day_start + timedelta(minutes=round(minutes, 2))


def in_service(days: list[VehicleDay]) -> list[VehicleDay]:
    """The plans of the vehicles still in service that day."""
    return [vd for vd in days if vd.withdrawn_at is None]


def offer(area, days: list[VehicleDay], booking: Booking, *, now: datetime,
          keep_promise: bool = False) -> Offer | Refusal:
    """Where the new booking fits (the cheapest insertion into the locked plans), or why it does not.
    `keep_promise`: a booked ride moved to another vehicle keeps its promised pickup window (its offer's window is
    then inside it)."""
    from toki.transport.rides import solver

    days = in_service(days)
    if not days:
        return Refusal(_("No vehicle runs that day."))
    try:
        return solver.insert(area, days, booking, now=now, keep_promise=keep_promise)
    except TravelError as exc:
        return Refusal(_("Travel times are not available (%(error)s).") % {"error": exc})


def improve(area, days: list[VehicleDay], *, now: datetime, seconds: float, seed: int,
            max_iterations: int | None = None) -> dict[int, list[dict]]:
    from toki.transport.rides import solver

    days = in_service(days)
    if not days:
        return {}
    return solver.improve(area, days, now=now, seconds=seconds, seed=seed, max_iterations=max_iterations)


def rebase(area, days: list[VehicleDay], routes: dict[int, list[dict]], *,
           now: datetime) -> dict[int, list[dict]] | None:
    """The re-optimiser's routes brought up to date with the plans as they are now (solver.rebase), or None."""
    from toki.transport.rides import solver

    days = in_service(days)
    if not days:
        return None
    try:
        return solver.rebase(area, days, routes, now=now)
    except TravelError:
        return None
