"""Reads for setting up the service (docs/rides.md, "Setting up the service"): an area's definition as the service
file says it, what still names its points and vehicles, its future bookings and plans; the export. Scoped by the
user where a view asks (`permissions.may_configure`); the actions call the unscoped reads after their own check."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from toki.areas.models import District
from toki.transport.rides import permissions
from toki.transport.rides.models import (
    Booking,
    DriverTablet,
    MeetingPoint,
    Rider,
    ServiceArea,
    TabletEnrolment,
    UsualTrip,
    Vehicle,
    VehicleDay,
    VehicleOutOfService,
)
from toki.transport.rides.service_file import (
    AreaSpec,
    DriverSpec,
    ExceptionSpec,
    FareSpec,
    PointSpec,
    RuleSpec,
    ShiftSpec,
    VehicleSpec,
    to_document,
)

ACTIVE = (Booking.Status.ACCEPTED, Booking.Status.BOARDED)


@dataclass
class AreaState:
    """An area as it is: its definition (`spec`: what a service file would say; meeting points in service only),
    the points out of service, and what still names its points, vehicles and fares."""

    area: ServiceArea
    spec: AreaSpec
    inactive_points: dict[str, PointSpec] = field(default_factory=dict)
    named_points: set[str] = field(default_factory=set)  # named by a booking or a usual trip: never deleted
    named_vehicles: set[str] = field(default_factory=set)  # with a booking, a plan or a tablet: never deleted
    fare_riders: dict[str, int] = field(default_factory=dict)  # fare code → saved riders in that category
    has_rule: bool = True  # an area made in the shell may have none yet


def district_codes(municipality) -> dict[str, int]:
    return dict(District.objects.filter(municipality=municipality).values_list("code", "pk"))


def area_spec(area: ServiceArea) -> AreaSpec:
    """The area's definition as a service file would hold it."""
    rule = getattr(area, "booking_rule", None)
    drivers = {d.pk: d for d in area.drivers.all()}
    vehicles = []
    for vehicle in area.vehicles.prefetch_related("shifts").order_by("code"):
        shifts = sorted((ShiftSpec(weekdays=s.weekdays, start=s.start, end=s.end,
                                   driver=drivers[s.driver_id].code if s.driver_id in drivers else None)
                         for s in vehicle.shifts.all()), key=ShiftSpec.sort_key)
        vehicles.append(VehicleSpec(code=vehicle.code, name=vehicle.name, seats=vehicle.seats,
                                    wheelchair_spaces=vehicle.wheelchair_spaces, depot_lat=vehicle.depot_lat,
                                    depot_lon=vehicle.depot_lon, active=vehicle.active, shifts=tuple(shifts)))
    return AreaSpec(
        code=area.code, name=area.name, district=area.district.code if area.district is not None else None,
        geometry=area.geometry, door_to_door=area.door_to_door, speed_kmh=area.speed_kmh,
        detour_factor=area.detour_factor, stop_minutes=area.stop_minutes,
        pickup_window_minutes=area.pickup_window_minutes, max_wait_minutes=area.max_wait_minutes,
        max_ride_alpha=area.max_ride_alpha, max_ride_beta_minutes=area.max_ride_beta_minutes,
        phone_number=area.phone_number, weekdays="".join(sorted(set(area.weekdays))),
        booking_rule=RuleSpec() if rule is None else RuleSpec(
            kind=rule.kind, min_notice_minutes=rule.min_notice_minutes, max_notice_minutes=rule.max_notice_minutes,
            prior_day_cutoff=rule.prior_day_cutoff, max_days_ahead=rule.max_days_ahead,
            cancel_minutes_before=rule.cancel_minutes_before, no_show_limit=rule.no_show_limit,
            no_show_period_days=rule.no_show_period_days, late_cancel_counts=rule.late_cancel_counts,
            message=rule.message),
        fares=tuple(FareSpec(code=f.code, name=f.name, price_yen=f.price_yen) for f in area.fares.order_by("code")),
        points=tuple(PointSpec(code=p.code, name=p.name, lat=p.lat, lon=p.lon, note=p.note)
                     for p in area.points.filter(active=True).order_by("code")),
        drivers=tuple(DriverSpec(code=d.code, name=d.name, phone=d.phone)
                      for d in sorted(drivers.values(), key=lambda d: d.code)),
        vehicles=tuple(vehicles),
        exceptions=tuple(ExceptionSpec(day=e.day, runs=e.runs, note=e.note, until=e.until, resumes=e.resumes)
                         for e in area.exceptions.order_by("day")))


def area_state(area: ServiceArea) -> AreaState:
    inactive = {p.code: PointSpec(code=p.code, name=p.name, lat=p.lat, lon=p.lon, note=p.note)
                for p in area.points.filter(active=False)}
    named_points: set[str] = set()
    for origin, destination in (Booking.objects.filter(area=area).order_by()
                                .values_list("origin__code", "destination__code").distinct()):
        named_points.update(c for c in (origin, destination) if c)
    for origin, destination in (UsualTrip.objects.filter(rider__area=area).order_by()
                                .values_list("origin__code", "destination__code").distinct()):
        named_points.update((origin, destination))
    named_vehicles = set(Vehicle.objects.filter(area=area).filter(
        Q(pk__in=Booking.objects.filter(area=area, vehicle__isnull=False).values("vehicle_id"))
        | Q(pk__in=DriverTablet.objects.filter(vehicle__area=area).values("vehicle_id"))
        | Q(pk__in=TabletEnrolment.objects.filter(vehicle__area=area).values("vehicle_id")))
        .values_list("code", flat=True))
    fare_riders = dict(Rider.objects.filter(area=area, category__isnull=False).order_by().values("category__code")
                       .annotate(n=Count("pk")).values_list("category__code", "n"))
    return AreaState(area=area, spec=area_spec(area), inactive_points=inactive, named_points=named_points,
                     named_vehicles=named_vehicles, fare_riders=fare_riders,
                     has_rule=hasattr(area, "booking_rule"))


def future_bookings(area: ServiceArea, today: date) -> list[Booking]:
    """The area's rides still to be carried (booked or on board) from `today` on."""
    return list(Booking.objects.filter(area=area, service_date__gte=today, status__in=ACTIVE)
                .select_related("vehicle", "origin", "destination").order_by("service_date", "planned_pickup", "pk"))


def future_plans(area: ServiceArea, today: date, *, lock: bool = False) -> list[VehicleDay]:
    """The area's vehicle-day plans from `today` on (row-locked in id order with `lock`, as bookings lock them)."""
    plans = VehicleDay.objects.filter(vehicle__area=area, day__gte=today).select_related("vehicle").order_by("pk")
    return list(plans.select_for_update(of=("self",)) if lock else plans)


# --- Scoped by the user (the pages) ------------------------------------------------------------------------------

def area_for_setup(user, municipality, code: str) -> ServiceArea:
    """The area whose service `user` may change; DoesNotExist (a 404) otherwise."""
    area = ServiceArea.objects.select_related("district", "booking_rule").get(municipality=municipality, code=code)
    if not permissions.may_configure(user, area):
        raise ServiceArea.DoesNotExist
    return area


def setup_areas_for(user, municipality) -> list[ServiceArea]:
    return [area for area in ServiceArea.objects.filter(municipality=municipality).select_related("district")
            if permissions.may_configure(user, area)]


def vehicles_for_setup(user, area: ServiceArea) -> list[Vehicle]:
    if not permissions.may_configure(user, area):
        return []
    return list(area.vehicles.prefetch_related("shifts__driver").order_by("code"))


def points_out_of_service(user, area: ServiceArea) -> list[MeetingPoint]:
    if not permissions.may_configure(user, area):
        return []
    return list(area.points.filter(active=False).order_by("code"))


def export_document(user, areas: list[ServiceArea]) -> dict:
    """The service file of the areas `user` may set up (importing it again changes nothing)."""
    return to_document([area_spec(a) for a in areas if permissions.may_configure(user, a)])


def spans_for_setup(user, area: ServiceArea, today: date) -> dict[int, list[VehicleOutOfService]]:
    """vehicle id → its spans out of service in force or to come (from `today` on), first first."""
    if not permissions.may_configure(user, area):
        return {}
    spans: dict[int, list[VehicleOutOfService]] = {}
    for span in VehicleOutOfService.objects.filter(vehicle__area=area).covering_from(today).order_by("first_day"):
        spans.setdefault(span.vehicle_id, []).append(span)
    return spans


def get_span_for_setup(user, area: ServiceArea, vehicle: Vehicle, pk: int) -> VehicleOutOfService:
    """One span of `vehicle` out of service; DoesNotExist (a 404) for anyone who may not set the area up."""
    if not permissions.may_configure(user, area):
        raise VehicleOutOfService.DoesNotExist
    return VehicleOutOfService.objects.select_related("vehicle").get(pk=pk, vehicle=vehicle)
