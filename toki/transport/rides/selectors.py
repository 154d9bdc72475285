"""Permission-scoped reads of shared rides (DESIGN.md rule 4: "not yours" is a 404), and the public ones."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.transport.rides import permissions
from toki.transport.rides.models import (
    Booking,
    MeetingPoint,
    Rider,
    SelfBookingSuspension,
    ServiceArea,
    Vehicle,
    VehicleDay,
    VehicleOutOfService,
)


def public_areas(municipality) -> QuerySet[ServiceArea]:
    return ServiceArea.objects.filter(municipality=municipality).select_related("booking_rule")


def public_points(municipality) -> QuerySet[MeetingPoint]:
    return MeetingPoint.objects.filter(area__municipality=municipality, active=True).select_related("area")


def areas_for(user, municipality) -> list[ServiceArea]:
    """The areas whose phone desk `user` runs."""
    return [area for area in public_areas(municipality).select_related("district")
            if permissions.may_operate(user, area)]


def get_area_for_user(user, municipality, code: str) -> ServiceArea:
    """The area `code` of `municipality` (None: the site's default one, in the same query) if `user` operates it."""
    areas = ServiceArea.objects.select_related("district", "booking_rule")
    if municipality is None:
        areas = areas.filter(municipality__is_default=True)
    else:
        areas = areas.filter(municipality=municipality)
    area = areas.get(code=code)
    if not permissions.may_operate(user, area):
        raise ServiceArea.DoesNotExist
    return area


def riders_for(user, area, query: str = "") -> QuerySet[Rider]:
    if not permissions.may_operate(user, area):
        return Rider.objects.none()
    riders = Rider.objects.filter(area=area).select_related("category")
    if query:
        riders = riders.filter(name__icontains=query) | riders.filter(name_kana__icontains=query) | \
            riders.filter(phone__contains=query)
    return riders


def get_rider_for_user(user, area, pk: int) -> Rider:
    return riders_for(user, area).prefetch_related("usual_trips__origin", "usual_trips__destination").get(pk=pk)


def bookings_for(user, area, day: date) -> QuerySet[Booking]:
    if not permissions.may_operate(user, area):
        return Booking.objects.none()
    return (Booking.objects.filter(area=area, service_date=day)
            .select_related("rider", "vehicle", "origin", "destination"))


def get_booking_for_user(user, area, pk: int) -> Booking:
    if not permissions.may_operate(user, area):
        raise Booking.DoesNotExist
    return Booking.objects.select_related("rider", "vehicle").get(area=area, pk=pk)


def booking_by_reference(reference: str) -> Booking:
    """The rider's own link: the secret reference is the permission."""
    return Booking.objects.select_related("area", "vehicle", "origin", "destination").get(reference=reference)


def plans_for(user, area, day: date) -> QuerySet[VehicleDay]:
    if not permissions.may_operate(user, area):
        return VehicleDay.objects.none()
    return VehicleDay.objects.filter(vehicle__area=area, day=day).select_related("vehicle")


@dataclass(frozen=True)
class VehicleOut:
    """A vehicle out of service on a day, as the board lists it: in a span of days (`span`), or until brought
    back (retired on 運行設定: `span` None; `note` and `since` from the retirement's audit record, if it was made
    there with a reason)."""

    vehicle: Vehicle
    span: VehicleOutOfService | None
    note: str
    since: date | None


def vehicles_out_on(user, area, day: date) -> list[VehicleOut]:
    """The area's vehicles out of service on `day` (for its operators; nobody else): those retired until brought
    back and those in a span covering the day, by vehicle code. Two queries (three with a retired vehicle)."""
    if not permissions.may_operate(user, area):
        return []
    spans = {s.vehicle_id: s for s in VehicleOutOfService.objects.filter(vehicle__area=area).covering(day)
             .select_related("vehicle")}
    retired = list(Vehicle.objects.filter(area=area, active=False))
    notes = _retirement_notes(area, retired)
    out = [VehicleOut(vehicle=v, span=None, note=notes.get(v.pk, ("", None))[0], since=notes.get(v.pk, ("", None))[1])
           for v in retired]
    out += [VehicleOut(vehicle=s.vehicle, span=s, note=s.note, since=s.first_day) for s in spans.values()
            if s.vehicle.active]
    return sorted(out, key=lambda row: row.vehicle.code)


def _retirement_notes(area, retired: list[Vehicle]) -> dict[int, tuple[str, date | None]]:
    """vehicle id → (reason, first day) of its retirement with rides moved (`rides.vehicle_retired`), when that is
    the last thing recorded of the vehicle; a vehicle set out of service otherwise (a service file, the plain
    「運休にする」) has no reason recorded."""
    if not retired:
        return {}
    by_code = {v.code: v for v in retired}
    events = AuditEvent.objects.filter(
        Q(action="rides.vehicle_retired", object_type=ServiceArea._meta.label_lower, object_id=str(area.pk))
        | Q(object_type=Vehicle._meta.label_lower, object_id__in=[str(v.pk) for v in retired])
    ).order_by("-at", "-id").values_list("object_type", "object_id", "changes")
    notes: dict[int, tuple[str, date | None]] = {}
    seen: set[int] = set()
    for object_type, object_id, changes in events:
        if object_type == Vehicle._meta.label_lower:
            seen.add(int(object_id))  # a later change of the vehicle than any retirement: no reason known
            continue
        vehicle = by_code.get(changes.get("vehicle", ""))
        if vehicle is not None and vehicle.pk not in seen:
            seen.add(vehicle.pk)
            notes[vehicle.pk] = (changes.get("note", ""), date.fromisoformat(changes["from"])
                                 if changes.get("from") else None)
    return notes


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def open_suspension(rider: Rider) -> SelfBookingSuspension | None:
    """The stop on the rider's self-booking in force: their own, or that of a saved rider of the area with the same
    phone number (a web booker who types another name is still the same caller)."""
    digits = _digits(rider.phone)
    for suspension in (SelfBookingSuspension.objects.filter(rider__area_id=rider.area_id, lifted_at__isnull=True)
                       .select_related("rider")):
        if suspension.rider_id == rider.pk or (digits and _digits(suspension.rider.phone) == digits):
            return suspension
    return None


def suspensions_for(user, rider: Rider) -> list[SelfBookingSuspension]:
    """The rider's stops on self-booking, open and lifted (the desk's history), newest first."""
    if not permissions.may_operate(user, rider.area):
        return []
    return list(rider.suspensions.select_related("started_by", "lifted_by"))


def get_suspension_for_user(user, rider: Rider, pk: int) -> SelfBookingSuspension:
    if not permissions.may_operate(user, rider.area):
        raise SelfBookingSuspension.DoesNotExist
    return rider.suspensions.get(pk=pk)


@dataclass(frozen=True)
class VehicleOnDuty:
    """A vehicle in service now and where its driver's tablet last put it: public (what the GTFS-Realtime
    VehiclePositions feed publishes, toki.transport.transit; ADR 0009), no rider and no booking in it."""

    vehicle_id: str  # "rides-<area code>-<vehicle code>": stable, unique in the municipality
    label: str  # the vehicle's name (両津1号車)
    lat: float
    lon: float
    measured_at: datetime  # the fix's time, as the tablet measured it


def vehicles_on_duty(municipality, now: datetime | None = None) -> list[VehicleOnDuty]:
    """The active vehicles within their shift on today's plan whose tablet reported a position within
    TOKI_RIDES_POSITION_FRESH_MINUTES (the same freshness as the "near" reminder), by area and vehicle code. One
    query."""
    now = now or timezone.now()
    fresh = timedelta(minutes=settings.TOKI_RIDES_POSITION_FRESH_MINUTES)
    days = (VehicleDay.objects.filter(vehicle__area__municipality=municipality, vehicle__active=True,
                                      day=timezone.localdate(now), start__lte=now, end__gte=now,
                                      last_seen_at__gte=now - fresh, last_lat__isnull=False, last_lon__isnull=False)
            .select_related("vehicle__area").order_by("vehicle__area__code", "vehicle__code"))
    return [VehicleOnDuty(vehicle_id=f"rides-{vd.vehicle.area.code}-{vd.vehicle.code}", label=vd.vehicle.name,
                          lat=vd.last_lat, lon=vd.last_lon, measured_at=vd.last_seen_at)
            for vd in days if vd.last_lat is not None and vd.last_lon is not None and vd.last_seen_at is not None]
