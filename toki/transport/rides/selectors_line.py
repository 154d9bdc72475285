"""Reads for the LINE conversation and the reminders (docs/rides.md, "LINE"). The LINE friend's permission is
their signed webhook event: they read only the bookings of the riders linked to their own Subscriber id."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from toki.transport.rides import permissions
from toki.transport.rides.models import Booking, MeetingPoint, ServiceArea, ServiceException, Shift, Vehicle
from toki.transport.rides.rules import Place, RideRequest, request_problems

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
    allow now), answered by the same `rules.request_problems` that `book_ride` applies."""

    def __init__(self, area: ServiceArea, origin: MeetingPoint, destination: MeetingPoint, now: datetime):
        self.area, self.origin, self.destination, self.now = area, origin, destination, now
        self.vehicles = list(Vehicle.objects.filter(area=area, active=True))
        self.shifts = list(Shift.objects.filter(vehicle__in=self.vehicles))
        self.rule = getattr(area, "booking_rule", None)
        today = timezone.localdate(now)
        self.exceptions = dict(ServiceException.objects.filter(area=area, day__gte=today)
                               .values_list("day", "runs"))

    def problems(self, when: datetime, passengers: int = 1, wheelchairs: int = 0) -> list[str]:
        request = RideRequest(area=self.area, origin=Place.of(self.origin), destination=Place.of(self.destination),
                              earliest_pickup=when, latest_arrival=None, passengers=passengers,
                              wheelchairs=wheelchairs)
        return request_problems(request, now=self.now, exceptions=self.exceptions, rule=self.rule,
                                vehicles=self.vehicles, shifts=self.shifts)

    def times(self, day: date) -> list[datetime]:
        """The half-hour times of `day` within a shift that can be booked now."""
        running = [s for s in self.shifts if s.runs_on(day)]
        if not running:
            return []
        first = min(s.start for s in running)
        last = max(s.end for s in running)
        slot = timezone.make_aware(datetime.combine(day, time(first.hour, 0 if first.minute < SLOT_MINUTES
                                                              else SLOT_MINUTES)))
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


def evening_reminder_bookings(day: date) -> QuerySet[Booking]:
    """Booked rides of `day` whose rider is linked to an active LINE friend and was not reminded yet."""
    return (Booking.objects.filter(service_date=day, status=Booking.Status.ACCEPTED, reminded_evening=False,
                                   rider__line_link__subscriber__is_active=True)
            .select_related("area", "origin", "destination", "rider__line_link__subscriber"))


def near_reminder_bookings(day: date, pickup_before: datetime, now: datetime) -> QuerySet[Booking]:
    """Booked rides of `day` picked up soon (before `pickup_before`, not yet passed), reachable through LINE, not
    told yet that their vehicle is near."""
    return (Booking.objects.filter(service_date=day, status=Booking.Status.ACCEPTED, reminded_near=False,
                                   rider__line_link__subscriber__is_active=True, planned_pickup__gte=now,
                                   planned_pickup__lte=pickup_before, vehicle__isnull=False)
            .select_related("area", "origin", "destination", "vehicle", "rider__line_link__subscriber"))


def riders_to_call(user, area: ServiceArea, day: date) -> QuerySet[Booking]:
    """The phone desk's evening list: the day's booked rides whose rider LINE cannot reach (no link, or they
    blocked the account), called or not yet (`reminded_evening`). Operators of the area only."""
    if not permissions.may_operate(user, area):
        return Booking.objects.none()
    reachable = Q(rider__line_link__subscriber__is_active=True)
    return (Booking.objects.filter(area=area, service_date=day, status=Booking.Status.ACCEPTED,
                                   rider__isnull=False).exclude(reachable)
            .select_related("rider", "origin", "destination").order_by("reminded_evening", "planned_pickup", "pk"))
