"""Fixed-route transit data as GTFS-JP holds it (one feed per municipality, replaced whole on import), the
vehicles that report their positions, and the service alerts Toki's own warnings and orders raise.

Times of day are seconds after the service day's noon-minus-12h (GTFS: "25:10:00" is 90600), so trips past
midnight keep their order. GTFS ids stay strings (`gtfs_id`): they are the feed's keys, kept across re-imports.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality


class Feed(models.Model):
    """feed_info.txt plus what Toki knows of the import."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="transit_feed")
    publisher_name = models.CharField(_("publisher"), max_length=200)
    publisher_url = models.URLField(_("publisher URL"), max_length=300)
    lang = models.CharField(_("language"), max_length=20)
    start_date = models.DateField(_("valid from"), null=True, blank=True)
    end_date = models.DateField(_("valid until"), null=True, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    contact_email = models.CharField(max_length=200, blank=True)
    contact_url = models.CharField(max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    imported_at = models.DateTimeField(_("imported"))
    sha256 = models.CharField(_("content hash"), max_length=64)

    def __str__(self):
        return f"{self.publisher_name} {self.version}"


class Agency(models.Model):
    """agency.txt joined with agency_jp.txt (GTFS-JP: the operator's official name, address, representative)."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="agencies")
    gtfs_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=300)
    timezone = models.CharField(max_length=50)
    lang = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    fare_url = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=200, blank=True)
    official_name = models.CharField(max_length=200, blank=True)
    zip_number = models.CharField(max_length=7, blank=True)
    address = models.CharField(max_length=300, blank=True)
    president_pos = models.CharField(max_length=100, blank=True)
    president_name = models.CharField(max_length=100, blank=True)
    has_jp = models.BooleanField(default=False)  # whether agency_jp.txt had a row for it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_agency_unique")]

    def __str__(self):
        return self.name


class Office(models.Model):
    """office_jp.txt: the operator's branch (営業所) that runs a trip."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="offices")
    gtfs_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_office_unique")]

    def __str__(self):
        return self.name


class Stop(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="stops")
    gtfs_id = models.CharField(max_length=100)
    code = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=200)
    desc = models.CharField(max_length=300, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    zone_id = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=300, blank=True)
    location_type = models.PositiveSmallIntegerField(default=0)
    parent_station = models.CharField(max_length=100, blank=True)
    wheelchair_boarding = models.PositiveSmallIntegerField(null=True, blank=True)
    platform_code = models.CharField(max_length=50, blank=True)
    district = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_stop_unique")]
        ordering = ["name", "gtfs_id"]

    def __str__(self):
        return self.name


class Route(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="routes")
    gtfs_id = models.CharField(max_length=100)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routes")
    short_name = models.CharField(max_length=50, blank=True)
    long_name = models.CharField(max_length=200, blank=True)
    desc = models.CharField(max_length=300, blank=True)
    route_type = models.PositiveSmallIntegerField()
    url = models.CharField(max_length=300, blank=True)
    color = models.CharField(max_length=6, blank=True)
    text_color = models.CharField(max_length=6, blank=True)
    jp_parent_route_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_route_unique")]
        ordering = ["gtfs_id"]

    def __str__(self):
        return self.short_name or self.long_name


class Service(models.Model):
    """calendar.txt (has_calendar) and the service ids calendar_dates.txt alone names."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="services")
    gtfs_id = models.CharField(max_length=100)
    has_calendar = models.BooleanField(default=True)
    weekdays = models.CharField(max_length=7, default="0000000")  # monday … sunday as 0/1
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_service_unique")]

    def __str__(self):
        return self.gtfs_id


class ServiceException(models.Model):
    """calendar_dates.txt: 1 adds the service on the date, 2 removes it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    exception_type = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "date"], name="transit_exception_unique")]

    def __str__(self):
        return f"{self.service_id} {self.date} {self.exception_type}"


class Trip(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="trips")
    gtfs_id = models.CharField(max_length=100)
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="trips")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="trips")
    headsign = models.CharField(max_length=200, blank=True)
    short_name = models.CharField(max_length=100, blank=True)
    direction_id = models.PositiveSmallIntegerField(null=True, blank=True)
    block_id = models.CharField(max_length=100, blank=True)
    shape_id = models.CharField(max_length=100, blank=True)
    wheelchair_accessible = models.PositiveSmallIntegerField(null=True, blank=True)
    bikes_allowed = models.PositiveSmallIntegerField(null=True, blank=True)
    jp_trip_desc = models.CharField(max_length=200, blank=True)
    jp_trip_desc_symbol = models.CharField(max_length=20, blank=True)
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="trips")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_trip_unique")]

    def __str__(self):
        return self.gtfs_id


class StopTime(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stop_times")
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="stop_times")
    sequence = models.PositiveIntegerField()
    arrival = models.PositiveIntegerField()  # seconds of the service day
    departure = models.PositiveIntegerField()
    stop_headsign = models.CharField(max_length=200, blank=True)
    pickup_type = models.PositiveSmallIntegerField(default=0)
    drop_off_type = models.PositiveSmallIntegerField(default=0)
    timepoint = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trip", "sequence"], name="transit_stoptime_unique")]
        indexes = [models.Index(fields=["stop", "departure"], name="transit_stop_departure_idx")]
        ordering = ["trip", "sequence"]

    def __str__(self):
        return f"{self.trip_id}#{self.sequence}"


class Fare(models.Model):
    """fare_attributes.txt (mandatory in GTFS-JP 第2版) with its fare_rules.txt rows in `rules`."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="fares")
    gtfs_id = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency_type = models.CharField(max_length=3)
    payment_method = models.PositiveSmallIntegerField()
    transfers = models.PositiveSmallIntegerField(null=True, blank=True)  # empty: unlimited
    transfer_duration = models.PositiveIntegerField(null=True, blank=True)
    agency_gtfs_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "gtfs_id"], name="transit_fare_unique")]

    def __str__(self):
        return self.gtfs_id


class FareRule(models.Model):
    fare = models.ForeignKey(Fare, on_delete=models.CASCADE, related_name="rules")
    route_gtfs_id = models.CharField(max_length=100, blank=True)
    origin_id = models.CharField(max_length=100, blank=True)
    destination_id = models.CharField(max_length=100, blank=True)
    contains_id = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"{self.fare_id} {self.route_gtfs_id}"


class Translation(models.Model):
    """translations.txt in GTFS's table form (GTFS-JP 第3版): a field of a record, or every field with a value."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="translations")
    table_name = models.CharField(max_length=30)
    field_name = models.CharField(max_length=50)
    language = models.CharField(max_length=20)
    translation = models.CharField(max_length=500)
    record_id = models.CharField(max_length=100, blank=True)
    record_sub_id = models.CharField(max_length=100, blank=True)
    field_value = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["feed", "table_name", "field_name"], name="transit_translation_idx")]

    def __str__(self):
        return self.translation


class Vehicle(models.Model):
    """A bus that reports its position with its own bearer token (the tablet on board). Only a hash is kept."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="transit_vehicles")
    gtfs_id = models.CharField(_("vehicle id"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "gtfs_id"], name="transit_vehicle_unique")]

    def __str__(self):
        return self.label


class VehiclePosition(models.Model):
    """The newest position a vehicle reported (one row per vehicle, overwritten): what GTFS-RT publishes."""

    vehicle = models.OneToOneField(Vehicle, on_delete=models.CASCADE, related_name="position")
    trip_gtfs_id = models.CharField(max_length=100, blank=True)
    route_gtfs_id = models.CharField(max_length=100, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    bearing = models.FloatField(null=True, blank=True)
    speed = models.FloatField(null=True, blank=True)  # metres per second
    delay = models.IntegerField(null=True, blank=True)  # seconds behind the timetable (negative: early)
    stop_sequence = models.PositiveIntegerField(null=True, blank=True)
    measured_at = models.DateTimeField()
    received_at = models.DateTimeField()

    def __str__(self):
        return f"{self.vehicle_id} {self.measured_at:%H:%M:%S}"


class Boarding(models.Model):
    """Passengers who boarded at a stop, counted by the vehicle's tablet (ridership by route, docs/transit.md).
    `report_key` is the tablet's own id for the count, so a resent report is not counted twice."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="boardings")
    report_key = models.CharField(max_length=64)
    route_gtfs_id = models.CharField(max_length=100)
    trip_gtfs_id = models.CharField(max_length=100, blank=True)
    stop_gtfs_id = models.CharField(max_length=100, blank=True)
    count = models.PositiveSmallIntegerField()
    boarded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vehicle", "report_key"], name="transit_boarding_once")]
        indexes = [models.Index(fields=["boarded_at"], name="transit_boarding_time_idx")]

    def __str__(self):
        return f"{self.route_gtfs_id} +{self.count}"


class SuspensionRule(models.Model):
    """Which warning in force, or which evacuation order in which district, suspends which route (as data,
    loaded from JSON: `load_suspension_rules`). `key` names the rule in the file."""

    class Trigger(models.TextChoices):
        WARNING = "warning", _("Warning in force")
        ORDER = "order", _("Evacuation order")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="transit_rules")
    key = models.CharField(max_length=50)
    trigger = models.CharField(max_length=8, choices=Trigger.choices)
    kind_codes = models.JSONField(default=list, blank=True)  # JMA warning kind codes (trigger warning)
    min_level = models.PositiveSmallIntegerField(null=True, blank=True)  # order level (trigger order)
    districts = models.ManyToManyField(District, blank=True, related_name="+")  # none: any district
    route_gtfs_ids = models.JSONField(default=list)
    effect = models.CharField(max_length=20, default="NO_SERVICE")  # a GTFS-RT Alert.Effect name

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="transit_rule_unique")]

    def __str__(self):
        return self.key


class ServiceAlert(models.Model):
    """A GTFS-RT ServiceAlert. `key` is "suspension:<route>" for those the rules raise; `ended_at` set when the
    cause is gone (kept for the record, no longer published)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="transit_alerts")
    key = models.CharField(max_length=120)
    route_gtfs_id = models.CharField(max_length=100)
    cause = models.CharField(max_length=20)  # a GTFS-RT Alert.Cause name
    effect = models.CharField(max_length=20)
    reasons = models.JSONField(default=list)  # [{"rule": key, "alert_id": n, "kind": ..., "district": ...}]
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], condition=models.Q(ended_at=None),
                                               name="transit_alert_one_open")]
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return self.key
