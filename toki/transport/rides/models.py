"""The on-demand shared-ride service as data (issue 19, deliverable 1): service areas and their meeting points,
vehicles with shifts and drivers, the operating calendar, booking rules, fares; riders with their usual trips;
bookings and each vehicle's plan for a day. No I/O here (DESIGN.md rule 5): travel times live in `travel.py`,
the solver in `toki.transport.darp`."""

import secrets
from datetime import date, datetime, time

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceArea(models.Model):
    """One zone the service runs in (a GTFS-Flex `locations.geojson` zone): a polygon, how trips are picked up
    (at meeting points or door to door), the straight-line travel estimate's speed and detour factor, and the
    request constraints (MATSim DRT: maximum wait, maximum ride time = alpha × direct time + beta)."""

    municipality = models.ForeignKey("areas.Municipality", on_delete=models.PROTECT, related_name="ride_areas")
    district = models.ForeignKey("areas.District", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="ride_areas", help_text="whose branch office runs the phone desk")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, [lon, lat]")
    door_to_door = models.BooleanField(default=False)
    speed_kmh = models.FloatField(default=30.0)
    detour_factor = models.FloatField(default=1.3)
    stop_minutes = models.PositiveSmallIntegerField(default=2)
    pickup_window_minutes = models.PositiveSmallIntegerField(default=15)
    max_wait_minutes = models.PositiveSmallIntegerField(default=30)
    max_ride_alpha = models.FloatField(default=1.5)
    max_ride_beta_minutes = models.PositiveSmallIntegerField(default=15)
    phone_number = models.CharField(max_length=20, blank=True)
    # 運行日: ISO weekdays the service runs (1 = Monday … 7 = Sunday), with exceptions in ServiceException.
    weekdays = models.CharField(max_length=7, default="12345")
    # Set while an evacuation order (not a drill) is in force for the area's district (subscribers.py): the day's
    # seats are kept for evacuation rides.
    evacuation_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="rides_area_code_unique")]
        ordering = ["code"]

    def __str__(self):
        return self.name

    def runs_on(self, day: date, exceptions: dict[date, bool] | None = None) -> bool:
        if exceptions and day in exceptions:
            return exceptions[day]
        return str(day.isoweekday()) in self.weekdays


class ServiceException(models.Model):
    """A day the calendar differs from the weekdays (a holiday off, an extra day on): GTFS calendar_dates. A day
    that runs `until` a time takes no ride asked for from then on (their pickup from, or their arrival by): a 運休
    from that hour, as a typhoon arrives; with `resumes`, the 運休 ends then and the rides from that time run (a
    typhoon passing 13:00–16:00)."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField()
    runs = models.BooleanField()
    until = models.TimeField(null=True, blank=True)
    resumes = models.TimeField(null=True, blank=True)  # only with `until`, and after it
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="rides_exception_unique")]

    def __str__(self):
        return f"{self.day} {'runs' if self.runs else 'no service'}"


class MeetingPoint(models.Model):
    """A 乗降ポイント: where riders board and alight when the area is not door to door."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="points")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=100)
    lat = models.FloatField()
    lon = models.FloatField()
    note = models.CharField(max_length=200, blank=True)
    # Out of service (left out of a service file, docs/rides.md "Setting up the service"): kept for the bookings and
    # usual trips that name it, offered to no new booking.
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="rides_point_code_unique")]
        ordering = ["area", "name"]

    def __str__(self):
        return self.name


class BookingRule(models.Model):
    """How far ahead a ride is booked (GTFS-Flex booking_rules.txt): 0 real time, 1 the same day with a minimum
    (and maximum) notice, 2 up to the day before by a cut-off time, opening `max_days_ahead` days ahead."""

    class Kind(models.IntegerChoices):
        REAL_TIME = 0, _("Real time")
        SAME_DAY = 1, _("Same day, with notice")
        PRIOR_DAY = 2, _("By the day before")

    area = models.OneToOneField(ServiceArea, on_delete=models.CASCADE, related_name="booking_rule")
    kind = models.PositiveSmallIntegerField(choices=Kind.choices, default=Kind.SAME_DAY)
    min_notice_minutes = models.PositiveIntegerField(default=30)
    max_notice_minutes = models.PositiveIntegerField(null=True, blank=True)
    prior_day_cutoff = models.TimeField(default=time(17, 0))
    max_days_ahead = models.PositiveSmallIntegerField(default=7)
    cancel_minutes_before = models.PositiveSmallIntegerField(default=30, help_text="free cancellation until then")
    # Misses (no-shows, and late cancellations when `late_cancel_counts`) within `no_show_period_days` after which
    # the rider books by phone only (SelfBookingSuspension); 0: no limit.
    no_show_limit = models.PositiveSmallIntegerField(default=3, help_text="misses in the period before phone only")
    no_show_period_days = models.PositiveSmallIntegerField(default=90)
    late_cancel_counts = models.BooleanField(default=False, help_text="a late cancellation counts as a miss")
    message = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"{self.area_id}: {self.get_kind_display()}"


class FareCategory(models.Model):
    """A rider category and its price per ride (payment is the fares app's business)."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="fares")
    code = models.SlugField(max_length=30)
    name = models.CharField(_("name"), max_length=60)
    price_yen = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="rides_fare_code_unique")]
        ordering = ["area", "price_yen"]

    def __str__(self):
        return f"{self.name} {self.price_yen}円"


class Driver(models.Model):
    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="drivers")
    code = models.SlugField(max_length=40, help_text="the service file's key (docs/rides.md)")
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="rides_driver_code_unique")]
        ordering = ["area", "code"]

    def __str__(self):
        return self.name


class Vehicle(models.Model):
    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="vehicles")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=60)
    seats = models.PositiveSmallIntegerField()
    wheelchair_spaces = models.PositiveSmallIntegerField(default=0)
    depot_lat = models.FloatField()
    depot_lon = models.FloatField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="rides_vehicle_code_unique")]
        ordering = ["area", "code"]

    def __str__(self):
        return self.name


class OutOfServiceQuerySet(models.QuerySet):
    def covering(self, day: date) -> "OutOfServiceQuerySet":
        """The spans in force on `day`."""
        return self.filter(first_day__lte=day).filter(models.Q(last_day__isnull=True) | models.Q(last_day__gte=day))

    def covering_from(self, day: date) -> "OutOfServiceQuerySet":
        """The spans in force on `day` or later."""
        return self.filter(models.Q(last_day__isnull=True) | models.Q(last_day__gte=day))

    def overlapping(self, first: date, last: date | None) -> "OutOfServiceQuerySet":
        """The spans sharing a day with first…last (None: no end)."""
        spans = self.filter(models.Q(last_day__isnull=True) | models.Q(last_day__gte=first))
        return spans if last is None else spans.filter(first_day__lte=last)


class VehicleOutOfService(models.Model):
    """A vehicle out of service by the city for a span of days, first and last day included (damaged and at the
    garage from the 15th to the 20th, a road cut for a week); `last_day` None: until brought back. On those days
    no plan is made for it and its booked rides were moved or cancelled (actions_vehicle.take_out_for_span); after
    the last day it runs again with no action. Operations, not the service's definition: not in the service file
    (docs/rides.md "Out of service for a span of days"). The rows stay as the record (the KPIs' 運行率 reads them)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="out_of_service_spans")
    first_day = models.DateField()
    last_day = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutOfServiceQuerySet.as_manager()

    class Meta:
        ordering = ["vehicle", "first_day"]
        constraints = [models.CheckConstraint(
            condition=models.Q(last_day__isnull=True) | models.Q(last_day__gte=models.F("first_day")),
            name="rides_out_of_service_last_after_first")]

    def __str__(self):
        return f"{self.vehicle_id} {self.first_day}–{self.last_day or ''}"

    def covers(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


class Shift(models.Model):
    """When a vehicle runs on the weekdays given (ISO 1–7), with which driver."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="shifts")
    driver = models.ForeignKey(Driver, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts")
    weekdays = models.CharField(max_length=7, default="12345")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["vehicle", "start"]

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def runs_on(self, day: date) -> bool:
        return str(day.isoweekday()) in self.weekdays


class Rider(models.Model):
    """A saved rider (the phone desk's card index; a web booker gets one too). Personal data: operators of the
    area only (permissions.py); never in URLs, logs or task arguments."""

    municipality = models.ForeignKey("areas.Municipality", on_delete=models.PROTECT, related_name="riders")
    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="riders")
    name = models.CharField(_("name"), max_length=60)
    name_kana = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20)
    category = models.ForeignKey(FareCategory, on_delete=models.PROTECT, null=True, blank=True)
    wheelchair = models.BooleanField(default=False)
    home_lat = models.FloatField(null=True, blank=True)
    home_lon = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_kana", "name"]

    def __str__(self):
        return self.name


USUAL_TRIP_LABEL_MAX = 60


class UsualTrip(models.Model):
    """A rider's usual trip, booked again in one tap: each end a meeting point, or (door to door) the rider's home
    (`origin_home`: wherever the home is saved when the trip is booked, so moving house needs no new trip)."""

    rider = models.ForeignKey(Rider, on_delete=models.CASCADE, related_name="usual_trips")
    label = models.CharField(max_length=USUAL_TRIP_LABEL_MAX)
    origin = models.ForeignKey(MeetingPoint, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    origin_home = models.BooleanField(default=False)
    destination = models.ForeignKey(MeetingPoint, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    destination_home = models.BooleanField(default=False)
    usual_time = models.TimeField(null=True, blank=True)
    by_arrival = models.BooleanField(default=False)
    passengers = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(origin__isnull=False, origin_home=False)
                                   | models.Q(origin__isnull=True, origin_home=True), name="rides_usual_trip_origin"),
            models.CheckConstraint(condition=models.Q(destination__isnull=False, destination_home=False)
                                   | models.Q(destination__isnull=True, destination_home=True),
                                   name="rides_usual_trip_destination"),
        ]

    def __str__(self):
        return self.label

    @property
    def origin_label(self) -> str:
        return str(_("Your home")) if self.origin_home else self.origin.name if self.origin else ""

    @property
    def destination_label(self) -> str:
        return str(_("Your home")) if self.destination_home else self.destination.name if self.destination else ""


def new_reference() -> str:
    return secrets.token_urlsafe(12)


class Booking(models.Model):
    """One request and what became of it. `reference` is the rider's secret link to see or cancel it."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not possible")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        BOARDED = "boarded", _("On board")
        COMPLETED = "completed", _("Completed")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WEB = "web", _("Web")
        LINE = "line", "LINE"

    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="bookings")
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    service_date = models.DateField()
    origin = models.ForeignKey(MeetingPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    destination = models.ForeignKey(MeetingPoint, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    origin_lat = models.FloatField()
    origin_lon = models.FloatField()
    destination_lat = models.FloatField()
    destination_lon = models.FloatField()
    earliest_pickup = models.DateTimeField(null=True, blank=True)
    latest_arrival = models.DateTimeField(null=True, blank=True)
    passengers = models.PositiveSmallIntegerField(default=1)
    wheelchairs = models.PositiveSmallIntegerField(default=0)
    evacuation = models.BooleanField(default=False)
    fare_yen = models.PositiveIntegerField(default=0)
    # The answer: the promise made to the rider (never broken by the re-optimiser) and the plan's prediction.
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    # The vehicles (ids) the ride was planned on before this one, oldest first: a tablet of one of them that was
    # offline when the ride moved may still send its driver's mark of the rider boarding (driver.mark_boarded).
    earlier_vehicles = models.JSONField(default=list, blank=True)
    promised_pickup_from = models.DateTimeField(null=True, blank=True)
    promised_pickup_until = models.DateTimeField(null=True, blank=True)
    planned_pickup = models.DateTimeField(null=True, blank=True)
    planned_dropoff = models.DateTimeField(null=True, blank=True)
    direct_minutes = models.FloatField(default=0)
    direct_km = models.FloatField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # What happened, as the driver's tablet recorded it (its device time; models_driver.DriverEvent).
    boarded_at = models.DateTimeField(null=True, blank=True)
    dropped_off_at = models.DateTimeField(null=True, blank=True)
    cancelled_late = models.BooleanField(default=False)  # later than the rule's free cancellation
    # Cancelled with the whole day's service (運休: a typhoon, heavy snow; actions.cancel_for_suspension): not the
    # rider's doing, never late, never a miss; the rider is told on LINE or is on the phone desk's call list.
    cancelled_by_service = models.BooleanField(default=False)
    # The phone desk called the rider about this ride: the evening reminder, or the news of its 運休.
    reminded_evening = models.BooleanField(default=False)
    reminded_near = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["area", "service_date", "status"])]
        ordering = ["service_date", "planned_pickup", "pk"]

    def __str__(self):
        return f"#{self.pk} {self.service_date} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.BOARDED)

    @property
    def running_late(self) -> bool:
        """The vehicle is now expected after the promised window closes (it is running late: plans.as_running)."""
        return (self.status == self.Status.ACCEPTED and self.planned_pickup is not None
                and self.promised_pickup_until is not None and self.planned_pickup > self.promised_pickup_until)

    def ride_minutes(self) -> float | None:
        if self.planned_pickup is None or self.planned_dropoff is None:
            return None
        return (self.planned_dropoff - self.planned_pickup).total_seconds() / 60


class SelfBookingSuspension(models.Model):
    """Web and LINE self-booking stopped for a rider after too many misses within the area's rule (no-shows, and
    late cancellations when the rule counts them). The phone desk still books for the rider, sees why (`reason`,
    the bookings counted) and lifts it with a note; both are audited. Counting starts again after a lift."""

    rider = models.ForeignKey(Rider, on_delete=models.CASCADE, related_name="suspensions")
    started_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    counted = models.JSONField(default=list, help_text="ids of the bookings counted")
    started_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    lift_note = models.CharField(max_length=200, blank=True)
    # Lifted by the service because a miss it counted proved wrong (a tablet recorded the rider aboard): unlike a
    # lift by the desk, counting does not start again from it (`actions.misses`).
    void = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["rider"], condition=models.Q(lifted_at__isnull=True),
                                               name="rides_one_open_suspension")]

    def __str__(self):
        return f"{self.rider_id} {self.started_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class VehicleDay(models.Model):
    """A vehicle's plan for one service day: the row a booking locks (select_for_update) so that no seat is sold
    twice. `stops` is the ordered route: [{"booking": id, "kind": "pickup"|"dropoff", "at": ISO time,
    "lat": …, "lon": …}]; `version` grows with every change."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    stops = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=0)
    km_total = models.FloatField(default=0)
    km_empty = models.FloatField(default=0)
    last_lat = models.FloatField(null=True, blank=True)
    last_lon = models.FloatField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Running late by its position: {"booking": id, "kind": "pickup"|"dropoff", "at": ISO time} — the next stop not
    # yet done that the last position said the vehicle would reach after its planned time, and when. A lower bound
    # on that stop's time for every later write of the plan (plans.floors_of, solver.DayModel.stops_of); {} if none.
    expected_next = models.JSONField(default=dict, blank=True)
    # Taken out of service for the rest of the day (a breakdown, an accident, a road cut): it takes no new ride and
    # the dispatcher leaves it out; its rides to come were moved or cancelled (actions_vehicle.withdraw_vehicle).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vehicle", "day"], name="rides_vehicle_day_unique")]
        ordering = ["day", "vehicle"]

    def __str__(self):
        return f"{self.vehicle_id} {self.day}"

    def stop_times(self) -> list[datetime]:
        return [datetime.fromisoformat(stop["at"]) for stop in self.stops]


class RiderLink(models.Model):
    """A saved rider who books through LINE: the rider ↔ the LINE friend (a notify Subscriber, whose id is all the
    rides app keeps of them), with when they agreed to the consent text (`consent_version`, the text's date). The
    LINE conversation creates it (toki/linebot/rides_chat.py); the reminders use it to reach the rider in person."""

    rider = models.OneToOneField(Rider, on_delete=models.CASCADE, related_name="line_link")
    subscriber = models.ForeignKey("notify.Subscriber", on_delete=models.CASCADE, related_name="ride_links")
    consented_at = models.DateTimeField()
    consent_version = models.CharField(max_length=20)

    def __str__(self):
        return f"rider #{self.rider_id} ↔ subscriber #{self.subscriber_id}"  # never the LINE user id


# The driver's tablet (deliverable 4) keeps its models apart: enrolment codes, tablets and their synced events.
from toki.transport.rides.models_driver import DriverEvent, DriverTablet, TabletEnrolment  # noqa: E402

__all__ = ["DriverEvent", "DriverTablet", "TabletEnrolment"]
