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


class RideConversation(models.Model):
    """A LINE friend's shared-ride booking in progress (toki/linebot/rides_chat.py): the step, the choices so far, and
    the token that the buttons of the last answer carry. One per friend. A postback whose token is not the current
    one (an old button, a forged postback) or that comes after `expires_at` changes and books nothing; each accepted
    postback gets a new token (a conditional UPDATE: a double tap or two workers handle it once). The name and phone
    a new rider types stay here only until their rider is linked; expired rows are deleted."""

    subscriber = models.OneToOneField("notify.Subscriber", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20)
    token = models.CharField(max_length=24)
    data = models.JSONField(default=dict)
    expires_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"ride conversation #{self.pk} ({self.step})"  # never the LINE user id
