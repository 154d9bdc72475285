"""Official warnings and city orders: raw JMA telegrams (stored once), the Alerts made from them, the current
warning state per (area, kind), and the city's evacuation orders.

Flow: feed entry → Telegram (raw, keyed on its URL, parsed) → Alert (one per telegram version that concerns
the municipality, or per city order / CAP import) → WarningState (what is in force now) → delivery.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality


class JmaFeed(models.Model):
    """One Atom feed Toki polls, with what the conditional GET needs next time."""

    url = models.URLField(_("URL"), max_length=500, unique=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("JMA feed")
        verbose_name_plural = _("JMA feeds")

    def __str__(self):
        return self.url


class Telegram(models.Model):
    """A JMA telegram, fetched once (keyed on its URL, reference §1) and kept raw with its parse."""

    url = models.URLField(_("URL"), max_length=500, unique=True)
    sha256 = models.CharField(_("content hash"), max_length=64, db_index=True)
    body = models.TextField(_("XML"))
    fetched_at = models.DateTimeField(_("fetched"))
    title = models.CharField(_("title"), max_length=200)
    type_code = models.CharField(_("type"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=4)  # 通常 / 訓練 / 試験
    info_type = models.CharField(_("info type"), max_length=4)  # 発表 / 訂正 / 取消 / 遅延
    editorial_office = models.CharField(max_length=100, blank=True)
    event_id = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=20, blank=True)
    report_at = models.DateTimeField(_("report time"))
    parsed = models.JSONField(_("normalised model"))
    concerns = models.BooleanField(_("concerns the municipality"), default=False)
    matched_areas = models.JSONField(default=list, blank=True)
    processed_at = models.DateTimeField(_("applied to the alert state"), null=True, blank=True)

    class Meta:
        verbose_name = _("JMA telegram")
        verbose_name_plural = _("JMA telegrams")
        ordering = ["-report_at", "-id"]
        indexes = [models.Index(fields=["title", "event_id"], name="telegram_event_idx")]

    def __str__(self):
        return f"{self.title} {self.report_at:%Y-%m-%d %H:%M} ({self.status}/{self.info_type})"


class QuarantinedInput(models.Model):
    """Input from outside that could not be used (malformed feed, telegram, CAP message), kept with the reason."""

    class Kind(models.TextChoices):
        FEED = "feed", _("feed")
        TELEGRAM = "telegram", _("telegram")
        CAP = "cap", _("CAP message")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.CharField(_("URL or file"), max_length=500, blank=True)
    reason = models.TextField(_("reason"))
    sha256 = models.CharField(max_length=64, blank=True)
    sample = models.TextField(_("first bytes"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarantined input")
        verbose_name_plural = _("quarantined inputs")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.url}: {self.reason[:60]}"


class Alert(models.Model):
    """One version of an official message that concerns the municipality: a JMA telegram, a city evacuation
    order or lifting, or an imported CAP alert. The wording for people is rendered from `facts`."""

    class Source(models.TextChoices):
        JMA = "jma", _("Japan Meteorological Agency")
        CITY = "city", _("City")
        CAP = "cap", _("Other agency (CAP)")

    class Status(models.TextChoices):  # CAP's names; JMA 通常 → actual, 訓練 → exercise, 試験 → test
        ACTUAL = "actual", _("actual")
        EXERCISE = "exercise", _("drill")
        TEST = "test", _("test")

    class MsgType(models.TextChoices):  # JMA 発表 → alert, 訂正 → update, 取消 → cancel
        ALERT = "alert", _("issued")
        UPDATE = "update", _("corrected")
        CANCEL = "cancel", _("cancelled")

    class Category(models.TextChoices):
        WEATHER = "weather", _("Weather warning")
        LANDSLIDE = "landslide", _("Landslide alert")
        RIVER = "river", _("River flood forecast")
        RAIN = "rain", _("Record short-time heavy rain")
        EARTHQUAKE = "earthquake", _("Earthquake")
        TSUNAMI = "tsunami", _("Tsunami")
        VOLCANO = "volcano", _("Volcano")
        EVACUATION = "evacuation", _("Evacuation information")
        FIRE = "fire", _("Fire")  # imported CAP (category Fire): a structure or forest fire
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="alerts")
    source = models.CharField(_("source"), max_length=4, choices=Source.choices)
    identifier = models.CharField(_("identifier"), max_length=250, unique=True)
    telegram = models.OneToOneField(Telegram, on_delete=models.PROTECT, null=True, blank=True, related_name="alert")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    type_code = models.CharField(_("type"), max_length=12, blank=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    msg_type = models.CharField(_("message type"), max_length=6, choices=MsgType.choices)
    sender = models.CharField(_("sender"), max_length=200)
    event_id = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=20, blank=True)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    headline = models.TextField(_("headline"), blank=True)
    level = models.PositiveSmallIntegerField(_("warning level"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, default="Unknown")  # CAP severity
    facts = models.JSONField(_("facts"), default=dict)  # the rendering input (toki.alerts.rendering)
    references = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="referenced_by")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status", "-sent_at"], name="alert_public_idx"),
            models.Index(fields=["source", "event_id"], name="alert_event_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_msg_type_display()}, {self.sent_at:%Y-%m-%d %H:%M})"

    @property
    def is_public(self) -> bool:
        """Drills and tests never reach the public (reference §6.3)."""
        return self.status == self.Status.ACTUAL


class WarningState(models.Model):
    """What is in force now for one (area, warning kind), from the newest telegram that spoke of it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="warning_states")
    area_code = models.CharField(_("area code"), max_length=20)
    area_name = models.CharField(_("area"), max_length=100)
    kind_code = models.CharField(_("kind code"), max_length=10)
    kind_name = models.CharField(_("kind"), max_length=60)
    system = models.CharField(_("warning system"), max_length=12)  # the telegram title family (H27 / R06 / …)
    status = models.CharField(_("status"), max_length=10)  # 発表 / 継続
    level = models.PositiveSmallIntegerField(_("warning level"), null=True, blank=True)
    is_drill = models.BooleanField(_("drill"), default=False)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="warning_states")
    report_at = models.DateTimeField(_("report time"))
    # The telegram's ValidDateTime: a 津波予報（若干の海面変動） is no longer in force after it, with no telegram
    # to say so (reference §4). None: in force until a telegram says otherwise.
    expires_at = models.DateTimeField(_("in force until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("warning in force")
        verbose_name_plural = _("warnings in force")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "area_code", "kind_code", "system", "is_drill"],
                                    name="warning_state_unique"),
        ]

    def __str__(self):
        return f"{self.area_name} {self.kind_name} ({self.status})"


class EvacuationOrder(models.Model):
    """A city evacuation order (避難情報) for one district, from issue to lifting."""

    class Level(models.IntegerChoices):
        ELDERLY = 3, _("Evacuation of elderly people, etc. (Level 3)")
        EVACUATE = 4, _("Evacuation instruction (Level 4)")
        EMERGENCY = 5, _("Emergency safety measures (Level 5)")

    class Hazard(models.TextChoices):
        FLOOD = "flood", _("Flood")
        LANDSLIDE = "landslide", _("Landslide and debris flow")
        STORM_SURGE = "storm_surge", _("Storm surge")
        TSUNAMI = "tsunami", _("Tsunami")
        EARTHQUAKE = "earthquake", _("Earthquake")
        LARGE_FIRE = "large_fire", _("Large fire")
        INLAND_FLOOD = "inland_flood", _("Inland flooding")
        VOLCANO = "volcano", _("Volcano")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="evacuation_orders")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="evacuation_orders")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    hazard = models.CharField(_("hazard"), max_length=14, choices=Hazard.choices)
    reason = models.TextField(_("reason"))
    is_drill = models.BooleanField(_("drill"), default=False)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issue_alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="issued_orders")
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lift_alert = models.ForeignKey(Alert, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="lifted_orders")

    class Meta:
        verbose_name = _("evacuation order")
        verbose_name_plural = _("evacuation orders")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One order in force per district and hazard: raising the level replaces it (reference: levels).
            models.UniqueConstraint(fields=["district", "hazard", "is_drill"], condition=models.Q(lifted_at=None),
                                    name="one_order_in_force"),
        ]

    def __str__(self):
        return f"{self.district} {self.get_level_display()} ({self.get_hazard_display()})"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
