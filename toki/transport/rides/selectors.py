"""Permission-scoped reads of shared rides (DESIGN.md rule 4: "not yours" is a 404)."""

from datetime import date

from django.db.models import QuerySet

from toki.transport.rides import permissions
from toki.transport.rides.models import Booking, MeetingPoint, Rider, SelfBookingSuspension, ServiceArea, VehicleDay


def public_areas(municipality) -> QuerySet[ServiceArea]:
    return ServiceArea.objects.filter(municipality=municipality).select_related("booking_rule")


def public_points(municipality) -> QuerySet[MeetingPoint]:
    return MeetingPoint.objects.filter(area__municipality=municipality).select_related("area")


def areas_for(user, municipality) -> list[ServiceArea]:
    """The areas whose phone desk `user` runs."""
    return [area for area in public_areas(municipality).select_related("district")
            if permissions.may_operate(user, area)]


def get_area_for_user(user, municipality, code: str) -> ServiceArea:
    area = ServiceArea.objects.select_related("district", "booking_rule").get(municipality=municipality, code=code)
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
