"""A vehicle taken out of service for the rest of the day (a breakdown, an accident, a road cut by a landslide) and
its rides moved onto the others (docs/rides.md, "A vehicle out of service for the day"); for days until brought
back (`retire_vehicle`), or for a span of days (`take_out_for_span`, `end_span`: "Out of service for a span of
days"), each day's part done by the same steps.

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
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from toki.accounts import audit
from toki.transport.rides import dispatch, permissions, plans, solver
from toki.transport.rides.actions import (
    apply_routes,
    cancel_by_service,
    note_earlier_vehicles,
    take_back_miss,
    user_or_none,
)
from toki.transport.rides.events import BOOKING_BOARDED, publish_booking, publish_plans
from toki.transport.rides.models import Booking, ServiceArea, Shift, Vehicle, VehicleDay, VehicleOutOfService

NO_REASON = gettext_lazy("Give the reason (e.g. 故障): riders whose ride is cancelled are told it.")


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
    note = _reason(note)
    day = timezone.localdate(now)
    with transaction.atomic():
        plans.lock_area(area)
        vehicles = plans.vehicles_on(area, day)
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
        result = Withdrawal(plan=own, unsure=[b for b in waiting if b not in to_move])
        result.moved, result.cancelled = _take_off(
            acting_user, area, days, own, to_move, note=note, now=now,
            reason=_("The vehicle cannot run today (%(note)s).") % {"note": note})
        audit.record(actor=acting_user, action="rides.vehicle_withdrawn", obj=area, changes={
            "vehicle": vehicle.code, "day": day.isoformat(), "note": note,
            "moved": [b.pk for b in result.moved], "cancelled": [b.pk for b in result.cancelled],
            "unsure": [b.pk for b in result.unsure]})
    return result


def _reason(note: str) -> str:
    """The reason given for taking a vehicle out, stripped; none is refused (the riders whose ride is cancelled are
    told it)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": NO_REASON})
    return note


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


def _take_off(acting_user, area: ServiceArea, days: list[VehicleDay], own: VehicleDay, to_move: list[Booking], *,
              note: str, now: datetime, reason: str) -> tuple[list[Booking], list[Booking]]:
    """The day's plan of the vehicle closed (withdrawn from `now`) and `to_move` (its rides, locked, soonest
    first) inserted into the day's other plans in service inside their promises, or cancelled by the service with
    `reason`; (moved, cancelled). The caller holds the area's row and the day's plans."""
    _close(area, own, {b.pk for b in to_move}, note, now)
    others = dispatch.in_service(days)
    moved: list[Booking] = []
    cancelled: list[Booking] = []
    for booking in to_move:
        (moved if _move(area, others, booking, now) else cancelled).append(booking)
    cancel_by_service(acting_user=acting_user, bookings=cancelled, reason=reason, now=now,
                      audit_changes={"vehicle_withdrawn": own.vehicle.code})
    publish_plans(area.municipality_id, [vd.pk for vd in days])
    return moved, cancelled


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
    if booking.vehicle_id is not None:  # its stops left the withdrawn plan before: apply_routes did not see them
        note_earlier_vehicles({booking.pk: booking.vehicle_id})
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
        today = timezone.localdate(now)
        plan = next((vd for vd in plans.lock_days(area, today) if vd.vehicle_id == vehicle.pk), None)
        if plan is None or plan.withdrawn_at is None:
            raise ValidationError({"vehicle": _("This vehicle is not out of service today.")})
        span = VehicleOutOfService.objects.filter(vehicle=vehicle).covering(today).first()
        if span is not None:
            raise ValidationError({"vehicle": _("%(vehicle)s is out of service %(span)s: bring it back with that "
                                                "span's 「運行に戻す」.") % {"vehicle": vehicle.name,
                                                                         "span": span_label(span)}})
        audit.record(actor=acting_user, action="rides.vehicle_reinstated", obj=area, changes={
            "vehicle": vehicle.code, "day": plan.day.isoformat(), "withdrawn_at": plan.withdrawn_at.isoformat()})
        _reopen(area, plan)
    return plan


def _reopen(area: ServiceArea, plan: VehicleDay) -> None:
    """A withdrawn plan in service again (new bookings and the re-optimiser may use it)."""
    plan.withdrawn_at, plan.withdrawn_note, plan.version = None, "", plan.version + 1
    plan.save(update_fields=["withdrawn_at", "withdrawn_note", "version", "updated_at"])
    publish_plans(area.municipality_id, [plan.pk])


# Out of service for days (a vehicle damaged, a road cut for a week) -------------------------------------------------

@dataclass
class Retirement:
    days: list[date] = field(default_factory=list)  # the days whose booked rides it had
    moved: list[Booking] = field(default_factory=list)
    cancelled: list[Booking] = field(default_factory=list)
    today: Withdrawal | None = None  # today's part, as the board's withdrawal does it

    @property
    def all_moved(self) -> list[Booking]:
        return (self.today.moved if self.today else []) + self.moved

    @property
    def all_cancelled(self) -> list[Booking]:
        return (self.today.cancelled if self.today else []) + self.cancelled


def retire_vehicle(*, acting_user, area: ServiceArea, vehicle: Vehicle, note: str,
                   now: datetime | None = None) -> Retirement:
    """Out of service until brought back: its rides still to come today and its booked rides on later days moved
    onto the other vehicles of their day inside their promises, or cancelled by the service and their riders told
    (the day's plan withdrawn, as `withdraw_vehicle` does for today, which does today's part), then the vehicle set
    out of service in the area's definition (no plan is made for it from then on). One transaction: refused whole
    (nothing moved) while a rider is on board it, without a reason, or if the definition cannot be saved — which
    includes a ride of today whose pickup passed without a mark from the tablet (the rider may be aboard: the
    definition's check names it, for the office to settle with the driver first)."""
    from toki.transport.rides.actions_setup import set_vehicle_in_service

    _require_operators(acting_user, area, vehicle)
    now = now or timezone.now()
    note = _reason(note)
    today = timezone.localdate(now)
    result = Retirement()
    with transaction.atomic():
        plans.lock_area(area)
        if VehicleDay.objects.filter(vehicle=vehicle, day=today, withdrawn_at__isnull=True).exists():
            result.today = withdraw_vehicle(acting_user=acting_user, area=area, vehicle=vehicle, note=note, now=now)
        later = sorted(set(Booking.objects.filter(vehicle=vehicle, service_date__gt=today,
                                                  status=Booking.Status.ACCEPTED).values_list("service_date",
                                                                                              flat=True)))
        _take_off_days(acting_user, area, vehicle, later, note=note, now=now, result=result)
        set_vehicle_in_service(acting_user=acting_user, area=area, vehicle=vehicle, active=False, now=now)
        audit.record(actor=acting_user, action="rides.vehicle_retired", obj=area, changes={
            "vehicle": vehicle.code, "from": today.isoformat(), "note": note,
            "days": [d.isoformat() for d in result.days], "moved": [b.pk for b in result.all_moved],
            "cancelled": [b.pk for b in result.all_cancelled]})
    return result


def _take_off_days(acting_user, area: ServiceArea, vehicle: Vehicle, days: list[date], *, note: str, now: datetime,
                   result: Retirement) -> None:
    """On each of `days` (after today, in order; the vehicle has a plan on each), the day's plans locked, its plan
    closed and its booked rides moved onto the day's other vehicles inside their promises or cancelled by the
    service (`_take_off`); added to `result`. The caller holds the area's row."""
    for day in days:
        day_plans = plans.lock_days(area, day)
        own = next(vd for vd in day_plans if vd.vehicle_id == vehicle.pk)
        riding = [b for b in _its_rides(own) if b.status == Booking.Status.ACCEPTED]
        moved, cancelled = _take_off(
            acting_user, area, day_plans, own, riding, note=note, now=now,
            reason=_("The vehicle cannot run on %(day)s (%(note)s).") % {"day": day.isoformat(), "note": note})
        result.days.append(day)
        result.moved += moved
        result.cancelled += cancelled


# Out of service for a span of days (damaged and at the garage from the 15th to the 20th, a road cut for a week) ----

@dataclass
class OutForSpan(Retirement):
    span: VehicleOutOfService | None = None


def take_out_for_span(*, acting_user, area: ServiceArea, vehicle: Vehicle, first_day: date, last_day: date | None,
                      note: str, now: datetime | None = None) -> OutForSpan:
    """The vehicle out of service from `first_day` to `last_day` (both included; None: until brought back), stored
    as a VehicleOutOfService row: on those days no plan is made for it (`plans.vehicles_on`), and after them it
    runs again with no action. In one transaction under the area's row, as `retire_vehicle` takes it: today's
    part, if the span starts today, is the board's withdrawal (`withdraw_vehicle`: refused with a rider on board;
    a ride whose pickup passed without a mark stays on it, `unsure`); on each later day of the span with a plan
    for it, its booked rides are moved onto the day's other vehicles inside their promises or cancelled by the
    service and their riders told (`_take_off_days`), and its emptied plan deleted. Refused whole, with the field
    named: no reason, a first day past, a last day before the first, a span overlapping another of the vehicle,
    a vehicle out of service until brought back already."""
    _require_operators(acting_user, area, vehicle)
    now = now or timezone.now()
    today = timezone.localdate(now)
    note = note.strip()
    errors = {}
    if not note:
        errors["note"] = str(NO_REASON)
    if first_day < today:
        errors["first_day"] = _("The first day has passed: give today (%(today)s) or a later day.") % {
            "today": today.isoformat()}
    if last_day is not None and last_day < first_day:
        errors["last_day"] = _("The last day is before the first day (%(day)s).") % {"day": first_day.isoformat()}
    if errors:
        raise ValidationError(errors)
    result = OutForSpan()
    with transaction.atomic():
        plans.lock_area(area)  # every change of the vehicle's service takes it first: the overlap check holds
        if not Vehicle.objects.filter(pk=vehicle.pk, active=True).exists():
            raise ValidationError({"first_day": _("%(vehicle)s is out of service until brought back already.")
                                   % {"vehicle": vehicle.name}})
        clash = VehicleOutOfService.objects.filter(vehicle=vehicle).overlapping(first_day, last_day).first()
        if clash is not None:
            raise ValidationError({"first_day": _("%(vehicle)s is out of service %(span)s already (%(note)s): a "
                                                  "vehicle's spans may not overlap. Bring it back from that span, "
                                                  "or choose days outside it.") % {
                "vehicle": vehicle.name, "span": span_label(clash), "note": clash.note}})
        if first_day == today and VehicleDay.objects.filter(vehicle=vehicle, day=today,
                                                            withdrawn_at__isnull=True).exists():
            result.today = withdraw_vehicle(acting_user=acting_user, area=area, vehicle=vehicle, note=note, now=now)
        span_days = VehicleDay.objects.filter(vehicle__area=area, day__gt=today, day__gte=first_day)
        if last_day is not None:
            span_days = span_days.filter(day__lte=last_day)
        later = []
        for day in sorted(set(span_days.values_list("day", flat=True))):
            # The day's plans locked first: a booking that was making the vehicle's plan that day (it holds the
            # others') commits before, and this read, after the lock, sees it. A day with no plan yet needs the
            # area's row to be made, which this holds; after the commit `ensure_days` sees the span.
            plans.lock_days(area, day)
            if VehicleDay.objects.filter(vehicle=vehicle, day=day).exists():
                later.append(day)
        _take_off_days(acting_user, area, vehicle, later, note=note, now=now, result=result)
        VehicleDay.objects.filter(vehicle=vehicle, day__in=later, stops=[]).delete()  # made again after the span
        result.span = VehicleOutOfService.objects.create(vehicle=vehicle, first_day=first_day, last_day=last_day,
                                                         note=note, created_by=user_or_none(acting_user))
        audit.record(actor=acting_user, action="rides.vehicle_span_added", obj=result.span, changes={
            "vehicle": vehicle.code, "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat() if last_day else None, "note": note,
            "days": [d.isoformat() for d in result.days], "moved": [b.pk for b in result.all_moved],
            "cancelled": [b.pk for b in result.all_cancelled],
            "unsure": [b.pk for b in result.today.unsure] if result.today else []})
    return result


def end_span(*, acting_user, area: ServiceArea, span: VehicleOutOfService, now: datetime | None = None) -> str:
    """「運行に戻す」 for a span: one not begun yet is removed ("removed"); one in force ends yesterday, so the vehicle
    runs from today ("ended"; one begun today is removed), and its plan of today, withdrawn, is reopened as
    `reinstate_vehicle` does. The rides moved or cancelled stay as they are. A span already over is refused."""
    _require_operators(acting_user, area, span.vehicle)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        plans.lock_area(area)
        span = VehicleOutOfService.objects.select_for_update().select_related("vehicle").get(pk=span.pk)
        if span.last_day is not None and span.last_day < today:
            raise ValidationError({"span": _("This span is over: %(vehicle)s is in service again.")
                                   % {"vehicle": span.vehicle.name}})
        was = {"vehicle": span.vehicle.code, "first_day": span.first_day.isoformat(),
               "last_day": span.last_day.isoformat() if span.last_day else None, "note": span.note}
        if span.first_day > today:
            audit.record(actor=acting_user, action="rides.vehicle_span_removed", obj=span, changes=was)
            span.delete()
            return "removed"
        if span.first_day == today:
            span.delete()
        else:
            span.last_day = today - timedelta(days=1)
            span.save(update_fields=["last_day"])
        plan = next((vd for vd in plans.lock_days(area, today) if vd.vehicle_id == span.vehicle_id), None)
        if plan is not None and plan.withdrawn_at is not None and span.vehicle.active:
            _reopen(area, plan)
        audit.record(actor=acting_user, action="rides.vehicle_span_ended", obj=span.vehicle,
                     changes={**was, "back_from": today.isoformat()})
    return "ended"


def span_label(span: VehicleOutOfService) -> str:
    """"2026-12-15–2026-12-20", or "from 2026-12-15 until brought back"."""
    if span.last_day is None:
        return _("from %(day)s until brought back") % {"day": span.first_day.isoformat()}
    return f"{span.first_day.isoformat()}–{span.last_day.isoformat()}"


# A rider boarded on a vehicle the ride had been moved off ---------------------------------------------------------

def board_on_earlier_vehicle(*, booking: Booking, days: list[VehicleDay], vehicle: Vehicle, at: datetime,
                             tablet_id: int) -> Booking:
    """The tablet of `vehicle` marks the rider boarded at `at`, but the ride is planned on another vehicle now, or
    was cancelled by the service: it was moved off `vehicle` (by the re-optimiser, or with the vehicle taken out
    of service) while the tablet was offline and its driver, early, had already picked the rider up. What the
    driver saw wins, as nothing a tablet records may be lost: the ride comes back onto `vehicle` as boarded at
    `at` (its stops leave the other vehicle's plan, whose driver then no longer drives to an empty stop), its
    drop-off next after the stops served so far, and the later stops re-timed from the boarding with the area's
    travel times. The caller checked that the ride was once planned on `vehicle` (`Booking.earlier_vehicles`).
    The same when the vehicle the ride went to marked it a no-show (the rider was not at the stop: they were aboard
    here already): the no-show is undone, and so is a stop of self-booking it brought (`actions.take_back_miss`).
    Refused, with the reason, once another vehicle's tablet marked it boarded or the ride ended otherwise.
    `booking` and the day's plans `days` are row-locked by the caller (`actions.lock_booking`)."""
    with transaction.atomic():
        locked = booking
        _check_may_take_back(locked, vehicle)
        own = next((vd for vd in days if vd.vehicle_id == vehicle.pk), None)
        if own is None:
            raise ValidationError({"payload.booking": _("This vehicle has no plan on the ride's day.")})
        was = {"status": locked.status, "vehicle": locked.vehicle.code if locked.vehicle else None}
        routes = {vd.pk: [s for s in vd.stops if s["booking"] != locked.pk] for vd in days}
        routes[own.pk] = _with_ride_aboard(locked.area, own, routes[own.pk], locked, at)
        changed = apply_routes(locked.area, days, routes, now=timezone.now())  # the ride's vehicle and times too
        locked.refresh_from_db(fields=["vehicle", "planned_pickup", "planned_dropoff", "earlier_vehicles"])
        locked.status, locked.boarded_at = Booking.Status.BOARDED, at
        locked.cancelled_at, locked.cancelled_by_service, locked.reason = None, False, ""
        locked.save(update_fields=["status", "boarded_at", "cancelled_at", "cancelled_by_service", "reason"])
        audit.record(actor=None, action="rides.booking_boarded", obj=locked,
                     changes={"tablet_id": tablet_id, "taken_back_by": vehicle.code, "was": was})
        publish_booking(BOOKING_BOARDED, locked)
        if was["status"] == Booking.Status.NO_SHOW:
            take_back_miss(locked, now=timezone.now())
        if changed:
            publish_plans(locked.area.municipality_id, [vd.pk for vd in changed])
    return locked


def _check_may_take_back(booking: Booking, vehicle: Vehicle) -> None:
    if vehicle.pk != booking.vehicle_id and vehicle.pk not in booking.earlier_vehicles:
        raise ValidationError({"payload.booking": _("Booking %(id)s is not on this vehicle's plan.")
                               % {"id": booking.pk}})
    if booking.status == Booking.Status.BOARDED:
        raise ValidationError({"status": _("The rider is on board %(vehicle)s already (its driver marked it at "
                                           "%(time)s): call the office.") % {
            "vehicle": booking.vehicle.name if booking.vehicle else "?",
            "time": timezone.localtime(booking.boarded_at).strftime("%H:%M") if booking.boarded_at else "?"}})
    cancelled_by_service = booking.status == Booking.Status.CANCELLED and booking.cancelled_by_service
    # A no-show is a judgement made at the stop (the rider was not there), a boarding a fact: the rider was not
    # there because another vehicle had picked them up, so the boarding wins and the miss is taken back.
    if booking.status not in (Booking.Status.ACCEPTED, Booking.Status.NO_SHOW) and not cancelled_by_service:
        raise ValidationError({"status": _("Only a booked ride can board (this one is: %(status)s).")
                               % {"status": booking.get_status_display()}})


def _with_ride_aboard(area: ServiceArea, plan: VehicleDay, stops: list[dict], booking: Booking,
                      at: datetime) -> list[dict]:
    """`stops` (the vehicle's route without the ride) with the ride's pickup where the vehicle was at `at`, its
    drop-off after every stop served by now (the rider is still aboard: no drop-off mark yet), and the route
    re-timed as running (`plans.as_running`: each stop no earlier than planned, nor than the one before plus the
    stop and the drive)."""
    probe = VehicleDay(pk=plan.pk, day=plan.day, stops=stops)
    now = timezone.now()
    marks = plans.marks_of([probe], now)  # one read, for both heads and the re-timing
    boarded_at = solver.served_heads([probe], at, marks)[str(plan.pk)]
    served_now = solver.served_heads([probe], now, marks)[str(plan.pk)]
    pickup = plans.stop(booking, "pickup", at)
    dropoff = plans.stop(booking, "dropoff", at)  # timed by as_running: the drive from the pickup on
    route = [*stops[:boarded_at], pickup, *stops[boarded_at:served_now], dropoff, *stops[served_now:]]
    return plans.retimed(area, route, {**marks, booking.pk: plans.Marks(Booking.Status.BOARDED, at, None)})
