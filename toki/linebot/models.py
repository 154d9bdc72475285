"""The LINE conversation's own data: each webhook event seen once (the subscribers themselves are toki.notify's)."""

from django.db import models


class LineWebhookEvent(models.Model):
    """A LINE webhook event seen once, keyed on its webhookEventId: redeliveries are recognised and ignored.

    The event body is kept until it is processed (by a task that reads it by id), then emptied: it can hold a
    user's text or location."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)
    is_redelivery = models.BooleanField(default=False)
    body = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "notify_linewebhookevent"  # the table it had in toki.notify (moved in state only)
        indexes = [models.Index(fields=["processed_at"], name="notify_webhook_unprocessed")]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
