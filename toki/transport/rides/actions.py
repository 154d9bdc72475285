"""Every change to shared rides: booking (any channel), cancelling, no-shows, the re-optimiser's plans, saved
riders and their usual trips. `acting_user` None is the system (commands, the demo, the web page's anonymous
rider, whose permission is the booking's secret reference).

Seats are sold in one place, `book_ride`: it locks the area's vehicle-day plans for the day (SELECT … FOR UPDATE,
in id order), asks the dispatcher (`dispatch.py`, the darp solver) for a place, writes the plan and the booking and
publishes the event, all in one transaction; a second booking for the same day waits for the first."""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit, ratelimit
from toki.lib.tasks import enqueue_on_commit
from toki.lib.text import cut
from toki.transport.rides import dispatch, permissions, plans, running, selectors
from toki.transport.rides.events import BOOKING_ACCEPTED, BOOKING_CANCELLED, publish_booking, publish_plans
from toki.transport.rides.models import (
    Booking,
    FareCategory,
    MeetingPoint,
    Rider,
    SelfBookingSuspension,
    ServiceArea,
    Shift,
    UsualTrip,
    Vehicle,
    VehicleDay,
)
from toki.transport.rides.rules import (
    Calendar,
    RideRequest,
    asked_time,
    calendar_of,
    in_pause,
    request_problems,
    too_late,
)
from toki.transport.rides.travel import matrix_for

logger = logging.getLogger(__name__)


def user_or_none(user):
    """Who to record as having done it: a signed-in user, else nobody (a tablet, LINE, the public page, a job)."""
    return user if user is not None and user.is_authenticated else None

ALTERNATIVE_SHIFTS = (30, -30, 60, -60)  # minutes: the other times offered when a time is full
# What the dispatcher's answer sets on a booking saved (provisionally accepted) before it was asked.
ANSWER_FIELDS = ("vehicle", "promised_pickup_from", "promised_pickup_until", "planned_pickup", "planned_dropoff")


@dataclass(frozen=True)
class Answer:
    booking: Booking
    alternatives: list[datetime]  # other times that would have worked (rejected bookings only)


def _require_operator(acting_user, area) -> None:
    if acting_user is not None and not permissions.may_operate(acting_user, area):
        raise PermissionDenied("booking for riders needs the area's phone desk (HQ or its branch office)")


def _fare(area: ServiceArea, rider: Rider | None, passengers: int) -> int:
    category = rider.category if rider is not None and rider.category_id else None
    if category is None:
        category = FareCategory.objects.filter(area=area).order_by("-price_yen").first()
    return (category.price_yen if category else 0) * passengers


def book_ride(*, acting_user, request: RideRequest, channel: str, rider: Rider | None = None,
              now: datetime | None = None) -> Answer:
    """Answer a request at once: accepted with a promised pickup window and a predicted arrival, or refused with
    the reason and (when the time was full) other times that have room now. A refused request is kept too: the
    acceptance rate counts it."""
    area = request.area
    if channel == Booking.Channel.PHONE or (rider is not None and channel != Booking.Channel.WEB):
        _require_operator(acting_user, area)
    if channel not in Booking.Channel.values:
        raise ValidationError({"channel": f"unknown channel {channel!r}"})
    now = now or timezone.now()
    day = request.service_date
    vehicles = plans.vehicles_on(area, day)  # none out of service that day (retired, or in a span)
    shifts = list(Shift.objects.filter(vehicle__in=vehicles))
    calendar = calendar_of(area, day)
    rule = getattr(area, "booking_rule", None)
    problems = request_problems(request, now=now, calendar=calendar, rule=rule, vehicles=vehicles,
                                shifts=shifts)
    if channel != Booking.Channel.PHONE and rider is not None:
        problems = _self_booking_problems(area, rider) + problems
    direct = matrix_for(area, [(request.origin.lat, request.origin.lon),
                               (request.destination.lat, request.destination.lon)])
    booking = Booking(
        area=area, rider=rider, channel=channel, service_date=day, origin=request.origin.point,
        destination=request.destination.point, origin_lat=request.origin.lat, origin_lon=request.origin.lon,
        destination_lat=request.destination.lat, destination_lon=request.destination.lon,
        earliest_pickup=request.earliest_pickup, latest_arrival=request.latest_arrival,
        passengers=request.passengers, wheelchairs=request.wheelchairs, evacuation=request.evacuation,
        direct_minutes=round(direct.minutes[0][1], 2), direct_km=round(direct.km[0][1], 3),
        fare_yen=_fare(area, rider, request.passengers),
        created_by=user_or_none(acting_user))
    alternatives: list[datetime] = []
    with transaction.atomic():
        if problems:
            booking.status, booking.reason = Booking.Status.REJECTED, " ".join(problems)[:200]
            booking.save()
        else:
            days = _lock_plans(area, day, vehicles, shifts)
            late = _day_closed_meanwhile(request, calendar, now=now, rule=rule, vehicles=vehicles, shifts=shifts)
            booking.status = Booking.Status.ACCEPTED  # provisional: the dispatcher's answer decides
            booking.save()
            offer = dispatch.Refusal(" ".join(late)) if late else dispatch.offer(area, days, booking, now=now)
            if isinstance(offer, dispatch.Refusal):
                booking.status, booking.reason = Booking.Status.REJECTED, offer.reason[:200]
                booking.save(update_fields=["status", "reason"])
                alternatives = [] if late else _alternatives(area, days, booking, now, calendar)  # none: day off
            else:
                apply_routes(area, days, offer.routes, now=now)
                booking.vehicle = offer.vehicle
                booking.promised_pickup_from, booking.promised_pickup_until = offer.pickup_window
                booking.planned_pickup, booking.planned_dropoff = offer.pickup_at, offer.dropoff_at
                booking.save(update_fields=ANSWER_FIELDS)
                publish_booking(BOOKING_ACCEPTED, booking)
        audit.record(actor=acting_user, action=f"rides.booking_{booking.status}", obj=booking,
                     changes={"channel": channel, "area": area.code, "vehicle": booking.vehicle_id})
    return Answer(booking, alternatives)


def _lock_plans(area: ServiceArea, day, vehicles: list[Vehicle], shifts: list[Shift]) -> list[VehicleDay]:
    """The day's plans, row-locked; the day's first booking makes them. When none exist yet it holds the area's row
    first: a 運休 (`suspend_day`) takes that row before anything else, so it waits for this booking to commit and
    then cancels it, or this booking waits for it and then sees the day off. Plans that exist serialise the two
    already (the 運休 locks them too); plans not yet committed lock nothing a 運休 would wait for (PostgreSQL)."""
    days = plans.lock_days(area, day)
    if not plans.days_missing(days, vehicles, shifts, day):
        return days
    if not days:
        plans.lock_area(area)
    plans.ensure_days(area, day, vehicles, shifts)
    return plans.lock_days(area, day)


def _day_closed_meanwhile(request: RideRequest, calendar: Calendar, **checks) -> list[str]:
    """The calendar read again under the plans' lock: a 運休日 saved while this request was being checked (a
    typhoon's `suspend_day`, or any day off) is seen here, since those changes lock the same plans before they write
    the day off and commit. One query; the problems if the day no longer runs."""
    fresh = calendar_of(request.area, request.service_date)
    return [] if fresh == calendar else request_problems(request, calendar=fresh, **checks)


def _alternatives(area, days, booking: Booking, now: datetime, calendar: Calendar) -> list[datetime]:
    """Other times the same trip fits now (tried with the plans still locked; nothing is written); none from the
    hour a 運休 starts that day."""
    found = []
    base = booking.earliest_pickup or booking.latest_arrival
    assert base is not None
    by_arrival = booking.earliest_pickup is None
    for minutes in ALTERNATIVE_SHIFTS:
        when = base + timedelta(minutes=minutes)
        if when < now or timezone.localdate(when) != booking.service_date:
            continue
        if too_late(calendar, booking.service_date, None if by_arrival else when, when if by_arrival else None):
            continue
        if booking.earliest_pickup is not None:
            booking.earliest_pickup = when
        else:
            booking.latest_arrival = when
        if not isinstance(dispatch.offer(area, days, booking, now=now), dispatch.Refusal):
            found.append(when)
        if len(found) == 3:
            break
    booking.refresh_from_db(fields=["earliest_pickup", "latest_arrival"])
    return sorted(found)


def apply_routes(area, days: list[VehicleDay], routes: dict[int, list[dict]], *, now: datetime) -> list[VehicleDay]:
    """Write the new stops of the plans that changed (locked by the caller), with their distances."""
    changed = []
    before = _planned_times(days)
    for vehicle_day in days:
        stops = routes.get(vehicle_day.pk)
        if stops is None or stops == vehicle_day.stops:
            continue
        distance = plans.route_distance(area, vehicle_day.vehicle, stops)
        vehicle_day.stops, vehicle_day.version = stops, vehicle_day.version + 1
        vehicle_day.km_total, vehicle_day.km_empty = distance.km_total, distance.km_empty
        vehicle_day.save(update_fields=["stops", "version", "km_total", "km_empty", "expected_next", "updated_at"])
        changed.append(vehicle_day)
    after = _planned_times(days)
    _store_planned_times({pk: times for pk, times in after.items() if before.get(pk) != times})
    note_earlier_vehicles({pk: before[pk][0] for pk, times in after.items()
                           if pk in before and before[pk][0] != times[0]})
    return changed


def retime_as_running(area, days: list[VehicleDay], vehicle_id: int, booking: Booking, kind: str, *,
                      now: datetime) -> None:
    """After a tablet's mark of `booking`'s stop `kind`, inside its transaction (the plans locked): the vehicle's
    plan re-timed from what its tablet recorded (`plans.as_running`: running late pushes the later stops and their
    riders' predicted times later), written with the bookings' planned times if anything moved. A mark no later
    than its stop's time in the plan (the common case) pushes nothing: the plan is not read further."""
    plan = next((vd for vd in days if vd.vehicle_id == vehicle_id), None)
    stop = next((s for s in plan.stops if (s["booking"], s["kind"]) == (booking.pk, kind)), None) if plan else None
    recorded = booking.boarded_at if kind == "pickup" else booking.dropped_off_at
    if plan is None or stop is None or recorded is None or \
            recorded <= datetime.fromisoformat(stop["at"]) + plans.RUNNING_LATE_FROM:
        return
    stops = plans.retimed(area, plan.stops, plans.marks_of([plan], now), plans.floors_of(plan))
    if apply_routes(area, [plan], {plan.pk: stops}, now=now):
        publish_plans(area.municipality_id, [plan.pk])


def retime_from_position(area, plan: VehicleDay, *, now: datetime) -> bool:
    """After the driver's tablet wrote a newer position on `plan` (locked by the caller, in its transaction: the plan
    before its bookings, the order every change takes): when the vehicle cannot reach its next stop not yet done by
    that stop's time in the plan — from the position at the fix's time, on the area's travel source
    (`running.arrivals_along`, the near reminder's estimate) — by RUNNING_LATE_FROM or more, the vehicle's later
    stops are re-timed as running late (`plans.as_running` with that stop no earlier than expected), written with
    the riders' planned times, and the stop and its expected time are kept on the plan (`expected_next`) so that no
    later write of the solver puts back the earlier times. Nothing is pulled earlier: the stop is compared with its
    time in the plan as it is, so a report no later than the last re-time writes nothing (a position arrives every
    minute from each vehicle). Nothing for a fix outside the vehicle's shift, a vehicle taken out of service, or a
    plan with no stop left. Answers whether the plan was written."""
    seen = plan.last_seen_at
    if (seen is None or plan.last_lat is None or plan.last_lon is None or not plan.stops
            or plan.withdrawn_at is not None or not plan.start <= seen <= plan.end):
        return False
    marks = plans.marks_of([plan], seen)
    remaining = running.remaining_stops(plan.stops, {pk: mark.status for pk, mark in marks.items()})
    if not remaining:
        return False
    following = remaining[0]
    # The vehicle's own position is not a point a matrix file lists: the straight line for that leg is the usual
    # case there, logged at DEBUG (a report a minute from each vehicle).
    expected = running.arrivals_along(area, (plan.last_lat, plan.last_lon), seen, [following], {}, logger,
                                      own_leg_level=logging.DEBUG)[0]
    planned = datetime.fromisoformat(following["at"])
    if expected <= planned + plans.RUNNING_LATE_FROM:
        return False
    floor = {"booking": following["booking"], "kind": following["kind"],
             "at": timezone.localtime(expected).isoformat()}
    kept = plan.expected_next
    plan.expected_next = floor
    # The drives on the travel source, or its straight-line estimate when it cannot answer (plans.retimed).
    stops = plans.retimed(area, plan.stops, marks, {(following["booking"], following["kind"]): expected})
    written = apply_routes(area, [plan], {plan.pk: stops}, now=now)
    if not written:
        plan.expected_next = kept
        return False
    audit.record(actor=None, action="rides.plan_running_late", obj=plan, changes={
        "booking": following["booking"], "kind": following["kind"], "expected": floor["at"],
        "late_minutes": round((expected - planned).total_seconds() / 60, 1)})
    publish_plans(area.municipality_id, [plan.pk])
    return True


def note_earlier_vehicles(moved_from: dict[int, int]) -> None:
    """Each ride moved to another vehicle keeps the one it leaves (read and written under the plans' locks, which
    every change of a ride's vehicle holds): rare, a few rows at most, so one save each."""
    for booking in Booking.objects.filter(pk__in=moved_from).only("pk", "earlier_vehicles"):
        if moved_from[booking.pk] not in booking.earlier_vehicles:
            booking.earlier_vehicles = [*booking.earlier_vehicles, moved_from[booking.pk]]
            booking.save(update_fields=["earlier_vehicles"])


def _store_planned_times(moved: dict[int, tuple]) -> None:
    """The re-timed bookings in one statement run per row (executemany): an insertion moves the later stops of
    its route, tens of rows, and `bulk_update`'s CASE expression cost more Python time than the solver."""
    if not moved:
        return
    adapt, quote = connection.ops.adapt_datetimefield_value, connection.ops.quote_name
    # Only the model's own table and column names are formatted in (quoted; the fields set no db_column, so the
    # columns are their attribute names); every value is a parameter.
    sql = (f"UPDATE {quote(Booking._meta.db_table)} SET {quote('vehicle_id')} = %s, "  # noqa: S608
           f"{quote('planned_pickup')} = %s, {quote('planned_dropoff')} = %s WHERE {quote('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(vehicle, adapt(pickup), adapt(dropoff), pk)
                                 for pk, (vehicle, pickup, dropoff) in sorted(moved.items())])


def _planned_times(days: list[VehicleDay]) -> dict[int, tuple]:
    """booking id → (vehicle id, planned pickup, planned drop-off) as the plans say."""
    times: dict[int, list] = {}
    for vehicle_day in days:
        for item in vehicle_day.stops:
            entry = times.setdefault(item["booking"], [vehicle_day.vehicle_id, None, None])
            entry[1 if item["kind"] == "pickup" else 2] = datetime.fromisoformat(item["at"])
    return {pk: tuple(entry) for pk, entry in times.items()}


def cancel_booking(*, acting_user, booking: Booking, by_rider: bool = False, now: datetime | None = None) -> Booking:
    """Cancel a booked ride: its stops leave the plan (the others keep their times, so no promise moves). The
    rider cancels through the booking's link (by_rider) until the pickup; the phone desk at any time. A
    cancellation later than the area's rule is recorded as late."""
    if not by_rider:
        _require_operator(acting_user, booking.area)
    now = now or timezone.now()
    with transaction.atomic():
        locked, days = lock_booking(booking)
        if locked.status != Booking.Status.ACCEPTED:
            raise ValidationError({"status": _("Only a booked ride that has not started can be cancelled.")})
        if by_rider and locked.planned_pickup is not None and now >= locked.planned_pickup:
            raise ValidationError({"status": _("The pickup time has passed: call the phone desk.")})
        _remove_from_plan(locked, days)
        rule = getattr(locked.area, "booking_rule", None)
        late = (rule is not None and locked.planned_pickup is not None
                and now > locked.planned_pickup - timedelta(minutes=rule.cancel_minutes_before))
        locked.status, locked.cancelled_at, locked.cancelled_late = Booking.Status.CANCELLED, now, late
        locked.reason = _("Cancelled late.") if late else ""
        locked.save(update_fields=["status", "cancelled_at", "cancelled_late", "reason"])
        audit.record(actor=acting_user, action="rides.booking_cancel", obj=locked,
                     changes={"late": late, "by_rider": by_rider})
        publish_booking(BOOKING_CANCELLED, locked)
        if late and rule is not None and rule.late_cancel_counts:
            _stop_self_booking_if_over_limit(acting_user=acting_user, booking=locked, now=now)
    return locked


def cancel_for_suspension(*, acting_user, area: ServiceArea, day, note: str, now: datetime,
                          from_time: time | None = None, to_time: time | None = None) -> list[Booking]:
    """Every ride still to come on `day` cancelled with the day's service (運休: a typhoon, heavy snow), inside the
    caller's transaction (actions_setup.suspend_day, which then makes the day a 運休日): the day's plans emptied of
    them in one write, each booking cancelled by the service (never late, never a rider's miss), audited and
    published; after the commit, the riders LINE can reach are told (tasks.tell_riders_of_suspension) and the others
    are on the phone desk's call list for the day. Refused while a rider is on board that day: the vehicle brings
    them to their destination first. Evacuation rides are kept: a 運休 stops the regular service, and new evacuation
    rides are taken on a 運休日 too (rules.request_problems). With `from_time` only the rides asked for from then
    on (until `to_time`, when the service resumes) are cancelled."""
    def to_cancel(booking: Booking) -> bool:
        return not booking.evacuation and (from_time is None or in_pause(
            asked_time(booking.earliest_pickup, booking.latest_arrival), from_time, to_time))

    if any(to_cancel(b) for b in Booking.objects.filter(area=area, service_date=day, status=Booking.Status.BOARDED)):
        raise ValidationError({"day": _("A rider is on board that day: finish that ride before suspending the "
                                        "service.")})
    days = plans.lock_days(area, day)  # the plans before the bookings, in the order a booking takes them
    bookings = [b for b in Booking.objects.select_for_update().filter(
        area=area, service_date=day, status=Booking.Status.ACCEPTED).order_by("pk") if to_cancel(b)]
    cancelled = {b.pk for b in bookings}
    changed = apply_routes(area, days, {vd.pk: [s for s in vd.stops if s["booking"] not in cancelled]
                                        for vd in days}, now=now)
    if changed:
        publish_plans(area.municipality_id, [vd.pk for vd in changed])
    reason = _suspension_reason(note, from_time, to_time)
    cancel_by_service(acting_user=acting_user, bookings=bookings, reason=reason, now=now,
                      audit_changes={"suspended": day.isoformat()})
    return bookings


def _suspension_reason(note: str, from_time: time | None, to_time: time | None) -> str:
    if from_time is None:
        return _("Service suspended: %(note)s") % {"note": note}
    if to_time is None:
        return _("Service suspended from %(time)s: %(note)s") % {"time": from_time.strftime("%H:%M"), "note": note}
    return _("Service suspended from %(time)s to %(resumes)s: %(note)s") % {
        "time": from_time.strftime("%H:%M"), "resumes": to_time.strftime("%H:%M"), "note": note}


def cancel_by_service(*, acting_user, bookings: list[Booking], reason: str, now: datetime,
                      audit_changes: dict) -> None:
    """Bookings (locked, already off their plans) cancelled by the service, not by the rider: never late, never a
    miss; `reason` on the booking's page and in the LINE notice each rider LINE can reach gets after the commit
    (tasks.tell_riders_of_suspension); the others are on the phone desk's call list for the day."""
    reason = cut(reason, Booking._meta.get_field("reason").max_length or 200)
    for booking in bookings:
        booking.status, booking.cancelled_at, booking.cancelled_late = Booking.Status.CANCELLED, now, False
        # reminded_evening: a rider the desk called with the evening reminder is to be called again, with the news.
        booking.cancelled_by_service, booking.reason, booking.reminded_evening = True, reason, False
        booking.save(update_fields=["status", "cancelled_at", "cancelled_late", "cancelled_by_service", "reason",
                                    "reminded_evening"])
        audit.record(actor=acting_user, action="rides.booking_cancel", obj=booking,
                     changes={"late": False, "by_rider": False, **audit_changes})
        publish_booking(BOOKING_CANCELLED, booking)
    if bookings:
        from toki.transport.rides.tasks import tell_riders_of_suspension

        enqueue_on_commit(tell_riders_of_suspension, [b.pk for b in bookings])


def mark_no_show(*, acting_user, booking: Booking, now: datetime | None = None) -> Booking:
    """The rider was not at the meeting point: only after the promised window has closed."""
    _require_operator(acting_user, booking.area)
    now = now or timezone.now()
    with transaction.atomic():
        locked, days = lock_booking(booking)
        if locked.status != Booking.Status.ACCEPTED:
            raise ValidationError({"status": _("Only a booked ride can be marked as a no-show.")})
        if locked.promised_pickup_until is None or now < locked.promised_pickup_until:
            raise ValidationError({"status": _("A no-show can be marked only after the pickup window.")})
        _remove_from_plan(locked, days)
        locked.status = Booking.Status.NO_SHOW
        locked.save(update_fields=["status"])
        audit.record(actor=acting_user, action="rides.booking_no_show", obj=locked)
        publish_booking(BOOKING_CANCELLED, locked)
        _stop_self_booking_if_over_limit(acting_user=acting_user, booking=locked, now=now)
    return locked


# --- No-show and late-cancellation rules (BookingRule.no_show_limit, docs/rides.md "Misses") --------------------

def _self_booking_problems(area: ServiceArea, rider: Rider) -> list[str]:
    suspension = selectors.open_suspension(rider)
    if suspension is None:
        return []
    message = _("Booking on the web and LINE is stopped for you after %(count)s missed rides (not at the meeting "
                "point, or cancelled late). Please book by phone.") % {"count": len(suspension.counted)}
    return [f"{message} ☎ {area.phone_number}" if area.phone_number else message]


def misses(rider: Rider, rule, now: datetime) -> list[Booking]:
    """The rider's misses the rule counts: no-shows (by the end of the promised window) and, when the rule says,
    late cancellations (by when they were made), within the rule's period and after the last stop was lifted
    (by the desk: a stop voided because a miss proved wrong restarts nothing)."""
    since = now - timedelta(days=rule.no_show_period_days)
    lifted = rider.suspensions.filter(void=False).aggregate(last=Max("lifted_at"))["last"]
    if lifted is not None and lifted > since:
        since = lifted
    counted = Q(status=Booking.Status.NO_SHOW, promised_pickup_until__gt=since)
    if rule.late_cancel_counts:
        counted |= Q(status=Booking.Status.CANCELLED, cancelled_late=True, cancelled_at__gt=since)
    return list(rider.bookings.filter(counted).order_by("service_date", "pk"))


def _miss_label(booking: Booking) -> str:
    kind = _("no-show") if booking.status == Booking.Status.NO_SHOW else _("late cancellation")
    return f"{booking.service_date:%m/%d} {kind}"


def _stop_self_booking_if_over_limit(*, acting_user, booking: Booking, now: datetime) -> None:
    """After a miss: at the rule's limit, stop the rider's web and LINE self-booking (the phone desk still books)."""
    rule = getattr(booking.area, "booking_rule", None)
    rider = booking.rider
    if rider is None or rule is None or rule.no_show_limit == 0:
        return
    if rider.suspensions.filter(lifted_at__isnull=True).exists():
        return
    missed = misses(rider, rule, now)
    if len(missed) < rule.no_show_limit:
        return
    reason = _("%(count)s missed rides in %(days)s days: %(rides)s") % {
        "count": len(missed), "days": rule.no_show_period_days, "rides": ", ".join(_miss_label(b) for b in missed)}
    suspension = SelfBookingSuspension.objects.create(
        rider=rider, started_at=now, reason=reason[:300], counted=[b.pk for b in missed],
        started_by=user_or_none(acting_user))
    audit.record(actor=acting_user, action="rides.self_booking_stopped", obj=rider,
                 changes={"suspension": suspension.pk, "counted": suspension.counted})


def take_back_miss(booking: Booking, *, now: datetime) -> None:
    """A no-show shown wrong (a vehicle's tablet recorded the rider aboard): an open stop of self-booking that
    counted it is voided (lifted by the service, with why); then the rider's misses are counted again without it
    (others may still reach the limit, which starts a new stop that says so). Inside the caller's transaction."""
    rider = booking.rider
    if rider is None:
        return
    for suspension in SelfBookingSuspension.objects.select_for_update().filter(
            rider=rider, lifted_at__isnull=True):
        if booking.pk not in suspension.counted:
            continue
        suspension.lifted_at, suspension.lifted_by, suspension.void = now, None, True
        suspension.lift_note = cut(_("Ride %(id)s was not missed: a vehicle's tablet recorded the rider on board.")
                                   % {"id": booking.pk}, 200)
        suspension.save(update_fields=["lifted_at", "lifted_by", "lift_note", "void"])
        audit.record(actor=None, action="rides.self_booking_lifted", obj=rider,
                     changes={"suspension": suspension.pk, "no_show_undone": booking.pk})
    _stop_self_booking_if_over_limit(acting_user=None, booking=booking, now=now)


def lift_suspension(*, acting_user, suspension: SelfBookingSuspension, note: str,
                    now: datetime | None = None) -> SelfBookingSuspension:
    """The phone desk lets the rider book on the web and LINE again (after talking with them); audited, with why."""
    _require_operator(acting_user, suspension.rider.area)
    if not note.strip():
        raise ValidationError({"note": _("Say why the stop is lifted (e.g. talked with the rider on the phone).")})
    with transaction.atomic():
        locked = SelfBookingSuspension.objects.select_for_update().get(pk=suspension.pk)
        if locked.lifted_at is not None:
            raise ValidationError({"note": _("This stop has already been lifted.")})
        locked.lifted_at, locked.lift_note = now or timezone.now(), note.strip()[:200]
        locked.lifted_by = user_or_none(acting_user)
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_note"])
        audit.record(actor=acting_user, action="rides.self_booking_lifted", obj=locked.rider,
                     changes={"suspension": locked.pk})
    return locked


def lock_booking(booking: Booking) -> tuple[Booking, list[VehicleDay]]:
    """The booking's day's plans, then the booking, row-locked: the order a booking, a 運休 and a vehicle taken out
    of service take them, so that none of them deadlocks with a cancellation (PostgreSQL would abort one)."""
    days = plans.lock_days(booking.area_id, booking.service_date)  # a booking's area and day never change
    locked = Booking.objects.select_for_update(of=("self",)).select_related("area").get(pk=booking.pk)
    return locked, days


def _remove_from_plan(booking: Booking, days: list[VehicleDay]) -> None:
    if booking.vehicle_id is None:
        return
    routes = {vd.pk: [s for s in vd.stops if s["booking"] != booking.pk] for vd in days}
    changed = apply_routes(booking.area, days, routes, now=timezone.now())
    if changed:
        publish_plans(booking.area.municipality_id, [vd.pk for vd in changed])


REBASE_ATTEMPTS = 3


def store_improved_plans(*, area, day, expected_versions: dict[int, int], routes: dict[int, list[dict]]) -> int:
    """The re-optimiser's result, written under the plans' row locks if they still have the versions it was made
    on. If bookings or cancellations changed them since, the result is brought up to date outside any lock
    (`dispatch.rebase`: the rides booked meanwhile inserted inside their promises, the cancelled left out; written
    only if still cheaper than the plans as they are) and tried again on the versions it was rebased on. Outside
    the lock because on SQLite the lock is the whole database's write lock, which every booking waits for: a
    rebase inside it (a cold process reading the day and loading the solver) held bookings for over a second.
    Answers how many plans were written (0: nothing better, or the plans kept changing)."""
    now = timezone.now()
    rebased = False
    for _attempt in range(REBASE_ATTEMPTS):
        with transaction.atomic():
            days = plans.lock_days(area, day)
            if {vd.pk: vd.version for vd in days} == expected_versions:
                changed = apply_routes(area, days, routes, now=now)
                if changed:
                    audit.record(actor=None, action="rides.plans_improved", obj=area,
                                 changes={"day": day.isoformat(), "vehicle_days": [vd.pk for vd in changed],
                                          "rebased": rebased})
                    publish_plans(area.municipality_id, [vd.pk for vd in changed])
                return len(changed)
        days = list(plans.read_days(area, day))  # no lock: the plans now, to bring the result up to date with
        brought_up_to_date = dispatch.rebase(area, days, routes, now=now)
        if brought_up_to_date is None:
            return 0
        routes, expected_versions, rebased = brought_up_to_date, {vd.pk: vd.version for vd in days}, True
    return 0


RIDER_FIELDS = ("name", "name_kana", "phone", "category", "wheelchair", "home_lat", "home_lon", "note")


def save_rider(*, acting_user, area, rider: Rider | None = None, **values) -> Rider:
    _require_operator(acting_user, area)
    unknown = set(values) - set(RIDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown rider fields: {sorted(unknown)}")
    target = rider or Rider(area=area, municipality_id=area.municipality_id)
    for name, value in values.items():
        setattr(target, name, value)
    errors = {}
    if not target.name.strip():
        errors["name"] = _("Give the rider's name.")
    if not target.phone.strip():
        errors["phone"] = _("Give a phone number to call the rider back.")
    if target.category is not None and target.category.area_id != area.pk:
        errors["category"] = _("That fare category belongs to another area.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        creating = target.pk is None
        target.save()
        # Personal data stays out of the audit record: which fields changed, not their values.
        audit.record(actor=acting_user, action="rides.rider_create" if creating else "rides.rider_update",
                     obj=target, changes={"fields": sorted(values)})
    return target


def add_usual_trip(*, acting_user, rider: Rider, label: str, origin: MeetingPoint, destination: MeetingPoint,
                   usual_time=None, by_arrival: bool = False, passengers: int = 1) -> UsualTrip:
    _require_operator(acting_user, rider.area)
    errors = {}
    if not label.strip():
        errors["label"] = _("Give the trip a name (e.g. 'to the clinic').")
    for name, point in (("origin", origin), ("destination", destination)):
        if point.area_id != rider.area_id:
            errors[name] = _("That meeting point is in another area.")
    if origin.pk == destination.pk:
        errors["destination"] = _("The pickup and the drop-off are the same place.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        trip = UsualTrip.objects.create(rider=rider, label=label.strip(), origin=origin, destination=destination,
                                        usual_time=usual_time, by_arrival=by_arrival, passengers=passengers)
        audit.record(actor=acting_user, action="rides.usual_trip_create", obj=trip)
    return trip


def remove_usual_trip(*, acting_user, trip: UsualTrip) -> None:
    """The phone desk removes a usual trip (saved by the desk, or by the rider in LINE)."""
    _require_operator(acting_user, trip.rider.area)
    delete_usual_trip(actor=acting_user, trip=trip)


def delete_usual_trip(*, actor, trip: UsualTrip, channel: str = "") -> None:
    """A usual trip deleted and audited; the caller checked who may (the desk, or the rider's own LINE)."""
    with transaction.atomic():
        audit.record(actor=actor, action="rides.usual_trip_remove", obj=trip.rider, changes={
            **({"channel": channel} if channel else {}), "label": trip.label, "origin": trip.origin_id,
            "destination": trip.destination_id, "origin_home": trip.origin_home,
            "destination_home": trip.destination_home})
        trip.delete()


def rider_for_web(*, area, name: str, phone: str) -> Rider:
    """The web page's rider: the saved rider of the area with this name and phone, or a new one (the phone desk
    sees web bookers among its riders and can call them)."""
    existing = Rider.objects.filter(area=area, name=name.strip(), phone=phone.strip()).first()
    if existing is not None:
        return existing
    return save_rider(acting_user=None, area=area, name=name.strip(), phone=phone.strip())


def sync_evacuation_state(*, municipality_id: int) -> list[str]:
    """Each area's evacuation state as the orders in force say (drills excluded); answers the codes of the areas
    whose state changed. Run by the subscriber of every published alert."""
    from toki.alerts.selectors import orders_in_force
    from toki.areas.models import Municipality

    municipality = Municipality.objects.get(pk=municipality_id)
    districts = {order.district_id for order in orders_in_force(municipality)}
    changed = []
    with transaction.atomic():
        for area in ServiceArea.objects.select_for_update().filter(municipality=municipality):
            in_force = area.district_id in districts
            if in_force == (area.evacuation_since is not None):
                continue
            area.evacuation_since = timezone.now() if in_force else None
            area.save(update_fields=["evacuation_since"])
            audit.record(actor=None, action="rides.evacuation_started" if in_force else "rides.evacuation_ended",
                         obj=area)
            changed.append(area.code)
    return changed


# --- The public booking page's rate limit (docs/rides.md "Rate limit") -------------------------------------------

WEB_BOOKING_WINDOW = timedelta(minutes=10)


def _web_booking_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """Per client (toki.lib.client_address), then everyone together: a flood from many addresses cannot fill the
    vehicles with made-up riders either (settings TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT / _GLOBAL)."""
    return (ratelimit.Limit("rides.web_booking.client", settings.TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT,
                            WEB_BOOKING_WINDOW),
            ratelimit.Limit("rides.web_booking", settings.TOKI_RIDES_WEB_BOOKINGS_GLOBAL, WEB_BOOKING_WINDOW))


def take_web_booking_slot(client_address: str, *, now=None) -> datetime | None:
    """Count one request from the public booking page; None when it may go on, else when the client may try again
    (nothing counted). Bookkeeping only, like the 安否 search's limit: no audit row."""
    per_client, everyone = _web_booking_limits()
    uses = ((per_client, per_client.key_for(client_address or "")), (everyone, ratelimit.GLOBAL))
    if ratelimit.take_all(*uses, now=now):
        return None
    now = now or timezone.now()
    return max((when for limit, key in uses if (when := ratelimit.resets_at(limit, key, now=now)) is not None),
               default=now + WEB_BOOKING_WINDOW)
