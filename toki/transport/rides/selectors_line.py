"""Reads for the LINE conversation and the reminders (docs/rides.md, "LINE"). The LINE friend's permission is
their signed webhook event: they read only the bookings of the riders linked to their own Subscriber id."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from toki.lib.geo import point_in_geometry
from toki.transport.rides import permissions
from toki.transport.rides.models import (
    Booking,
    MeetingPoint,
    Rider,
    ServiceArea,
    Shift,
    UsualTrip,
    Vehicle,
    VehicleOutOfService,
)
from toki.transport.rides.plans import on_duty
from toki.transport.rides.rules import Place, RideRequest, calendar_of, request_problems

SLOT_MINUTES = 30  # the times offered as buttons; any other minute through LINE's time picker
DAYS_OFFERED = 7


def is_linked(subscriber_id: int) -> bool:
    from toki.transport.rides.models import RiderLink

    return RiderLink.objects.filter(subscriber_id=subscriber_id).exists()


def line_bookings(subscriber_id: int, now: datetime | None = None) -> QuerySet[Booking]:
    """The friend's rides still to come (booked, not yet boarded), soonest first."""
    today = timezone.localdate(now or timezone.now())
    return (Booking.objects.filter(rider__line_link__subscriber_id=subscriber_id, status=Booking.Status.ACCEPTED,
                                   service_date__gte=today)
            .select_related("area", "origin", "destination").order_by("service_date", "planned_pickup", "pk"))


def line_booking(subscriber_id: int, pk: int) -> Booking:
    """One of the friend's bookings; Booking.DoesNotExist for anyone else's."""
    return (Booking.objects.select_related("area", "origin", "destination")
            .get(pk=pk, rider__line_link__subscriber_id=subscriber_id))


class ServiceView:
    """What one area offers a request from `origin` to `destination` (the days and times the rules and shifts
    allow now), answered by the same `rules.request_problems` that `book_ride` applies. `by_arrival`: the times are
    latest arrivals ("at the hospital by 10:00"), else earliest pickups."""

    def __init__(self, area: ServiceArea, origin: Place | MeetingPoint, destination: Place | MeetingPoint,
                 now: datetime, *, by_arrival: bool = False):
        self.area, self.now, self.by_arrival = area, now, by_arrival
        self.origin = origin if isinstance(origin, Place) else Place.of(origin)
        self.destination = destination if isinstance(destination, Place) else Place.of(destination)
        self.vehicles = list(Vehicle.objects.filter(area=area, active=True))
        self.shifts = list(Shift.objects.filter(vehicle__in=self.vehicles))
        self.rule = getattr(area, "booking_rule", None)
        today = timezone.localdate(now)
        # The vehicles out of service for a span of days are left out of those days (plans.on_duty).
        self.spans = list(VehicleOutOfService.objects.filter(vehicle__area=area).covering_from(today))
        self.calendar = calendar_of(area, today, date.max)

    def request(self, when: datetime, passengers: int = 1, wheelchairs: int = 0) -> RideRequest:
        return RideRequest(area=self.area, origin=self.origin, destination=self.destination,
                           earliest_pickup=None if self.by_arrival else when,
                           latest_arrival=when if self.by_arrival else None, passengers=passengers,
                           wheelchairs=wheelchairs)

    def problems(self, when: datetime, passengers: int = 1, wheelchairs: int = 0) -> list[str]:
        vehicles, shifts = on_duty(self.vehicles, self.shifts, self.spans, timezone.localdate(when))
        return request_problems(self.request(when, passengers, wheelchairs), now=self.now,
                                calendar=self.calendar, rule=self.rule, vehicles=vehicles, shifts=shifts)

    def times(self, day: date) -> list[datetime]:
        """The half-hour times of `day` within a shift that can be booked now. An arrival is offered from half an
        hour after the first shift starts (a vehicle leaving its depot at the start cannot be there already)."""
        running = [s for s in on_duty(self.vehicles, self.shifts, self.spans, day)[1] if s.runs_on(day)]
        if not running:
            return []
        first = min(s.start for s in running)
        last = max(s.end for s in running)
        slot = timezone.make_aware(datetime.combine(day, time(first.hour, 0 if first.minute < SLOT_MINUTES
                                                              else SLOT_MINUTES)))
        if self.by_arrival:
            slot += timedelta(minutes=SLOT_MINUTES)
        end = timezone.make_aware(datetime.combine(day, last))
        found = []
        while slot <= end:
            if slot >= self.now and not self.problems(slot):
                found.append(slot)
            slot += timedelta(minutes=SLOT_MINUTES)
        return found

    def days(self) -> list[date]:
        """The next days with at least one time that can be booked now (today first when the rule allows)."""
        today = timezone.localdate(self.now)
        return [today + timedelta(days=n) for n in range(DAYS_OFFERED)
                if self.times(today + timedelta(days=n))][:DAYS_OFFERED]


def line_rider(area: ServiceArea, subscriber_id: int) -> Rider | None:
    """The LINE friend's linked rider of `area`, if any (a read: actions_line.line_rider_in links one)."""
    return Rider.objects.filter(area=area, line_link__subscriber_id=subscriber_id).select_related("area").first()


def usual_trips(rider: Rider) -> QuerySet[UsualTrip]:
    """A rider's usual trips (the phone desk or the rider saved them), as one-tap buttons of the LINE conversation:
    those from or to home only while the home is saved inside a door-to-door area (`home_place`)."""
    trips = UsualTrip.objects.filter(rider=rider).select_related("origin", "destination").order_by("label", "pk")
    if home_place(rider) is None:
        trips = trips.filter(origin_home=False, destination_home=False)
    return trips


def line_usual_trips(subscriber_id: int) -> QuerySet[UsualTrip]:
    """The usual trips of the LINE friend's linked riders (any area), for 「いつもの行き先を消す」."""
    return (UsualTrip.objects.filter(rider__line_link__subscriber_id=subscriber_id)
            .select_related("origin", "destination").order_by("label", "pk"))


def line_usual_trip(subscriber_id: int, pk: int) -> UsualTrip:
    """One of the friend's usual trips; UsualTrip.DoesNotExist for anyone else's."""
    return line_usual_trips(subscriber_id).get(pk=pk)


def usual_trip(rider: Rider, pk: int) -> UsualTrip:
    """One of the rider's usual trips; UsualTrip.DoesNotExist for anyone else's."""
    return usual_trips(rider).get(pk=pk)


def place_in_area(area: ServiceArea, lat: float, lon: float) -> Place | None:
    """A door-to-door place (a shared location, a tap on the map): None when the area takes meeting points only or
    the point lies outside its polygon. `book_ride` checks it again (rules.request_problems)."""
    if not area.door_to_door or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Place(lat, lon) if point_in_geometry(lat, lon, area.geometry) else None


def home_place(rider: Rider) -> Place | None:
    """The rider's home as the phone desk saved it, when their area goes door to door and it lies inside."""
    if rider.home_lat is None or rider.home_lon is None:
        return None
    return place_in_area(rider.area, rider.home_lat, rider.home_lon)


def evening_reminder_bookings(day: date) -> QuerySet[Booking]:
    """Booked rides of `day` whose rider is linked to an active LINE friend and was not reminded yet."""
    return (Booking.objects.filter(service_date=day, status=Booking.Status.ACCEPTED, reminded_evening=False,
                                   rider__line_link__subscriber__is_active=True)
            .select_related("area", "origin", "destination", "rider__line_link__subscriber"))


NEAR_LATE_LIMIT = timedelta(minutes=60)  # a vehicle this late past the promised window: the phone desk calls instead


def near_reminder_bookings(day: date, pickup_before: datetime, now: datetime) -> QuerySet[Booking]:
    """Booked rides of `day` not yet picked up, planned before `pickup_before`, reachable through LINE, not told yet
    that their vehicle is near — including a vehicle running late past the planned pickup (snow, traffic: the rider
    is still waiting outside) until NEAR_LATE_LIMIT after the promised window closed."""
    return (Booking.objects.filter(service_date=day, status=Booking.Status.ACCEPTED, reminded_near=False,
                                   rider__line_link__subscriber__is_active=True,
                                   promised_pickup_until__gte=now - NEAR_LATE_LIMIT,
                                   planned_pickup__lte=pickup_before, vehicle__isnull=False)
            .select_related("area", "origin", "destination", "vehicle", "rider__line_link__subscriber"))


def suspension_notice_bookings(booking_ids: list[int]) -> QuerySet[Booking]:
    """Of these bookings, those cancelled with their day's service (運休) whose rider LINE can reach."""
    return (Booking.objects.filter(pk__in=booking_ids, status=Booking.Status.CANCELLED, cancelled_by_service=True,
                                   rider__line_link__subscriber__is_active=True)
            .select_related("area", "origin", "destination", "rider__line_link__subscriber"))


def riders_to_call(user, area: ServiceArea, day: date) -> QuerySet[Booking]:
    """The phone desk's list for `day`: the rides whose rider LINE cannot reach (no link, or they blocked the
    account) — booked (the evening reminder), or cancelled with the day's service (運休: tell them) — called or not
    yet (`reminded_evening`). Operators of the area only."""
    if not permissions.may_operate(user, area):
        return Booking.objects.none()
    reachable = Q(rider__line_link__subscriber__is_active=True)
    to_tell = Q(status=Booking.Status.ACCEPTED) | Q(status=Booking.Status.CANCELLED, cancelled_by_service=True)
    return (Booking.objects.filter(to_tell, area=area, service_date=day, rider__isnull=False).exclude(reachable)
            # The 運休 news first (a rider must not set out for a cancelled ride), then those not called yet.
            .select_related("rider", "origin", "destination")
            .order_by("-cancelled_by_service", "reminded_evening", "planned_pickup", "pk"))
