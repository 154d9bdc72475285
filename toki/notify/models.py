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
ADDRESS_MAX = 2000  # characters of Subscriber.address


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
    # LINE: the userId ("U" + 32 hex). Web Push: the subscription as compact JSON {"endpoint", "keys": {"p256dh",
    # "auth"}} (toki.notify.webpush.subscription), up to ~700 characters for real push services.
    address = models.CharField(_("address"), max_length=ADDRESS_MAX)
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


# --- The delivery outbox (docs/notify.md) -------------------------------------------------------------------


class DeliveryState(models.TextChoices):
    """planned → sending → accepted | failed | dead; a retry goes back from sending to planned."""

    PLANNED = "planned", _("planned")
    SENDING = "sending", _("sending")
    ACCEPTED = "accepted", _("accepted")
    FAILED = "failed", _("failed")
    DEAD = "dead", _("dead")


FINAL_STATES = (DeliveryState.ACCEPTED, DeliveryState.FAILED, DeliveryState.DEAD)


class Notification(models.Model):
    """One message to send: made once from an Announcement (toki.notify.announcements), keyed on its dedupe key
    (`source_key`), so announcing the same thing twice finds it instead of making another."""

    class Kind(models.TextChoices):
        NEW = "new", _("new")
        UPDATE = "update", _("update")
        CANCEL = "cancel", _("cancellation")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="notifications")
    # The announcement's dedupe key: "alert:<pk>", "shelter_opening:<pk>", "lifeline_report:<pk>", "notice:<pk>".
    source_key = models.CharField(_("source"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.NEW)
    is_drill = models.BooleanField(_("drill"), default=False)
    # Drills and test messages go only to the test audience (Subscriber.is_test_audience).
    test_audience_only = models.BooleanField(_("test audience only"), default=False)
    title = models.CharField(_("title"), max_length=200)  # staff-facing (the announcement's Japanese title)
    district_codes = models.JSONField(_("districts"), default=list, blank=True)  # [] = the whole municipality
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    planned_at = models.DateTimeField(_("planned"), auto_now_add=True)
    # Planning writes the Delivery rows batch group by batch group, in short transactions (docs/notify.md); this
    # lease is extended by each of them and cleared when every batch is ready. A lease that runs out means the
    # planner died: notify_sweep resumes it from the batches still not ready.
    planning_until = models.DateTimeField(_("planning lease"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-planned_at", "-id"]

    def __str__(self):
        return f"{self.title} ({self.get_kind_display()})"


class DeliveryBatch(models.Model):
    """One request to a channel (a LINE multicast of at most 500 recipients), with its idempotency key.

    The `retry_key` (LINE's X-Line-Retry-Key) is fixed when the batch is planned and sent with every attempt:
    LINE executes the request once however often it arrives, and answers 409 to the repeats. A worker claims a
    batch by a conditional UPDATE (planned → sending, `lease_until` set); a batch still `sending` after its lease
    belonged to a worker that died and is claimed again by `notify_sweep`."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="batches")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10)
    messages = models.JSONField(_("messages"))  # the channel's message objects: no personal data
    size = models.PositiveIntegerField(_("recipients"))
    # The recipients, fixed at planning (Subscriber ids, ascending): the request's `to` list is read from these.
    subscriber_ids = models.JSONField(_("subscribers"), default=list)
    # False until the batch's Delivery rows are written; only a ready batch is claimed and sent.
    ready = models.BooleanField(_("ready"), default=True)
    retry_key = models.UUIDField(_("retry key"), unique=True)
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PLANNED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued"), null=True, blank=True)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    body_sha256 = models.CharField(_("request body hash"), max_length=64, blank=True)
    body_size = models.PositiveIntegerField(_("request body size"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    request_id = models.CharField(_("LINE request id"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery batch")
        verbose_name_plural = _("delivery batches")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_batch_due"),
                   models.Index(fields=["state", "lease_until"], name="notify_batch_lease")]

    def __str__(self):
        return f"batch #{self.pk} ({self.state}, {self.size} recipients)"


class Delivery(models.Model):
    """One recipient of one notification; its state follows its batch's."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    batch = models.ForeignKey(DeliveryBatch, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PLANNED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "subscriber"], name="notify_one_delivery")]
        indexes = [models.Index(fields=["notification", "state"], name="notify_delivery_state")]

    def __str__(self):
        return f"delivery #{self.pk} ({self.state})"
