"""MATSim-style KPIs of the service for a period (docs/rides.md "KPIs"): requests, acceptance rate, wait (mean and
p95), in-vehicle time, detour factor, pooling rate, vehicle-km, empty-km share, passengers per vehicle-hour and
運行率.

Times are what happened where the driver's tablet recorded it (Booking.boarded_at / dropped_off_at), the plan's
otherwise: wait is the boarding (else the planned pickup) after the time asked for (the earliest pickup, or the
start of the promised window for a ride booked by its arrival); in-vehicle time the drop-off after the boarding,
both as recorded for a completed ride, else the planned drop-off after the planned pickup; the detour factor that
in-vehicle time over the direct drive. `waits_measured` and `rides_measured` say how many of the rides rest on the
recorded times (the rest, `rides` minus them, on the plan). A ride is pooled when someone else is on board during
some of it by the plan's order of stops. Vehicle-km are the plan's route on the travel source (the tablet's
positions are not kept as a track). 運行率 is the share of the vehicle-days scheduled by the calendar and the shifts
on which the vehicle carried at least one rider; a day the city took the vehicle out of service for (a span,
VehicleOutOfService) is not scheduled."""

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from toki.transport.rides.models import (
    Booking,
    ServiceArea,
    ServiceException,
    Shift,
    Vehicle,
    VehicleDay,
    VehicleOutOfService,
)

SERVED = (Booking.Status.ACCEPTED, Booking.Status.BOARDED, Booking.Status.COMPLETED)
ANSWERED_YES = (*SERVED, Booking.Status.CANCELLED, Booking.Status.NO_SHOW)


@dataclass(frozen=True)
class Kpis:
    start: date
    end: date
    requests: int
    accepted: int
    acceptance_rate: float | None  # %
    rides: int
    passengers: int
    wait_mean: float | None  # minutes
    wait_p95: float | None
    in_vehicle_mean: float | None
    detour_factor: float | None
    waits_measured: int  # rides whose wait is from the boarding the driver's tablet recorded
    rides_measured: int  # rides whose in-vehicle time and detour are from the recorded boarding and drop-off
    pooling_rate: float | None  # %
    vehicle_km: float
    empty_km_share: float | None  # %
    passengers_per_vehicle_hour: float | None
    scheduled_vehicle_days: int
    operated_vehicle_days: int
    operation_rate: float | None  # 運行率, %

    def as_row(self) -> dict:
        return asdict(self)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class RideTimes:
    wait: float | None  # minutes from the time asked to the boarding
    in_vehicle: float  # minutes from the boarding to the drop-off
    wait_measured: bool  # the boarding is the driver's tablet's record, not the plan's
    ride_measured: bool  # so are the boarding and the drop-off


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def ride_times(booking: Booking) -> RideTimes:
    """One served ride's wait and in-vehicle time: as recorded on the driver's tablet where it was (the boarding for
    the wait; the boarding and the drop-off together for the time on board), else as planned."""
    asked = booking.earliest_pickup or booking.promised_pickup_from
    boarded = booking.boarded_at or booking.planned_pickup
    wait = max(0.0, _minutes(boarded, asked)) if asked is not None and boarded is not None else None
    if booking.boarded_at is not None and booking.dropped_off_at is not None:
        return RideTimes(wait, _minutes(booking.dropped_off_at, booking.boarded_at), True, True)
    return RideTimes(wait, booking.ride_minutes() or 0.0, booking.boarded_at is not None, False)


def pooled_bookings(days: list[VehicleDay]) -> set[int]:
    """Bookings that shared the vehicle with someone for part of the ride."""
    pooled: set[int] = set()
    for vehicle_day in days:
        on_board: set[int] = set()
        for item in vehicle_day.stops:
            if item["kind"] == "pickup":
                if on_board:
                    pooled.add(item["booking"])
                    pooled.update(on_board)
                on_board.add(item["booking"])
            else:
                on_board.discard(item["booking"])
    return pooled


def scheduled_vehicle_days(areas: list[ServiceArea], start: date, end: date) -> set[tuple[int, date]]:
    vehicles = list(Vehicle.objects.filter(area__in=areas, active=True))
    shifts = list(Shift.objects.filter(vehicle__in=vehicles))
    exceptions: dict[int, dict[date, bool]] = {}
    for row in ServiceException.objects.filter(area__in=areas, day__range=(start, end)):
        exceptions.setdefault(row.area_id, {})[row.day] = row.runs
    # A vehicle the city took out of service for a span of days is not scheduled on those days (its rides were
    # moved or cancelled beforehand, as with a vehicle retired until brought back, whose days are not either).
    spans = list(VehicleOutOfService.objects.filter(vehicle__in=vehicles).overlapping(start, end))
    by_area = {a.pk: a for a in areas}
    scheduled = set()
    day = start
    while day <= end:
        for vehicle in vehicles:
            area = by_area[vehicle.area_id]
            if any(s.vehicle_id == vehicle.pk and s.covers(day) for s in spans):
                continue
            if area.runs_on(day, exceptions.get(area.pk)) and any(
                    s.vehicle_id == vehicle.pk and s.runs_on(day) for s in shifts):
                scheduled.add((vehicle.pk, day))
        day += timedelta(days=1)
    return scheduled


def measure(areas: list[ServiceArea], start: date, end: date) -> Kpis:
    bookings = list(Booking.objects.filter(area__in=areas, service_date__range=(start, end)))
    days = list(VehicleDay.objects.filter(vehicle__area__in=areas, day__range=(start, end)))
    served = [b for b in bookings if b.status in SERVED and b.planned_pickup and b.planned_dropoff]
    accepted = sum(1 for b in bookings if b.status in ANSWERED_YES)
    times = [ride_times(b) for b in served]
    waits = [t.wait for t in times if t.wait is not None]
    rides = [t.in_vehicle for t in times]
    detours = [t.in_vehicle / b.direct_minutes for b, t in zip(served, times, strict=True) if b.direct_minutes > 0]
    pooled = pooled_bookings(days)
    km_total = sum(d.km_total for d in days)
    km_empty = sum(d.km_empty for d in days)
    hours = sum((min(d.end, d.withdrawn_at or d.end) - d.start).total_seconds() / 3600 for d in days if d.stops)
    passengers = sum(b.passengers for b in served)
    scheduled = scheduled_vehicle_days(areas, start, end)
    operated = {(b.vehicle_id, b.service_date) for b in served if b.vehicle_id} & scheduled
    return Kpis(
        start=start, end=end, requests=len(bookings), accepted=accepted,
        acceptance_rate=_round(accepted * 100 / len(bookings)) if bookings else None,
        rides=len(served), passengers=passengers, wait_mean=_round(_mean(waits)),
        wait_p95=_round(percentile(waits, 95)), in_vehicle_mean=_round(_mean(rides)),
        detour_factor=_round(_mean(detours), 3),
        waits_measured=sum(1 for t in times if t.wait_measured),
        rides_measured=sum(1 for t in times if t.ride_measured),
        pooling_rate=_round(sum(1 for b in served if b.pk in pooled) * 100 / len(served)) if served else None,
        vehicle_km=round(km_total, 2), empty_km_share=_round(km_empty * 100 / km_total) if km_total else None,
        passengers_per_vehicle_hour=_round(passengers / hours) if hours else None,
        scheduled_vehicle_days=len(scheduled), operated_vehicle_days=len(operated),
        operation_rate=_round(len(operated) * 100 / len(scheduled)) if scheduled else None,
    )


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)
