"""The outbox of domain events and the record of each subscriber's delivery (ADR 0007)."""

from django.db import models
from django.db.models import Q


class Event(models.Model):
    """Something an action changed, written in the action's own transaction (one INSERT). `ids` holds the
    declared object ids only (toki.events.registry): never names, addresses or text."""

    name = models.CharField(max_length=100)
    municipality_id = models.BigIntegerField()  # the areas.Municipality it concerns (no FK: events import no app)
    ids = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when every subscriber of its type had it (or at once when it has none): the sweep looks at the rest.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="events_undone_idx", condition=Q(done_at__isnull=True)),
                   models.Index(fields=["name", "created_at"], name="events_name_idx")]

    def __str__(self):
        return f"{self.name} #{self.pk}"


class Delivery(models.Model):
    """One subscriber's handling of one event: claimed by a task for a lease, done once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=100)  # registry.Subscriber.key
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)  # last redelivery by the sweep
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)  # the exception's class only (no message text)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="events_one_delivery")]

    def __str__(self):
        return f"{self.subscriber} of event #{self.event_id}"
