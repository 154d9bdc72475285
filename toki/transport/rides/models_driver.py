"""The driver's tablet (issue 19, deliverable 4): a vehicle's tablet is enrolled once with a one-time QR made by
the area's operators; its cookie holds a secret of which only the SHA-256 is kept (toki.lib.device_secrets). What
the driver marks (boarded, no-show, dropped off) arrives as immutable events with the tablet's own UUIDs, stored
once each (the shelter tablet's sync contract, docs/shelter-ops-sync.md)."""

from django.conf import settings
from django.db import models


class TabletEnrolment(models.Model):
    """A one-time QR for one vehicle's tablet; the secret is shown once, in the QR."""

    vehicle = models.ForeignKey("rides.Vehicle", on_delete=models.CASCADE, related_name="tablet_enrolments")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"tablet enrolment {self.pk} of vehicle {self.vehicle_id}"


class DriverTablet(models.Model):
    """An enrolled tablet of a vehicle. Signed out by the operators (a lost tablet): its cookie opens nothing."""

    vehicle = models.ForeignKey("rides.Vehicle", on_delete=models.CASCADE, related_name="tablets")
    token_sha256 = models.CharField(max_length=64, unique=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vehicle", "pk"]

    def __str__(self):
        return f"tablet {self.pk} of vehicle {self.vehicle_id}"


class DriverEvent(models.Model):
    """One mark made on a tablet, as received: applied, or rejected with the reason (final). `event_id` is the
    tablet's UUID, so a resent event is answered "duplicate" and applied once."""

    class Kind(models.TextChoices):
        BOARDED = "boarded", "boarded"
        NO_SHOW = "no_show", "no-show"
        DROPPED_OFF = "dropped_off", "dropped off"

    class Status(models.TextChoices):
        APPLIED = "applied", "applied"
        REJECTED = "rejected", "rejected"

    event_id = models.UUIDField(unique=True)
    tablet = models.ForeignKey(DriverTablet, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, blank=True)
    booking = models.ForeignKey("rides.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"{self.kind} {self.status}"
