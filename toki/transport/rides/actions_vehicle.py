"""A vehicle taken out of service for the rest of the day (a breakdown, an accident, a road cut by a landslide) and
its rides moved onto the others (docs/rides.md, "A vehicle out of service for the day").

One transaction, under the area's row and the day's plans (the order every change of the service takes them, so
no booking slips in between): the vehicle's plan keeps only the stops already done, it is marked withdrawn (the
dispatcher then leaves it out: no new ride, no re-optimised route), and each ride still to come is inserted into
another vehicle's plan inside the pickup window promised to its rider, soonest first. A ride no other vehicle can
take within its promise is cancelled by the service with the reason (never the rider's miss): LINE riders are told
after the commit and the others lead the phone desk's call list, as with a 運休. A ride whose planned pickup has
passed without a mark from the tablet stays on the vehicle (the rider may be aboard: an offline tablet syncs its
marks later) and is listed for the office to settle with the driver.

Lock order: the area, the plans, then the vehicle's bookings, as a booking, a 運休 and a cancellation take them."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.transport.rides import dispatch, permissions, plans
from toki.transport.rides.actions import apply_routes, cancel_by_service
from toki.transport.rides.events import publish_plans
from toki.transport.rides.models import Booking, ServiceArea, Shift, Vehicle, VehicleDay


@dataclass
class Withdrawal:
    plan: VehicleDay
    moved: list[Booking] = field(default_factory=list)
    cancelled: list[Booking] = field(default_factory=list)
    # Rides whose planned pickup has passed without a mark from the tablet (offline, or the rider not there): the
    # rider may be on board already, so they stay on the vehicle for the office to settle with the driver.
    unsure: list[Booking] = field(default_factory=list)


def withdraw_vehicle(*, acting_user, area: ServiceArea, vehicle: Vehicle, note: str,
                     now: datetime | None = None) -> Withdrawal:
    """Take `vehicle` out of service for the rest of today; its rides to come moved or cancelled (module doc).
    Refused while a rider is on board it (the driver brings them to their destination, or marks them off, first),
    without a reason, or when it is withdrawn already."""
    _require_operators(acting_user, area, vehicle)
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Give the reason (e.g. 故障): riders whose ride is cancelled are told it.")})
    day = timezone.localdate(now)
    with transaction.atomic():
        plans.lock_area(area)
        vehicles = list(Vehicle.objects.filter(area=area, active=True))
        plans.ensure_days(area, day, vehicles, list(Shift.objects.filter(vehicle__in=vehicles)))
        days = plans.lock_days(area, day)
        own = next((vd for vd in days if vd.vehicle_id == vehicle.pk), None)
        if own is None:
            raise ValidationError({"vehicle": _("This vehicle does not run today.")})
        if own.withdrawn_at is not None:
            raise ValidationError({"vehicle": _("This vehicle is out of service today already.")})
        riding = _its_rides(own)
        if any(b.status == Booking.Status.BOARDED for b in riding):
            raise ValidationError({"vehicle": _("A rider is on board this vehicle: bring them to their destination "
                                                "(or mark them dropped off) first.")})
        waiting = [b for b in riding if b.status == Booking.Status.ACCEPTED]
        to_move = [b for b in waiting if b.planned_pickup is None or b.planned_pickup > now]
        result = Withdrawal(plan=_close(area, own, {b.pk for b in to_move}, note, now),
                            unsure=[b for b in waiting if b not in to_move])
        others = dispatch.in_service(days)
        for booking in to_move:
            if _move(area, others, booking, now):
                result.moved.append(booking)
            else:
                result.cancelled.append(booking)
        cancel_by_service(acting_user=acting_user, bookings=result.cancelled,
                          reason=_("The vehicle cannot run today (%(note)s).") % {"note": note}, now=now,
                          audit_changes={"vehicle_withdrawn": vehicle.code})
        publish_plans(area.municipality_id, [vd.pk for vd in days])
        audit.record(actor=acting_user, action="rides.vehicle_withdrawn", obj=area, changes={
            "vehicle": vehicle.code, "day": day.isoformat(), "note": note,
            "moved": [b.pk for b in result.moved], "cancelled": [b.pk for b in result.cancelled],
            "unsure": [b.pk for b in result.unsure]})
    return result


def _require_operators(acting_user, area: ServiceArea, vehicle: Vehicle) -> None:
    if not permissions.may_configure(acting_user, area):
        raise PermissionDenied("taking a vehicle out of service or back needs the area's operators (HQ or its "
                               "branch office)")
    if vehicle.area_id != area.pk:
        raise PermissionDenied("a vehicle of another area")


def _its_rides(plan: VehicleDay) -> list[Booking]:
    """The bookings on the plan, locked, soonest planned pickup first."""
    on_plan = {stop["booking"] for stop in plan.stops}
    return list(Booking.objects.select_for_update().filter(pk__in=on_plan)
                .order_by("planned_pickup", "pk"))


def _close(area: ServiceArea, plan: VehicleDay, leaving: set[int], note: str, now: datetime) -> VehicleDay:
    """The plan keeps the stops of the rides it carried (and of those it may be carrying), with their distance;
    marked withdrawn (version + 1: a re-optimiser's result made on it is brought up to date before it is written)."""
    plan.stops = [stop for stop in plan.stops if stop["booking"] not in leaving]
    distance = plans.route_distance(area, plan.vehicle, plan.stops)
    plan.km_total, plan.km_empty = distance.km_total, distance.km_empty
    plan.withdrawn_at, plan.withdrawn_note, plan.version = now, note, plan.version + 1
    plan.save(update_fields=["stops", "km_total", "km_empty", "withdrawn_at", "withdrawn_note", "version",
                             "updated_at"])
    return plan


def _move(area: ServiceArea, others: list[VehicleDay], booking: Booking, now: datetime) -> bool:
    """The ride on another vehicle inside its promised window (the promise itself unchanged); False if none can."""
    offer = dispatch.offer(area, others, booking, now=now, keep_promise=True)
    if isinstance(offer, dispatch.Refusal):
        return False
    apply_routes(area, others, offer.routes, now=now)  # also writes the booking's new vehicle and planned times
    booking.vehicle = offer.vehicle
    booking.planned_pickup, booking.planned_dropoff = offer.pickup_at, offer.dropoff_at
    audit.record(actor=None, action="rides.booking_moved", obj=booking,
                 changes={"vehicle": offer.vehicle.code, "pickup": offer.pickup_at.isoformat()})
    return True


def reinstate_vehicle(*, acting_user, area: ServiceArea, vehicle: Vehicle, now: datetime | None = None) -> VehicleDay:
    """The vehicle back in service for the rest of today (repaired, the road open again): the dispatcher offers it
    to new bookings and the re-optimiser may move rides onto it. The rides moved or cancelled stay as they are."""
    _require_operators(acting_user, area, vehicle)
    now = now or timezone.now()
    with transaction.atomic():
        plans.lock_area(area)
        plan = next((vd for vd in plans.lock_days(area, timezone.localdate(now)) if vd.vehicle_id == vehicle.pk), None)
        if plan is None or plan.withdrawn_at is None:
            raise ValidationError({"vehicle": _("This vehicle is not out of service today.")})
        audit.record(actor=acting_user, action="rides.vehicle_reinstated", obj=area, changes={
            "vehicle": vehicle.code, "day": plan.day.isoformat(), "withdrawn_at": plan.withdrawn_at.isoformat()})
        plan.withdrawn_at, plan.withdrawn_note, plan.version = None, "", plan.version + 1
        plan.save(update_fields=["withdrawn_at", "withdrawn_note", "version", "updated_at"])
        publish_plans(area.municipality_id, [plan.pk])
    return plan
