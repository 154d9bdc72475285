"""An incident (災害): what happened, where, and how HQ was organised for it over time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District, Municipality


class IncidentKind(models.TextChoices):
    EARTHQUAKE = "earthquake", _("Earthquake")
    TSUNAMI = "tsunami", _("Tsunami")
    HEAVY_RAIN = "heavy_rain", _("Heavy rain")
    TYPHOON = "typhoon", _("Typhoon")
    HEAVY_SNOW = "heavy_snow", _("Heavy snow")
    STORM = "storm", _("Storm")
    LANDSLIDE = "landslide", _("Landslide")
    FIRE = "fire", _("Large fire")
    VOLCANO = "volcano", _("Volcano")
    OTHER = "other", _("Other")


class Incident(models.Model):
    """One disaster (or drill) that HQ handles. A drill's every output is marked 訓練 and kept from the public."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="incidents")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    districts = models.ManyToManyField(District, blank=True, related_name="incidents",
                                       verbose_name=_("affected districts"))
    is_drill = models.BooleanField(_("drill"), default=False)
    # 災害救助法: the date the prefecture applied the Disaster Relief Act to this municipality, if it did.
    relief_act_applied_on = models.DateField(_("Disaster Relief Act applied on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"[訓練] {self.name}" if self.is_drill else self.name

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class HqStatus(models.Model):
    """One period of an HQ organisation for an incident: 警戒本部 or 災害対策本部, 設置 and 解散 times.

    A row is closed (dissolved_at set) when the body is dissolved or replaced by another level; the history is
    the rows in order."""

    class Level(models.TextChoices):
        ALERT_HQ = "alert_hq", _("Alert headquarters (警戒本部)")
        DISASTER_HQ = "disaster_hq", _("Disaster response headquarters (災害対策本部)")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="hq_statuses")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    established_at = models.DateTimeField(_("established at"))
    dissolved_at = models.DateTimeField(_("dissolved at"), null=True, blank=True)

    class Meta:
        ordering = ["established_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident"], condition=models.Q(dissolved_at__isnull=True),
                                    name="hq_one_open_status_per_incident"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.established_at:%Y-%m-%d %H:%M}"
