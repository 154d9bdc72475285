"""Subscribers and the delivery outbox (issue 5, docs/notify.md).

A Subscriber is one address on one channel (a LINE user id today; a household tablet or a browser push endpoint
later) with what it wants to receive. Its address is personal data: it never goes into logs, URLs or task
arguments (DESIGN.md rule 12); tasks carry Subscriber ids.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality

MAX_DISTRICTS = 3  # issue 5: up to three districts, or all of the municipality


class Channel(models.TextChoices):
    LINE = "line", "LINE"
    TABLET = "tablet", _("Household tablet")
    WEBPUSH = "webpush", _("Browser push")


class Category(models.TextChoices):
    """What a subscriber can choose to receive. Every Alert maps to exactly one of these."""

    EVACUATION_ORDERS = "evacuation_orders", _("Evacuation orders")
    WARNINGS = "warnings", _("Weather warnings")
    QUAKE_TSUNAMI = "quake_tsunami", _("Earthquakes and tsunamis")
    SHELTERS = "shelters", _("Shelters")
    LIFELINES = "lifelines", _("Lifelines")
    NOTICES = "notices", _("City notices")


def default_categories() -> list[str]:
    return list(Category.values)


class Subscriber(models.Model):
    class Audience(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        TOURIST = "tourist", _("Visitor")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="subscribers")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500)  # LINE userId "U" + 32 hex, endpoint URL, …
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices,
                                default=Audience.RESIDENT)
    all_districts = models.BooleanField(_("all of the municipality"), default=True)
    districts = models.ManyToManyField(District, blank=True, related_name="subscribers",
                                       verbose_name=_("districts"))
    categories = models.JSONField(_("categories"), default=default_categories)
    # Drills and test messages go only to subscribers marked as the test audience (city staff's own accounts).
    is_test_audience = models.BooleanField(_("test audience"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    followed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    unfollowed_at = models.DateTimeField(_("unfollowed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="notify_one_subscriber_per_address")]
        indexes = [models.Index(fields=["municipality", "channel", "is_active"], name="notify_sub_active")]

    def __str__(self):
        return f"{self.channel} subscriber #{self.pk}"  # never the address (personal data)

    def wants(self, category: str) -> bool:
        return category in self.categories


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
        indexes = [models.Index(fields=["processed_at"], name="notify_webhook_unprocessed")]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
