"""The driver's tablet (issue 19, deliverable 4): enrolment of a vehicle's tablet, what it reads (the vehicle's
plan for the day with the riders' names and phone numbers), the marks it makes (boarded, dropped off; a no-show
goes through `actions.mark_no_show`, the phone desk's rule) and the positions it reports while on duty.

A tablet is enrolled like the household tablets (toki.community): the area's operators make a one-time QR for a
vehicle; opening it on the tablet sets an HTTP-only cookie whose secret the server keeps only as a SHA-256
(toki.lib.device_secrets). The tablet is not a user: its actions are recorded with no actor and the tablet's id."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from toki.accounts import audit
from toki.lib import device_secrets
from toki.lib.report_fields import ReportInvalid, moment, number
from toki.transport.rides import actions, actions_vehicle, permissions
from toki.transport.rides.events import BOOKING_BOARDED, BOOKING_DROPPED_OFF, publish_booking
from toki.transport.rides.models import (
    Booking,
    DriverTablet,
    TabletEnrolment,
    Vehicle,
    VehicleDay,
    VehicleOutOfService,
)

COOKIE = "toki_rides_tablet"
COOKIE_AGE = 365 * 24 * 3600
COOKIE_PATH = "/rides/driver/"
ENROLMENT_HOURS = 24
SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often (a tablet polls every minute)
POSITION_AHEAD = timedelta(minutes=2)
POSITION_BEHIND = timedelta(minutes=15)  # an older fix says nothing about where the vehicle is now


# Enrolment --------------------------------------------------------------------------------------------------------

def create_enrolment(*, acting_user, vehicle: Vehicle) -> tuple[TabletEnrolment, str]:
    """A one-time QR for `vehicle`'s tablet, valid for a day; the secret is returned once (for the QR)."""
    if not permissions.may_enrol_tablet(acting_user, vehicle.area):
        raise PermissionDenied("enrolling a vehicle's tablet needs the area's operators")
    secret = device_secrets.new_secret()
    with transaction.atomic():
        code = TabletEnrolment.objects.create(
            vehicle=vehicle, token_sha256=device_secrets.digest(secret), created_by=acting_user,
            expires_at=timezone.now() + timedelta(hours=ENROLMENT_HOURS))
        audit.record(actor=acting_user, action="rides.tablet_enrolment_created", obj=vehicle,
                     changes={"code_id": code.pk})
    return code, secret


def open_enrolment(token: str) -> TabletEnrolment | None:
    """The unused, unexpired code behind a QR's token, else None."""
    if not token or len(token) > device_secrets.MAX_SECRET_LENGTH:
        return None
    return (TabletEnrolment.objects.select_related("vehicle__area")
            .filter(token_sha256=device_secrets.digest(token), used_at=None, expires_at__gt=timezone.now()).first())


def enrol_tablet(*, token: str) -> tuple[DriverTablet, str]:
    """Use a one-time code: a new tablet of its vehicle and the secret for its cookie. A used or expired code is a
    ValidationError (nothing written)."""
    now = timezone.now()
    secret = device_secrets.new_secret()
    with transaction.atomic():
        code = (TabletEnrolment.objects.select_for_update()
                .filter(token_sha256=device_secrets.digest(token)).first())
        if code is None or code.used_at is not None or code.expires_at <= now:
            raise ValidationError(_("This QR code was already used or has expired: ask the office for a new one."))
        code.used_at = now
        code.save(update_fields=["used_at"])
        tablet = DriverTablet.objects.create(vehicle_id=code.vehicle_id, token_sha256=device_secrets.digest(secret),
                                             last_seen_at=now)
        audit.record(actor=None, action="rides.tablet_enrolled", obj=tablet,
                     changes={"vehicle_id": code.vehicle_id, "code_id": code.pk})
    return tablet, secret


def tablet_of(request) -> DriverTablet | None:
    """The enrolled, not signed-out tablet whose cookie the request carries (one query), else None."""
    secret = device_secrets.cookie_secret(request, COOKIE)
    if not secret:
        return None
    return (DriverTablet.objects.select_related("vehicle__area")
            .filter(token_sha256=device_secrets.digest(secret), signed_out_at=None).first())


def set_cookie(response, secret: str) -> None:
    device_secrets.set_cookie(response, COOKIE, secret, max_age=COOKIE_AGE, path=COOKIE_PATH)


def note_seen(tablet: DriverTablet, now: datetime) -> None:
    if tablet.last_seen_at is None or now - tablet.last_seen_at >= SEEN_EVERY:
        DriverTablet.objects.filter(pk=tablet.pk).update(last_seen_at=now)
        tablet.last_seen_at = now


def sign_out_tablet(*, acting_user, tablet: DriverTablet) -> None:
    """A lost or replaced tablet: its cookie opens nothing any more."""
    if not permissions.may_enrol_tablet(acting_user, tablet.vehicle.area):
        raise PermissionDenied("signing out a vehicle's tablet needs the area's operators")
    with transaction.atomic():
        DriverTablet.objects.filter(pk=tablet.pk, signed_out_at=None).update(signed_out_at=timezone.now())
        audit.record(actor=acting_user, action="rides.tablet_signed_out", obj=tablet)


def tablets_of_area(user, area) -> list[DriverTablet]:
    """The area's tablets in service, for its operators (none for anyone else)."""
    if not permissions.may_enrol_tablet(user, area):
        return []
    return list(DriverTablet.objects.filter(vehicle__area=area, signed_out_at=None).select_related("vehicle"))


# The plan the tablet reads ----------------------------------------------------------------------------------------

def _rider_of(booking: Booking) -> dict:
    rider = booking.rider
    return {"booking": booking.pk, "name": rider.name if rider else "", "phone": rider.phone if rider else "",
            "passengers": booking.passengers, "wheelchairs": booking.wheelchairs, "status": booking.status,
            "note": rider.note if rider else "", "evacuation": booking.evacuation}


def _iso(moment_or_none: datetime | None) -> str | None:
    return timezone.localtime(moment_or_none).isoformat() if moment_or_none else None


def plan_for(tablet: DriverTablet, day: date) -> dict:
    """The vehicle's plan for `day` as the tablet shows it: its stops in order, consecutive stops at the same place
    joined into one (who boards, who alights), each with its time and window. Names and phone numbers are there
    for the driver to call a rider who is not at the stop; the tablet keeps them only for the day."""
    vehicle_day = VehicleDay.objects.filter(vehicle=tablet.vehicle, day=day).first()
    raw_stops = vehicle_day.stops if vehicle_day else []
    bookings = {b.pk: b for b in Booking.objects.filter(pk__in={s["booking"] for s in raw_stops})
                .select_related("rider", "origin", "destination")}
    stops: list[dict] = []
    for item in raw_stops:
        booking = bookings.get(item["booking"])
        if booking is None:
            continue
        pickup = item["kind"] == "pickup"
        point = booking.origin if pickup else booking.destination
        place = point.name if point else f"{item['lat']:.5f}, {item['lon']:.5f}"
        if not stops or (stops[-1]["lat"], stops[-1]["lon"]) != (item["lat"], item["lon"]):
            stops.append({"place": place, "lat": item["lat"], "lon": item["lon"], "at": item["at"],
                          "window_from": None, "window_until": None, "board": [], "alight": []})
        stop = stops[-1]
        entry = _rider_of(booking)
        if pickup:
            stop["board"].append({**entry, "window_from": _iso(booking.promised_pickup_from),
                                  "window_until": _iso(booking.promised_pickup_until),
                                  "done_at": _iso(booking.boarded_at)})
            froms = [b["window_from"] for b in stop["board"] if b["window_from"]]
            untils = [b["window_until"] for b in stop["board"] if b["window_until"]]
            stop["window_from"], stop["window_until"] = min(froms, default=None), max(untils, default=None)
        else:
            stop["alight"].append({**entry, "latest": _iso(booking.latest_arrival),
                                   "done_at": _iso(booking.dropped_off_at)})
    area = tablet.vehicle.area
    return {"vehicle": {"id": tablet.vehicle_id, "name": tablet.vehicle.name, "area": area.name,
                        "phone": area.phone_number},
            "day": day.isoformat(), "version": vehicle_day.version if vehicle_day else 0,
            "shift": [_iso(vehicle_day.start), _iso(vehicle_day.end)] if vehicle_day else None,
            # Taken out of service for the day (actions_vehicle.withdraw_vehicle): said on top of the tablet.
            "withdrawn": ({"at": _iso(vehicle_day.withdrawn_at), "note": vehicle_day.withdrawn_note}
                          if vehicle_day and vehicle_day.withdrawn_at else None),
            # Out of service for days (a span, or until brought back): no plan is made, and the driver reads why.
            "out_of_service": _out_of_service(tablet.vehicle, day) if vehicle_day is None else None,
            "stops": stops, "generated_at": timezone.localtime().isoformat()}


def _out_of_service(vehicle: Vehicle, day: date) -> dict | None:
    """The span out of service covering `day` ({"first_day", "last_day" (None: until brought back), "note"}), or
    {"first_day": None, "last_day": None, "note": ""} for a vehicle out of service with no span (set out from
    運行設定 or by a file); None when it is in service that day."""
    span = VehicleOutOfService.objects.filter(vehicle=vehicle).covering(day).first()
    if span is not None:
        return {"first_day": span.first_day.isoformat(),
                "last_day": span.last_day.isoformat() if span.last_day else None, "note": span.note}
    if not vehicle.active:
        return {"first_day": None, "last_day": None, "note": ""}
    return None


# Marks: boarded and dropped off -----------------------------------------------------------------------------------

WHERE_FIELDS = ("id", "area_id", "service_date", "vehicle_id", "earlier_vehicles")

def booking_of(tablet: DriverTablet, booking_id: int, *, lock: bool = False, or_earlier: bool = False) -> Booking:
    """A booking on the tablet's vehicle (row-locked with `lock`); another vehicle's is a ValidationError, unless
    `or_earlier` and the ride was planned on the tablet's vehicle before it was moved (`Booking.earlier_vehicles`)."""
    if lock:
        booking = Booking.objects.select_for_update().select_related("area").filter(pk=booking_id).first()
    else:  # what the check and the locking need: the rest is read under the lock (actions.lock_booking)
        booking = Booking.objects.only(*WHERE_FIELDS).filter(pk=booking_id).first()
    ours = booking is not None and (booking.vehicle_id == tablet.vehicle_id
                                    or (or_earlier and tablet.vehicle_id in booking.earlier_vehicles))
    if booking is None or not ours:
        raise ValidationError({"payload.booking": _("Booking %(id)s is not on this vehicle's plan.")
                               % {"id": booking_id}})
    return booking


def _check_day(booking: Booking, at: datetime) -> None:
    if timezone.localdate(at) != booking.service_date:
        raise ValidationError({"occurred_at": _("The mark was made on %(day)s, not on the ride's day %(ride)s.")
                               % {"day": timezone.localdate(at), "ride": booking.service_date}})


def mark_boarded(*, tablet: DriverTablet, booking_id: int, at: datetime) -> Booking:
    """The rider got in: the booking is on board from `at` (the tablet's time). A ride moved off this vehicle (or
    cancelled by the service, or marked a no-show by the vehicle it went to) while the tablet was offline comes
    back onto it: what the driver saw wins (`actions_vehicle.board_on_earlier_vehicle`)."""
    seen = booking_of(tablet, booking_id, or_earlier=True)
    _check_day(seen, at)
    with transaction.atomic():
        # The day's plans before the booking (the order every change takes): the ride may have to come back.
        booking, days = actions.lock_booking(seen)
        if booking.vehicle_id != tablet.vehicle_id or booking.status == Booking.Status.NO_SHOW or (
                booking.status == Booking.Status.CANCELLED and booking.cancelled_by_service):
            return actions_vehicle.board_on_earlier_vehicle(booking=booking, days=days, vehicle=tablet.vehicle,
                                                            at=at, tablet_id=tablet.pk)
        if booking.status != Booking.Status.ACCEPTED:
            raise ValidationError({"status": _("Only a booked ride can board (this one is: %(status)s).")
                                   % {"status": booking.get_status_display()}})
        booking.status, booking.boarded_at = Booking.Status.BOARDED, at
        booking.save(update_fields=["status", "boarded_at"])
        audit.record(actor=None, action="rides.booking_boarded", obj=booking, changes={"tablet_id": tablet.pk})
        publish_booking(BOOKING_BOARDED, booking)
        actions.retime_as_running(booking.area, days, tablet.vehicle_id, booking, "pickup", now=timezone.now())
    return booking


def mark_dropped_off(*, tablet: DriverTablet, booking_id: int, at: datetime) -> Booking:
    """The rider got out at the destination: the ride is completed at `at`; the vehicle's later stops re-timed from
    it (running late moves them later)."""
    seen = booking_of(tablet, booking_id)
    _check_day(seen, at)
    with transaction.atomic():
        booking, days = actions.lock_booking(seen)  # the plans, then the booking: the order every change takes
        if booking.vehicle_id != tablet.vehicle_id:  # moved off this vehicle in between
            raise ValidationError({"payload.booking": _("Booking %(id)s is not on this vehicle's plan.")
                                   % {"id": booking_id}})
        if booking.status != Booking.Status.BOARDED:
            raise ValidationError({"status": _("Only a rider on board can be dropped off (this ride is: "
                                               "%(status)s).") % {"status": booking.get_status_display()}})
        if booking.boarded_at is not None and at < booking.boarded_at:
            raise ValidationError({"occurred_at": _("The drop-off is before the boarding.")})
        booking.status, booking.dropped_off_at = Booking.Status.COMPLETED, at
        booking.save(update_fields=["status", "dropped_off_at"])
        audit.record(actor=None, action="rides.booking_dropped_off", obj=booking, changes={"tablet_id": tablet.pk})
        publish_booking(BOOKING_DROPPED_OFF, booking)
        actions.retime_as_running(booking.area, days, tablet.vehicle_id, booking, "dropoff", now=timezone.now())
    return booking


# Positions --------------------------------------------------------------------------------------------------------

def read_position(report, now: datetime) -> dict:
    """{"lat", "lon", "measured_at", "accuracy"?} checked field by field (ReportInvalid names the field)."""
    if not isinstance(report, dict):
        raise ReportInvalid("the body must be a JSON object")
    unknown = set(report) - {"lat", "lon", "measured_at", "accuracy"}
    if unknown:
        raise ReportInvalid(f"{sorted(unknown)[0]}: unknown field")
    return {"lat": number(report, "lat", -90, 90, required=True),
            "lon": number(report, "lon", -180, 180, required=True),
            "accuracy": number(report, "accuracy", 0, 100_000),
            "measured_at": moment(report.get("measured_at"), "measured_at", now, ahead=POSITION_AHEAD,
                                  behind=POSITION_BEHIND)}


def record_position(*, tablet: DriverTablet, position: dict) -> VehicleDay:
    """Where the vehicle is (for the operations map and the 'vehicle is near' reminder): written on the
    vehicle's plan for the day of the fix; a fix older than the one kept is ignored (fixes sent late after a
    dead spot arrive out of order). No AuditEvent for the position: a tablet reports every minute; the row says
    when. Then, under the same lock, a vehicle that cannot make its next stop on time has its later stops re-timed
    as running late (`actions.retime_from_position`, audited when it writes)."""
    day = timezone.localdate(position["measured_at"])
    with transaction.atomic():
        vehicle_day = VehicleDay.objects.select_for_update().filter(vehicle_id=tablet.vehicle_id, day=day).first()
        if vehicle_day is None:
            raise ValidationError({"measured_at": _("The vehicle has no plan on %(day)s.") % {"day": day}})
        if vehicle_day.last_seen_at is not None and vehicle_day.last_seen_at >= position["measured_at"]:
            return vehicle_day
        vehicle_day.last_lat, vehicle_day.last_lon = position["lat"], position["lon"]
        vehicle_day.last_seen_at = position["measured_at"]
        # No updated_at: it tells the re-optimiser's readers that the plan changed, and a position is no change.
        VehicleDay.objects.filter(pk=vehicle_day.pk).update(
            last_lat=vehicle_day.last_lat, last_lon=vehicle_day.last_lon, last_seen_at=vehicle_day.last_seen_at)
        vehicle_day.vehicle = tablet.vehicle  # read with the tablet (and its area): no query for it
        actions.retime_from_position(tablet.vehicle.area, vehicle_day, now=timezone.now())
    return vehicle_day
